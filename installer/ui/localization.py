"""Languages, locales and time zones for the localization spokes, as plain data.

Languages come from langtable, which costs ~46 MB of RSS and ~1 s to import (DESIGN.md,
memory). So langtable is never imported into the installer's own process: the first
`language_table()` runs this module as a child process (`python -m
installer.ui.localization`) that imports langtable, answers every query the
language spoke needs in one go and prints it as JSON; the child exits and its memory goes
back to the system. The installer keeps only the plain `LanguageTable` (a few hundred
kilobytes), and `release_language_table()` drops that too once a language is chosen
(issue 7: "language and keyboard tables dropped once chosen"); asking again reloads it.

Time zones come from the system's tz database (`zoneinfo.available_timezones()`), so the
list offered is exactly what the target's /usr/share/zoneinfo can link to.
"""
from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from installer.errors import InstallerError
from installer.timezones import NOT_ZONES, is_valid_timezone  # noqa: F401 (the spokes' API)

log = logging.getLogger("anaconda.tui")

DEFAULT_LOCALE = "en_US.UTF-8"
#: A second layout for typing ASCII (passwords, host names) when the proposed one cannot.
ASCII_LAYOUT = "us"
SWITCH_OPTION = "grp:alt_shift_toggle"
CHILD_TIMEOUT = 120  # seconds; the import takes ~1 s on the host, ~17x that under TCG


def single_language(handler, options, seen: set[str]) -> bool:
    """inst.singlelang: the language is not asked. It is the kickstart's `lang`, else
    inst.lang, else en_US.UTF-8 (Anaconda's rule). True when the language spoke is left out."""
    if not options.singlelang:
        return False
    if "lang" not in seen or not handler.lang.lang:
        handler.lang.lang = options.lang or DEFAULT_LOCALE
    log.info("inst.singlelang: the language is %s and not asked", handler.lang.lang)
    return True

# ---- what a plain console can show -------------------------------------------------
#: Unicode blocks a Linux VT font holds (eurlatgr, latarcyrheb-sun16: 512 glyphs):
#: Latin up to Latin Extended-B, Greek, Cyrillic, and punctuation.
CONSOLE_RANGES = ((0x20, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x2000, 0x206F))
#: TERM values of a Linux VT or a serial terminal: no fonts beyond the console's own.
PLAIN_TERMS = ("linux", "vt100", "vt102", "vt220", "vt320", "dumb", "")


def console_displayable(text: str) -> bool:
    """The rule for a plain console: every character of `text` (composed, NFC) lies in a
    block the VT font covers. A language is offered there when its native name passes.

    Checking the very text we would draw is simpler and stricter than reasoning about
    scripts: Vietnamese ("Tiếng Việt") needs Latin Extended Additional, which the 512-glyph
    fonts lack, and is left out, while Czech, Russian and Greek are shown."""
    return all(any(low <= ord(ch) <= high for low, high in CONSOLE_RANGES)
               for ch in unicodedata.normalize("NFC", text))


def plain_console(term: str | None = None) -> bool:
    """True on a Linux VT (TERM=linux) or a serial terminal (vt100/vt220, dumb): there only
    console-displayable languages are offered. A terminal emulator (xterm, tmux, screen)
    draws with the fonts of a graphical desktop and gets them all."""
    term = os.environ.get("TERM", "") if term is None else term
    return term in PLAIN_TERMS


def fold(text: str) -> str:
    """For type-to-filter: case, accents and underscores ignored, so "cest" finds
    "Čeština" and "new_york" finds "New York"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("_", " "))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# ---- the language table ------------------------------------------------------------
@dataclass(frozen=True)
class LocaleInfo:
    name: str                  # cs_CZ.UTF-8
    native: str                # Čeština (Česko)
    english: str               # Czech (Czechia)
    layouts: tuple[str, ...]   # proposed X layouts, "LAYOUT (VARIANT)" as kickstart writes them
    switch: tuple[str, ...]    # layout switching options, when there are two layouts
    timezone: str              # proposed time zone, "" when langtable knows none

    def label(self, console: bool = False) -> str:
        """The native name; on a plain console the English one if the native cannot be drawn."""
        if console and not console_displayable(self.native):
            return self.english
        return self.native


@dataclass(frozen=True)
class LanguageInfo:
    code: str                  # cs
    native: str                # Čeština
    english: str               # Czech
    locales: tuple[LocaleInfo, ...]

    @property
    def label(self) -> str:
        return self.native if self.native == self.english else f"{self.native} ({self.english})"

    @property
    def displayable(self) -> bool:
        return console_displayable(self.native)


def locale_key(name: str) -> str:
    """cs_CZ.UTF-8, cs_CZ.utf8 and cs_CZ are one locale for matching (UTF-8 is the default)."""
    base, _, modifier = name.partition("@")
    base, dot, charset = base.partition(".")
    charset = charset.lower().replace("-", "") if dot else "utf8"
    return f"{base}.{charset}" + (f"@{modifier}" if modifier else "")


@dataclass(frozen=True)
class LanguageTable:
    languages: tuple[LanguageInfo, ...]  # sorted by English name

    def offered(self, console: bool) -> tuple[list[LanguageInfo], int]:
        """The languages to list and how many were left out because a plain console
        cannot draw their names."""
        if not console:
            return list(self.languages), 0
        shown = [lang for lang in self.languages if lang.displayable]
        return shown, len(self.languages) - len(shown)

    def find(self, locale: str) -> tuple[LanguageInfo, LocaleInfo] | None:
        key = locale_key(locale)
        for language in self.languages:
            for info in language.locales:
                if locale_key(info.name) == key:
                    return language, info
        return None

    @classmethod
    def from_json(cls, data: list) -> "LanguageTable":
        languages = [LanguageInfo(code, native, english,
                                  tuple(LocaleInfo(l["name"], l["native"], l["english"],
                                                   tuple(l["layouts"]), tuple(l["switch"]),
                                                   l["timezone"]) for l in locales))
                     for code, native, english, locales in data]
        return cls(tuple(sorted(languages, key=lambda lang: fold(lang.english))))


_cache: LanguageTable | None = None
_lock = threading.Lock()


def language_table() -> LanguageTable:
    """The table, from the cache or (slow: call it off the UI thread) from a child process."""
    global _cache
    with _lock:
        if _cache is None:
            _cache = _load_in_child()
        return _cache


def cached_language_table() -> LanguageTable | None:
    return _cache


def release_language_table() -> None:
    """Forget the table (the language is chosen); the next `language_table()` reloads it."""
    global _cache
    with _lock:
        _cache = None


class LocalizationError(InstallerError):
    """The language list could not be read; the message says why."""

    kind = "localization error"


def _load_in_child() -> LanguageTable:
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    try:
        done = subprocess.run([sys.executable, "-m", __name__], stdin=subprocess.DEVNULL,
                              capture_output=True, encoding="utf-8", env=env,
                              timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise LocalizationError(f"reading langtable took over {CHILD_TIMEOUT} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise LocalizationError(f"reading langtable failed: {last}")
    table = LanguageTable.from_json(json.loads(done.stdout))
    log.info("Language table: %d languages, %d locales (read by a child process)",
             len(table.languages), sum(len(lang.locales) for lang in table.languages))
    return table


def _layout(name: str) -> str:
    """langtable's `de(nodeadkeys)` in kickstart's `de (nodeadkeys)` form."""
    layout, _, variant = name.partition("(")
    return f"{layout} ({variant.rstrip(')')})" if variant else layout


def _query_langtable() -> list:
    """In the child: every language langtable knows a locale for, with what each locale
    proposes (first keyboard layout, "us" added when it cannot type ASCII; first zone).

    Each locale is listed once, under its plain language code: langtable also has
    script and region entries (zh_Hans, sr_Latn) and old codes (iw for he) whose locales
    the plain codes already list."""
    import langtable

    languages = []
    for code in langtable.list_all_languages():
        if "_" in code:
            continue
        locales = []
        for name in langtable.list_locales(languageId=code):
            if re.split(r"[_.@]", name, maxsplit=1)[0] != code:
                continue
            keyboards = langtable.list_keyboards(languageId=name) or [ASCII_LAYOUT]
            layouts, switch = [_layout(keyboards[0])], []
            if not langtable.supports_ascii(keyboards[0]):
                layouts.append(ASCII_LAYOUT)
                switch.append(SWITCH_OPTION)
            zones = langtable.list_timezones(languageId=name)
            locales.append({"name": name,
                            "native": langtable.language_name(languageId=name),
                            "english": langtable.language_name(languageId=name,
                                                               languageIdQuery="en"),
                            "layouts": layouts, "switch": switch,
                            "timezone": zones[0] if zones else ""})
        if locales:
            languages.append([code, langtable.language_name(languageId=code),
                              langtable.language_name(languageId=code, languageIdQuery="en"),
                              locales])
    return languages


# ---- time zones ----------------------------------------------------------------------
#: The regions offered; "Etc" holds UTC and the fixed offsets.
REGIONS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
           "Europe", "Indian", "Pacific", "Etc")
def set_timezone(handler, zone: str) -> None:
    """The one way the TUI sets a zone: only a valid one. The first zone set outside a
    kickstart's `timezone` starts with the hardware clock in UTC (systemd's default; local
    time is for sharing the clock with Windows). Setting isUtc earlier would make
    pykickstart write a zoneless `timezone --utc`."""
    if not is_valid_timezone(zone):
        raise ValueError(f"{zone!r} is not in the time zone database")
    timezone = handler.timezone
    if not timezone.timezone and not timezone.seen:
        timezone.isUtc = True
    timezone.timezone = zone


@lru_cache(maxsize=1)
def all_timezones() -> frozenset[str]:
    """Every zone of the tz database here (walks /usr/share/zoneinfo: off the UI thread).
    Zones only Python's tzdata package has are left out: the target links to its own."""
    import zoneinfo

    return frozenset(z for z in zoneinfo.available_timezones() if is_valid_timezone(z))


def regions() -> list[str]:
    present = {zone.split("/", 1)[0] for zone in all_timezones() if "/" in zone}
    return [region for region in REGIONS if region in present]


def cities(region: str) -> list[str]:
    """Zone names below `region`, without it: "Prague", "Argentina/Buenos_Aires"."""
    prefix = region + "/"
    return sorted(z[len(prefix):] for z in all_timezones() if z.startswith(prefix))


def city_label(city: str) -> str:
    return city.replace("_", " ")


# ---- clock and network time in the handler ---------------------------------------------
def ntp_enabled(handler) -> bool:
    """What installer/configure/timesync.py will do: off when `timesource --ntp-disable`
    (F33+) or the older `timezone --nontp` says so, on otherwise."""
    command = getattr(handler, "timesource", None)
    disabled = command is not None and any(d.ntp_disable for d in command.dataList())
    return not (handler.timezone.nontp or disabled)


def set_ntp(handler, enabled: bool) -> None:
    """F40 deprecated `timezone --nontp` for `timesource --ntp-disable`: that is written
    where the handler has it; NTP servers the kickstart gave are kept either way."""
    command = getattr(handler, "timesource", None)
    if command is None:
        handler.timezone.nontp = not enabled
        return
    handler.timezone.nontp = False
    command.timesource_list = [d for d in command.dataList() if not d.ntp_disable]
    if not enabled:
        data = command.dataClass()
        data.ntp_disable = True
        command.timesource_list.append(data)


if __name__ == "__main__":
    json.dump(_query_langtable(), sys.stdout)  # ASCII escapes: whatever stdout's encoding
