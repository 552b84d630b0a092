"""The keyboards this system knows and its console's keymap.

What the lists hold comes from the files the system has, read once off the UI thread
(`read_lists`): xkeyboard-config's rules (layouts, variants and `grp:` options with their
descriptions), kbd's keymap directory and systemd's kbd-model-map (console keymaps, and
which console keymap an X layout corresponds to). Without the rules, langtable's
keyboard names stand in, without descriptions.

The console keymap is loaded with kbd's `loadkeys` (`ConsoleKeymaps`), so that passwords
and passphrases typed afterwards use it. A dry run must not change the host's console,
so there the keymap is only compiled: `loadkeys --bkeymap NAME` finds and parses the
keymap and all it includes, writes the kernel's binary form to stdout (thrown away) and
opens no terminal. (`--parse` would do as well, but it opens /dev/tty0 to read the
keyboard mode, verified with strace on kbd 2.5.1, so it fails where no console can be
opened, and a check should not need one.) Both take milliseconds.
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

from installer.configure.keyboard import console_from_x, read_model_map, x_keyboard
from installer.errors import InstallerError
from installer.kickstart.checks.localedata import (KBD_KEYMAP_DIRS, KBD_MODEL_MAPS,
                                                   KEYMAP_SUFFIXES, XKB_RULES, keyboard_catalog)

log = logging.getLogger("anaconda")

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
