"""`keyboard --vckeymap --xlayouts --switch` (or the old `keyboard KEYMAP`).

Written as systemd-localed writes them, since localed (and so `localectl`) is what reads
them back: /etc/vconsole.conf KEYMAP= for the console and
/etc/X11/xorg.conf.d/00-keyboard.conf for X. Like Anaconda, which asks localed to
convert, a console keymap alone also sets the X layout and X layouts alone the console
keymap, through the target's own conversion table (systemd's kbd-model-map). A
Debian-style target reads /etc/default/keyboard (keyboard-configuration) instead, for X
and, through setupcon, for the console: it gets the same layouts there.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from installer.errors import ConfigurationError

from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

KBD_MODEL_MAP = ("usr/share/systemd/kbd-model-map", "usr/lib/systemd/kbd-model-map")
X11_FILE = "etc/X11/xorg.conf.d/00-keyboard.conf"
DEBIAN_FILE = "etc/default/keyboard"
DEBIAN_MARKERS = (DEBIAN_FILE, "usr/share/console-setup/keyboard",
                  "usr/share/console-setup/KeyboardNames.pl")
DEBIAN_TEMPLATE = "usr/share/console-setup/keyboard"
LAYOUT_RE = re.compile(r"^\s*([^\s(]+)\s*(?:\(\s*([^\s)]+)\s*\))?\s*$")


@dataclass
class XKeyboard:
    layouts: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)  # one per layout, "" for none
    model: str = ""
    options: list[str] = field(default_factory=list)


def split_layout(text: str) -> tuple[str, str]:
    """`cz (qwerty)` -> (`cz`, `qwerty`); `us` -> (`us`, ``)."""
    match = LAYOUT_RE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not LAYOUT or 'LAYOUT (VARIANT)'")
    return match.group(1), match.group(2) or ""


def x_keyboard(layouts: list[str], switch: list[str]) -> XKeyboard:
    pairs = [split_layout(text) for text in layouts]
    return XKeyboard([l for l, _ in pairs], [v for _, v in pairs], options=list(switch))


def read_model_map(text: str) -> list[list[str]]:
    """kbd-model-map rows: console, X layout(s), model, variant(s), options; `-` is empty."""
    rows = []
    for line in text.splitlines():
        words = line.split()
        if len(words) == 5 and not line.startswith("#"):
            rows.append(["" if w == "-" else w for w in words])
    return rows


def x_from_console(keymap: str, rows: list[list[str]]) -> XKeyboard | None:
    for console, layouts, model, variants, options in rows:
        if console == keymap:
            names = layouts.split(",")
            parts = variants.split(",") if variants else []
            parts += [""] * (len(names) - len(parts))
            return XKeyboard(names, parts, model, [o for o in options.split(",") if o])
    return None


def console_from_x(x: XKeyboard, rows: list[list[str]]) -> str | None:
    """The console keymap whose X layout(s) and variant(s) are exactly these, else the one
    for the first layout alone."""
    layouts, variants = ",".join(x.layouts), ",".join(x.variants).strip(",")
    for console, row_layouts, _, row_variants, _ in rows:
        if row_layouts == layouts and row_variants.strip(",") == variants:
            return console
    for console, row_layouts, _, row_variants, _ in rows:
        if row_layouts == x.layouts[0] and row_variants == x.variants[0]:
            return console
    return None


def render_x11(x: XKeyboard) -> str:
    """00-keyboard.conf in systemd-localed's layout (empty options are left out)."""
    lines = ["# Written by the installer in systemd-localed's format, read by",
             "# systemd-localed and Xorg. Use localectl(1) to change it.",
             'Section "InputClass"',
             '        Identifier "system-keyboard"',
             '        MatchIsKeyboard "on"']
    values = [("XkbLayout", ",".join(x.layouts)), ("XkbModel", x.model),
              ("XkbVariant", ",".join(x.variants) if any(x.variants) else ""),
              ("XkbOptions", ",".join(x.options))]
    lines += [f'        Option "{key}" "{value}"' for key, value in values if value]
    return "\n".join(lines + ["EndSection", ""])


def render_debian(x: XKeyboard, current: str) -> str:
    """/etc/default/keyboard with XKBLAYOUT/XKBVARIANT/XKBOPTIONS (and XKBMODEL if known)
    replaced; every other line (BACKSPACE, comments) kept."""
    values = {"XKBLAYOUT": ",".join(x.layouts),
              "XKBVARIANT": ",".join(x.variants) if any(x.variants) else "",
              "XKBOPTIONS": ",".join(x.options)}
    if x.model:
        values["XKBMODEL"] = x.model
    lines, done = [], set()
    for line in current.splitlines():
        key = line.split("=", 1)[0].strip()
        if key in values and "=" in line and not line.lstrip().startswith("#"):
            lines.append(f'{key}="{values[key]}"')
            done.add(key)
        else:
            lines.append(line)
    lines += [f'{key}="{value}"' for key, value in values.items() if key not in done]
    return "\n".join(lines) + "\n"


def configure_keyboard(handler, target: Target) -> None:
    keyboard = handler.keyboard
    keymap = keyboard.vc_keymap or keyboard.keyboard or ""
    if not keymap and not keyboard.x_layouts:
        return
    where = target.where("keyboard")
    rows = _model_map(target)
    x = None
    if keyboard.x_layouts:
        try:
            x = x_keyboard(keyboard.x_layouts, keyboard.switch_options or [])
        except ValueError as exc:
            raise ConfigurationError(f"{where}: --xlayouts: {exc}") from None
        if not keymap:
            keymap = console_from_x(x, rows) or ""
            log.info("Console keymap for X layouts %s: %s", ",".join(x.layouts),
                     keymap or "none in kbd-model-map, console left as it is")
    else:
        x = x_from_console(keymap, rows)
        if x and keyboard.switch_options:
            x.options = list(keyboard.switch_options)
        if x is None:
            log.info("%s: no X layout known for console keymap %s (kbd-model-map); "
                     "X keyboard not configured", where, keymap)
    if keymap:
        write_file(target, "/etc/vconsole.conf", f"KEYMAP={keymap}\n")
    if x is None:
        return
    write_file(target, X11_FILE, render_x11(x))
    if any(target.exists(p) for p in DEBIAN_MARKERS):
        source = DEBIAN_FILE if target.exists(DEBIAN_FILE) else DEBIAN_TEMPLATE
        current = target.path(source).read_text() if target.exists(source) else ""
        write_file(target, DEBIAN_FILE, render_debian(x, current))


def _model_map(target: Target) -> list[list[str]]:
    for path in KBD_MODEL_MAP:
        if target.exists(path):
            return read_model_map(target.path(path).read_text(errors="replace"))
    return []
