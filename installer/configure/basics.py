"""The parts of system configuration that are plain files: locale, console keymap,
time zone and host name. They need no disks and no tools, so --dirinstall does them too.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

from installer.kickstart.parser import CommandSeen

from .keyboard import configure_keyboard
from .target import Target


log = logging.getLogger("anaconda.configure")


def write_file(root: Path, path: str, text: str, mode: int = 0o644) -> Path:
    dest = root / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")
    os.chmod(dest, mode)
    log.info("Wrote %s", dest)
    return dest


def configure_locale(handler, root: Path) -> None:
    if handler.lang.lang:
        write_file(root, "/etc/locale.conf", f"LANG={handler.lang.lang}\n")


def configure_timezone(handler, root: Path) -> None:
    zone = handler.timezone.timezone
    if not zone:
        return
    link = root / "etc/localtime"
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(f"../usr/share/zoneinfo/{zone}")
    clock = "UTC" if handler.timezone.isUtc else "LOCAL"
    write_file(root, "/etc/adjtime", f"0.0 0 0.0\n0\n{clock}\n")
    log.info("Time zone %s, hardware clock in %s", zone, clock)


def configure_hostname(handler, root: Path) -> None:
    names = [n.hostname for n in handler.network.network if getattr(n, "hostname", "")]
    if names:
        hostname = names[-1]
        write_file(root, "/etc/hostname", hostname + "\n")


def configure_basics(handler, root: Path, seen: Sequence[CommandSeen] = ()) -> None:
    configure_locale(handler, root)
    configure_keyboard(handler, Target(root, seen))  # keyboard.py: console and X
    configure_timezone(handler, root)
    configure_hostname(handler, root)
