"""One additional repository (the kickstart's `repo`): its fields, from the source spoke.

Esc saves: every wrong field is named on the screen and the person stays; a form that
passes goes to installer.ui.repos's `ReposController`, which checks the repository in the
background and writes it into the kickstart once the check passed. Cancel leaves the
repository as it was.
"""
from __future__ import annotations

import urwid

from installer.errors import InstallerError
from installer.ui.repos import ReposController, RepoEntry
from installer.ui.repos_extra import REPO_KIND_LABELS, REPO_KINDS, RepoForm

from .errors import message_of, refuse
from .screen import Screen
from .widgets import boxed, button_row, field

HELP = """A repository packages can also come from (repo).
Name: letters, digits, _ . : -; not "anaconda"
Where (space picks): a Base URL (http(s)://,
  ftp://, file://: holds repodata/), a Mirror
  list or a Metalink
Cost: a whole number; the lower is preferred
Include only / Exclude: package names or globs
  (kernel*), separated by commas or spaces
Proxy: [http://][USER@]HOST[:PORT], its password in
  Proxy password (never logged nor saved)
Keep on the installed system: --install, writes
  /etc/yum.repos.d/NAME.repo
Esc or Save checks it in the background; Cancel
discards the changes."""


def _edit(text: str = "") -> urwid.Edit:
    edit = urwid.Edit("", text)
    edit.set_edit_pos(len(text))
    return edit


class RepoScreen(Screen):
    help_text = HELP

    def __init__(self, repos: ReposController, entry: RepoEntry | None = None):
        super().__init__()
        self.repos, self.entry = repos, entry
        form = entry.form if entry is not None else RepoForm()
        self.title = f"Repository {form.name}" if entry is not None else "Add a repository"
        self.name, self.url, self.cost = _edit(form.name), _edit(form.url), _edit(form.cost)
        self.include, self.exclude = _edit(form.includepkgs), _edit(form.excludepkgs)
        self.proxy = _edit(form.proxy)
        self.proxy_password = urwid.Edit("", form.proxy_password, mask="*")
        group: list[urwid.RadioButton] = []
        self.kinds = {kind: urwid.RadioButton(group, REPO_KIND_LABELS[kind], kind == form.kind)
                      for kind in REPO_KINDS}
        self.noverifyssl = urwid.CheckBox("Do not verify the server's TLS certificate",
                                          form.noverifyssl)
        self.install = urwid.CheckBox("Keep on the installed system (/etc/yum.repos.d)",
                                      form.install)
        self.error = urwid.Text("")
        self.cancelled = False
        kinds = urwid.GridFlow([urwid.AttrMap(r, None, focus_map="focus")
                                for r in self.kinds.values()], 17, 1, 0, "left")
        rows = [field("Name:", boxed(self.name)),
                field("Where:", kinds),
                field("URL:", boxed(self.url)),
                field("Cost (optional):", boxed(self.cost)),
                field("Include only:", boxed(self.include)),
                field("Exclude:", boxed(self.exclude)),
                field("", urwid.Text(("dim", "package names or globs, e.g. kernel*, foo"))),
                field("Proxy (optional):", boxed(self.proxy)),
                field("Proxy password:", boxed(self.proxy_password)),
                urwid.AttrMap(self.noverifyssl, None, focus_map="focus"),
                urwid.AttrMap(self.install, None, focus_map="focus"),
                urwid.Divider(),
                button_row([("Save", self.app_back), ("Cancel", self.cancel)]),
                self.error]
        self.form = urwid.Padding(urwid.ListBox(urwid.SimpleFocusListWalker(rows)), left=1, right=1)

    def body(self) -> urwid.Widget:
        return self.form

    def keys_hint(self) -> str:
        return "F1 Help  Esc Save  Tab Move  Space Pick"

    def collect(self) -> RepoForm:
        kind = next(k for k, radio in self.kinds.items() if radio.state)
        return RepoForm(name=self.name.edit_text, kind=kind, url=self.url.edit_text,
                        cost=self.cost.edit_text, includepkgs=self.include.edit_text,
                        excludepkgs=self.exclude.edit_text, proxy=self.proxy.edit_text,
                        proxy_password=self.proxy_password.edit_text,
                        noverifyssl=self.noverifyssl.state, install=self.install.state)

    def app_back(self) -> None:
        self.app.back()

    def cancel(self) -> None:
        self.cancelled = True
        self.app.back()

    def leave(self) -> bool:
        """Esc/Save: name every wrong field and stay, or hand the form over (checked in
        the background). An untouched empty form adds nothing."""
        form = self.collect()
        if self.cancelled or (self.entry is None and form == RepoForm()):
            return True
        try:
            self.repos.save(form, self.entry.id if self.entry is not None else None)
        except InstallerError as exc:
            return refuse(self, self.error, message_of(exc).splitlines())
        return True
