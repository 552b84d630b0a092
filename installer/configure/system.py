"""Configuring the installed system from the kickstart: every step, in Anaconda's order.

The plain files first (basics: locale, console keymap, time zone, host name), then what
depends on the installed packages. `services` comes after everything that enables a
unit itself (network, time), so the kickstart's explicit --disabled has the last word.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from installer.bootopts.values import IpConfig
from installer.kickstart.parser import CommandSeen
from installer.nics import SYSFS_NET

from .authselect import configure_authselect
from .basics import configure_basics
from .certificates import configure_certificates
from .firewall import configure_firewall
from .kdump import configure_kdump
from .language import configure_language_support
from .machineid import configure_machine_id
from .network import configure_network
from .selinux import configure_selinux
from .services import configure_default_target, configure_firstboot, configure_services, log_eula
from .target import Target
from .timesync import configure_time_sync


def configure_system(handler, root: Path, seen: Sequence[CommandSeen] = (),
                     boot_ip: Sequence[IpConfig] = (), sysfs: Path = SYSFS_NET,
                     kdump_addon: bool | None = None) -> None:
    target = Target(root, seen)
    configure_basics(handler, target)
    configure_language_support(handler, target)
    configure_machine_id(target)
    configure_certificates(handler, target)
    configure_network(handler, target, boot_ip, sysfs)
    configure_time_sync(handler, target)
    configure_selinux(handler, target)
    configure_firewall(handler, target)
    configure_authselect(handler, target)
    configure_kdump(handler, target, kdump_addon)
    configure_firstboot(handler, target)
    configure_default_target(handler, target)
    log_eula(handler, target)
    configure_services(handler, target)
