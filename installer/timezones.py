"""Which names are time zones: one rule for the kickstart's `timezone` and the TUI.

A zone is a name the installed system can link /etc/localtime to: a TZif file under the
tz database path, by the rules of zoneinfo.available_timezones() (no `right/` or `posix/`
variants, no links that only alias another zone).
"""
from __future__ import annotations

from pathlib import Path

NOT_ZONES = ("localtime", "posixrules")  # links to other zones, not zones to choose


def is_valid_timezone(name: str) -> bool:
    """A zone the target can link /etc/localtime to: a TZif file under the tz database
    path (/usr/share/zoneinfo), by the rules of zoneinfo.available_timezones(). Opens one
    file, so the hub can ask on every redraw without the whole listing."""
    import zoneinfo

    parts = name.split("/")
    if (not name or name in NOT_ZONES or name.startswith("/") or "\0" in name
            or parts[0] in ("right", "posix") or any(p in ("", ".", "..") for p in parts)):
        return False
    for root in zoneinfo.TZPATH:
        try:
            with open(Path(root, name), "rb") as file:
                if file.read(4) == b"TZif":
                    return True
        except OSError:
            continue
    return False
