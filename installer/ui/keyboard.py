"""The keyboard spoke's model: the console keymap, the X layouts and their switching
option, kept in the handler's `keyboard` command, and the keymap used on the running
console (the lists and loadkeys: installer.keyboards).

The rule for proposals (Anaconda's): choosing a language proposes its layouts (`propose`)
only while nobody has set the keyboard. A kickstart `keyboard` line, or any change the
person makes in the keyboard spoke, sets `handler.keyboard.seen`, and from then on a
language chosen later leaves the keyboard alone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from installer.configure.keyboard import split_layout
from installer.keyboards import (CHECKED, LOADED, NOT_LOADED, Activation, ConsoleKeymaps,
                                 KeyboardError, KeyboardLists, NoConsole, check_keymap_name)
from installer.kickstart.checks.localedata import keyboard_catalog
from installer.kickstart.checks.localization import keymap_problem, layout_problem

log = logging.getLogger("anaconda.tui")

# ---- proposals from the language -------------------------------------------------------
def propose(handler, seen: set[str], layouts: tuple[str, ...] | list[str],
            switch: tuple[str, ...] | list[str]) -> bool:
    """Set a language's proposed layouts, unless the kickstart gave the keyboard or the
    person chose it (both leave `keyboard.seen` set; `seen` is the session's set of
    kickstart commands). True when the handler was changed."""
    kb = handler.keyboard
    if kb.seen or "keyboard" in seen:
        return False
    kb.vc_keymap, kb.keyboard = "", ""
    kb.x_layouts, kb.switch_options = list(layouts), list(switch)
    return True


# ---- the model ---------------------------------------------------------------------------
@dataclass
class KeyboardModel:
    """The keyboard spoke's state and work. The handler's `keyboard` command is the
    state; `activation` is what the running console has."""

    handler: object
    seen: set[str]
    dry_run: bool
    console: ConsoleKeymaps = field(default_factory=ConsoleKeymaps)
    lists: KeyboardLists | None = None
    activation: Activation | None = None

    @property
    def kb(self):
        return self.handler.keyboard

    @property
    def keymap(self) -> str:
        """The console keymap set explicitly (`--vckeymap`), "" for none."""
        return self.kb.vc_keymap

    @property
    def layouts(self) -> list[str]:
        return list(self.kb.x_layouts or [])

    @property
    def switch(self) -> list[str]:
        return list(self.kb.switch_options or [])

    @property
    def from_kickstart(self) -> bool:
        return "keyboard" in self.seen

    def is_set(self) -> bool:
        return bool(self.kb.vc_keymap or self.kb.x_layouts or getattr(self.kb, "_keyboard", ""))

    def console_keymap(self) -> tuple[str, str]:
        """(keymap, why) for the running console: the one set explicitly (why ""), else
        the one kbd-model-map gives for the X layouts, as configure/keyboard.py does for
        the installed system; ("", "") when there is none."""
        if self.kb.vc_keymap:
            return self.kb.vc_keymap, ""
        old = getattr(self.kb, "_keyboard", "")
        if old and not self.kb.x_layouts:
            return old, ""
        if self.kb.x_layouts and self.lists is not None:
            derived = self.lists.keymap_for_layouts(list(self.kb.x_layouts))
            if derived:
                return derived, "from the X layouts"
        return "", ""

    def status(self) -> str:
        if not self.is_set():
            return "Not set (us by default)"
        shown = ", ".join(self.layouts) or self.keymap or self.kb.keyboard
        return shown if not self.keymap or not self.layouts else f"{self.keymap}; {shown}"

    def console_state(self) -> tuple[str, bool]:
        """What the running console has, in words, and whether it is the keyboard shown
        (loaded, or checked in a dry run)."""
        name, _ = self.console_keymap()
        if self.activation is not None and self.activation.keymap == name:
            return self.activation.note, self.activation.state in (LOADED, CHECKED)
        if name:
            return f"{name} is not loaded yet (l loads it)", False
        return "unchanged (no console keymap is known for these layouts; k sets one)", False

    # ---- the console ---------------------------------------------------------------------
    def activate(self, strict: bool = False) -> Activation | None:
        """Load (dry run: check) what the console should have now; None when the keyboard
        names no console keymap. `strict` (the person is choosing this keymap): one that
        cannot be used raises KeyboardError. Otherwise, and always for a keymap derived
        from the X layouts, that is a note: the keyboard is for the installed system
        first, and a kickstart's keymap was checked against what targets have when the
        kickstart was loaded (a Fedora name such as cz-qwerty is not among Debian's)."""
        name, why = self.console_keymap()
        if not name:
            self.activation = None
            return None
        try:
            self.activation = self._activate(name)
        except KeyboardError as exc:
            if strict and not why:
                raise
            said = exc.message.removeprefix("Console keymap: ").split(";")[0]
            self.activation = Activation(name, NOT_LOADED, f"not loaded: {said}")
        log.info("Console keymap: %s", self.activation.note)
        return self.activation

    def _activate(self, name: str) -> Activation:
        check_keymap_name(name)
        reason = self.console.unusable()
        if reason is not None:
            problem = keymap_problem(name, keyboard_catalog())
            if problem:
                raise KeyboardError(f"Console keymap: {problem}")
            return Activation(name, NOT_LOADED, f"{name} not loaded: {reason}; the installed "
                              "system still gets it")
        if self.dry_run:
            self.console.check(name)
            return Activation(name, CHECKED, f"{name} checked by loadkeys; not loaded (dry run)")
        try:
            self.console.load(name)
        except NoConsole:
            return Activation(name, NOT_LOADED, f"{name} not loaded: this terminal is not a "
                              "Linux console")
        return Activation(name, LOADED, f"{name} loaded on this console")

    def activate_given(self) -> None:
        """At start: the kickstart's keyboard is used at once, as Anaconda does."""
        if self.from_kickstart and self.is_set():
            self.activate()

    # ---- changes: each applies at once, marks the keyboard chosen, loads it ---------------
    def _commit(self, change, strict: bool = False) -> Activation | None:
        """Apply `change` to the handler and the console together: when the console
        refuses a keymap the person chose (`strict`), the handler is put back as it was."""
        kb = self.kb
        before = (kb.vc_keymap, getattr(kb, "_keyboard", ""), list(kb.x_layouts or []),
                  list(kb.switch_options or []), kb.seen)
        change(kb)
        if kb.vc_keymap or kb.x_layouts:
            kb.keyboard = ""  # the old `keyboard NAME` form gives way to the new options
        kb.seen = True
        try:
            return self.activate(strict)
        except KeyboardError:
            kb.vc_keymap, kb.keyboard, kb.x_layouts, kb.switch_options, kb.seen = before
            raise

    def choose_keymap(self, name: str) -> Activation | None:
        name = name.strip()
        check_keymap_name(name)

        def change(kb) -> None:
            kb.vc_keymap = name
        return self._commit(change, strict=True)

    def add_layout(self, name: str) -> Activation | None:
        problem = layout_problem(name, keyboard_catalog())
        if problem:
            raise KeyboardError(f"X layout: {problem}")
        layout, variant = split_layout(name)
        name = f"{layout} ({variant})" if variant else layout

        def change(kb) -> None:
            if name not in (kb.x_layouts or []):
                kb.x_layouts = list(kb.x_layouts or []) + [name]
        return self._commit(change)

    def remove_layout(self, name: str) -> Activation | None:
        def change(kb) -> None:
            kb.x_layouts = [l for l in kb.x_layouts or [] if l != name]
        return self._commit(change)

    def move_up(self, name: str) -> Activation | None:
        """One place earlier; the first layout is the one X starts with."""
        def change(kb) -> None:
            layouts = list(kb.x_layouts or [])
            index = layouts.index(name)
            if index > 0:
                layouts[index - 1], layouts[index] = layouts[index], layouts[index - 1]
            kb.x_layouts = layouts
        return self._commit(change)

    def set_switch(self, option: str) -> Activation | None:
        """One switching option, "" for none (a kickstart's several are kept until then)."""
        def change(kb) -> None:
            kb.switch_options = [option] if option else []
        return self._commit(change)

    def use_now(self) -> Activation | None:
        """Take the keyboard as shown (a language's proposal) as the person's choice."""
        return self._commit(lambda kb: None, strict=True)
