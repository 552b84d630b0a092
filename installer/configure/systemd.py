"""Enabling, disabling and the default target, through systemctl working offline.

`systemctl --root=DIR` never talks to a running manager; it only reads unit files and
makes the symlinks under etc/systemd/system, so it works for a directory install and on a
mounted target alike. The target's own systemctl is preferred (chrooted, `--root=/`): it
is the version that will read those links, and the installer image carries no systemd.
The host's systemctl with `--root=TARGET` is the fallback for a target without one.
"""
from __future__ import annotations

import logging
import os
import shutil

from installer.errors import ConfigurationError
from installer.program import ProgramResult, run

from .target import Target, unit_name

log = logging.getLogger("anaconda.configure")

TARGET_SYSTEMCTL = ("usr/bin/systemctl", "bin/systemctl")


def systemctl(target: Target, *args: str, where: str = "") -> ProgramResult:
    if any(target.exists(p) for p in TARGET_SYSTEMCTL):
        return run(["systemctl", "--root=/", *args], root=target.root)
    if shutil.which("systemctl"):
        return run(["systemctl", f"--root={target.root}", *args])
    raise ConfigurationError(f"{where or 'systemctl'}: neither the target nor the installer "
                             "has systemctl, so units cannot be enabled or disabled")


def real_name(target: Target, unit: str) -> str:
    """An alias unit (Debian's sshd.service -> ssh.service) resolved to the unit it names.

    systemctl refuses to enable a "linked unit file"; Anaconda users write the Fedora
    names, which on some targets are aliases.
    """
    unit = unit_name(unit)
    path = target.unit_file(unit)
    if path is None or not path.is_symlink():
        return unit
    dest = os.readlink(path)
    name = os.path.basename(dest)
    if dest == "/dev/null" or name == unit or not name.endswith(unit[unit.rfind("."):]):
        return unit
    log.info("%s is an alias of %s on the target", unit, name)
    return name


def _change(target: Target, verb: str, unit: str, where: str) -> None:
    if not target.has_unit(unit):
        raise ConfigurationError(f"{where}: cannot {verb} {unit_name(unit)}: no such unit on the "
                                 "installed system (is its package in %packages?)")
    name = real_name(target, unit)
    result = systemctl(target, verb, name, where=where)
    # systemctl disable of a missing unit prints the failure but exits 0
    if result.returncode != 0 or "does not exist" in result.output:
        reason = result.output.strip().splitlines()[-1] if result.output.strip() else \
            f"exit code {result.returncode}"
        raise ConfigurationError(f"{where}: cannot {verb} {name}: {reason}")
    log.info("%sd %s", verb.capitalize(), name)


def enable(target: Target, unit: str, where: str) -> None:
    _change(target, "enable", unit, where)


def disable(target: Target, unit: str, where: str) -> None:
    _change(target, "disable", unit, where)


def set_default(target: Target, unit: str, where: str) -> None:
    if not target.has_unit(unit):
        raise ConfigurationError(f"{where}: {unit} is not installed, it cannot be the default")
    result = systemctl(target, "set-default", unit, where=where)
    if result.returncode != 0:
        raise ConfigurationError(f"{where}: systemctl set-default {unit} failed: "
                                 f"{result.output.strip() or result.returncode}")
    log.info("Default target: %s", unit)
