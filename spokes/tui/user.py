"""User creation: one person's account, written as a `user` line with a hashed password.

The user name follows the full name as it is typed (its first word, lowercased) until the
person edits the user name themselves. "Administrator" is membership of wheel, which is
what lets the root password spoke accept a locked root. A kickstart's first `user` line
pre-fills the form; further `user` lines are kept as they are.
"""
from __future__ import annotations

import urwid

from installer.ui.accounts import (ADMIN_GROUP, UserForm, is_admin, propose_username,
                                            write_user)

from .errors import refuse
from .password_fields import PasswordFields
from .spoke import USER_SETTINGS, Spoke
from .widgets import boxed, field

HELP = f"""User creation: an account for a person, created on the installed system.

Full name: any text but ':' (optional).
User name: the login name, proposed from the full name. It must start with a lowercase \
letter or '_', then use lowercase letters, digits, '_' and '-', at most 32 characters, \
and cannot be a system account's name (root, bin, daemon, ...).
Make this user administrator: adds the user to the {ADMIN_GROUP} group, so it can use \
sudo. This is needed to lock the root account.
Groups: more groups, separated by commas. NAME(GID) creates a missing group with that \
GID, e.g. audio, mygroup(5000).
Require a password: untick to create the account without a password (it cannot log in \
with one until a password is set). The password is typed twice; a weak one is accepted \
only after you confirm it. It is stored in the kickstart only as a hash.

Clear the full name and the user name to create no user. Tab and the arrow keys move \
between fields; space toggles a box; Esc saves and returns to the hub."""


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
        self.existing = ""  # the hash a kickstart gave, kept unless a new one is typed
        self._proposed = ""
        urwid.connect_signal(self.fullname, "postchange", lambda *_: self._propose())
        self.form: urwid.Widget | None = None

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
        self.error.set_text("")
        self.current.set_text(f"Now: {self.status()}")
        rows = [field("Full name:", boxed(self.fullname)),
                field("User name:", boxed(self.username)),
                urwid.AttrMap(self.admin, None, focus_map="focus"),
                field("Groups:", boxed(self.groups)),
                field("", urwid.Text(("dim", "comma-separated; NAME(GID) makes a new group"))),
                urwid.Divider(),
                urwid.AttrMap(self.use_password, None, focus_map="focus"),
                *self.fields.rows(), self.password_note, urwid.Divider(),
                self.current, self.error]
        self.form = urwid.Padding(urwid.ListBox(urwid.SimpleFocusListWalker(rows)), left=1, right=1)

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
        form = self.collect()
        if form.empty:
            write_user(self.handler, form)
            self.fields.clear()
            return True
        problems = form.problems()
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
        self.fields.clear()
        return True
