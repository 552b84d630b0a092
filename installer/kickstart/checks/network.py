"""`network`: addresses the installed system's network configuration can hold.

Anaconda refuses an invalid `--hostname` while parsing and fails when it builds the
connection of a static device without an address; addresses, netmasks, name servers and
MTUs that are not numbers would make NetworkManager or networkd drop the whole
connection at boot. A gateway outside the device's network is only unusual (on-link
routes exist), so that is a warning.
"""
from __future__ import annotations

import ipaddress

from installer.interactive.network import hostname_problem

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
    for data, where in zip(items, where_each(loaded, items, "network")):
        check_ipv4(data, where, found)
        check_ipv6(data, where, found)
        check_other(data, where, found)
