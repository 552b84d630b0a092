"""The installed system's network: kickstart `network` commands, and the installer's own
network from `ip=` when the kickstart says nothing about that device (as Anaconda does).

Files go to the network stack the target has: NetworkManager keyfiles when
NetworkManager is installed, else systemd-networkd .network files (networkd and, when
installed, systemd-resolved enabled, since nothing else would start them), else a log
line. `network --hostname=NAME` alone configures no device (Anaconda's rule); the host
name itself is basics.py's.

Devices: a kickstart name is written as given (Anaconda's meaning). A MAC address
matches by MAC. `link`, or no --device, means the first device with link on the machine
being installed (Anaconda's default), and an `ip=` interface is the installer's own
device: both are matched by MAC, because the installer image names interfaces the
kernel's way (eth0) while the installed udev renames them (ens3). With no device up,
the connection matches any Ethernet device.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from installer.bootopts.values import MAC_RE, IpConfig
from installer.errors import ConfigurationError

from . import systemd
from .netfiles import Connection, keyfile, networkd
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

SYSFS_NET = Path("/sys/class/net")
NM_MARKERS = ("usr/sbin/NetworkManager", "sbin/NetworkManager")
NM_DIR = "etc/NetworkManager/system-connections"
NETWORKD_DIR = "etc/systemd/network"
RESOLV_CONF = "etc/resolv.conf"
RESOLVED_STUB = "../run/systemd/resolve/stub-resolv.conf"
#: Options that configure something this module does not write (yet): said in the log.
UNSUPPORTED = ("bondslaves", "vlanid", "teamslaves", "bridgeslaves", "essid", "wpakey",
               "wepkey", "interfacename", "ethtool", "dhcpclass")


@dataclass(frozen=True)
class Nic:
    name: str
    mac: str
    carrier: bool


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:  # carrier cannot be read while the device is down
        return ""


def list_nics(sysfs: Path = SYSFS_NET) -> list[Nic]:
    """Hardware network devices (those with a `device` link), sorted by name."""
    return [Nic(path.name, _read(path / "address").lower(), _read(path / "carrier") == "1")
            for path in (sorted(sysfs.iterdir()) if sysfs.is_dir() else [])
            if (path / "device").exists()]


@dataclass(frozen=True)
class Device:
    label: str
    name: str = ""
    mac: str = ""


def resolve_device(spec: str, nics: Sequence[Nic]) -> Device:
    if spec and MAC_RE.match(spec):
        mac = spec.lower()
        nic = next((n for n in nics if n.mac == mac), None)
        return Device(nic.name if nic else mac.replace(":", ""), mac=mac)
    if spec and spec != "link":
        return Device(spec, name=spec)
    nic = next((n for n in nics if n.carrier), None)
    if nic is None:
        log.info("No network device has link: the connection matches any Ethernet device")
        return Device("link")
    log.info("First device with link: %s (%s)", nic.name, nic.mac)
    return Device(nic.name, mac=nic.mac)


def _same(a: Device, b: Device, nics: Sequence[Nic]) -> bool:
    def mac_of(d: Device) -> str:
        return d.mac or next((n.mac for n in nics if n.name == d.name), "")
    if a.name and a.name == b.name:
        return True
    return bool(mac_of(a)) and mac_of(a) == mac_of(b) or a.label == b.label == "link"


def is_hostname_only(seen_options: tuple[str, ...] | None) -> bool:
    return seen_options is not None and set(seen_options) <= {"--hostname"}


def _cidr(address: str, mask: str, where: str, what: str) -> str:
    try:
        if "/" in address:
            return str(ipaddress.ip_interface(address))
        if not mask:
            raise ValueError("needs --netmask (or --ip=ADDRESS/PREFIX)")
        return str(ipaddress.ip_interface(f"{address}/{mask}"))
    except ValueError as exc:
        raise ConfigurationError(f"{where}: {what} {address!r}: {exc}") from None


def _address(text: str, where: str, what: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ConfigurationError(f"{where}: {what} {text!r} is not an IP address") from None


def from_kickstart(data, device: Device, origin: str) -> Connection:
    """`origin` is the command's file:line; errors name it."""
    where = f"{origin}: network"
    conn = Connection(device.label, origin, match_name=device.name, match_mac=device.mac,
                      onboot=bool(data.onboot), never_default=bool(data.nodefroute))
    proto = (data.bootProto or "dhcp").lower()
    if data.noipv4:
        conn.ipv4 = "disabled"
    elif proto == "static":
        if not data.ip:
            raise ConfigurationError(f"{where}: --bootproto=static needs --ip")
        conn.ipv4 = "static"
        conn.address4 = _cidr(data.ip, data.netmask, where, "--ip")
        conn.gateway4 = _address(data.gateway, where, "--gateway") if data.gateway else ""
    elif proto in ("dhcp", "bootp"):
        conn.ipv4 = "dhcp"
    else:
        raise ConfigurationError(f"{where}: --bootproto={proto} is not supported for the "
                                 "installed system; use dhcp or static")
    if data.noipv6:
        conn.ipv6 = "disabled"
    elif data.ipv6 in ("", "auto"):
        conn.ipv6 = "auto"
    elif data.ipv6 == "dhcp":
        conn.ipv6 = "dhcp"
    else:
        conn.ipv6 = "static"
        conn.address6 = _cidr(data.ipv6, "" if "/" in data.ipv6 else "64", where, "--ipv6")
        if data.ipv6gateway:
            conn.gateway6 = _address(data.ipv6gateway, where, "--ipv6gateway")
    if not data.nodns:
        conn.dns = [_address(a.strip(), where, "--nameserver")
                    for a in (data.nameserver or "").split(",") if a.strip()]
    # the search and ignore-auto-dns options are F39 syntax; older handlers lack them
    search = [getattr(data, "ipv4_dns_search", ""), getattr(data, "ipv6_dns_search", "")]
    conn.search = [d for d in ",".join(filter(None, search)).split(",") if d]
    conn.ignore_auto_dns = bool(getattr(data, "ipv4_ignore_auto_dns", False)
                                or getattr(data, "ipv6_ignore_auto_dns", False))
    if data.mtu:
        conn.mtu = int(data.mtu) if str(data.mtu).isdigit() else None
    return conn


def from_boot_option(ip: IpConfig, device: Device) -> Connection | None:
    """The installer's own `ip=` network as the installed system's connection."""
    origin = "boot option ip=" + (f"{ip.interface}:" if ip.interface else "") + ip.method
    conn = Connection(device.label, origin, match_name=device.name, match_mac=device.mac,
                      dns=list(ip.dns), mtu=ip.mtu)
    if ip.method in ("dhcp", "on", "any"):
        return conn
    if ip.method in ("dhcp6", "auto6", "either6", "link6"):
        conn.ipv4 = "disabled"
        conn.ipv6 = "dhcp" if ip.method in ("dhcp6", "either6") else "auto"
        return conn
    if ip.method in ("none", "off") and ip.address:
        version = ipaddress.ip_address(ip.address).version
        prefix = ipaddress.ip_network(f"0.0.0.0/{ip.netmask}").prefixlen \
            if version == 4 and ip.netmask else (ip.netmask or "64")
        if version == 4:
            conn.ipv4, conn.address4, conn.gateway4 = "static", f"{ip.address}/{prefix}", ip.gateway
        else:
            conn.ipv4, conn.ipv6 = "disabled", "static"
            conn.address6, conn.gateway6 = f"{ip.address}/{prefix}", ip.gateway
        return conn
    log.info("%s: not carried to the installed system (nothing to configure)", origin)
    return None


def connections(handler, target: Target, boot_ip: Sequence[IpConfig],
                nics: Sequence[Nic]) -> list[Connection]:
    seen = target.occurrences("network")
    result: list[tuple[Device, Connection]] = []
    for index, data in enumerate(handler.network.network):
        options = seen[index].options if index < len(seen) else None
        where = str(seen[index].location) if index < len(seen) else "kickstart"
        if is_hostname_only(options):
            continue
        given = [name for name in UNSUPPORTED if getattr(data, name, "")]
        if given:
            log.warning("%s: network: --%s is not supported for the installed system yet; "
                        "this command is not written", where, " --".join(given))
            continue
        device = resolve_device(data.device, nics)
        result.append((device, from_kickstart(data, device, where)))
    for ip in boot_ip:
        device = resolve_device(ip.interface, nics)
        nic = next((n for n in nics if device.name and n.name == device.name), None)
        if nic:  # ip= names the installer's device: match it by MAC, whatever udev calls it
            device = Device(nic.name, mac=nic.mac)
        if any(_same(device, other, nics) for other, _ in result):
            log.info("ip=%s: the kickstart configures %s, not carried over", ip.method,
                     device.label)
            continue
        conn = from_boot_option(ip, device)
        if conn:
            result.append((device, conn))
    return [conn for _, conn in result]


def _file_label(conn: Connection) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in conn.label)


def write_networkmanager(target: Target, conns: list[Connection]) -> None:
    for conn in conns:
        write_file(target, f"{NM_DIR}/{_file_label(conn)}.nmconnection",
                   keyfile(conn, str(uuid.uuid4())), mode=0o600)
    if target.has_unit("NetworkManager.service"):
        systemd.enable(target, "NetworkManager.service", target.where("network"))


def write_networkd(target: Target, conns: list[Connection]) -> None:
    for conn in conns:
        order = 10 if conn.match_name or conn.match_mac else 90  # catch-all last
        write_file(target, f"{NETWORKD_DIR}/{order}-anaconda-{_file_label(conn)}.network",
                   networkd(conn))
    where = target.where("network")
    systemd.enable(target, "systemd-networkd.service", where)
    if target.has_unit("systemd-resolved.service"):
        systemd.enable(target, "systemd-resolved.service", where)
        if not target.exists(RESOLV_CONF):
            os.symlink(RESOLVED_STUB, target.path(RESOLV_CONF))
            log.info("/etc/resolv.conf -> %s (systemd-resolved)", RESOLVED_STUB)


def configure_network(handler, target: Target, boot_ip: Sequence[IpConfig] = (),
                      sysfs: Path = SYSFS_NET) -> None:
    conns = connections(handler, target, boot_ip, list_nics(sysfs))
    if not conns:
        return
    if any(target.exists(p) for p in NM_MARKERS) or target.has_unit("NetworkManager.service"):
        write_networkmanager(target, conns)
    elif target.has_unit("systemd-networkd.service"):
        write_networkd(target, conns)
    else:
        log.info("The target has neither NetworkManager nor systemd-networkd: the network "
                 "configuration (%s) is not written", ", ".join(c.label for c in conns))
