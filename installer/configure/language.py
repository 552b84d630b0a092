"""`lang LANG --addsupport=...`: the locales the installed system can use.

/etc/locale.conf only ever says LANG= (basics.py writes it). The other locales are
recorded where the target keeps its list: a Debian-style glibc has /etc/locale.gen, read
by locale-gen, which compiles the listed locales into the locale archive; there the
wanted lines are uncommented (added from /usr/share/i18n/SUPPORTED if missing) and
locale-gen runs, as the locales package's own configuration would. Fedora-style glibc
ships each language as a glibc-langpack-* package: a package matter, only logged.
"""
from __future__ import annotations

import logging
import re

from installer.errors import ConfigurationError
from installer.program import run

from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

LOCALE_GEN = "etc/locale.gen"
SUPPORTED = "usr/share/i18n/SUPPORTED"
LOCALE_GEN_TOOLS = ("usr/sbin/locale-gen", "sbin/locale-gen")
#: `de_DE.UTF-8 UTF-8`, `# de_DE ISO-8859-1`: a locale name, then a charset in capitals
ENTRY_RE = re.compile(r"^#?\s*([A-Za-z][A-Za-z0-9_.@-]*)\s+([A-Z0-9][A-Z0-9_-]*)$")


def _norm(name: str) -> str:
    """de_DE.UTF-8 and de_DE.utf8 are one locale to glibc."""
    base, dot, rest = name.partition(".")
    charset, at, modifier = rest.partition("@")
    charset = charset.lower().replace("-", "")
    return base + (dot + charset if dot else "") + (at + modifier if at else "")


def entries(text: str) -> list[tuple[str, str]]:
    """(locale, charset) of every line that is an entry, commented out or not."""
    found = []
    for line in text.splitlines():
        match = ENTRY_RE.match(line.strip())
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def choose(wanted: str, known: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The entry for a kickstart locale name: exact, else NAME.UTF-8, else LANG_*.UTF-8.

    `de_DE` means the UTF-8 locale today (Anaconda installs UTF-8 langpacks), not
    Debian's legacy `de_DE ISO-8859-1`.
    """
    by_name = {_norm(name): (name, charset) for name, charset in known}
    if "." in wanted:
        return by_name.get(_norm(wanted))
    base, at, modifier = wanted.partition("@")
    suffix = "@" + modifier if at else ""
    for candidate in (f"{base}.utf8{suffix}", wanted):
        if candidate in by_name:
            return by_name[candidate]
    if "_" not in base:
        for name, charset in known:
            if name.startswith(base + "_") and charset.upper() == "UTF-8":
                return name, charset
    return None


def enable_in_locale_gen(text: str, chosen: list[tuple[str, str]]) -> tuple[str, bool]:
    """Uncomment (or append) each chosen `LOCALE CHARSET` line; returns (text, changed)."""
    lines = text.splitlines()
    changed = False
    for name, charset in chosen:
        entry = f"{name} {charset}"
        active = [i for i, l in enumerate(lines) if l.split() == [name, charset]]
        if active:
            continue
        commented = [i for i, l in enumerate(lines)
                     if l.startswith("#") and l.lstrip("#").split() == [name, charset]]
        if commented:
            lines[commented[0]] = entry
        else:
            lines.append(entry)
        changed = True
    return "\n".join(lines) + "\n", changed


def configure_language_support(handler, target: Target) -> None:
    lang = handler.lang.lang
    extra = list(handler.lang.addsupport or [])
    if not lang and not extra:
        return
    wanted = ([lang] if lang else []) + [name for name in extra if name != lang]
    if not target.exists(LOCALE_GEN):
        if extra:
            log.info("lang --addsupport=%s: the target keeps no /etc/locale.gen; on a glibc "
                     "with langpacks the extra languages come from packages "
                     "(glibc-langpack-*, langpacks-*), nothing to write", ",".join(extra))
        return
    text = target.path(LOCALE_GEN).read_text(encoding="utf-8", errors="replace")
    known = entries(text)
    if target.exists(SUPPORTED):
        known += entries(target.path(SUPPORTED).read_text(encoding="utf-8", errors="replace"))
    chosen = []
    for name in wanted:
        entry = choose(name, known)
        if entry is None:
            log.warning("%s: %s is not a locale this target's glibc knows (not in "
                        "/etc/locale.gen or %s); left out", target.where("lang"), name, SUPPORTED)
        elif entry not in chosen:
            chosen.append(entry)
    new_text, changed = enable_in_locale_gen(text, chosen)
    if not changed:
        log.info("Locales %s already enabled in /etc/locale.gen",
                 ", ".join(n for n, _ in chosen) or "(none)")
        return
    write_file(target, LOCALE_GEN, new_text)
    _compile(target)


def _compile(target: Target) -> None:
    tool = next((p for p in LOCALE_GEN_TOOLS if target.exists(p)), None)
    if tool is None:
        log.info("No locale-gen on the target: the locales listed in /etc/locale.gen are "
                 "compiled when the target runs it")
        return
    result = run(["/" + tool], root=target.root)
    if result.returncode != 0:
        raise ConfigurationError(f"{target.where('lang')}: locale-gen failed with exit code "
                                 f"{result.returncode}; see program.log")
