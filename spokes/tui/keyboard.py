"""Keyboard: the console keymap, the X layouts in order and their switching option, as
`keyboard --vckeymap --xlayouts --switch`. Draws installer.ui.keyboard's model and maps
keys to it; every choice applies at once and loads the keymap on the console (a dry
run only checks it), so passwords typed later use it.

Four pages: the summary (k, a, s, l and, on a layout, d and u) and three type-to-filter
lists (keymaps, layouts, switching options). A name typed into the keymap filter that no
entry matches is tried as it is on Enter, since kbd may have keymaps no list names.
"""
from __future__ import annotations

import logging
from typing import Callable

import urwid

from installer.keyboards import Entry, KeyboardError, KeyboardLists, read_lists
from installer.ui.keyboard import KeyboardModel

from .errors import message_of
from .language import FoldingFilterList
from .spoke import LOCALIZATION, Spoke
from .widgets import button_row, error_text, field

log = logging.getLogger("anaconda.tui")

MAIN, KEYMAPS, LAYOUTS, SWITCHES = "main", "keymaps", "layouts", "switches"
NO_SWITCH = "(none)"

HELP = """Keyboard: the keymap of the text console and the layouts of the graphical \
desktop (X) of the installed system, saved in the kickstart as `keyboard --vckeymap \
--xlayouts --switch`.

k  choose the console keymap. It is loaded on this console at once, so passwords you \
type afterwards use it (a dry run only checks it).
a  add an X layout; on a layout in the list, d removes it and u moves it up (the first \
layout is the one the desktop starts with).
s  the keys that switch between layouts.
l  use the keyboard shown now on this console (for one proposed by the language).

In the lists type part of a name or description, move with the arrow keys and press \
Enter. Esc goes back; Esc on the first page returns to the hub.

Choosing a language proposes its layouts until you change anything here or the \
kickstart gives the keyboard; after that the language leaves it alone."""


class TypedFilterList(FoldingFilterList):
    """A filter list whose Enter, when nothing matches, hands the typed text on."""

    def __init__(self, caption: str, items: list, on_select: Callable, marked,
                 on_typed: Callable[[str], None]):
        self.on_typed = on_typed
        super().__init__(caption, items, on_select, marked)

    def keypress(self, size, key):
        if key == "enter" and self.pile.focus_position == 0 and not self.walker:
            text = self.edit.edit_text.strip()
            if text:
                self.on_typed(text)
            return None
        return super().keypress(size, key)


class LayoutRow(urwid.WidgetWrap):
    """One X layout on the summary: d (or Delete) removes it, u moves it up."""

    def __init__(self, entry: Entry, first: bool, on_key: Callable[[str, str], None]):
        self.name, self.on_key = entry.name, on_key
        label = entry.label + ("  (default)" if first else "")
        super().__init__(urwid.AttrMap(urwid.Text(f"  {label}", wrap="ellipsis"), None,
                                       focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("d", "delete", "u"):
            self.on_key("u" if key == "u" else "d", self.name)
            return None
        return key


class KeyboardSpoke(Spoke):
    title = "Keyboard"
    category = LOCALIZATION
    help_text = HELP

    def __init__(self, model: KeyboardModel | None = None,
                 load_lists: Callable[[], KeyboardLists] = read_lists) -> None:
        """`model`: tests give one with their own keymap directory; otherwise it is made
        from the session in setup()."""
        super().__init__()
        self.model = model
        self.load_lists = load_lists
        self.loaded = False
        self.error = ""
        self.page = MAIN
        self.message = urwid.Text("")
        self._focus_layout = ""  # the layout row to keep focused across rebuilds
        self._widget: urwid.Widget | None = None

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        if self.model is None:
            self.model = KeyboardModel(self.handler, self.session.seen, self.session.dry_run)
        self.app.run_background("keyboard-lists", self.load_lists, self._loaded)

    def release(self) -> None:
        if self.model is not None:
            self.model.lists = None

    def _loaded(self, lists: KeyboardLists | None, error: BaseException | None) -> None:
        if error is not None:
            log.warning("Keyboard lists not loaded: %s", error)
            self.error = f"The keyboard lists could not be read ({message_of(error)})."
        self.model.lists = lists
        self.loaded = True
        self.model.activate_given()
        self._widget = None

    def ready(self) -> bool:
        return self.loaded

    def completed(self) -> bool:
        return self.model is not None and self.model.is_set()

    def status(self) -> str:
        if not self.ready():
            return "Loading keyboard layouts..."
        return self.model.status()

    # ---- pages -------------------------------------------------------------------------
    def enter(self) -> None:
        self.page = MAIN
        self._widget = None
        self.message.set_text("")

    def leave(self) -> bool:
        if self.page != MAIN:
            self._show(MAIN)
            return False
        return True

    def shortcut(self, key: str) -> bool:
        if self.page != MAIN or len(key) != 1 or key not in "kasl":
            return False
        {"k": lambda: self._show(KEYMAPS), "a": lambda: self._show(LAYOUTS),
         "s": lambda: self._show(SWITCHES), "l": self._use_now}[key]()
        return True

    def keys_hint(self) -> str:
        if self.page == MAIN:
            return "F1 Help  Esc Done  k Keymap  a Add layout  d/u Remove/up  s Switch  l Use"
        return "F1 Help  Esc Back  Type to filter  Enter Choose"

    def _show(self, page: str) -> None:
        self.page = page
        self._widget = None
        self.message.set_text("")
        self.redraw()

    def body(self) -> urwid.Widget:
        """Built once per page, so the text typed into a filter survives redraws."""
        if self._widget is None:
            self._widget = {MAIN: self._main, KEYMAPS: self._keymaps, LAYOUTS: self._layouts,
                            SWITCHES: self._switches}[self.page]()
        return self._widget

    def _summary(self) -> list[urwid.Widget]:
        name, why = self.model.console_keymap()
        keymap = f"{name} ({why})" if why else name or "none (the console keeps its keymap)"
        console, in_use = self.model.console_state()
        switch = ", ".join(f"{o} ({self._switch_text(o)})" if self._switch_text(o) else o
                           for o in self.model.switch) or "none"
        return [field("Console keymap:", urwid.Text(keymap), 17),
                field("This console:", urwid.Text(("complete", console) if in_use else console),
                      17),
                field("Switching:", urwid.Text(switch), 17)]

    def _switch_text(self, option: str) -> str:
        return self.model.lists.describe_switch(option) if self.model.lists else ""

    def _main(self) -> urwid.Widget:
        rows: list[urwid.Widget] = self._summary()
        if self.error:
            rows.append(error_text(self.error))
        rows.append(self.message)
        rows.append(urwid.Text("X layouts (d removes, u moves up; the first is the default):"))
        layouts = self.model.layouts
        describe = self.model.lists.describe_layout if self.model.lists else (lambda _n: "")
        rows += [LayoutRow(Entry(name, describe(name)), i == 0, self._layout_key)
                 for i, name in enumerate(layouts)] or [urwid.Text("  none")]
        rows += [urwid.Divider(),
                 button_row([("Console keymap", lambda: self._show(KEYMAPS)),
                             ("Add layout", lambda: self._show(LAYOUTS)),
                             ("Switching", lambda: self._show(SWITCHES)),
                             ("Use now", self._use_now)])]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        positions = {r.name: i for i, r in enumerate(rows) if isinstance(r, LayoutRow)}
        first = next(iter(positions.values()), len(rows) - 1)
        listbox.focus_position = positions.get(self._focus_layout, first)
        return urwid.Padding(listbox, left=1, right=1)

    def _list_page(self, heading: str, chooser: urwid.Widget) -> urwid.Widget:
        pile = urwid.Pile([*[("pack", w) for w in self._summary()[:1]],
                           ("pack", self.message), ("pack", urwid.Text(heading)), chooser])
        pile.focus_position = 3
        return urwid.Padding(pile, left=1, right=1)

    def _entries(self, which: str) -> list[Entry]:
        return list(getattr(self.model.lists, which)) if self.model.lists else []

    def _keymaps(self) -> urwid.Widget:
        items = [(e.label, e.name) for e in self._entries("keymaps")]
        chooser = TypedFilterList("Filter: ", items, self._pick_keymap,
                                  self.model.keymap or None, self._pick_keymap)
        return self._list_page("Console keymap (a name no entry matches is tried on Enter):",
                               chooser)

    def _layouts(self) -> urwid.Widget:
        items = [(e.label, e.name) for e in self._entries("layouts")]
        chooser = TypedFilterList("Filter: ", items, self._pick_layout, None, self._pick_layout)
        return self._list_page("Add an X layout:", chooser)

    def _switches(self) -> urwid.Widget:
        items = [(f"{NO_SWITCH:<24} no key switches layouts", "")]
        items += [(e.label, e.name) for e in self._entries("switches")]
        current = self.model.switch[0] if self.model.switch else ""
        chooser = FoldingFilterList("Filter: ", items, self._pick_switch, marked=current)
        return self._list_page("Keys that switch between the layouts:", chooser)

    # ---- choosing ----------------------------------------------------------------------
    def _apply(self, action: Callable[[], object], back: bool) -> None:
        """Run a model change; a refusal stays on the page with the message in red."""
        try:
            action()
        except KeyboardError as exc:
            self.message.set_text(("error", message_of(exc)))
            self.redraw()
            return
        if back:
            self._show(MAIN)
        else:
            self._widget = None
            self.redraw()

    def _pick_keymap(self, name: str) -> None:
        self._apply(lambda: self.model.choose_keymap(name), back=True)

    def _pick_layout(self, name: str) -> None:
        self._apply(lambda: self.model.add_layout(name), back=True)

    def _pick_switch(self, option: str) -> None:
        self._apply(lambda: self.model.set_switch(option), back=True)

    def _layout_key(self, key: str, name: str) -> None:
        change = self.model.move_up if key == "u" else self.model.remove_layout
        self._focus_layout = name
        self._apply(lambda: change(name), back=False)

    def _use_now(self) -> None:
        self._apply(self.model.use_now, back=False)
