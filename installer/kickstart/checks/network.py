"""`network`: addresses the installed system's network configuration can hold.

Anaconda refuses an invalid `--hostname` while parsing and fails when it builds the
connection of a static device without an address; addresses, netmasks, name servers and
MTUs that are not numbers would make NetworkManager or networkd drop the whole
connection at boot. A gateway outside the device's network is only unusual (on-link
routes exist), so that is a warning. Bonds, teams, bridges and VLANs: ports that are no
interface names, VLAN ids outside 1-4094, options NetworkManager would refuse (a bond
mode, a bridge option, team JSON) stop the install; options Anaconda ignores are warned.
"""
from __future__ import annotations

import ipaddress
import json

from installer.bootopts.values import (BOND_OPTIONS, IFNAME_RE, MAC_RE, bond_mode,
                                       split_bond_options)
from installer.configure.netfiles import BRIDGE_OPTIONS
from installer.hostnames import hostname_problem

from .findings import Findings, Where, where_each

MTU_MIN, MTU_MAX = 68, 65535  # IPv4's minimum; the largest an interface takes


def netmask_prefix(text: str) -> int | None:
    """24 for 255.255.255.0 (or "24"); None when it is not a contiguous mask."""
    try:
        return ipaddress.IPv4Network(f"0.0.0.0/{text}").prefixlen
    except ValueError:
        return None


def _ipv4(text: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        return None


def _interface(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface | None:
    """--ip as the installed system's configuration takes it: ADDRESS or ADDRESS/PREFIX."""
    try:
        return ipaddress.ip_interface(text)
    except ValueError:
        return None


def check_ipv4(data, where: Where, found: Findings) -> None:
    device = f"network --device={data.device}" if data.device else "network"
    if (data.bootProto or "dhcp") not in ("dhcp", "bootp", "static") and not data.noipv4:
        found.error(where, f"{device} --bootproto={data.bootProto}: not supported for the "
                    "installed system here; use dhcp or static")
    static = data.bootProto == "static" and not data.noipv4
    if static and not data.ip:
        found.error(where, f"{device} --bootproto=static needs --ip=ADDRESS and --netmask=MASK "
                    "(e.g. --ip=192.168.1.10 --netmask=255.255.255.0), or use --bootproto=dhcp")
    address = _interface(data.ip) if data.ip else None
    if data.ip and address is None:
        found.error(where, f"{device} --ip={data.ip}: not an IP address such as 192.168.1.10 "
                    "(or 192.168.1.10/24)")
    prefix = netmask_prefix(data.netmask) if data.netmask else None
    if data.netmask and prefix is None:
        found.error(where, f"{device} --netmask={data.netmask}: not a network mask such as "
                    "255.255.255.0 (or a prefix length such as 24)")
    if static and data.ip and not data.netmask and "/" not in data.ip:
        found.error(where, f"{device} --ip={data.ip} needs --netmask (e.g. 255.255.255.0), or "
                    "give --ip=ADDRESS/PREFIX")
    if data.gateway:
        gateway = _ipv4(data.gateway)
        if gateway is None:
            found.error(where, f"{device} --gateway={data.gateway}: not an IPv4 address such as 192.168.1.1")
        elif isinstance(address, ipaddress.IPv4Interface) and (prefix is not None or "/" in data.ip):
            net = ipaddress.IPv4Interface(f"{address.ip}/{prefix if prefix is not None else address.network.prefixlen}").network
            if gateway not in net:
                found.warn(where, f"{device} --gateway={gateway} is outside the device's network {net}")


def check_ipv6(data, where: Where, found: Findings) -> None:
    device = f"network --device={data.device}" if data.device else "network"
    if data.ipv6 and data.ipv6 not in ("auto", "dhcp"):
        try:
            ipaddress.IPv6Interface(data.ipv6)
        except ValueError:
            found.error(where, f"{device} --ipv6={data.ipv6}: expected auto, dhcp or an IPv6 "
                        "address with an optional prefix (2001:db8::10/64)")
    if data.ipv6gateway:
        try:
            ipaddress.IPv6Address(data.ipv6gateway)
        except ValueError:
            found.error(where, f"{device} --ipv6gateway={data.ipv6gateway}: not an IPv6 address")


def check_other(data, where: Where, found: Findings) -> None:
    device = f"network --device={data.device}" if data.device else "network"
    for server in [s.strip() for s in (data.nameserver or "").split(",") if s.strip()]:
        try:
            ipaddress.ip_address(server)
        except ValueError:
            found.error(where, f"{device} --nameserver={server}: not an IP address; give "
                        "addresses separated by commas, such as 1.1.1.1,9.9.9.9")
    if data.mtu:
        mtu = str(data.mtu)
        if not mtu.isdigit() or not MTU_MIN <= int(mtu) <= MTU_MAX:
            found.error(where, f"{device} --mtu={mtu}: expected a number of bytes from "
                        f"{MTU_MIN} to {MTU_MAX} (1500 on most Ethernet)")
    if data.hostname:
        problem = hostname_problem(data.hostname)
        if problem:
            found.error(where, f"network --hostname={data.hostname}: {problem}")


def check_network(loaded, found: Findings) -> None:
    items = list(loaded.handler.network.network)
    wheres = where_each(loaded, items, "network")
    for data, where in zip(items, wheres):
        check_ipv4(data, where, found)
        check_ipv6(data, where, found)
        check_other(data, where, found)
        check_virtual(data, where, found)
        check_vlan(data, where, found)
        check_options(data, where, found)
    check_ports(items, wheres, found)
    check_activate(loaded, items, wheres, found)


# --- bonds, teams, bridges, VLANs: what NetworkManager or networkd would refuse, or
# Anaconda would turn into a broken connection, stops here with the line

VLAN_MIN, VLAN_MAX = 1, 4094  # 0 is priority tagging, 4095 reserved


def _slaves(data) -> list[tuple[str, str]]:
    """(option, port) of every port a command names."""
    found = [("--bondslaves", p) for p in (data.bondslaves or "").split(",")] if data.bondslaves else []
    found += [("--teamslaves", p) for p, _ in data.teamslaves or []]
    if data.bridgeslaves:
        found += [("--bridgeslaves", p) for p in data.bridgeslaves.split(",")]
    return found


def check_virtual(data, where: Where, found: Findings) -> None:
    kinds = [o for o, v in (("--bondslaves", data.bondslaves), ("--teamslaves", data.teamslaves),
                            ("--bridgeslaves", data.bridgeslaves)) if v]
    device = f"network --device={data.device}" if data.device else "network"
    if len(kinds) > 1:
        found.error(where, f"{device}: {' and '.join(kinds)} in one command; a device is a "
                    "bond, a team or a bridge (give each its own network line)")
    if kinds and data.vlanid and kinds != ["--bondslaves"]:
        found.error(where, f"{device}: --vlanid with {kinds[0]}: put the VLAN on its own "
                    f"line (network --device={data.device or 'NAME'} --vlanid=ID)")
    if kinds and (not data.device or not IFNAME_RE.match(data.device) or data.device in ("link", "bootif")):
        found.error(where, f"{device} {kinds[0]}: --device must name the new device (bond0, "
                    "team0, br0), not a MAC address or link")
    seen: set[str] = set()
    for option, port in _slaves(data):
        if not IFNAME_RE.match(port):
            found.error(where, f"{device} {option}: {port!r} is not an interface name such as "
                        "ens3 (names separated by commas)")
        elif port == data.device:
            found.error(where, f"{device} {option}: {port} cannot be a port of itself")
        elif port in seen:
            found.error(where, f"{device} {option}: {port} is named twice")
        seen.add(port)


def check_vlan(data, where: Where, found: Findings) -> None:
    device = f"network --device={data.device}" if data.device else "network"
    if data.interfacename and not data.vlanid:
        found.warn(where, f"{device} --interfacename={data.interfacename}: only names a VLAN "
                   "(with --vlanid); not applied")
    if not data.vlanid:
        return
    vid = str(data.vlanid)
    if not vid.isdigit() or not VLAN_MIN <= int(vid) <= VLAN_MAX:
        found.error(where, f"{device} --vlanid={vid}: expected a VLAN id from {VLAN_MIN} to "
                    f"{VLAN_MAX}")
        return
    if not data.device:
        found.error(where, f"network --vlanid={vid} needs --device=PARENT: the device the "
                    "VLAN is on (ens3, bond0, or its MAC)")
    elif not data.interfacename and not MAC_RE.match(data.device) and data.device != "link" \
            and not IFNAME_RE.match(f"{data.device}.{int(vid)}"):
        found.error(where, f"{device} --vlanid={vid}: {data.device}.{int(vid)} is longer than "
                    "the 15 characters of an interface name; name it with --interfacename")
    if data.interfacename and not IFNAME_RE.match(data.interfacename):
        found.error(where, f"{device} --interfacename={data.interfacename}: not an interface "
                    "name (1-15 letters, digits, '.', '_' or '-')")


def check_options(data, where: Where, found: Findings) -> None:
    device = f"network --device={data.device}" if data.device else "network"
    if data.bondopts and not data.bondslaves:
        found.warn(where, f"{device} --bondopts: only for a bond (with --bondslaves); not applied")
    elif data.bondopts:
        try:
            pairs = split_bond_options(data.bondopts)
        except ValueError as exc:
            found.error(where, f"{device} --bondopts={data.bondopts}: {exc}; expected "
                        "NAME=VALUE pairs separated by ',' (or ';')")
            pairs = []
        for key, value in pairs:
            if key not in BOND_OPTIONS:
                found.warn(where, f"{device} --bondopts: {key} is not a bonding option; "
                           "not applied")
            elif key == "mode":
                try:
                    bond_mode(value)
                except ValueError as exc:
                    found.error(where, f"{device} --bondopts: {exc}")
    if data.teamconfig and not data.teamslaves:
        found.warn(where, f"{device} --teamconfig: only for a team (with --teamslaves); not applied")
    for what, text in [("--teamconfig", data.teamconfig)] + [
            (f"--teamslaves {port}", cfg) for port, cfg in data.teamslaves or []]:
        if text and not _json_object(text):
            found.error(where, f"{device} {what}: {text!r} is not a JSON object such as "
                        '{"runner": {"name": "activebackup"}}')
    for opt in (data.bridgeopts or "").split(",") if data.bridgeopts else []:
        key, _, value = opt.partition("=")
        if key not in BRIDGE_OPTIONS:
            found.error(where, f"{device} --bridgeopts: {key} is not a bridge option (one of "
                        + ", ".join(BRIDGE_OPTIONS) + ")")
        elif BRIDGE_OPTIONS[key][0] == "bool" and value.lower() not in BOOL_WORDS:
            found.error(where, f"{device} --bridgeopts: {key}={value}: expected yes or no")
        elif BRIDGE_OPTIONS[key][0] == "int" and not value.isdigit():
            found.warn(where, f"{device} --bridgeopts: {key}={value} is not a number; not applied")


BOOL_WORDS = ("yes", "no", "true", "false", "1", "0", "on", "off")


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def check_ports(items, wheres, found: Findings) -> None:
    """A port given to two devices, or a port with a network line of its own."""
    owner: dict[str, str] = {}
    for data, where in zip(items, wheres):
        for option, port in _slaves(data):
            if port in owner and owner[port] != data.device:
                found.error(where, f"network --device={data.device} {option}: {port} is a port "
                            f"of {owner[port]} already")
            owner.setdefault(port, data.device)
    for data, where in zip(items, wheres):
        if data.device in owner and not _slaves(data) and not data.vlanid \
                and data.device != owner[data.device]:
            found.warn(where, f"network --device={data.device}: {data.device} is a port of "
                       f"{owner[data.device]}; its own addresses are not used")


def check_activate(loaded, items, wheres, found: Findings) -> None:
    """--activate: the installer brings one network command up (the boot image's init, as
    Anaconda's dracut: the first unless --no-activate, else the first with --activate,
    when no ip=/bond=/... boot option is given); another one asking is only configured
    for the installed system."""
    seen = [s.options for s in loaded.commands_seen if s.name == "network"]
    if len(seen) != len(items):
        return
    lines = [(d, w) for d, w, o in zip(items, wheres, seen) if not set(o) <= {"--hostname"}]
    if not lines:
        return
    first = lines[0]
    taken = first if first[0].activate is not False else next(
        ((d, w) for d, w in lines if d.activate), None)
    for data, where in lines:
        if data.activate and (taken is None or data is not taken[0]):
            found.warn(where, f"network --device={data.device or 'link'} --activate: the "
                       f"installer brings up one network command ({taken[1] if taken else 'none'}); "
                       "this one is configured for the installed system only")
