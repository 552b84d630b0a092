"""Network & host name for the TUI: the machine's interfaces, the checks on what a person
types, and the translation between a spoke's per-interface settings and kickstart
`network` lines.

The spoke shows interfaces as the kernel names them now (sysfs), so the person recognises
them; what it writes are `network` lines the executor (configure/network.py) reads, with
Anaconda's options: `--bootproto`, `--device`, `--ip`/`--netmask`, `--gateway`,
`--nameserver`, `--hostname`, `--onboot`, `--activate`. Lines the spoke does not understand
(bonds, VLANs, devices not on this machine) are left exactly as the kickstart gave them, and
lines it does understand are updated in place, so the loader's record of where each line
came from stays aligned with the handler's list.
"""
from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from installer.nics import (PROC_INET6, SYSFS_NET, hardware_devices, ipv4_address,
                            ipv6_addresses, is_connected, kind, mac_of)

log = logging.getLogger("anaconda.tui")

HOSTNAME_MAX = 64  # HOST_NAME_MAX on Linux
LABEL_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
#: kickstart options that make a line something this spoke does not edit
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


# ---- checks: each returns None or a message that names the field ---------------------

def hostname_problem(name: str) -> str | None:
    """RFC 1123 host names: dot-separated labels of letters, digits and '-', 1-63 each, no
    '-' first or last, at most 64 in all. Empty means "none chosen", which is allowed."""
    if not name:
        return None
    if len(name) > HOSTNAME_MAX:
        return f"Host name: {len(name)} characters is too long; at most {HOSTNAME_MAX}."
    for label in name.split("."):
        if not LABEL_RE.match(label):
            shown = f"'{label}'" if label else "an empty part"
            return (f"Host name: {shown} is not accepted. Use letters, digits and '-' "
                    "(not first or last) in parts of 1-63 characters separated by dots.")
    return None


def parse_address(text: str) -> ipaddress.IPv4Interface:
    """`10.0.0.2/24` or `10.0.0.2/255.255.255.0`; raises ValueError with the field named."""
    what = "Address: "
    text = text.strip()
    if not text:
        raise ValueError(what + "enter the address with its prefix, such as 192.168.1.10/24.")
    if "/" not in text:
        raise ValueError(what + f"'{text}' needs a prefix, such as 192.168.1.10/24.")
    try:
        iface = ipaddress.IPv4Interface(text)
    except ValueError:
        raise ValueError(what + f"'{text}' is not an IPv4 address with a prefix, "
                         "such as 192.168.1.10/24.") from None
    net = iface.network
    if iface.ip.is_loopback or iface.ip.is_multicast or iface.ip.is_unspecified:
        raise ValueError(what + f"{iface.ip} cannot be a host's address.")
    if net.prefixlen < 31 and iface.ip in (net.network_address, net.broadcast_address):
        raise ValueError(what + f"{iface.ip} is the network or broadcast address of {net}.")
    return iface


def gateway_problem(text: str, iface: ipaddress.IPv4Interface | None) -> str | None:
    if not text:
        return None
    try:
        gateway = ipaddress.IPv4Address(text)
    except ValueError:
        return f"Gateway: '{text}' is not an IPv4 address, such as 192.168.1.1."
    if iface is not None:
        if gateway not in iface.network:
            return f"Gateway: {gateway} is not in the interface's network {iface.network}."
        if gateway == iface.ip:
            return f"Gateway: {gateway} is the interface's own address."
    return None


def split_dns(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def dns_problem(text: str) -> str | None:
    for part in split_dns(text):
        try:
            ipaddress.ip_address(part)
        except ValueError:
            return (f"DNS servers: '{part}' is not an IP address. Give addresses separated "
                    "by commas, such as 1.1.1.1, 2606:4700:4700::1111.")
    return None


# ---- one interface's settings ---------------------------------------------------------

@dataclass
class InterfaceConfig:
    """What the spoke edits for one interface; `data` is the kickstart line it came from."""

    name: str
    mac: str = ""
    method: str = "dhcp"  # or "static"
    address: str = ""  # "10.0.0.2/24"
    gateway: str = ""
    dns: str = ""  # "1.1.1.1, 8.8.8.8"
    onboot: bool = True
    activate: bool = False
    data: object | None = field(default=None, repr=False)

    def problems(self) -> list[str]:
        """Every problem, each naming its field, prefixed with the interface."""
        found: list[str] = []
        iface = None
        if self.method == "static":
            try:
                iface = parse_address(self.address)
            except ValueError as exc:
                found.append(str(exc))
            problem = gateway_problem(self.gateway, iface)
            if problem:
                found.append(problem)
        problem = dns_problem(self.dns)
        if problem:
            found.append(problem)
        return [f"{self.name}: {p}" for p in found]

    def summary(self) -> str:
        if self.method == "static":
            return f"static {self.address or '(no address)'}"
        return "DHCP"

    def write(self, data) -> None:
        """Into a pykickstart NetworkData, as Anaconda writes it."""
        data.bootProto = self.method
        if self.method == "static":
            iface = parse_address(self.address)
            data.ip, data.netmask = str(iface.ip), str(iface.netmask)
            data.gateway = self.gateway
        else:
            data.ip = data.netmask = data.gateway = ""
        data.nameserver = ",".join(split_dns(self.dns))
        data.onboot = self.onboot
        data.activate = True if self.activate else None


def _config_from_data(iface: Interface, data) -> InterfaceConfig:
    method = "static" if (data.bootProto or "").lower() == "static" else "dhcp"
    address = data.ip or ""
    if address and "/" not in address and data.netmask:
        try:
            address = str(ipaddress.IPv4Interface(f"{address}/{data.netmask}"))
        except ValueError:
            address = f"{address}/{data.netmask}"
    return InterfaceConfig(iface.name, iface.mac, method, address, data.gateway or "",
                           ", ".join(split_dns(data.nameserver or "")), bool(data.onboot),
                           bool(data.activate), data)


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


@dataclass
class NetworkState:
    hostname: str
    configs: list[InterfaceConfig]

    def problems(self) -> list[str]:
        found = [hostname_problem(self.hostname)] + [p for c in self.configs for p in c.problems()]
        return [p for p in found if p]


def read_state(handler, interfaces: Sequence[Interface], boot_ip: Sequence = ()) -> NetworkState:
    """Pre-fill: the kickstart's lines first, then the installer's own `ip=`, then DHCP."""
    entries = list(handler.network.network)
    link = next((i for i in interfaces if i.connected), interfaces[0] if interfaces else None)
    configs = []
    for iface in interfaces:
        data = next((d for d in reversed(entries) if _matches(d, iface, link)), None)
        ip = next((i for i in boot_ip if i.interface in (iface.name, "") or i.mac == iface.mac),
                  None)
        if data is not None:
            configs.append(_config_from_data(iface, data))
        elif ip is not None:
            configs.append(_config_from_boot(iface, ip))
        else:
            configs.append(InterfaceConfig(iface.name, iface.mac, onboot=iface.connected,
                                           activate=iface.connected))
    names = [d.hostname for d in entries if d.hostname]
    boot_names = [i.hostname for i in boot_ip if i.hostname]
    return NetworkState((names or boot_names or [""])[-1], configs)


def write_state(handler, state: NetworkState) -> None:
    """Back into handler.network.network: lines updated in place, new ones appended, none
    removed (see the module's docstring). The host name goes where the kickstart had it,
    else on the first interface's line, as in `network --device=ens3 ... --hostname=x`."""
    entries = handler.network.network
    for config in state.configs:
        if config.data is None:
            config.data = handler.NetworkData(device=config.name, ipv6="auto")
            entries.append(config.data)
        config.write(config.data)
    holders = [d for d in entries if d.hostname]
    for data in holders[:-1]:
        data.hostname = ""
    if holders:
        holders[-1].hostname = state.hostname
    elif state.hostname and state.configs:
        state.configs[0].data.hostname = state.hostname
    elif state.hostname:
        entries.append(handler.NetworkData(hostname=state.hostname))
    log.info("Network: %d interface(s) configured, host name %s", len(state.configs),
             state.hostname or "(none)")


def hostname_of(handler) -> str:
    names = [d.hostname for d in handler.network.network if d.hostname]
    return names[-1] if names else ""
