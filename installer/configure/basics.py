"""The parts of system configuration that are plain files: locale, console keymap,
time zone and host name. They need no disks and no tools, so --dirinstall does them too.
"""
from __future__ import annotations

import logging

from .keyboard import configure_keyboard
from .target import Target, write_file


log = logging.getLogger("anaconda.configure")


def configure_locale(handler, target: Target) -> None:
    if handler.lang.lang:
        write_file(target, "/etc/locale.conf", f"LANG={handler.lang.lang}\n")


def configure_timezone(handler, target: Target) -> None:
    zone = handler.timezone.timezone
    if not zone:
        return
    link = target.path("/etc/localtime")
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(f"../usr/share/zoneinfo/{zone}")
    clock = "UTC" if handler.timezone.isUtc else "LOCAL"
    write_file(target, "/etc/adjtime", f"0.0 0 0.0\n0\n{clock}\n")
    log.info("Time zone %s, hardware clock in %s", zone, clock)


def configure_hostname(handler, target: Target) -> None:
    names = [n.hostname for n in handler.network.network if getattr(n, "hostname", "")]
    if names:
        hostname = names[-1]
        write_file(target, "/etc/hostname", hostname + "\n")


def configure_basics(handler, target: Target) -> None:
    configure_locale(handler, target)
    configure_keyboard(handler, target)  # keyboard.py: console and X
    configure_timezone(handler, target)
    configure_hostname(handler, target)
