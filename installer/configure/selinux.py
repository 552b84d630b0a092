"""`selinux --enforcing|--permissive|--disabled`: SELINUX= in /etc/selinux/config.
The boot option inst.selinux=1|0 wins over the kickstart (enforcing or disabled).

Only a target that has SELinux (its config file, or a policy under /etc/selinux) is
changed; writing a config for a system without a policy would make nothing enforce
anything and mislead whoever reads it. Other lines (SELINUXTYPE) are kept.
"""
from __future__ import annotations

import logging

from pykickstart.constants import SELINUX_DISABLED, SELINUX_ENFORCING, SELINUX_PERMISSIVE

from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

CONFIG = "etc/selinux/config"
MODES = {SELINUX_ENFORCING: "enforcing", SELINUX_PERMISSIVE: "permissive",
         SELINUX_DISABLED: "disabled"}


def policies(target: Target) -> list[str]:
    """Names of the installed policies (/etc/selinux/NAME/policy), e.g. targeted."""
    base = target.path("etc/selinux")
    return sorted(p.parent.name for p in base.glob("*/policy")) if base.is_dir() else []


def selinux_config(current: str, mode: str, policy: str) -> str:
    lines, done = [], False
    for line in current.splitlines():
        if line.strip().startswith("SELINUX="):
            lines.append(f"SELINUX={mode}")
            done = True
        else:
            lines.append(line)
    if not done:
        lines.append(f"SELINUX={mode}")
    if not any(l.strip().startswith("SELINUXTYPE=") for l in lines) and policy:
        lines.append(f"SELINUXTYPE={policy}")
    return "\n".join(lines) + "\n"


def apply_boot_option(handler, selinux: bool | None) -> None:
    """inst.selinux=1|0 wins over the kickstart's `selinux`, as in Anaconda: the installed
    system is enforcing or disabled, and the saved kickstart says so."""
    if selinux is None:
        return
    wanted = SELINUX_ENFORCING if selinux else SELINUX_DISABLED
    given = handler.selinux.selinux
    if given is not None and given != wanted:
        log.info("inst.selinux=%d overrides the kickstart's selinux --%s", int(selinux),
                 MODES.get(given, given))
    handler.selinux.selinux = wanted


def configure_selinux(handler, target: Target) -> None:
    mode = MODES.get(handler.selinux.selinux)
    if mode is None:
        return
    installed = policies(target)
    if not target.exists(CONFIG) and not installed:
        log.info("%s: the target has no SELinux (no /etc/selinux/config, no policy); "
                 "SELINUX=%s not written", target.where("selinux"), mode)
        return
    current = target.path(CONFIG).read_text() if target.exists(CONFIG) else ""
    write_file(target, CONFIG, selinux_config(current, mode, installed[0] if installed else ""))
    log.info("SELinux: %s", mode)
