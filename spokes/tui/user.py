"""User creation: one person's account, written as a `user` line with a hashed password,
and the account's SSH keys as `sshkey --username=NAME` lines.

The user name follows the full name as it is typed (its first word, lowercased) until the
person edits the user name themselves. "Administrator" is membership of wheel, which is
what lets the root password spoke accept a locked root. A kickstart's first `user` line
pre-fills the form; further `user` lines are kept as they are. The keys follow the account:
renamed with it, and refused while no account would hold them (the executor stops on a key
for a user that does not exist).
"""
from __future__ import annotations

import urwid

from installer.ui.accounts import (ADMIN_GROUP, UserForm, is_admin, propose_username,
                                   write_user)
from installer.ui.ssh_keys import drop_keys, keys_of, set_keys

from .errors import refuse
from .password_fields import PasswordFields
from .spoke import USER_SETTINGS, Spoke
from .ssh_keys import SshKeyList
from .widgets import boxed, field

HELP = f"""User creation: an account for a person on the installed system.

User name: proposed from the full name; a lowercase letter or '_' first, then \
lowercase letters, digits, '_' and '-', at most 32, not a system account's name \
(root, bin, ...). Full name: any text but ':'.
Administrator: member of {ADMIN_GROUP}, may use sudo (needed to lock root).
Groups: comma-separated; NAME(GID) creates a group, e.g. audio, mygroup(5000).
Require a password: untick for an account without one. Typed twice; a weak one \
only after you confirm it; stored only as a hash.
SSH keys: paste a public key (ssh-ed25519 AAAA... you@host) in Add SSH key and \
press Enter; Delete on a key removes it.

Clear the full name and the user name to create no user. Tab and the arrows \
move; space toggles a box; Esc saves and returns to the hub."""


def _edit(text: str = "") -> urwid.Edit:
    return urwid.Edit("", text)


class UserSpoke(Spoke):
    title = "User creation"
    category = USER_SETTINGS
    mandatory = False
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.fullname, self.username, self.groups = _edit(), _edit(), _edit()
        self.admin = urwid.CheckBox(f"Make this user administrator (member of {ADMIN_GROUP})")
        self.use_password = urwid.CheckBox("Require a password to use this account")
        self.fields = PasswordFields()
        self.password_note = urwid.Text("")
        self.error = urwid.Text("")
        self.current = urwid.Text("")
        self.keys = SshKeyList("the user", self._rebuild, lambda text: self._refuse([text]))
        self.original = ""  # the account's name when the spoke was entered: its keys follow
        self.existing = ""  # the hash a kickstart gave, kept unless a new one is typed
        self._proposed = ""
        urwid.connect_signal(self.fullname, "postchange", lambda *_: self._propose())
        self.form: urwid.Widget | None = None
        self._keys_at = 0  # the row of the key list's heading

    # ---- hub semantics -----------------------------------------------------------------
    def completed(self) -> bool:
        return bool(self.handler.user.userList)

    def status(self) -> str:
        users = self.handler.user.userList
        if not users:
            return "No user will be created"
        first = users[0]
        text = f"{'Administrator' if is_admin(first) else 'User'} {first.name} will be created"
        return text + (f" (and {len(users) - 1} more)" if len(users) > 1 else "")

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        users = self.handler.user.userList
        form = UserForm.from_user(users[0]) if users else UserForm()
        self.existing = form.existing
        self._proposed = form.name if form.name == propose_username(form.fullname) else None
        for edit, text in ((self.fullname, form.fullname), (self.username, form.name),
                           (self.groups, form.groups)):
            edit.set_edit_text(text)
            edit.set_edit_pos(len(text))
        self.admin.set_state(form.admin, do_callback=False)
        self.use_password.set_state(form.use_password, do_callback=False)
        self.fields.clear()
        self.password_note.set_text(("dim", "A password is set; type a new one to change it.")
                                    if self.existing else "")
        self.original = form.name
        self.keys.load(keys_of(self.handler, form.name) if form.name else [])
        self.error.set_text("")
        self.current.set_text(f"Now: {self.status()}")
        self._build(focus=0)

    def _build(self, focus: int) -> None:
        head = [field("Full name:", boxed(self.fullname)),
                field("User name:", boxed(self.username)),
                urwid.AttrMap(self.admin, None, focus_map="focus"),
                field("Groups:", boxed(self.groups)),
                field("", urwid.Text(("dim", "comma-separated; NAME(GID) makes a new group"))),
                urwid.Divider(),
                urwid.AttrMap(self.use_password, None, focus_map="focus"),
                *self.fields.rows(), self.password_note, urwid.Divider()]
        self._keys_at = len(head)
        rows = head + self.keys.rows() + [urwid.Divider(), self.current]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = focus
        self.form = urwid.Padding(urwid.Pile([listbox, ("pack", self.error)]), left=1, right=1)

    def _rebuild(self) -> None:
        """The key list changed: the same widgets, the focus on the Add field."""
        self.error.set_text("")
        self._build(focus=self._keys_at + self.keys.add_offset())
        self.redraw()

    def _propose(self) -> None:
        """Follow the full name while the user name is still the last proposal."""
        if self._proposed is None or self.username.edit_text != self._proposed:
            self._proposed = None
            return
        self._proposed = propose_username(self.fullname.edit_text)
        self.username.set_edit_text(self._proposed)
        self.username.set_edit_pos(len(self._proposed))

    def body(self) -> urwid.Widget:
        return self.form

    def _refuse(self, messages: list[str]) -> bool:
        return refuse(self, self.error, messages)

    def collect(self) -> UserForm:
        return UserForm(fullname=self.fullname.edit_text, name=self.username.edit_text.strip(),
                        admin=self.admin.state, groups=self.groups.edit_text,
                        use_password=self.use_password.state, existing=self.existing)

    def leave(self) -> bool:
        """Esc: check every field, name what is wrong and stay, or write the `user` line."""
        if not self.keys.add_pending():
            return False
        form = self.collect()
        if form.empty:
            if self.keys.keys:
                return self._refuse(["SSH keys: no user will be created to hold them; enter a "
                                     "user name, or delete the keys."])
            write_user(self.handler, form)
            if self.original:
                drop_keys(self.handler, self.original)
            self.fields.clear()
            return True
        problems = form.problems() + self.keys.problems()
        if form.use_password:
            problem = self.fields.problem(required=not self.existing)
            if problem:
                problems.append(problem)
        elif self.fields.entered():
            problems.append("Require a password: it is unticked, so clear the password fields "
                            "(or tick it to use the password).")
        if problems:
            return self._refuse(problems)
        if form.use_password:
            weak = self.fields.needs_confirmation()
            if weak is not None:
                self.fields.ask_weak(self.app, weak, self.app.back)
                return False
            form.password = self.fields.password
        write_user(self.handler, form)
        set_keys(self.handler, form.name, self.keys.keys, old_username=self.original or None)
        self.original = form.name
        self.fields.clear()
        return True
