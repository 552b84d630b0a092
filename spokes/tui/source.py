"""Installation source: where the packages come from, checked before anything depends on it.

The state and the checks are installer.ui.source's `SourceController` (the source) and
installer.ui.repos's `ReposController` (additional repositories); this screen draws them
and maps keys. The kind of source is chosen with radio buttons; its fields follow. An
entered source is checked in the background when the person leaves the spoke, presses
Enter in a field, or Check; only one that passed goes into the kickstart. The software
spoke notices a new source on its own (it watches the handler).
"""
from __future__ import annotations

import logging

import urwid

from installer.errors import InstallerError
from installer.ui.repos import ReposController, RepoEntry
from installer.ui.source import SourceController

from .errors import message_of
from .source_fields import SourceFields
from .source_repo import RepoScreen
from .spoke import SOFTWARE, Spoke
from .widgets import Choice, button_row, error_text, field

log = logging.getLogger("anaconda.tui")

HELP = """Where the packages come from. Space picks the kind:
- Repository URL: http(s)://, ftp:// or file://,
  the directory that holds repodata/
- Mirror list / Metalink URL: DNF's mirror lists
- Boot medium (cdrom): the installer's DVD or USB
- Disk (hd:): a partition (picked from the list, or
  typed: sdb1, LABEL=X, UUID=...) and the path of
  an ISO file or a tree on it
- NFS server: server, directory, mount options
Proxy: [http://][USER@]HOST[:PORT], its password in
  Proxy password (never logged nor saved)
Enter, Check or Esc checks the source in the
background; only a source that passed is used.
More repositories (repo): a adds one; on one,
Enter or e edits it, d removes it."""


class RepoLine(urwid.WidgetWrap):
    """A repository in the list: Enter/e edits, d/Delete removes."""

    def __init__(self, entry: RepoEntry, on_edit, on_remove):
        self.entry, self.on_edit, self.on_remove = entry, on_edit, on_remove
        mark = "!" if entry.error else "-" if entry.running else "x" if entry.found else " "
        details = ", ".join(filter(None, [entry.state(), entry.form.details()]))
        lines = urwid.Pile([urwid.Text(f"[{mark}] {entry.form.summary()}", wrap="ellipsis"),
                            urwid.Text(("dim", f"    {details}"), wrap="ellipsis")])
        super().__init__(urwid.AttrMap(lines, "error" if entry.error else None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("enter", "e"):
            self.on_edit(self.entry)
            return None
        if key in ("d", "delete"):
            self.on_remove(self.entry)
            return None
        return key


class SourceSpoke(Spoke):
    title = "Installation source"
    category = SOFTWARE
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.fields = SourceFields(self._check_entered, self._kind_changed)
        self._controller: SourceController | None = None
        self._repos: ReposController | None = None
        self._focus = self._next_focus = "url"
        self._keys: list[str] = []
        self._listbox: urwid.ListBox | None = None
        self._in_repo = False  # a repository's screen is open over this one

    @property
    def controller(self) -> SourceController:
        if self._controller is None:
            self._controller = SourceController(
                self.session, self.app.background("source check"), on_failed=self._failed,
                disks=self.app.background("source partitions"))
        return self._controller

    @property
    def repos(self) -> ReposController:
        if self._repos is None:
            self._repos = ReposController(self.session, self.app.background,
                                          on_failed=self._failed)
        return self._repos

    @property
    def check(self):
        return self.controller.check

    @property
    def edit(self) -> urwid.Edit:
        """The URL field (the most common source)."""
        return self.fields.url

    def source(self):
        return self.controller.source()

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        self.controller.setup()
        self.repos.setup()

    def ready(self) -> bool:
        return self.controller.ready() and not self.repos.busy()

    def completed(self) -> bool:
        return self.controller.completed() and not self.repos.problems()

    def status(self) -> str:
        status = self.controller.status()
        if self.controller.check.running or self.controller.check.error:
            return status
        if self.repos.busy():
            return "Checking repositories..."
        if self.repos.problems():
            return "Error checking a repository"
        count = len(self.repos.entries)
        return status + (f" (+{count} repositor{'y' if count == 1 else 'ies'})" if count else "")

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        """From the hub: the fields show the source; back from a repository's screen:
        they keep what was being typed."""
        if self._in_repo:
            self._in_repo = False
            return
        self.fields.fill(self.controller.form())
        self._next_focus = self.fields.first_field()
        if self.fields.kind == "hd":
            self.controller.find_partitions()

    def _kind_changed(self, kind: str) -> None:
        if kind == "hd":
            self.controller.find_partitions()
        self._next_focus = "kinds"
        self.redraw()

    def _state_line(self) -> urwid.Widget:
        if self.check.running:
            return urwid.Text(f"Checking {self.check.location} ...")
        if self.check.error:
            return error_text("Error checking source")
        if self.check.found:
            return urwid.Text(f"Checked: {self.check.found}")
        source = self.source()
        if source is not None and not source.checkable:
            return urwid.Text("A live image: no repository to check")
        return urwid.Text("Not checked")

    def _partition_rows(self) -> list[tuple[str, urwid.Widget]]:
        scan = self.controller.scan
        if scan.running:
            return [("scan", urwid.Text(("dim", "Looking for partitions...")))]
        if scan.error or not scan.partitions:
            text = scan.error or "No partition with a file system found; type the device."
            return [("scan", urwid.Text(("dim", text)))]
        chosen = self.fields.partition.edit_text.strip()
        return [(f"part:{p.name}", Choice(p.summary(), p.name, self._pick_partition,
                                          marked=p.name == chosen))
                for p in scan.partitions]

    def _pick_partition(self, name: str) -> None:
        self.fields.partition.set(name)
        self._next_focus = "path"
        self.redraw()

    def _repo_rows(self) -> list[tuple[str, urwid.Widget]]:
        rows: list[tuple[str, urwid.Widget]] = [
            ("repos", urwid.Text("Additional repositories (a add, Enter/e edit, d remove):"))]
        for entry in self.repos.entries:
            rows.append((f"repo:{entry.id}", RepoLine(entry, self._edit_repo, self._remove_repo)))
            if entry.error:
                rows.append((f"repo-error:{entry.id}", error_text(f"    {entry.error}")))
        if not self.repos.entries:
            rows.append(("norepo", urwid.Text(("dim", "  none"))))
        return rows

    def rows(self) -> list[tuple[str, urwid.Widget]]:
        source = self.source()
        rows: list[tuple[str, urwid.Widget]] = [
            ("current", field("Current source:", urwid.Text(source.shown if source
                                                            else "Nothing selected"))),
            ("origin", field("Given by:", urwid.Text(source.origin if source else "-"))),
            ("status", field("Status:", self._state_line())),
            ("div1", urwid.Divider()),
            *self.fields.kind_rows(),
            *self.fields.field_rows(),
        ]
        if self.fields.kind == "hd":
            rows += self._partition_rows()
        rows.append(("check", button_row([("Check", self._check_entered),
                                          ("Add repository", self.add_repo)])))
        if self.check.error:
            rows.append(("check-error", error_text(self.check.error)))
        rows += self._repo_rows()
        return rows

    def body(self) -> urwid.Widget:
        """Rebuilt on each redraw; the focus stays on the same row (by key), or goes
        where `_next_focus` asks (a new kind, a picked partition)."""
        if self._next_focus:
            self._focus, self._next_focus = self._next_focus, ""
        elif self._listbox is not None and self._keys:
            self._focus = self._keys[self._listbox.focus_position]
        rows = self.rows()
        self._keys = [key for key, _ in rows]
        self._listbox = urwid.ListBox(urwid.SimpleFocusListWalker([w for _, w in rows]))
        focus = self._focus if self._focus in self._keys else self.fields.first_field()
        if focus in self._keys and rows[self._keys.index(focus)][1].selectable():
            self._listbox.focus_position = self._keys.index(focus)
        return urwid.Padding(self._listbox, left=1, right=1)

    def shortcut(self, key: str) -> bool:
        if key == "a":
            self.add_repo()
            return True
        return False

    def keys_hint(self) -> str:
        return "F1 Help  Esc Done  Tab Move  Space Pick  Enter Check  a Add repository"

    # ---- leaving and checking ----------------------------------------------------------------
    def leave(self) -> bool:
        """Esc: a new (or a failed) source is checked in the background; a malformed one
        keeps the person here with every reason."""
        if self.controller.wants_check(self.fields.collect()):
            return self._check_entered(stay=False)
        return True

    def _check_entered(self, stay: bool = True) -> bool:
        try:
            self.controller.enter(self.fields.collect())
        except InstallerError as exc:
            self.app.message("Installation source", message_of(exc))
            return False
        if stay:
            self.redraw()
        return True

    def _failed(self, message: str) -> None:
        """An entered source or repository failed its check after the person left the
        spoke: say so."""
        if self.app.current is not self:
            self.app.message("Error checking source", message)

    # ---- additional repositories ------------------------------------------------------------
    def add_repo(self) -> None:
        self._in_repo = True
        self.app.show(RepoScreen(self.repos))

    def _edit_repo(self, entry: RepoEntry) -> None:
        self._in_repo = True
        self.app.show(RepoScreen(self.repos, entry))

    def _remove_repo(self, entry: RepoEntry) -> None:
        def remove() -> None:
            self.repos.remove(entry.id)
            self.redraw()

        self.app.confirm("Remove repository", f"Remove the repository {entry.form.name} "
                         f"({entry.form.shown_url})?", remove, yes="Remove", no="Keep")
