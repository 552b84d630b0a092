"""Checks pykickstart does not make but an install needs, each naming file:line.

Run after the final parse and before anything is written, so a kickstart that cannot
work stops with exit code 2 instead of failing halfway through the install.
"""
from __future__ import annotations

from pathlib import Path

from installer.errors import KickstartError

from .load import LoadedKickstart

ZONEINFO = Path("/usr/share/zoneinfo")


def location_of(loaded: LoadedKickstart, command: str) -> tuple[str | None, int | None]:
    """file, line of the last time `command` was seen (the one that counts)."""
    for seen in reversed(loaded.commands_seen):
        if seen.name == command:
            return seen.location.file, seen.location.line
    return None, None


def check_not_empty(loaded: LoadedKickstart) -> None:
    handler = loaded.handler
    if not loaded.commands_seen and not handler.scripts and not handler.packages.seen:
        raise KickstartError("the kickstart is empty (only comments and blank lines); it needs "
                             "the commands of an install, e.g. data/ks/minimal.ks",
                             loaded.sources[0][0])


def valid_zone(zone: str) -> bool:
    if not zone or zone.startswith("/") or ".." in zone.split("/"):
        return False
    return (ZONEINFO / zone).is_file()


def check_timezone(loaded: LoadedKickstart) -> None:
    zone = loaded.handler.timezone.timezone
    if zone and ZONEINFO.is_dir() and not valid_zone(zone):
        file, line = location_of(loaded, "timezone")
        raise KickstartError(f"timezone {zone!r} is not a known time zone; expected a name "
                             "from /usr/share/zoneinfo such as Europe/Prague or Etc/UTC",
                             file, line)


SOURCE_COMMANDS = ("url", "cdrom", "nfs", "harddrive", "liveimg", "ostreesetup",
                   "ostreecontainer", "hmc")


def check_one_source(loaded: LoadedKickstart) -> None:
    """pykickstart silently keeps the last of url/cdrom/nfs/...; two are a mistake."""
    sources = [seen for seen in loaded.commands_seen if seen.name in SOURCE_COMMANDS]
    if len(sources) > 1:
        first, second = sources[0], sources[1]
        raise KickstartError(f"{second.name} conflicts with {first.name} at {first.location}: "
                             "give one installation source (url, cdrom, nfs, harddrive, "
                             "liveimg, ...); add repositories with repo",
                             second.location.file, second.location.line)


def check_install(loaded: LoadedKickstart) -> None:
    """Every check an install run needs; --validate keeps to ksvalidator's syntax checks."""
    check_not_empty(loaded)
    check_one_source(loaded)
    check_timezone(loaded)
