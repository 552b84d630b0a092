"""Root password: typed twice and hashed into `rootpw --iscrypted`, or the account locked;
whether root may log in over SSH with it (`rootpw --allow-ssh`), and root's SSH keys
(`sshkey --username=root`).

Locking root (`rootpw --lock`) is Anaconda's choice for systems run through sudo: it
completes the spoke only while the user spoke creates an administrator, since otherwise
nobody could administer the installed system. The spoke reads that from the handler every
time, so creating or removing the administrator later is reflected on the hub at once.
"""
from __future__ import annotations

import urwid

from installer.ui.accounts import (has_admin, keep_root_hashed, lock_root, root_locked,
                                   root_password_set, root_ssh_allowed, set_root_password,
                                   set_root_ssh)
from installer.ui.ssh_keys import keys_of, set_keys

from .errors import refuse
from .password_fields import PasswordFields
from .spoke import USER_SETTINGS, Spoke
from .ssh_keys import SshKeyList

HELP = """Root password: the password of root, the system's administrator.

Type it twice (Password, Confirm password); a weak one is accepted only after you \
confirm it. Both empty: the setting stays. Stored only as a hash (rootpw --iscrypted).

Lock the root account: root gets no password (rootpw --lock); only with an \
administrator user (User creation), who then uses sudo.

Allow root SSH login with password: sshd takes root's password (rootpw --allow-ssh).

SSH keys: paste a public key (ssh-ed25519 AAAA... you@host) in Add SSH key and \
press Enter; Delete on a key removes it.

Tab and the arrows move; space toggles a box; Esc saves and returns to the hub."""


class RootPasswordSpoke(Spoke):
    title = "Root password"
    category = USER_SETTINGS
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.fields = PasswordFields()
        self.lock = urwid.CheckBox("Lock the root account",
                                   on_state_change=lambda *_: self._update())
        self.note = urwid.Text("")
        self.allow_ssh = urwid.CheckBox("Allow root SSH login with password")
        self.keys = SshKeyList("root", self._rebuild, lambda text: self._refuse(text))
        self.error = urwid.Text("")
        self.current = urwid.Text("")
        self.form: urwid.Widget | None = None
        self.listbox: urwid.ListBox | None = None
        self._keys_at = 0  # the row of the key list's heading
        self._changed = False  # left with a choice of its own: the kickstart's no longer counts

    # ---- hub semantics -----------------------------------------------------------------
    def completed(self) -> bool:
        if root_locked(self.handler):
            return has_admin(self.handler) or self._locked_by_kickstart()
        return root_password_set(self.handler)

    def _locked_by_kickstart(self) -> bool:
        """`rootpw --lock` from a kickstart is a decision already made (Anaconda takes it,
        and installer.ui.frontend_choice does not ask again); only a lock chosen
        here waits for an administrator user, so that somebody can log in."""
        return "rootpw" in self.session.seen and not self._changed

    def status(self) -> str:
        if root_locked(self.handler):
            if has_admin(self.handler) or self._locked_by_kickstart():
                return "Root account is disabled"
            return "Disabled; needs an admin user"
        return "Root password is set" if root_password_set(self.handler) else \
            "Root password is not set"

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        self.fields.clear()
        self.lock.set_state(root_locked(self.handler), do_callback=False)
        self.allow_ssh.set_state(root_ssh_allowed(self.handler), do_callback=False)
        self.keys.load(keys_of(self.handler, "root"))
        self.error.set_text("")
        self.current.set_text(f"Now: {self.status()}")
        self._update()
        self._build(focus=2)

    def _build(self, focus: int) -> None:
        head = [urwid.Text("The root account administers the system. Set its password, or "
                           "lock it and create an administrator user instead."),
                urwid.Divider(), *self.fields.rows(), urwid.Divider(),
                urwid.AttrMap(self.lock, None, focus_map="focus"), self.note,
                urwid.AttrMap(self.allow_ssh, None, focus_map="focus"), urwid.Divider()]
        self._keys_at = len(head)
        rows = head + self.keys.rows() + [urwid.Divider(), self.current]
        self.listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        self.listbox.focus_position = focus
        self.form = urwid.Padding(urwid.Pile([self.listbox, ("pack", self.error)]),
                                  left=1, right=1)

    def _rebuild(self) -> None:
        """The key list changed: the same widgets, the focus on the Add field."""
        self.error.set_text("")
        self._build(focus=self._keys_at + self.keys.add_offset())
        self.redraw()

    def _update(self) -> None:
        if has_admin(self.handler):
            text = "An administrator user will be created: locking root is allowed."
        else:
            text = "Locking needs an administrator user (see User creation)."
        self.note.set_text(("warning" if self.lock.state and not has_admin(self.handler)
                            else "dim", "    " + text))

    def body(self) -> urwid.Widget:
        return self.form

    def _refuse(self, message: str) -> bool:
        return refuse(self, self.error, message)

    def _ssh_problems(self) -> list[str]:
        if not self.allow_ssh.state:
            return []
        if self.lock.state:
            return ["Allow root SSH login with password: a locked root has no password. "
                    "Untick one of them (keys still log in with root locked)."]
        if not self.fields.entered() and not root_password_set(self.handler):
            return ["Allow root SSH login with password: set a root password first."]
        return []

    def leave(self) -> bool:
        """Esc: apply what was entered; a mistake keeps the person here, named."""
        if not self.keys.add_pending():
            return False
        problems = self.keys.problems() + self._ssh_problems()
        if problems:
            return self._refuse(problems)
        if not self._leave_password():
            return False
        set_root_ssh(self.handler, self.allow_ssh.state)
        set_keys(self.handler, "root", self.keys.keys)
        return True

    def _leave_password(self) -> bool:
        if self.lock.state:
            if self.fields.entered():
                return self._refuse("Lock the root account: a locked root has no password. "
                                    "Clear the password fields or untick Lock.")
            self._changed = self._changed or not root_locked(self.handler)
            lock_root(self.handler)
            return True
        if not self.fields.entered():
            if root_locked(self.handler):  # unticked: root is neither locked nor set now
                self.handler.rootpw.lock = False
                self.handler.rootpw.seen = root_password_set(self.handler)
            elif root_password_set(self.handler):
                keep_root_hashed(self.handler)
            return True
        problem = self.fields.problem(required=True)
        if problem:
            return self._refuse(problem)
        weak = self.fields.needs_confirmation()
        if weak is not None:
            self.fields.ask_weak(self.app, weak, self.app.back)
            return False
        set_root_password(self.handler, self.fields.password)
        self.fields.clear()
        return True

