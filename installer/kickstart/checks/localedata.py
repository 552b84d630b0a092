"""Which locales, console keymaps and X layouts exist, read cheaply from files.

langtable's own module costs 46 MB and a second to import (DESIGN.md, memory), so it is
never imported here: its data files (gzipped XML, read with one regular expression, about
0.1 s) are found with `importlib.util.find_spec`, which imports nothing. langtable is in
the venv and in the boot image's stage2; glibc's SUPPORTED, xkeyboard-config's rules and
kbd's keymaps are used as well where they are installed (the host, not stage2).

A list only refuses a name when it is complete for what it lists: glibc and langtable
together for locales, xkeyboard-config for X layouts, kbd's keymap directory (or, less
strictly, systemd's kbd-model-map with X layout names) for console keymaps. Without one
the check is skipped with a log line rather than refusing a name that may be valid.
"""
from __future__ import annotations

import gzip
import importlib.util
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("anaconda.kickstart")

SUPPORTED = Path("/usr/share/i18n/SUPPORTED")
XKB_RULES = (Path("/usr/share/X11/xkb/rules/evdev.lst"), Path("/usr/share/X11/xkb/rules/base.lst"))
KBD_MODEL_MAPS = (Path("/usr/share/systemd/kbd-model-map"), Path("/usr/lib/systemd/kbd-model-map"))
KBD_KEYMAP_DIRS = (Path("/usr/share/kbd/keymaps"), Path("/usr/lib/kbd/keymaps"),
                   Path("/lib/kbd/keymaps"), Path("/usr/share/keymaps"))
KEYMAP_SUFFIXES = (".map.gz", ".map", ".kmap.gz", ".kmap", ".map.bz2", ".map.xz", ".map.zst")
#: glibc's locale name: language, optional _Territory, .charset, @modifier
LOCALE_RE = re.compile(r"^(?P<lang>[a-z]{2,3})(?:_(?P<territory>[A-Z]{2}|[0-9]{3}))?"
                       r"(?:\.(?P<charset>[A-Za-z0-9-]+))?(?:@(?P<modifier>[A-Za-z0-9]+))?$")
ALWAYS_LOCALES = ("C", "POSIX", "C.UTF-8", "C.utf8")


def parse_locale(name: str) -> tuple[str, str] | None:
    """(language, territory) of a glibc-style locale name, None if it is not one."""
    match = LOCALE_RE.match(name)
    return (match.group("lang"), match.group("territory") or "") if match else None


@dataclass(frozen=True)
class LocaleCatalog:
    languages: frozenset[str]
    pairs: frozenset[tuple[str, str]]  # (language, territory)
    sources: tuple[str, ...]

    def examples(self, language: str, limit: int = 4) -> list[str]:
        return sorted(f"{lang}_{terr}.UTF-8" for lang, terr in self.pairs
                      if lang == language and terr)[:limit]


def _langtable_file(name: str) -> Path | None:
    spec = importlib.util.find_spec("langtable")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / name
    return path if path.is_file() else None


def _gz_tags(path: Path, tag: str) -> list[str]:
    """Line by line: languages.xml is megabytes unpacked, and small machines install too."""
    pattern, opener = re.compile(rf"<{tag}>([^<]+)</{tag}>"), f"<{tag}>"
    found: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for line in file:
            if opener in line:
                found += pattern.findall(line)
    return found


@lru_cache(maxsize=1)
def locale_catalog() -> LocaleCatalog | None:
    names, sources = [], []
    for data in ("languages.xml.gz", "territories.xml.gz"):
        path = _langtable_file(data)
        if path:
            names += _gz_tags(path, "localeId")
            sources.append(f"langtable {data}")
    if SUPPORTED.is_file():
        names += [line.split()[0] for line in SUPPORTED.read_text(errors="replace").splitlines()
                  if line.strip() and not line.startswith("#")]
        sources.append(str(SUPPORTED))
    parsed = [p for p in map(parse_locale, names) if p]
    if not parsed:
        log.info("No list of locales here (langtable data, %s): lang is not checked", SUPPORTED)
        return None
    return LocaleCatalog(frozenset(l for l, _ in parsed), frozenset(parsed), tuple(sources))


@dataclass
class KeyboardCatalog:
    x_layouts: dict[str, set[str]] = field(default_factory=dict)  # layout -> variants
    x_complete: bool = False  # from xkeyboard-config: a layout missing here does not exist
    x_options: set[str] = field(default_factory=set)
    console: set[str] = field(default_factory=set)
    console_complete: bool = False  # kbd's keymap directory: every console keymap
    model_map: bool = False  # systemd's kbd-model-map was read
    sources: list[str] = field(default_factory=list)

    def add_layout(self, layout: str, variant: str = "") -> None:
        variants = self.x_layouts.setdefault(layout, set())
        if variant:
            variants.add(variant)


def _read_xkb(catalog: KeyboardCatalog, path: Path) -> None:
    section = ""
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("!"):
            section = line[1:].strip()
            continue
        words = line.split()
        if not words:
            continue
        if section == "layout":
            catalog.add_layout(words[0])
        elif section == "variant" and len(words) > 1:
            catalog.add_layout(words[1].rstrip(":"), words[0])
        elif section == "option":
            catalog.x_options.add(words[0])


def _keymap_name(path: Path) -> str | None:
    for suffix in KEYMAP_SUFFIXES:
        if path.name.endswith(suffix):
            return path.name[:-len(suffix)]
    return None


@lru_cache(maxsize=1)
def keyboard_catalog() -> KeyboardCatalog:
    catalog = KeyboardCatalog()
    rules = next((p for p in XKB_RULES if p.is_file()), None)
    if rules:
        _read_xkb(catalog, rules)
        catalog.x_complete = True
        catalog.sources.append(str(rules))
    keyboards = _langtable_file("keyboards.xml.gz")
    if keyboards:
        for name in _gz_tags(keyboards, "keyboardId"):
            layout, _, variant = name.partition("(")
            catalog.add_layout(layout, variant.rstrip(")"))
        catalog.sources.append("langtable keyboards.xml.gz")
    for directory in KBD_KEYMAP_DIRS:
        if directory.is_dir():
            names = {_keymap_name(p) for p in directory.rglob("*") if p.is_file()}
            catalog.console |= {n for n in names if n}
            catalog.console_complete = True
            catalog.sources.append(str(directory))
    model_map = next((p for p in KBD_MODEL_MAPS if p.is_file()), None)
    if model_map:
        catalog.console |= {line.split()[0] for line in model_map.read_text(errors="replace").splitlines()
                            if line.strip() and not line.startswith("#")}
        catalog.model_map = True
        catalog.sources.append(str(model_map))
    return catalog
