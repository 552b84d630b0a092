"""Bonds, VLANs and bridges in the network spoke: what a person sets for one, its checks,
and its `network` line (`--bondslaves --bondopts`, `--vlanid --interfacename`,
`--bridgeslaves --bridgeopts`).

The kickstart's own checks (installer/kickstart/checks/network.py) decide what is valid,
as they decide for an unattended install, so the spoke never accepts a device the executor
would refuse and never refuses one it would take; the spoke adds only what a form needs
(a name not already taken, at least one port, the mode out of the options field).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from installer.bootopts.values import BOND_MODES, IFNAME_RE, bond_mode, split_bond_options

from .network_ip import IpConfig, backend_problems, scratch_line

log = logging.getLogger("anaconda.tui")

KINDS = ("bond", "vlan", "bridge")
DEFAULT_MODE = "active-backup"  # works without any switch configuration
CHECKS = ("check_virtual", "check_vlan", "check_options")


def is_virtual(data) -> bool:
    """A line this module edits: a bond, a VLAN or a bridge (not a team, not Wi-Fi, and
    not the one-line "bond with a VLAN on it", which stays as the kickstart gave it)."""
    kinds = [bool(data.bondslaves), bool(data.vlanid), bool(data.bridgeslaves)]
    return sum(kinds) == 1 and not data.teamslaves and not data.essid


def _split_ports(text: str) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


@dataclass
class VirtualConfig(IpConfig):
    """One bond, VLAN or bridge and its address settings."""

    kind: str  # KINDS
    name: str = ""  # the device (bond0, br0); for a VLAN its optional --interfacename
    ports: list[str] = field(default_factory=list)  # bond and bridge
    mode: str = DEFAULT_MODE  # bond
    options: str = ""  # bond options without the mode, or bridge options
    parent: str = ""  # VLAN
    vlan_id: str = ""  # VLAN

    @property
    def device(self) -> str:
        """The name the device has on the installed system (a VLAN: NAME or PARENT.ID)."""
        if self.kind == "vlan":
            return self.name or (f"{self.parent}.{self.vlan_id}" if self.parent and self.vlan_id
                                 else "")
        return self.name

    def describe(self) -> str:
        if self.kind == "vlan":
            return f"VLAN {self.vlan_id or '?'} on {self.parent or '?'}"
        return f"{self.kind} of {','.join(self.ports) or 'no ports'}"

    @classmethod
    def from_data(cls, data) -> "VirtualConfig":
        if data.bondslaves:
            config = cls(kind="bond", name=data.device or "", ports=_split_ports(data.bondslaves))
            config.mode, config.options, _ = _mode_and_rest(data.bondopts or "")
        elif data.bridgeslaves:
            config = cls(kind="bridge", name=data.device or "",
                         ports=_split_ports(data.bridgeslaves), options=data.bridgeopts or "")
        else:
            config = cls(kind="vlan", name=data.interfacename or "", parent=data.device or "",
                         vlan_id=str(data.vlanid))
        config.read_ip(data)
        return config

    def bondopts(self) -> str:
        """`mode=...,options`; a kickstart bond that named no mode and still has the
        kernel's default keeps naming none, so an untouched line stays as it was."""
        given = self.data is not None and _mode_and_rest(self.data.bondopts or "")[2]
        implicit = self.data is not None and not given and self.mode == BOND_MODES[0]
        pairs = ([] if implicit else [f"mode={self.mode}"]) + (
            [self.options.strip()] if self.options.strip() else [])
        return ",".join(pairs)

    def write(self, data) -> None:
        """Into a pykickstart NetworkData: the device's options, then its addresses."""
        self.write_device(data)
        self.write_ip(data)

    def write_device(self, data) -> None:
        data.bondslaves = data.bondopts = data.bridgeslaves = data.bridgeopts = ""
        data.vlanid = data.interfacename = ""
        if self.kind == "vlan":
            data.device, data.vlanid, data.interfacename = self.parent, self.vlan_id, self.name
        else:
            data.device = self.name
        if self.kind == "bond":
            data.bondslaves, data.bondopts = ",".join(self.ports), self.bondopts()
        elif self.kind == "bridge":
            data.bridgeslaves, data.bridgeopts = ",".join(self.ports), self.options.strip()

    def form_problems(self, taken: set[str]) -> list[str]:
        """What the form itself must have before the kickstart's checks are asked."""
        found = []
        what = {"bond": "bond0", "bridge": "br0", "vlan": "vlan10"}[self.kind]
        if self.kind != "vlan" and not self.name:
            found.append(f"Name: enter the device's name, such as {what}.")
        elif self.name and not IFNAME_RE.match(self.name):
            found.append(f"Name: '{self.name}' is not an interface name; use 1-15 letters, "
                         f"digits, '.', '_' or '-', such as {what}.")
        elif self.device and self.device in taken:
            found.append(f"Name: {self.device} is already the name of another device.")
        if self.kind == "vlan" and not self.parent:
            found.append("Parent: choose the device that carries the VLAN.")
        if self.kind == "vlan" and not self.vlan_id:
            found.append("VLAN id: enter a number from 1 to 4094.")
        if self.kind != "vlan" and not self.ports:
            found.append(f"Ports: tick at least one interface for the {self.kind}.")
        if self.kind == "bond":
            try:
                keys = [key for key, _ in split_bond_options(self.options)] if self.options else []
            except ValueError as exc:
                found.append(f"Options: {exc}; give NAME=VALUE pairs separated by commas, "
                             "such as miimon=100,primary=ens3.")
            else:
                if "mode" in keys:
                    found.append("Options: choose the mode under Mode, not here.")
        return found

    def problems(self, taken: set[str]) -> list[str]:
        """Every problem, prefixed with the device; `taken` holds the other devices' names."""
        found = self.form_problems(taken)
        if not found:
            scratch = scratch_line()
            self.write_device(scratch)
            found = backend_problems(scratch, CHECKS)
        found += self.ip_problems()
        label = self.device or f"New {self.kind}"
        return [f"{label}: {p}" for p in found]


def _mode_and_rest(text: str) -> tuple[str, str, bool]:
    """`mode=1,miimon=100` -> ("active-backup", "miimon=100", True): the mode, the other
    options, whether a mode was named. A mode the kickstart names wrongly stays in the
    options, so the check names it when the spoke is left."""
    try:
        pairs = split_bond_options(text) if text else []
    except ValueError:
        return BOND_MODES[0], text, False
    mode, rest, given = BOND_MODES[0], [], False  # the kernel's default
    for key, value in pairs:
        try:
            mode = bond_mode(value) if key == "mode" else mode
        except ValueError:
            rest.append((key, value))
            continue
        given = given or key == "mode"
        if key != "mode":
            rest.append((key, value))
    return mode, ",".join(f"{k}={v}" for k, v in rest), given
