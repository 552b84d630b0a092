"""`services --enabled --disabled`, `firstboot`, `skipx`, `xconfig --startxonboot`, `eula`:
what starts at boot.

Everything goes through systemctl offline (systemd.py), so the links are exactly the ones
systemctl itself would make. As in Anaconda, disabling comes before enabling, and a
service the target does not have is an error naming the kickstart line: a kickstart that
asks for sshd but forgot openssh-server should not produce a system without it silently.
"""
from __future__ import annotations

import logging

from pykickstart.constants import FIRSTBOOT_RECONFIG, FIRSTBOOT_SKIP

from . import systemd
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

INITIAL_SETUP = "initial-setup.service"
RECONFIG_FLAG = "etc/reconfigSys"
MULTI_USER = "multi-user.target"
GRAPHICAL = "graphical.target"


def configure_services(handler, target: Target) -> None:
    where = target.where("services")
    for name in handler.services.disabled:
        systemd.disable(target, name, where)
    for name in handler.services.enabled:
        systemd.enable(target, name, where)


def configure_firstboot(handler, target: Target) -> None:
    """--enable/--reconfig start initial-setup on the first boot, --disable keeps it off.

    Without the command nothing changes (initial-setup's own preset decides).
    """
    mode = handler.firstboot.firstboot
    if mode is None:
        return
    where = target.where("firstboot")
    if not target.has_unit(INITIAL_SETUP):
        log.info("%s: initial-setup is not installed; nothing to %s", where,
                 "disable" if mode == FIRSTBOOT_SKIP else "enable")
        return
    if mode == FIRSTBOOT_SKIP:
        systemd.disable(target, INITIAL_SETUP, where)
        return
    if mode == FIRSTBOOT_RECONFIG:
        write_file(target, RECONFIG_FLAG, "")  # initial-setup's reconfiguration mode
    systemd.enable(target, INITIAL_SETUP, where)


def configure_default_target(handler, target: Target) -> None:
    """skipx: boot to the text console; xconfig --startxonboot: to the graphical target.
    Without either the target's default stays as the packages set it (graphical when a
    desktop is installed), as in Anaconda; skipx wins over --startxonboot."""
    if handler.skipx.skipx:
        wanted, where = MULTI_USER, target.where("skipx")
    elif getattr(handler.xconfig, "startX", False):
        wanted, where = GRAPHICAL, target.where("xconfig")
    else:
        return
    if not target.has_unit(wanted):
        log.warning("%s: the target has no %s; the default target is left as it is",
                    where, wanted)
        return
    systemd.set_default(target, wanted, where)


def log_eula(handler, target: Target) -> None:
    """`eula --agreed`: there is no license dialog here; the agreement is only recorded."""
    if getattr(handler.eula, "agreed", False):
        log.info("%s --agreed: accepted (this installer shows no license agreement)",
                 target.where("eula"))
