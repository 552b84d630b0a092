"""Root password: typed twice and hashed into `rootpw --iscrypted`, or the account locked.

Locking root (`rootpw --lock`) is Anaconda's choice for systems run through sudo: it
completes the spoke only while the user spoke creates an administrator, since otherwise
nobody could administer the installed system. The spoke reads that from the handler every
time, so creating or removing the administrator later is reflected on the hub at once.
"""
from __future__ import annotations

import urwid

from installer.ui.accounts import (has_admin, keep_root_hashed, lock_root, root_locked,
                                            root_password_set, set_root_password)

from .errors import refuse
from .password_fields import PasswordFields
from .spoke import USER_SETTINGS, Spoke

HELP = """Root password: the password of the system's administrator account, root.

Type it in Password and again in Confirm password; the two must match. Its strength is \
shown as you type; a weak password is accepted only after you confirm it.

Leave both fields empty to keep the current setting. The password is stored in the \
kickstart only as a hash (rootpw --iscrypted), never as text.

Lock the root account (space toggles it) disables root's password entirely \
(rootpw --lock). Use it only together with an administrator user (User creation, \
"Make this user administrator"): that user then runs administrative commands with sudo. \
A locked root without an administrator is not complete.

Tab and the arrow keys move between fields; Esc saves and returns to the hub."""


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
        self.error = urwid.Text("")
        self.current = urwid.Text("")
        self.form: urwid.Widget | None = None
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
        self.error.set_text("")
        self.current.set_text(f"Now: {self.status()}")
        self._update()
        rows = [urwid.Text("The root account administers the system. Set its password, or "
                           "lock it and create an administrator user instead."),
                urwid.Divider(), *self.fields.rows(), urwid.Divider(),
                urwid.AttrMap(self.lock, None, focus_map="focus"), self.note, urwid.Divider(),
                self.current, self.error]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 2
        self.form = urwid.Padding(listbox, left=1, right=1)

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

    def leave(self) -> bool:
        """Esc: apply what was entered; a mistake keeps the person here, named."""
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

