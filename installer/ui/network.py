"""Network & host name for the TUI: the machine's interfaces, the bonds, VLANs and
bridges over them, and the translation between the spoke's state and kickstart `network`
lines.

The spoke shows interfaces as the kernel names them now (sysfs), so the person recognises
them; what it writes are `network` lines the executor (configure/network.py) reads, with
Anaconda's options: `--bootproto`, `--device`, `--ip`/`--netmask`, `--gateway`, `--ipv6`,
`--ipv6gateway`, `--nameserver`, `--ipv4-dns-search`, `--hostname`, `--onboot`,
`--activate`, and for virtual devices those of network_virtual.py. Lines the spoke does not
understand (teams, Wi-Fi, a bond with a VLAN in one line, devices not on this machine) are
left exactly as the kickstart gave them and listed as kept; lines it understands are
updated in place and only the virtual devices a person removes are dropped, so the loader's
record of where each line came from stays aligned with the handler's list where it can.
"""
from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from installer.hostnames import hostname_problem
from installer.nics import (PROC_INET6, SYSFS_NET, hardware_devices, ipv4_address,
                            ipv6_addresses, is_connected, kind, mac_of)

from .network_ip import IpConfig, ports_problems
from .network_virtual import VirtualConfig, is_virtual

log = logging.getLogger("anaconda.tui")

#: kickstart options that make a line something other than a hardware interface's
FOREIGN = ("bondslaves", "vlanid", "teamslaves", "bridgeslaves", "essid", "interfacename")


@dataclass(frozen=True)
class Interface:
    name: str
    mac: str
    kind: str  # "Wired", "Wireless", or "Network" for anything else
    connected: bool
    addresses: tuple[str, ...] = ()  # "192.0.2.2/24", global IPv6 ones too

    def describe(self) -> str:
        """`Wired (ens3) connected`: the hub's status wording, Anaconda's."""
        return f"{self.kind} ({self.name}) {'connected' if self.connected else 'disconnected'}"


def list_interfaces(sysfs: Path = SYSFS_NET, inet6: Path = PROC_INET6,
                    ipv4: Callable[[str], str] = ipv4_address) -> list[Interface]:
    """Hardware interfaces (installer/nics.py), with link state and current addresses."""
    v6 = ipv6_addresses(inet6)
    result = []
    for path in hardware_devices(sysfs):
        v4 = ipv4(path.name)
        result.append(Interface(path.name, mac_of(path), kind(path), is_connected(path),
                                tuple(([v4] if v4 else []) + v6.get(path.name, []))))
    return result


# ---- one interface's settings ---------------------------------------------------------

@dataclass
class InterfaceConfig(IpConfig):
    """What the spoke edits for one hardware interface (address settings: IpConfig)."""

    name: str
    mac: str = ""

    def problems(self) -> list[str]:
        """Every problem, each naming its field, prefixed with the interface."""
        return [f"{self.name}: {p}" for p in self.ip_problems()]

    def write(self, data) -> None:
        self.write_ip(data)


def _config_from_data(iface: Interface, data) -> InterfaceConfig:
    config = InterfaceConfig(iface.name, iface.mac)
    config.read_ip(data)
    return config


def _config_from_boot(iface: Interface, ip) -> InterfaceConfig:
    config = InterfaceConfig(iface.name, iface.mac, onboot=True, activate=iface.connected,
                             dns=", ".join(ip.dns))
    if ip.method in ("none", "off") and ip.address and ":" not in ip.address:
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{ip.netmask or 32}").prefixlen
        config.method, config.address = "static", f"{ip.address}/{prefix}"
        config.gateway = ip.gateway
    return config


# ---- the whole spoke's state and the kickstart ------------------------------------------

def is_hostname_only(data) -> bool:
    return bool(data.hostname) and not data.device and not data.ip


def _matches(data, iface: Interface, link: Interface | None) -> bool:
    if any(getattr(data, name, "") for name in FOREIGN):
        return False
    device = (data.device or "").lower()
    if device in ("", "link"):
        return not is_hostname_only(data) and link is not None and iface.name == link.name
    return device in (iface.name.lower(), iface.mac)


def describe_line(data) -> str:
    """A kept line as the person would recognise it: its device and what makes it one."""
    what = ("team" if data.teamslaves else "Wi-Fi" if data.essid else
            "bond with VLAN" if data.bondslaves and data.vlanid else "interface")
    return f"{data.device or 'link'} ({what})"


@dataclass
class NetworkState:
    hostname: str
    configs: list[InterfaceConfig]
    virtuals: list[VirtualConfig] = field(default_factory=list)
    kept: list = field(default_factory=list)  # NetworkData the spoke leaves as they are
    removed: list = field(default_factory=list)  # NetworkData of virtual devices removed

    def port_of(self, name: str) -> str:
        """The bond or bridge `name` is a port of, or ""."""
        return next((v.device for v in self.virtuals if name in v.ports), "")

    def users_of(self, name: str) -> list[str]:
        """The devices built on `name` (a VLAN on it, a bridge with it as a port)."""
        return [v.device for v in self.virtuals if v.parent == name or name in v.ports]

    def rename(self, old: str, new: str) -> None:
        """A bond or bridge renamed: the VLANs on it and the bridges over it follow."""
        for virtual in self.virtuals:
            if virtual.parent == old:
                virtual.parent = new
            virtual.ports = [new if p == old else p for p in virtual.ports]

    def device_names(self) -> list[str]:
        """Every device a VLAN can sit on or a bridge can take as a port."""
        return [c.name for c in self.configs] + [v.device for v in self.virtuals if v.device]

    def virtual_problems(self, config: VirtualConfig,
                         replacing: VirtualConfig | None = None) -> list[str]:
        """`config`'s problems among the other devices (its name free, its ports not
        another device's); `config` is in the list, or new, or replaces `replacing`."""
        others = [v for v in self.virtuals if v is not config and v is not replacing]
        taken = {c.name for c in self.configs} | {v.device for v in others}
        found = config.problems(taken)
        if config.ports and config.device:
            found += [f"{config.device}: {p}" for p in ports_problems([*others, config])]
        return found

    def problems(self) -> list[str]:
        """Everything wrong, each naming the device and field."""
        found = [hostname_problem(self.hostname)]
        found += [p for c in self.configs if not self.port_of(c.name) for p in c.problems()]
        found += [p for v in self.virtuals for p in self.virtual_problems(v)]
        return [p for p in found if p]


def read_state(handler, interfaces: Sequence[Interface], boot_ip: Sequence = ()) -> NetworkState:
    """Pre-fill: the kickstart's lines first, then the installer's own `ip=`, then DHCP."""
    entries = list(handler.network.network)
    link = next((i for i in interfaces if i.connected), interfaces[0] if interfaces else None)
    configs, used = [], []
    for iface in interfaces:
        data = next((d for d in reversed(entries) if _matches(d, iface, link)), None)
        ip = next((i for i in boot_ip if i.interface in (iface.name, "") or i.mac == iface.mac),
                  None)
        if data is not None:
            configs.append(_config_from_data(iface, data))
            used.append(data)
        elif ip is not None:
            configs.append(_config_from_boot(iface, ip))
        else:
            configs.append(InterfaceConfig(iface.name, iface.mac, onboot=iface.connected,
                                           activate=iface.connected))
    virtuals = [VirtualConfig.from_data(d) for d in entries if is_virtual(d)]
    kept = [d for d in entries if not is_virtual(d) and not is_hostname_only(d)
            and not any(d is u for u in used)]
    names = [d.hostname for d in entries if d.hostname]
    boot_names = [i.hostname for i in boot_ip if i.hostname]
    return NetworkState((names or boot_names or [""])[-1], configs, virtuals, kept)


def write_state(handler, state: NetworkState) -> None:
    """Back into handler.network.network: lines updated in place, new ones appended, only
    removed virtual devices dropped (see the module's docstring). A port of a bond or
    bridge gets no new line of its own (its addresses would not be used; the executor
    warns of such a line). The host name goes
    where the kickstart had it, else on the first line written, as in
    `network --device=ens3 ... --hostname=x`."""
    entries = handler.network.network
    for data in state.removed:
        entries[:] = [d for d in entries if d is not data]
    state.removed = []
    written = []
    for config in [*state.configs, *state.virtuals]:
        if config.data is None:
            if isinstance(config, InterfaceConfig) and state.port_of(config.name):
                continue
            config.data = handler.NetworkData(ipv6="auto")
            if isinstance(config, InterfaceConfig):
                config.data.device = config.name
            entries.append(config.data)
        config.write(config.data)
        written.append(config.data)
    holders = [d for d in entries if d.hostname]
    for data in holders[:-1]:
        data.hostname = ""
    if holders:
        holders[-1].hostname = state.hostname
    elif state.hostname and written:
        written[0].hostname = state.hostname
    elif state.hostname:
        entries.append(handler.NetworkData(hostname=state.hostname))
    log.info("Network: %d interface(s), %d bond/VLAN/bridge device(s), host name %s",
             len(state.configs), len(state.virtuals), state.hostname or "(none)")


def hostname_of(handler) -> str:
    names = [d.hostname for d in handler.network.network if d.hostname]
    return names[-1] if names else ""
