"""Widgets the storage screens share: a list whose focus survives a rebuild, a selectable
line that reacts to keys, a row of radio buttons, and a sub-screen base.

Screens rebuild their body from the request on every redraw (so nothing shown is
stale); `KeyedList` puts the focus back on the row with the same key afterwards, down to
the radio button inside it, so toggling a disk does not throw the cursor to the top.
"""
from __future__ import annotations

from typing import Callable

import urwid

from .screen import Screen


class KeyedList:
    """Builds a ListBox from (key, widget) rows and restores the focus by key."""

    def __init__(self) -> None:
        self.listbox: urwid.ListBox | None = None
        self.keys: list[str] = []
        self.focus: tuple[str, list[int]] | None = None
        self._forced = False  # focus_on() wins over where the cursor was

    def remember(self) -> None:
        if self.listbox is None or not self.keys:
            return
        try:
            path = self.listbox.get_focus_path()
        except (IndexError, AttributeError):
            return
        if path and path[0] < len(self.keys):
            self.focus = (self.keys[path[0]], list(path[1:]))

    def focused_key(self) -> str:
        """The key of the row with the cursor now ("" before the first build)."""
        if self.listbox is None or not self.keys:
            return ""
        position = self.listbox.focus_position
        return self.keys[position] if position < len(self.keys) else ""

    def focus_on(self, key: str) -> None:
        self.focus, self._forced = (key, []), True

    def build(self, rows: list[tuple[str, urwid.Widget]], default: str = "") -> urwid.ListBox:
        if not self._forced:
            self.remember()
        self._forced = False
        self.keys = [key for key, _ in rows]
        self.listbox = urwid.ListBox(urwid.SimpleFocusListWalker([w for _, w in rows]))
        key, inner = self.focus or (default, [])
        if key not in self.keys:
            key, inner = default, []
        if key in self.keys:
            index = self.keys.index(key)
            try:
                self.listbox.set_focus_path([index, *inner])
            except (IndexError, ValueError, TypeError):
                self.listbox.focus_position = index
        return self.listbox


class Line(urwid.WidgetWrap):
    """A selectable line of text; `keys` maps a key (enter, space, d...) to an action."""

    def __init__(self, text, keys: dict[str, Callable[[], None]] | None = None, wrap: str = "ellipsis"):
        self.actions = keys or {}
        super().__init__(urwid.AttrMap(urwid.Text(text, wrap=wrap), None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        action = self.actions.get(key)
        if action is None:
            return key
        action()
        return None


def radio_row(options: list[tuple[str, object]], current: object,
              on_pick: Callable[[object], None], cell: int = 0) -> urwid.Widget:
    """Radio buttons in a row, `on_pick(value)` on a new choice. With `cell`, equal cells
    that wrap onto more lines (long lists); without, each as wide as its label."""
    group: list[urwid.RadioButton] = []
    buttons = []
    for label, value in options:
        button = urwid.RadioButton(group, label, state=value == current)
        urwid.connect_signal(button, "postchange",
                             lambda b, _old, v=value: on_pick(v) if b.state else None)
        buttons.append(urwid.AttrMap(button, None, focus_map="focus"))
    if cell:
        row = urwid.GridFlow(buttons, cell, 1, 0, "left")
    else:
        row = urwid.Columns([(len(label) + 4, b) for (label, _), b in zip(options, buttons)],
                            dividechars=1)
    row.focus_position = next((i for i, (_, v) in enumerate(options) if v == current), 0)
    return row


def check_box(label: str, state: bool, on_change: Callable[[bool], None]) -> urwid.AttrMap:
    box = urwid.CheckBox(label, state=state)
    urwid.connect_signal(box, "postchange", lambda b, _old: on_change(b.state))
    return urwid.AttrMap(box, None, focus_map="focus")


def edit_field(text: str = "", mask: str | None = None) -> urwid.Edit:
    edit = urwid.Edit("", text, mask=mask, wrap="clip")
    edit.set_edit_pos(len(text))
    return edit


class SubScreen(Screen):
    """A page opened from the destination spoke (passphrase, a mount point, a shrink).
    Esc cancels; `close()` leaves after the page did its job, without cancelling."""

    def __init__(self, on_cancel: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.on_cancel = on_cancel
        self._closing = False

    def leave(self) -> bool:
        if not self._closing and self.on_cancel is not None:
            self.on_cancel()
        return True

    def close(self, then: Callable[[], None] | None = None) -> None:
        self._closing = True
        self.app.back()
        if then is not None:
            then()

    def keys_hint(self) -> str:
        return "F1 Help  Esc Cancel  Tab/arrows Move  Enter Select"
