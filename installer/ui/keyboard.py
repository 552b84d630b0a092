"""Keyboard for the TUI: the console keymap, the X layouts and their switching option,
kept in the handler's `keyboard` command, and the keymap used on the running console.

What the lists hold comes from the files the system has, read once off the UI thread
(`read_lists`): xkeyboard-config's rules (layouts, variants and `grp:` options with their
descriptions), kbd's keymap directory and systemd's kbd-model-map (console keymaps, and
which console keymap an X layout corresponds to). Without the rules, langtable's
keyboard names stand in, without descriptions.

The rule for proposals (Anaconda's): choosing a language proposes its layouts (`propose`)
only while nobody has set the keyboard. A kickstart `keyboard` line, or any change the
person makes in the keyboard spoke, sets `handler.keyboard.seen`, and from then on a
language chosen later leaves the keyboard alone.

The console keymap is loaded at once with kbd's `loadkeys` (`ConsoleKeymaps`), so that
passwords and passphrases typed afterwards use it. A dry run must not change the host's
console, so there the keymap is only compiled: `loadkeys --bkeymap NAME` finds and
parses the keymap and all it includes, writes the kernel's binary form to stdout (thrown
away) and opens no terminal. (`--parse` would do as well, but it opens /dev/tty0 to read
the keyboard mode, verified with strace on kbd 2.5.1, so it fails where no console can be
opened, and a check should not need one.) Both are milliseconds, so they run on the
UI thread.
"""
from __future__ import annotations

import html
import logging
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from installer.configure.keyboard import (console_from_x, read_model_map, split_layout,
                                          x_keyboard)
from installer.errors import InstallerError
from installer.kickstart.checks.localedata import (KBD_KEYMAP_DIRS, KBD_MODEL_MAPS,
                                                   KEYMAP_SUFFIXES, XKB_RULES, keyboard_catalog)
from installer.kickstart.checks.localization import keymap_problem, layout_problem

log = logging.getLogger("anaconda.tui")

LOADKEYS = "loadkeys"
LOADKEYS_TIMEOUT = 20  # seconds; a keymap compiles in milliseconds, more under TCG
#: A keymap name as loadkeys searches it: no path (no "/"), no option (no leading "-").
KEYMAP_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*$")
KEYMAP_ACCEPTED = "a console keymap from the list, such as us, de-latin1, fr-latin9 or cz-lat2"
#: What loadkeys says when it has no console to load into (a serial line, ssh, tmux).
NO_CONSOLE = "Couldn't get a file descriptor referring to the console"

LOADED, CHECKED, NOT_LOADED = "loaded", "checked", "not loaded"
#: xkeyboard-config's usual switching options, offered where its rules are not installed
#: (today's stage2): the language spoke proposes the first.
COMMON_SWITCHES = (("grp:alt_shift_toggle", "Alt+Shift"), ("grp:ctrl_shift_toggle", "Ctrl+Shift"),
                   ("grp:caps_toggle", "Caps Lock"), ("grp:win_space_toggle", "Win+Space"),
                   ("grp:shifts_toggle", "Both Shifts together"))


class KeyboardError(InstallerError):
    """A keymap or layout the person asked for cannot be used; the message names the field
    and what would be accepted."""

    kind = "keyboard error"


class NoConsole(KeyboardError):
    """loadkeys has no Linux console to load into (a serial line, ssh, a terminal emulator)."""


# ---- the lists -------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    name: str          # us, cz (qwerty), grp:alt_shift_toggle: as kickstart writes it
    description: str   # English (US), Czech (QWERTY), Alt+Shift: "" when unknown

    @property
    def label(self) -> str:
        return f"{self.name:<24} {self.description}".rstrip()


@dataclass(frozen=True)
class KeyboardLists:
    keymaps: tuple[Entry, ...]
    layouts: tuple[Entry, ...]
    switches: tuple[Entry, ...]
    model_map: tuple[tuple[str, ...], ...] = ()  # kbd-model-map rows (configure/keyboard.py)
    sources: tuple[str, ...] = ()

    def describe_layout(self, name: str) -> str:
        return next((e.description for e in self.layouts if e.name == name), "")

    def describe_switch(self, option: str) -> str:
        return next((e.description for e in self.switches if e.name == option), "")

    def keymap_for_layouts(self, layouts: list[str]) -> str:
        """The console keymap configure/keyboard.py gives the installed system for these X
        layouts (kbd-model-map, as localed converts), so the running console gets the same
        one; "" when kbd-model-map has none."""
        try:
            x = x_keyboard(layouts, [])
        except ValueError:
            return ""
        return console_from_x(x, [list(row) for row in self.model_map]) or "" if layouts else ""


def _read_rules(path: Path) -> tuple[list[Entry], list[Entry]]:
    """evdev.lst: `! layout` lines are `NAME DESCRIPTION`, `! variant` lines
    `VARIANT LAYOUT: DESCRIPTION`, `! option` lines `OPTION DESCRIPTION`."""
    layouts, switches, section = [], [], ""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("!"):
            section = line[1:].strip()
            continue
        name, _, rest = line.strip().partition(" ")
        rest = rest.strip()
        if not name:
            continue
        rest = html.unescape(rest)
        if section == "layout":
            layouts.append(Entry(name, rest))
        elif section == "variant" and ":" in rest:
            layout, _, description = rest.partition(":")
            layouts.append(Entry(f"{layout} ({name})", description.strip()))
        elif section == "option" and name.startswith("grp:"):
            switches.append(Entry(name, rest))
    return layouts, switches


def _keymap_names(directory: Path) -> set[str]:
    names = set()
    for path in directory.rglob("*"):
        suffix = next((s for s in KEYMAP_SUFFIXES if path.name.endswith(s)), None)
        if suffix and path.is_file() and "include" not in path.parts:
            names.add(path.name[:-len(suffix)])
    return names


def read_lists(rules: tuple[Path, ...] = XKB_RULES, model_maps: tuple[Path, ...] = KBD_MODEL_MAPS,
               keymap_dirs: tuple[Path, ...] = KBD_KEYMAP_DIRS) -> KeyboardLists:
    """Every list the spoke offers (tens of milliseconds: call it off the UI thread).
    Also reads the kickstart checks' keyboard catalog, which the model's checks use on
    the UI thread later: cached from here on."""
    catalog = keyboard_catalog()
    sources: list[str] = []
    layouts: list[Entry] = []
    switches: list[Entry] = []
    found = next((p for p in rules if p.is_file()), None)
    if found:
        layouts, switches = _read_rules(found)
        sources.append(str(found))
    else:  # langtable's keyboard names (stage2 has langtable), without descriptions
        switches = [Entry(name, description) for name, description in COMMON_SWITCHES]
        for name, variants in catalog.x_layouts.items():
            layouts.append(Entry(name, ""))
            layouts += [Entry(f"{name} ({v})", "") for v in sorted(variants)]
        sources += catalog.sources
    model_map = next((p for p in model_maps if p.is_file()), None)
    rows = read_model_map(model_map.read_text(errors="replace")) if model_map else []
    if model_map:
        sources.append(str(model_map))
    lists = KeyboardLists((), tuple(sorted(layouts, key=lambda e: e.name)),
                          tuple(sorted(switches, key=lambda e: e.name)), tuple(map(tuple, rows)))
    keymaps: dict[str, str] = {}
    for directory in keymap_dirs:
        if directory.is_dir():
            keymaps.update(dict.fromkeys(_keymap_names(directory), ""))
            sources.append(str(directory))
    for console, x_layouts, _model, variants, _options in rows:
        first, variant = x_layouts.split(",")[0], variants.split(",")[0]
        layout = f"{first} ({variant})" if variant else first
        keymaps[console] = keymaps.get(console) or lists.describe_layout(layout)
    entries = tuple(Entry(n, d) for n, d in sorted(keymaps.items()))
    log.info("Keyboard lists: %d keymaps, %d layouts, %d switching options (%s)", len(entries),
             len(layouts), len(switches), ", ".join(sources) or "no sources")
    return KeyboardLists(entries, lists.layouts, lists.switches, lists.model_map, tuple(sources))


# ---- the running console ---------------------------------------------------------------
@dataclass(frozen=True)
class Activation:
    """What happened to the running console's keymap, in words for the screen."""

    keymap: str
    state: str   # LOADED, CHECKED (dry run) or NOT_LOADED
    note: str


@dataclass(frozen=True)
class ConsoleKeymaps:
    """kbd's loadkeys, and where it finds keymaps: its own search path (/usr/share/keymaps
    on Debian, /usr/lib/kbd/keymaps on Fedora) or, for tests, one directory
    (loadkeys reads one directory from LOADKEYS_KEYMAP_PATH)."""

    keymap_dir: Path | None = None
    installed: bool = field(default_factory=lambda: shutil.which(LOADKEYS) is not None)

    def unusable(self) -> str | None:
        """Why keymaps cannot be checked or loaded here, None when they can."""
        if not self.installed:
            return "loadkeys (kbd) is not installed here"
        dirs = (self.keymap_dir,) if self.keymap_dir else KBD_KEYMAP_DIRS
        if not any(d.is_dir() for d in dirs):
            log.info("No console keymaps in %s", ", ".join(map(str, dirs)))
            return "no console keymaps are installed here"
        return None

    def check(self, name: str) -> None:
        """Compile `name` without touching any console; KeyboardError when it cannot."""
        self._run(["--bkeymap"], name)

    def load(self, name: str) -> None:
        """Load `name` into the console's keyboard driver (all virtual consoles share it)."""
        self._run(["--quiet"], name)

    def _run(self, options: list[str], name: str) -> None:
        check_keymap_name(name)  # never a path or an option
        env = dict(os.environ)
        if self.keymap_dir is not None:
            env["LOADKEYS_KEYMAP_PATH"] = f"{self.keymap_dir}/**"
        argv = [LOADKEYS, *options, name]
        try:
            done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, env=env,
                                  timeout=LOADKEYS_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise KeyboardError(f"Console keymap: loadkeys {name} took over "
                                f"{LOADKEYS_TIMEOUT} s") from None
        if done.returncode == 0:
            return
        said = " ".join(done.stderr.split())
        if "Unable to open file" in said:
            raise KeyboardError(f"Console keymap: {name!r} is not a keymap loadkeys finds; "
                                f"expected {KEYMAP_ACCEPTED}")
        if NO_CONSOLE in said:
            raise NoConsole(f"Console keymap: {name} could not be loaded: this terminal is "
                            "not a Linux console")
        raise KeyboardError(f"Console keymap: {name} could not be read by loadkeys: "
                            f"{said or 'exit status ' + str(done.returncode)}")


def check_keymap_name(name: str) -> None:
    if not KEYMAP_NAME.match(name):
        raise KeyboardError(f"Console keymap: {name!r} is not a keymap name (letters, digits, "
                            f"'-', '_' and '.'); expected {KEYMAP_ACCEPTED}")


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
