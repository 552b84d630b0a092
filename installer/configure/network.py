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

Bonds, teams and bridges are named by --device; each port (--bondslaves...) gets a
connection of its own, and a port that another command defines as a virtual device (a
bridge over a bond) becomes that device's role. --vlanid makes a VLAN on --device (named
--interfacename, else PARENT.ID); with --bondslaves too, the bond carries no address and
the VLAN on it does (Anaconda's one-line form). Teams need NetworkManager: networkd has
no team devices, so they are warned of there and not written. The boot options' devices
(ip=, bond=, team=, vlan=, bridge=, ifname=, nameserver=) are netboot.py's.
"""
from __future__ import annotations

import ipaddress
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from installer.bootopts.values import BOND_OPTIONS, IFNAME_RE, MAC_RE, split_bond_options
from installer.errors import ConfigurationError
from installer.nics import SYSFS_NET, Nic, list_nics

from . import systemd
from .netfiles import BRIDGE_OPTIONS, Connection, keyfile, netdev, networkd, networkd_unmapped
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

NM_MARKERS = ("usr/sbin/NetworkManager", "sbin/NetworkManager")
NM_DIR = "etc/NetworkManager/system-connections"
NETWORKD_DIR = "etc/systemd/network"
RESOLV_CONF = "etc/resolv.conf"
RESOLVED_STUB = "../run/systemd/resolve/stub-resolv.conf"
#: Wi-Fi: such a command is not written (the disposition table warns of each option)
WIFI = ("essid", "wpakey", "wepkey")
VIRTUAL_KINDS = ("bond", "team", "bridge", "vlan")


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
                      onboot=bool(data.onboot), never_default=bool(data.nodefroute),
                      dhcp_class=getattr(data, "dhcpclass", "") or "")
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
                                or getattr(data, "ipv6_ignore_auto_dns", False) or data.nodns)
    if data.mtu:
        conn.mtu = int(data.mtu) if str(data.mtu).isdigit() else None
    return conn


def _bind_to_mac(device: Device, nics: Sequence[Nic], where: str) -> Device:
    """--bindto=mac: the device's MAC instead of its name (the name is dropped, as in
    Anaconda); a name this machine does not have stays bound by name, with a warning."""
    if device.mac:
        return Device(device.label, mac=device.mac)
    nic = next((n for n in nics if n.name == device.name), None)
    if nic is None:
        log.warning("%s: network --bindto=mac: this machine has no device %s to read a MAC "
                    "from; its connection is bound to the name", where, device.name)
        return device
    return Device(device.label, mac=nic.mac)


@dataclass
class Planned:
    """A connection, the device it configures, and whether --bindto=mac binds it."""

    device: Device
    conn: Connection
    bind_mac: bool = False


def vlan_name(data, parent: Device) -> str:
    """--interfacename, else PARENT.ID as Anaconda names it (vlanID when that is too long
    or the parent has no name)."""
    if data.interfacename:
        return data.interfacename
    name = f"{parent.label}.{int(data.vlanid)}"
    named = parent.name or parent.label not in ("link", (parent.mac or "").replace(":", ""))
    return name if named and IFNAME_RE.match(name) else f"vlan{int(data.vlanid)}"


def _as_vlan(conn: Connection, data, parent: Device, where: str) -> Device:
    if not parent.name and not parent.mac:
        raise ConfigurationError(f"{where}: network --vlanid: no device has link to carry "
                                 "the VLAN; name its parent with --device")
    name = vlan_name(data, parent)
    conn.label, conn.match_name, conn.match_mac = name, name, ""
    conn.kind, conn.vlan_id = "vlan", int(data.vlanid)
    conn.parent, conn.parent_mac = parent.name, "" if parent.name else parent.mac
    return Device(name, name=name)


def _ports(data) -> tuple[str, list[tuple[str, str]]]:
    """The virtual kind a command makes, and its ports with their team JSON."""
    if data.bondslaves:
        return "bond", [(p.strip(), "") for p in data.bondslaves.split(",") if p.strip()]
    if data.teamslaves:
        return "team", [(p, cfg) for p, cfg in data.teamslaves]
    if data.bridgeslaves:
        return "bridge", [(p.strip(), "") for p in data.bridgeslaves.split(",") if p.strip()]
    return "", []


def bond_options(text: str) -> list[tuple[str, str]]:
    """The options of --bondopts this installer knows (the checks warned of the rest)."""
    try:
        return [(k, v) for k, v in split_bond_options(text) if k in BOND_OPTIONS]
    except ValueError:
        return []


def bridge_options(text: str) -> list[tuple[str, str]]:
    """--bridgeopts this installer knows; a number that is none was warned of, as Anaconda
    skips it."""
    pairs = [opt.partition("=")[::2] for opt in text.split(",") if opt]
    return [(k, v) for k, v in pairs
            if k in BRIDGE_OPTIONS and (BRIDGE_OPTIONS[k][0] != "int" or v.isdigit())]


def from_command(data, where: str, nics: Sequence[Nic]) -> list[Planned]:
    """The connections one `network` command makes."""
    kind, ports = _ports(data)
    mac = data.bindto == "mac"
    if not kind:
        if data.vlanid:
            parent = resolve_device(data.device, nics)
            conn = from_kickstart(data, parent, where)
            return [Planned(_as_vlan(conn, data, parent, where), conn)]
        device = resolve_device(data.device, nics)
        if mac:
            device = _bind_to_mac(device, nics, where)
        return [Planned(device, from_kickstart(data, device, where))]
    name = data.device
    device = Device(name, name=name)
    main = from_kickstart(data, device, where)
    main.kind = kind
    if kind == "bond":
        main.bond_options = bond_options(data.bondopts or "")
    elif kind == "bridge":
        main.bridge_options = bridge_options(data.bridgeopts or "")
    else:
        main.team_config = data.teamconfig or ""
    planned = [Planned(device, main)]
    primary = dict(main.bond_options).get("primary", "")
    if kind == "bond" and data.vlanid:  # the VLAN on the bond has the addresses
        bond = Connection(name, where, match_name=name, kind="bond", ipv4="disabled",
                          ipv6="disabled", onboot=main.onboot, mtu=main.mtu,
                          bond_options=main.bond_options)
        main.bond_options = []
        planned = [Planned(device, bond), Planned(_as_vlan(main, data, device, where), main)]
    for port, config in ports:
        conn = Connection(f"{name}-{port}", where, match_name=port, onboot=main.onboot,
                          controller=name, port_type=kind, port_config=config,
                          primary=port == primary)
        planned.append(Planned(Device(port, name=port), conn, bind_mac=mac))
    return planned


def settle_ports(planned: list[Planned], nics: Sequence[Nic]) -> list[Planned]:
    """A port that is another command's virtual device (a bridge over a bond) becomes that
    device's role; the other ports are bound to their MAC when --bindto=mac asked."""
    virtual = {p.conn.match_name: p.conn for p in planned
               if p.conn.kind in VIRTUAL_KINDS and not p.conn.is_port}
    result = []
    for item in planned:
        conn = item.conn
        role = virtual.get(conn.match_name) if conn.is_port and conn.kind == "ethernet" else None
        if role is not None and role is not conn and not role.is_port:
            role.controller, role.port_type = conn.controller, conn.port_type
            log.info("%s: %s is a port of %s", conn.origin, role.label, conn.controller)
            continue
        if item.bind_mac:
            item.device = _bind_to_mac(item.device, nics, conn.origin)
            conn.match_name, conn.match_mac = item.device.name, item.device.mac
        result.append(item)
    return result


def connections(handler, target: Target, boot=(), nics: Sequence[Nic] = ()) -> list[Connection]:
    """Every connection to write: the kickstart's, then what the boot options carry over
    (`boot`: BootOptions, or only its `ip` list)."""
    from .netboot import boot_connections

    seen = target.occurrences("network")
    planned: list[Planned] = []
    for index, data in enumerate(handler.network.network):
        options = seen[index].options if index < len(seen) else None
        where = str(seen[index].location) if index < len(seen) else "kickstart"
        if is_hostname_only(options):
            continue
        wifi = [name for name in WIFI if getattr(data, name, "")]
        if wifi:
            log.warning("%s: network --%s: Wi-Fi is not configured here; this command is "
                        "not written", where, wifi[0])
            continue
        planned += from_command(data, where, nics)
    planned = settle_ports(planned, nics)
    carried = boot_connections(boot, nics, [p.device for p in planned])
    return [p.conn for p in planned] + carried


def _file_label(conn: Connection) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in conn.label)


def write_networkmanager(target: Target, conns: list[Connection]) -> None:
    for conn in conns:
        write_file(target, f"{NM_DIR}/{_file_label(conn)}.nmconnection",
                   keyfile(conn, str(uuid.uuid4())), mode=0o600)
    if target.has_unit("NetworkManager.service"):
        systemd.enable(target, "NetworkManager.service", target.where("network"))


def networkd_connections(conns: list[Connection]) -> list[Connection]:
    """What networkd can hold: teams (and their ports) warned of and left out; each VLAN
    listed in its parent's .network, a parent no connection configures getting one that
    only carries the VLANs."""
    teams = {c.match_name for c in conns if c.kind == "team"}
    for conn in conns:
        if conn.kind == "team":
            log.warning("%s: network --teamslaves: systemd-networkd has no team devices; "
                        "%s and its ports are not written (the target needs NetworkManager, "
                        "or use --bondslaves)", conn.origin, conn.label)
    kept = [c for c in conns if c.kind != "team" and c.controller not in teams]
    for vlan in [c for c in kept if c.kind == "vlan"]:
        parent = next((c for c in kept if c is not vlan and (
            vlan.parent and c.match_name == vlan.parent
            or vlan.parent_mac and c.match_mac == vlan.parent_mac)), None)
        if parent is None:
            parent = Connection(vlan.parent or vlan.parent_mac.replace(":", ""), vlan.origin,
                                match_name=vlan.parent, match_mac=vlan.parent_mac,
                                ipv4="disabled", ipv6="disabled")
            kept.append(parent)
        parent.vlans.append(vlan.match_name)
    for conn in kept:
        unmapped = networkd_unmapped(conn)
        if unmapped:
            log.warning("%s: network --bondopts: systemd-networkd has no setting for %s; "
                        "not written", conn.origin, ", ".join(unmapped))
    return kept


def write_networkd(target: Target, conns: list[Connection]) -> None:
    for conn in networkd_connections(conns):
        order = 10 if conn.match_name or conn.match_mac else 90  # catch-all last
        stem = f"{NETWORKD_DIR}/{order}-anaconda-{_file_label(conn)}"
        device = netdev(conn)
        if device:
            write_file(target, f"{stem}.netdev", device)
        write_file(target, f"{stem}.network", networkd(conn))
    where = target.where("network")
    systemd.enable(target, "systemd-networkd.service", where)
    if target.has_unit("systemd-resolved.service"):
        systemd.enable(target, "systemd-resolved.service", where)
        if not target.exists(RESOLV_CONF):
            os.symlink(RESOLVED_STUB, target.path(RESOLV_CONF))
            log.info("/etc/resolv.conf -> %s (systemd-resolved)", RESOLVED_STUB)


def configure_network(handler, target: Target, boot=(), sysfs: Path = SYSFS_NET) -> None:
    """`boot`: the BootOptions (or only its ip= list) of the installer's own network."""
    from .netboot import write_link_files

    write_link_files(target, boot)
    conns = connections(handler, target, boot, list_nics(sysfs))
    if not conns:
        return
    if any(target.exists(p) for p in NM_MARKERS) or target.has_unit("NetworkManager.service"):
        write_networkmanager(target, conns)
    elif target.has_unit("systemd-networkd.service"):
        write_networkd(target, conns)
    else:
        log.info("The target has neither NetworkManager nor systemd-networkd: the network "
                 "configuration (%s) is not written", ", ".join(c.label for c in conns))
