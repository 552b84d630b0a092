"""The installed system as configuration sees it: a root directory, and where in the
kickstart each command was written (so an error can name the line a user must change).

Configuration adapts to what the payload actually installed (chrony or
systemd-timesyncd, NetworkManager or systemd-networkd, SELinux or not), so every module
asks the target through `exists`/`has_unit` instead of assuming a distribution.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from installer.kickstart.parser import CommandSeen

log = logging.getLogger("anaconda.configure")

#: Where unit files live, most specific first (merged-/usr targets have both /lib paths).
UNIT_DIRS = ("etc/systemd/system", "usr/lib/systemd/system", "lib/systemd/system")
UNIT_SUFFIXES = (".service", ".socket", ".target", ".timer", ".path", ".mount", ".automount",
                 ".swap", ".slice", ".scope", ".device")


def unit_name(name: str) -> str:
    """`sshd` -> `sshd.service`, as systemctl completes a bare name."""
    return name if name.endswith(UNIT_SUFFIXES) else name + ".service"


@dataclass
class Target:
    root: Path
    seen: Sequence[CommandSeen] = field(default_factory=tuple)

    def path(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def exists(self, path: str) -> bool:
        """Present in the target, a dangling symlink included (it is still "there")."""
        return os.path.lexists(self.path(path))

    def unit_file(self, unit: str) -> Path | None:
        """The unit's file in the target; a template instance (getty@tty2) finds getty@."""
        unit = unit_name(unit)
        names = [unit]
        prefix, at, rest = unit.partition("@")
        if at and not rest.startswith("."):
            names.append(prefix + "@" + rest[rest.rfind("."):])
        for directory in UNIT_DIRS:
            for name in names:
                path = self.root / directory / name
                if os.path.lexists(path):
                    return path
        return None

    def has_unit(self, unit: str) -> bool:
        return self.unit_file(unit) is not None

    def where(self, command: str, index: int = -1) -> str:
        """`file:line: command` of the command's `index`th occurrence (default: the last)."""
        found = [s for s in self.seen if s.name == command]
        try:
            seen = found[index]
        except IndexError:
            return command
        return f"{seen.location}: {command}"

    def occurrences(self, command: str) -> list[CommandSeen]:
        return [s for s in self.seen if s.name == command]


def write_file(target: Target, path: str, text: str, mode: int = 0o644) -> Path:
    """Write a file into the target with an exact mode (umask does not decide it)."""
    dest = target.path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    os.chmod(dest, mode)
    log.info("Wrote %s", dest)
    return dest
