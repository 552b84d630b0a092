"""Checks on the kickstart as a whole: not empty, one installation source, a real time zone."""
from __future__ import annotations

from pathlib import Path

from installer.errors import KickstartError
from installer.timezones import is_valid_timezone

from .findings import Findings, Where, where_of

ZONEINFO = Path("/usr/share/zoneinfo")
SOURCE_COMMANDS = ("url", "cdrom", "nfs", "harddrive", "liveimg", "ostreesetup",
                   "ostreecontainer", "hmc")


def check_not_empty(loaded) -> None:
    """Raised at once: an empty kickstart has nothing else worth checking."""
    handler = loaded.handler
    if not loaded.commands_seen and not handler.scripts and not handler.packages.seen:
        raise KickstartError("the kickstart is empty (only comments and blank lines); it needs "
                             "the commands of an install, e.g. data/ks/minimal.ks",
                             loaded.sources[0][0])


def check_timezone(loaded, found: Findings) -> None:
    zone = loaded.handler.timezone.timezone
    if zone and ZONEINFO.is_dir() and not is_valid_timezone(zone):
        found.error(where_of(loaded, "timezone"),
                    f"timezone {zone!r} is not a known time zone; expected a name from "
                    "/usr/share/zoneinfo such as Europe/Prague or Etc/UTC")


def check_one_source(loaded, found: Findings) -> None:
    """pykickstart silently keeps the last of url/cdrom/nfs/...; two are a mistake."""
    sources = [seen for seen in loaded.commands_seen if seen.name in SOURCE_COMMANDS]
    if len(sources) > 1:
        first, second = sources[0], sources[1]
        found.error(Where(second.location.file, second.location.line),
                    f"{second.name} conflicts with {first.name} at {first.location}: give one "
                    "installation source (url, cdrom, nfs, harddrive, liveimg, ...); add "
                    "repositories with repo")
