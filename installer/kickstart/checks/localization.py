"""`lang` and `keyboard`: names the installed system can use.

Anaconda logs an unknown locale or keymap as an error and goes on with en_US.UTF-8 or
without the keymap, so the person gets a system other than the one asked for, with no
message on the screen. Here an unknown language, console keymap or X layout is refused;
a known language with a territory no list has (`en_XX`) and unknown `--addsupport` or
`--switch` entries are warnings, since Anaconda goes on there too.
"""
from __future__ import annotations

import logging
import re

from installer.configure.keyboard import split_layout

from .findings import Findings, Where, where_of
from .localedata import ALWAYS_LOCALES, KeyboardCatalog, keyboard_catalog, locale_catalog, parse_locale

log = logging.getLogger("anaconda.kickstart")

LANG_EXAMPLE = "a locale such as en_US.UTF-8, de_DE.UTF-8 or cs_CZ.UTF-8"
KEYMAP_EXAMPLE = "a console keymap such as us, de-nodeadkeys, fr-latin9 or cz-qwerty"


def check_lang(loaded, found: Findings) -> None:
    lang = loaded.handler.lang
    if not lang.lang:
        return
    catalog = locale_catalog()
    if catalog is None:
        return
    where = where_of(loaded, "lang")
    name = lang.lang
    if name not in ALWAYS_LOCALES:
        parsed = parse_locale(name)
        if parsed is None:
            found.error(where, f"lang {name}: not a locale name; expected {LANG_EXAMPLE}")
        elif parsed[0] not in catalog.languages:
            found.error(where, f"lang {name}: there is no language {parsed[0]!r} (langtable, glibc); "
                        f"expected {LANG_EXAMPLE}")
        elif parsed[1] and parsed not in catalog.pairs:
            found.warn(where, f"lang {name}: no such locale is known (locales of {parsed[0]}: "
                       f"{', '.join(catalog.examples(parsed[0]))}); the installed system may "
                       "fall back to the C locale")
    for extra in lang.addsupport or []:
        parsed = parse_locale(extra)
        if parsed is None or parsed[0] not in catalog.languages:
            found.warn(where, f"lang --addsupport={extra}: not a known language or locale; "
                       "ignored (expected names such as cs_CZ or de)")


def known_keymap(name: str, catalog: KeyboardCatalog) -> bool:
    """A console keymap kbd has, or one Fedora's kbd makes from an X layout (`LAYOUT` or
    `LAYOUT-VARIANT`, e.g. cz-qwerty)."""
    if name in catalog.console or name in catalog.x_layouts:
        return True
    layout, dash, variant = name.partition("-")
    return bool(dash) and variant in catalog.x_layouts.get(layout, ())


def plausible_keymap(name: str, catalog: KeyboardCatalog) -> bool:
    """Without kbd's own list: the name starts like a known keymap or X layout (sv-latin1,
    ru1, de_CH-latin1), so kbd's older keymaps are not refused."""
    stem = re.split(r"[-_.]", name, maxsplit=1)[0].rstrip("0123456789")
    firsts = {re.split(r"[-_.]", c, maxsplit=1)[0] for c in catalog.console}
    return bool(stem) and (stem in catalog.x_layouts or stem in firsts)


def keymap_problem(name: str, catalog: KeyboardCatalog) -> str | None:
    """None when `name` is (or may be) a console keymap; a message when it is not."""
    if known_keymap(name, catalog):
        return None
    if not catalog.console_complete:
        if not (catalog.model_map or catalog.x_complete):
            log.info("Console keymap %s not checked: no list of keymaps here (kbd, "
                     "kbd-model-map, xkeyboard-config)", name)
            return None
        if plausible_keymap(name, catalog):
            log.info("Console keymap %s is not in %s; accepted as one of kbd's own",
                     name, ", ".join(catalog.sources))
            return None
    return f"{name!r} is not a console keymap; expected {KEYMAP_EXAMPLE}"


def layout_problem(text: str, catalog: KeyboardCatalog) -> str | None:
    try:
        layout, variant = split_layout(text)
    except ValueError as exc:
        return f"{exc}"
    if layout not in catalog.x_layouts:
        if not catalog.x_complete:
            log.info("X layout %s not checked: xkeyboard-config's rules are not installed here", text)
            return None
        return (f"{layout!r} is not an X keyboard layout; expected a layout such as us, de, "
                "cz or 'cz (qwerty)'")
    if variant and variant not in catalog.x_layouts[layout]:
        if not catalog.x_complete:
            return None
        known = sorted(catalog.x_layouts[layout])
        return (f"layout {layout} has no variant {variant!r} (it has: "
                f"{', '.join(known[:8]) + (' ...' if len(known) > 8 else '') or 'none'})")
    return None


def check_keyboard(loaded, found: Findings) -> None:
    keyboard = loaded.handler.keyboard
    generic = getattr(keyboard, "_keyboard", "") or ""
    if not (keyboard.vc_keymap or keyboard.x_layouts or generic):
        return
    catalog = keyboard_catalog()
    where = where_of(loaded, "keyboard")
    if keyboard.vc_keymap:
        problem = keymap_problem(keyboard.vc_keymap, catalog)
        if problem:
            found.error(where, f"keyboard --vckeymap: {problem}")
    elif generic:
        # `keyboard NAME` (old form): Anaconda takes NAME as an X layout or a console keymap
        if layout_problem(generic, catalog) and keymap_problem(generic, catalog):
            found.error(where, f"keyboard {generic}: neither a console keymap nor an X layout; "
                        f"expected {KEYMAP_EXAMPLE}")
    for text in keyboard.x_layouts or []:
        problem = layout_problem(text, catalog)
        if problem:
            found.error(where, f"keyboard --xlayouts: {problem}")
    if catalog.x_complete:
        for option in keyboard.switch_options or []:
            if option not in catalog.x_options:
                found.warn(where, f"keyboard --switch={option}: not an X keyboard option; "
                           "X ignores it (expected e.g. grp:alt_shift_toggle)")
