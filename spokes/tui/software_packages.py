"""The package search of the software selection: type part of a name or summary, add a
package to %packages or exclude it.

Opened from the software screen (s). The search itself is the controller's
(installer/ui/software.py, over the list the first DNF load brought): no DNF runs while
typing; each add or exclude is one background depsolve, shown at the bottom. The widgets
are kept between redraws (a background result redraws the screen), so the text typed
and the cursor stay where they were.
"""
from __future__ import annotations

import logging

import urwid

from installer.errors import PayloadError
from installer.ui.packages import PackageInfo
from installer.ui.software import SoftwareController

from .errors import sentence
from .screen import Screen
from .storage_widgets import Line
from .widgets import error_text

log = logging.getLogger("anaconda.tui")

HELP = """Packages: add single packages to the installation, or exclude them.

Type part of a name or summary (any case): the exact name comes first, then names \
starting with it, names holding it, summaries holding it; 50 at most.

Enter in the search field adds what is typed as a kickstart would have it: a name, a \
glob such as vim-*, or -name to exclude one. A name the source does not have is \
refused, and named.

Down moves into the results: space, Enter or + adds [+] (again: back to [ ]); - \
excludes [-]: never installed, not even as a dependency. Typing goes on in the field.

Each change is checked in the background; Esc goes back to the list."""

MARKS = {"+": "[+]", "-": "[-]", "": "[ ]"}


class ResultLine(Line):
    """One package found: mark, name, summary; keys add or exclude it."""

    def __init__(self, info: PackageInfo, mark: str, screen: "PackageSearchScreen"):
        self.name = info.name
        toggle = lambda: screen.toggle(info.name, "+")  # noqa: E731
        super().__init__(f"{MARKS[mark]} {info.name:<28} {info.summary}",
                         {"enter": toggle, " ": toggle, "+": toggle,
                          "-": lambda: screen.toggle(info.name, "-")})


class PackageSearchScreen(Screen):
    title = "Software selection: packages"
    help_text = HELP

    def __init__(self, controller: SoftwareController):
        super().__init__()
        self.controller = controller
        self.message: urwid.Widget = urwid.Text("")
        self.edit = urwid.Edit("Search packages: ", wrap="clip")
        urwid.connect_signal(self.edit, "postchange", lambda *_: self.refresh())
        self.count = urwid.Text("", align="right")
        self.walker = urwid.SimpleFocusListWalker([])
        self.pile = urwid.Pile([
            ("pack", urwid.Columns([urwid.AttrMap(self.edit, None, focus_map="focus"),
                                    (22, self.count)])),
            ("pack", urwid.Divider("-")), urwid.ListBox(self.walker)])
        self.footer = urwid.Pile([])
        self.frame = urwid.Padding(urwid.Frame(self.pile, footer=self.footer), left=1, right=1)

    # ---- what is shown -----------------------------------------------------------------
    def refresh(self) -> None:
        """Search again for the typed text and redraw the rows, the focus kept by name."""
        focused = getattr(self.walker.get_focus()[0], "name", None)
        result = self.controller.search(self.edit.edit_text)
        marks = {name: mark for mark, name in self.controller.listed_packages()}
        rows = [ResultLine(info, marks.get(info.name, ""), self) for info in result.rows]
        if not rows and not self.edit.edit_text.strip():
            rows = [urwid.Text(("dim", "Type part of a package's name or summary."))]
        self.walker[:] = rows
        names = [getattr(row, "name", None) for row in rows]
        if rows:
            self.walker.set_focus(names.index(focused) if focused in names else 0)
        self.count.set_text(self._count_text(len(rows), result.more))

    def _count_text(self, shown: int, more: bool) -> str:
        index = self.controller.state.index
        if index is None:
            return ""
        if not self.edit.edit_text.strip():
            return f"{len(index)} packages"
        return f"first {shown}: type more" if more else f"{shown} found"

    def _status(self) -> urwid.Widget:
        state = self.controller.state
        if state.index is None:
            if state.busy:
                return urwid.Text("The package list is still loading...")
            return error_text("No package list: the software list of the installation "
                              "source could not be loaded.")
        if state.busy:
            return urwid.Text(state.busy)
        if state.error:
            return error_text(f"Error checking software dependencies: {state.error}")
        if state.packages is not None:
            return urwid.Text(f"Dependencies checked: {state.packages} packages to install.")
        return urwid.Text("")

    def body(self) -> urwid.Widget:
        self.refresh()
        self.footer.contents = [(urwid.Divider("-"), ("pack", None)),
                                (self.message, ("pack", None)),
                                (self._status(), ("pack", None))]
        return self.frame

    def keys_hint(self) -> str:
        return "F1 Help  Esc Back  Enter Add typed  Space/+ Add  - Exclude  Down Results"

    # ---- keys --------------------------------------------------------------------------
    def enter(self) -> None:
        self.pile.focus_position = 0

    def shortcut(self, key: str) -> bool:
        """Keys the widgets left: Enter in the search field adds the typed text; a
        printable key or backspace typed in the results edits the search field."""
        if key == "enter" and self.pile.focus_position == 0:
            self.add_typed()
            return True
        if len(key) == 1 and key.isprintable() and key not in " +-":
            self.pile.focus_position = 0
            self.edit.insert_text(key)
            return True
        if key == "backspace" and self.pile.focus_position != 0:
            self.pile.focus_position = 0
            self.edit.set_edit_text(self.edit.edit_text[:-1])
            self.edit.set_edit_pos(len(self.edit.edit_text))
            return True
        return False

    def add_typed(self) -> None:
        try:
            done = self.controller.add_spec(self.edit.edit_text)
        except PayloadError as exc:
            self.message = error_text(sentence(exc) + ".")
        else:
            self.message = urwid.Text(("complete", done + "."))
            self.edit.set_edit_text("")
        self.redraw()

    def toggle(self, name: str, mark: str) -> None:
        """+ adds (or takes back the add), - excludes (or takes back the exclusion)."""
        current = dict((n, m) for m, n in self.controller.listed_packages()).get(name, "")
        if current == mark:
            self.controller.forget(name)
            self.message = urwid.Text(f"{name}: neither added nor excluded.")
        elif mark == "+":
            self.controller.include(name)
            self.message = urwid.Text(("complete", f"Added {name}."))
        else:
            self.controller.exclude(name)
            self.message = urwid.Text(("complete", f"Excluded {name} (-{name})."))
        self.redraw()
