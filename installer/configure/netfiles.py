"""One network connection, and the files two network stacks read it from.

`Connection` is plain data (what a `network` kickstart command or an `ip=` boot option
asks for, device already resolved); the renderers are pure so they are tested as text.
NetworkManager reads keyfiles (nm-settings-keyfile(5)); systemd-networkd reads .network
files (systemd.network(5)). Both forms are the documented ones, nothing private.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field


@dataclass
class Connection:
    label: str  # connection id / file name part
    origin: str  # where it came from, for a comment: "ks.cfg:5" or "boot option ip=..."
    match_name: str = ""  # interface name, or
    match_mac: str = ""  # MAC address; neither: any Ethernet device
    ipv4: str = "dhcp"  # dhcp, static, disabled
    address4: str = ""  # CIDR, static only
    gateway4: str = ""
    ipv6: str = "auto"  # auto (router advertisements), dhcp, static, disabled
    address6: str = ""  # CIDR, static only
    gateway6: str = ""
    dns: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    ignore_auto_dns: bool = False
    never_default: bool = False
    onboot: bool = True
    mtu: int | None = None

    @property
    def dns4(self) -> list[str]:
        return [a for a in self.dns if ipaddress.ip_address(a).version == 4]

    @property
    def dns6(self) -> list[str]:
        return [a for a in self.dns if ipaddress.ip_address(a).version == 6]


def _section(name: str, pairs: list[tuple[str, str]]) -> list[str]:
    return [f"[{name}]", *(f"{k}={v}" for k, v in pairs), ""]


def keyfile(conn: Connection, uuid: str) -> str:
    """A NetworkManager keyfile (system-connections/LABEL.nmconnection, mode 0600)."""
    connection = [("id", conn.label), ("uuid", uuid), ("type", "ethernet")]
    if conn.match_name:
        connection.append(("interface-name", conn.match_name))
    if not conn.onboot:
        connection.append(("autoconnect", "false"))
    ethernet = []
    if conn.match_mac:
        ethernet.append(("mac-address", conn.match_mac.upper()))
    if conn.mtu:
        ethernet.append(("mtu", str(conn.mtu)))
    methods4 = {"dhcp": "auto", "static": "manual", "disabled": "disabled"}
    methods6 = {"auto": "auto", "dhcp": "dhcp", "static": "manual", "disabled": "disabled"}
    ipv4 = [("method", methods4[conn.ipv4])]
    if conn.ipv4 == "static":
        ipv4.append(("address1", conn.address4))
        if conn.gateway4:
            ipv4.append(("gateway", conn.gateway4))
    ipv6 = [("method", methods6[conn.ipv6])]
    if conn.ipv6 == "static":
        ipv6.append(("address1", conn.address6))
        if conn.gateway6:
            ipv6.append(("gateway", conn.gateway6))
    for pairs, servers, enabled in ((ipv4, conn.dns4, conn.ipv4 != "disabled"),
                                    (ipv6, conn.dns6, conn.ipv6 != "disabled")):
        if not enabled:
            continue
        if servers:
            pairs.append(("dns", "".join(a + ";" for a in servers)))
        if conn.search:
            pairs.append(("dns-search", "".join(d + ";" for d in conn.search)))
        if conn.ignore_auto_dns:
            pairs.append(("ignore-auto-dns", "true"))
        if conn.never_default:
            pairs.append(("never-default", "true"))
    lines = [f"# From {conn.origin}", *_section("connection", connection)]
    if ethernet:
        lines += _section("ethernet", ethernet)
    lines += _section("ipv4", ipv4) + _section("ipv6", ipv6) + _section("proxy", [])
    return "\n".join(lines).rstrip("\n") + "\n"


def networkd(conn: Connection) -> str:
    """A systemd-networkd .network file for the connection."""
    if conn.match_mac:
        match = [("MACAddress", conn.match_mac.lower())]
    elif conn.match_name:
        match = [("Name", conn.match_name)]
    else:
        match = [("Type", "ether")]
    link = []
    if conn.mtu:
        link.append(("MTUBytes", str(conn.mtu)))
    if not conn.onboot:
        link.append(("ActivationPolicy", "manual"))
    dhcp = [v for v, on in (("ipv4", conn.ipv4 == "dhcp"), ("ipv6", conn.ipv6 == "dhcp")) if on]
    network = []
    if dhcp:
        network.append(("DHCP", "yes" if len(dhcp) == 2 else dhcp[0]))
    if conn.ipv4 == "static":
        network.append(("Address", conn.address4))
        if conn.gateway4 and not conn.never_default:
            network.append(("Gateway", conn.gateway4))
    if conn.ipv6 == "static":
        network.append(("Address", conn.address6))
        if conn.gateway6 and not conn.never_default:
            network.append(("Gateway", conn.gateway6))
    if conn.ipv6 == "disabled":
        network += [("LinkLocalAddressing", "no"), ("IPv6AcceptRA", "no")]
    else:
        network.append(("IPv6AcceptRA", "no" if conn.ipv6 == "static" else "yes"))
    network += [("DNS", a) for a in conn.dns]
    if conn.search:
        network.append(("Domains", " ".join(conn.search)))
    lines = [f"# From {conn.origin}", *_section("Match", match)]
    if link:
        lines += _section("Link", link)
    lines += _section("Network", network)
    extra = []
    if conn.ignore_auto_dns:
        extra = [("UseDNS", "no")]
    if conn.never_default:
        extra.append(("UseGateway", "no"))
    if extra and conn.ipv4 == "dhcp":
        lines += _section("DHCPv4", extra)
    if conn.ignore_auto_dns and conn.ipv6 == "dhcp":
        lines += _section("DHCPv6", [("UseDNS", "no")])
    if conn.ignore_auto_dns and conn.ipv6 in ("auto", "dhcp"):
        lines += _section("IPv6AcceptRA", [("UseDNS", "no")])
    return "\n".join(lines).rstrip("\n") + "\n"
