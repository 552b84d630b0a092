"""The hub: spokes by category in two columns, marks, status lines, Begin and Quit.

Marks are Anaconda's: `[!]` mandatory and incomplete, `[x]` complete, `[ ]` optional,
`[-]` still working in the background. "Begin Installation" does nothing but say what is
missing until every mandatory spoke is complete. With a kickstart that left mandatory
spokes incomplete, only those are shown, as Anaconda does.
"""
from __future__ import annotations

from typing import Callable

import urwid

from .screen import Screen
from .spoke import CATEGORY_ROWS, Spoke

HELP = """The hub lists every part of the installation. Open one with the arrow keys and Enter, \
or type its number.

[!] must be completed before the installation can begin
[x] complete    [ ] optional    [-] still being prepared

Begin Installation (key b) starts once nothing is marked [!]. Nothing is written to any \
disk before that. Quit (key q) leaves without changing anything. Key w lists the \
kickstart's warnings: what in it is not applied here, with its file and line."""


class Entry(urwid.WidgetWrap):
    """One spoke on the hub: number, mark and title, the status line under them."""

    def __init__(self, number: int, spoke: Spoke, on_open: Callable[[Spoke], None]):
        self.spoke, self.on_open = spoke, on_open
        mark = spoke.mark()
        style = {"[!]": "mandatory", "[x]": "complete"}.get(mark, "dim" if mark == "[-]" else None)
        first = urwid.Text([f"{number}) ", (style, mark) if style else mark, f" {spoke.title}"])
        status = urwid.Padding(urwid.Text(("dim" if mark == "[-]" else None, spoke.status())),
                               left=7)
        super().__init__(urwid.AttrMap(urwid.Pile([first, status]), None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("enter", " "):
            self.on_open(self.spoke)
            return None
        return key


class Hub(Screen):
    title = "INSTALLATION SUMMARY"
    help_text = HELP

    def __init__(self, spokes: list[Spoke], on_begin: Callable[[], None],
                 on_quit: Callable[[], None]):
        super().__init__()
        self.spokes = spokes
        self.on_begin, self.on_quit = on_begin, on_quit
        self._focus: int = 0
        self._shown: list[Spoke] | None = None
        self._pending: list[Spoke] = []
        self._auto_begin = False
        self._entries: list[Entry] = []

    def visible(self) -> list[Spoke]:
        """All spokes; with a kickstart, only what it left incomplete (Anaconda's rule).

        Spokes still working in the background (a scan, a source check, a depsolve) are
        listed until they are ready, then dropped if complete; one found incomplete later
        is added and stays. The optional spokes of a category with something missing are
        listed too: a locked root is completed by an administrator in "User creation"."""
        if self._shown is None:
            return list(self.spokes)
        for spoke in list(self._pending):
            if spoke.ready():
                self._pending.remove(spoke)
                if spoke.completed():
                    self._shown.remove(spoke)
        late = [s for s in self.spokes if s.mandatory and s not in self._shown
                and s.ready() and not s.completed()]
        if late:
            self._auto_begin = False  # something to ask after all: the person begins
            self._shown += late
        if not self._shown:  # nothing left out after all: everything, as without a kickstart
            return list(self.spokes)
        categories = {s.category for s in self._shown if s.mandatory and s not in self._pending}
        return [s for s in self.spokes if s in self._shown
                or (not s.mandatory and s.category in categories)]

    def enter(self) -> None:
        if self._shown is not None:
            return
        for spoke in self.spokes:
            spoke.app = self.app
            spoke.setup()
        if not self.session.kickstart_given:
            self._shown = list(self.spokes)
            return
        missing = [s for s in self.spokes if s.mandatory and s.ready() and not s.completed()]
        self._pending = [s for s in self.spokes if s.mandatory and not s.ready()]
        self._shown = [s for s in self.spokes if s in missing or s in self._pending]
        # nothing the kickstart left out: begin by itself once the background work is done
        self._auto_begin = not missing

    def missing(self) -> list[Spoke]:
        return [s for s in self.spokes if s.mandatory and not (s.ready() and s.completed())]

    def body(self) -> urwid.Widget:
        shown = self.visible()
        numbers = {id(s): i for i, s in enumerate(shown, start=1)}
        rows: list[urwid.Widget] = []
        entries: list[Entry] = []
        for left, right in CATEGORY_ROWS:
            columns = []
            for category in (left, right):
                members = [s for s in shown if s.category == category]
                items: list[urwid.Widget] = [urwid.Text(("category", category))] if members else []
                for spoke in members:
                    entry = Entry(numbers[id(spoke)], spoke, self.open)
                    entries.append(entry)
                    items.append(entry)
                columns.append(urwid.Pile(items) if items else urwid.Text(""))
            if any(isinstance(c, urwid.Pile) for c in columns):
                rows.append(urwid.Columns(columns, dividechars=2))
                rows.append(urwid.Divider())
        missing = self.missing()
        begin_label = "Begin Installation"
        begin = urwid.Button(begin_label, on_press=lambda _b: self.begin())
        quit_ = urwid.Button("Quit", on_press=lambda _b: self.quit())
        buttons = urwid.Columns([
            (len(begin_label) + 4, urwid.AttrMap(begin, "dim" if missing else None, focus_map="focus")),
            (8, urwid.AttrMap(quit_, None, focus_map="focus"))], dividechars=2)
        rows.append(buttons)
        if missing:
            rows.append(urwid.Text(("mandatory", "Please complete the items marked [!]: "
                                    + ", ".join(s.title for s in missing))))
        else:
            rows.append(urwid.Text("Ready: nothing is written to disk before you begin."))
        warnings = self.kickstart_warnings()
        if warnings:
            rows.append(urwid.Text(("mandatory", f"The kickstart has {len(warnings)} warning(s): "
                                    "parts of it are not applied (key w lists them)")))
        if self._auto_begin and not missing:
            self._auto_begin = False
            self.app.call_soon(self.on_begin)
        walker = urwid.SimpleFocusListWalker(rows)
        listbox = urwid.ListBox(walker)
        self._entries = entries
        self._focus_listbox(listbox, entries)
        return urwid.Padding(listbox, left=1, right=1)

    def _focus_listbox(self, listbox: urwid.ListBox, entries: list[Entry]) -> None:
        """Keep the focus on the spoke last opened, across redraws."""
        if not entries:
            return
        target = entries[min(self._focus, len(entries) - 1)]
        for index, row in enumerate(listbox.body):
            if isinstance(row, urwid.Columns):
                for col, pile in enumerate(row.contents):
                    widget = pile[0]
                    members = [w for w, _ in widget.contents] if isinstance(widget, urwid.Pile) else []
                    if target in members:
                        listbox.focus_position = index
                        row.focus_position = col
                        widget.focus_position = members.index(target)
                        return

    def open(self, spoke: Spoke) -> None:
        if not spoke.ready():
            self.app.message(spoke.title, f"{spoke.title} is still being prepared: "
                             f"{spoke.status() or 'please wait'}.")
            return
        self._focus = next((i for i, e in enumerate(self._entries) if e.spoke is spoke), 0)
        self.app.show(spoke)

    def begin(self) -> None:
        missing = self.missing()
        if missing:
            self.app.message("Not ready", "Complete these first: "
                             + ", ".join(s.title for s in missing) + ".")
            return
        for spoke in self.spokes:
            spoke.release()
        self.on_begin()

    def quit(self) -> None:
        self.app.confirm("Quit", "Quit the installer? Nothing has been written to any disk.",
                         self.on_quit, yes="Quit", no="Cancel")

    def kickstart_warnings(self) -> list[str]:
        loaded = self.session.loaded if self.session is not None else None
        return list(getattr(loaded, "warnings", None) or [])

    def show_warnings(self) -> None:
        warnings = self.kickstart_warnings()
        if warnings:
            self.app.message("Kickstart warnings", "\n".join(warnings))

    def shortcut(self, key: str) -> bool:
        if key == "w":
            self.show_warnings()
            return True
        if key.isdigit() and key != "0":
            shown = self.visible()
            index = int(key) - 1
            if index < len(shown):
                self.open(shown[index])
            return True
        if key == "b":
            self.begin()
            return True
        if key == "q":
            self.quit()
            return True
        return False

    def leave(self) -> bool:
        return False

    def keys_hint(self) -> str:
        return "F1 Help  1-9 Open  b Begin  q Quit  arrows Move  Enter Open"
