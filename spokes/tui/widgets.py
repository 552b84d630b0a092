"""Widgets the spokes share: a type-to-filter list, labelled fields, a row of buttons."""
from __future__ import annotations

from typing import Callable, Generic, TypeVar

import urwid

T = TypeVar("T")


class Choice(urwid.WidgetWrap):
    """A selectable line; Enter or space calls `on_select(value)`."""

    def __init__(self, label: str, value, on_select: Callable[[object], None], marked: bool = False):
        self.value, self.on_select = value, on_select
        text = urwid.Text(("complete", f"* {label}") if marked else f"  {label}", wrap="ellipsis")
        super().__init__(urwid.AttrMap(text, None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("enter", " "):
            self.on_select(self.value)
            return None
        return key


class FilterList(urwid.WidgetWrap, Generic[T]):
    """A filter field over a list: typing narrows the list (case-insensitive, any part of
    the label), Down moves into it, Enter picks. Keeps up with thousands of entries
    because only the visible rows are rendered by the ListBox."""

    def __init__(self, caption: str, items: list[tuple[str, T]], on_select: Callable[[T], None],
                 marked: T | None = None):
        self.items, self.on_select, self.marked = items, on_select, marked
        self.edit = urwid.Edit(caption)
        urwid.connect_signal(self.edit, "postchange", lambda *_: self.refilter())
        self.walker = urwid.SimpleFocusListWalker([])
        self.listbox = urwid.ListBox(self.walker)
        self.count = urwid.Text("", align="right")
        self.pile = urwid.Pile([("pack", urwid.Columns([self.edit, (18, self.count)])),
                                ("pack", urwid.Divider("-")), self.listbox])
        self.refilter()
        super().__init__(self.pile)

    def matching(self) -> list[tuple[str, T]]:
        needle = self.edit.edit_text.strip().casefold()
        return [item for item in self.items if needle in item[0].casefold()]

    def refilter(self) -> None:
        shown = self.matching()
        self.walker[:] = [Choice(label, value, self.on_select, marked=value == self.marked)
                          for label, value in shown]
        self.count.set_text(f"{len(shown)} of {len(self.items)}")
        if self.walker:
            marked = next((i for i, (_, v) in enumerate(shown) if v == self.marked), 0)
            self.walker.set_focus(marked)

    def keypress(self, size, key):
        # printable keys always go to the filter, wherever the focus is
        if self.pile.focus_position != 0 and len(key) == 1 and key.isprintable() and key != " ":
            self.pile.focus_position = 0
        if key == "enter" and self.pile.focus_position == 0 and self.walker:
            self.pile.focus_position = 2
        return super().keypress(size, key)


def field(label: str, widget: urwid.Widget, width: int = 22) -> urwid.Columns:
    """`label` in a fixed column, then the widget: keeps forms aligned."""
    return urwid.Columns([(width, urwid.Text(label)), widget])


def boxed(widget: urwid.Widget) -> urwid.Widget:
    """An entry field drawn as a box: dim, highlighted while it has the focus."""
    return urwid.AttrMap(widget, "dim", focus_map="focus")


def button_row(buttons: list[tuple[str, Callable[[], None]]]) -> urwid.GridFlow:
    width = max(len(label) for label, _ in buttons) + 4
    cells = [urwid.AttrMap(urwid.Button(label, on_press=lambda _b, f=fn: f()), None, focus_map="focus")
             for label, fn in buttons]
    return urwid.GridFlow(cells, width, 2, 0, "left")


def error_text(message: str) -> urwid.Text:
    return urwid.Text(("error", message))


class EnterEdit(urwid.Edit):
    """A one-line field where Enter runs `on_enter` (a check, or adding what was typed)."""

    def __init__(self, on_enter: Callable[[], object], mask: str | None = None, wrap: str = "space"):
        super().__init__("", mask=mask, wrap=wrap)
        self.on_enter = on_enter

    def keypress(self, size, key):
        if key == "enter":
            self.on_enter()
            return None
        return super().keypress(size, key)

    def set(self, text: str) -> None:
        self.set_edit_text(text)
        self.set_edit_pos(len(text))
