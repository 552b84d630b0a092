"""One network connection, and the files two network stacks read it from.

`Connection` is plain data (what a `network` kickstart command or an `ip=` boot option
asks for, device already resolved); the renderers are pure so they are tested as text.
NetworkManager reads keyfiles (nm-settings-keyfile(5)); systemd-networkd reads .network
files (systemd.network(5)), and .netdev files (systemd.netdev(5)) for the devices it
creates: bonds, bridges, VLANs (it has no teams). Both forms are the documented ones.

A bond, team or bridge port is a connection of its own with no IP configuration, naming
its controller (`master=`/`slave-type=` in a keyfile, which every NetworkManager reads;
`Bond=`/`Bridge=` in a .network file). A VLAN names its parent; networkd also needs the
parent's .network to list it (`vlans`).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from installer.bootopts.values import bond_mode


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
    dhcp_class: str = ""  # DHCPv4 vendor class identifier
    kind: str = "ethernet"  # ethernet, bond, team, bridge, vlan
    bond_options: list[tuple[str, str]] = field(default_factory=list)  # the kernel's names
    bridge_options: list[tuple[str, str]] = field(default_factory=list)  # NetworkManager's
    team_config: str = ""  # teamd JSON
    vlan_id: int = 0
    parent: str = ""  # a VLAN's parent interface, or
    parent_mac: str = ""  # its MAC address
    controller: str = ""  # a port: the bond, team or bridge it belongs to
    port_type: str = ""  # bond, team, bridge
    port_config: str = ""  # a team port's JSON
    primary: bool = False  # the bond's primary port (networkd says so on the port)
    vlans: list[str] = field(default_factory=list)  # networkd: the VLANs on this link

    @property
    def is_port(self) -> bool:
        return bool(self.controller)

    @property
    def dns4(self) -> list[str]:
        return [a for a in self.dns if ipaddress.ip_address(a).version == 4]

    @property
    def dns6(self) -> list[str]:
        return [a for a in self.dns if ipaddress.ip_address(a).version == 6]


def _section(name: str, pairs: list[tuple[str, str]]) -> list[str]:
    return [f"[{name}]", *(f"{k}={v}" for k, v in pairs), ""]


def _keyfile_string(value: str) -> str:
    """A GKeyFile string value: backslashes and line breaks escaped (team JSON)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


TRUE_WORDS = ("yes", "true", "1", "on")
#: NetworkManager's bridge properties (kickstart --bridgeopts): kind of value, networkd key
BRIDGE_OPTIONS = {"stp": ("bool", "STP"), "priority": ("int", "Priority"),
                  "forward-delay": ("int", "ForwardDelaySec"),
                  "hello-time": ("int", "HelloTimeSec"), "max-age": ("int", "MaxAgeSec"),
                  "ageing-time": ("int", "AgeingTimeSec"),
                  "multicast-snooping": ("bool", "MulticastSnooping"),
                  "vlan-filtering": ("bool", "VLANFiltering"),
                  "vlan-default-pvid": ("int", "DefaultPVID"),
                  "group-forward-mask": ("int", "GroupForwardMask")}


def _bond_pairs(conn: Connection) -> list[tuple[str, str]]:
    """Bond options with the mode first (NetworkManager and the kernel default it the same)."""
    mode = [v for k, v in conn.bond_options if k == "mode"]
    return [("mode", mode[-1] if mode else "balance-rr"),
            *((k, v) for k, v in conn.bond_options if k != "mode")]


def keyfile(conn: Connection, uuid: str) -> str:
    """A NetworkManager keyfile (system-connections/LABEL.nmconnection, mode 0600)."""
    connection = [("id", conn.label), ("uuid", uuid), ("type", conn.kind)]
    if conn.match_name:
        connection.append(("interface-name", conn.match_name))
    if not conn.onboot:
        connection.append(("autoconnect", "false"))
    if conn.is_port:
        connection += [("master", conn.controller), ("slave-type", conn.port_type)]
    ethernet = []
    mac = conn.parent_mac if conn.kind == "vlan" else conn.match_mac
    if mac:
        ethernet.append(("mac-address", mac.upper()))
    if conn.mtu:
        ethernet.append(("mtu", str(conn.mtu)))
    lines = [f"# From {conn.origin}", *_section("connection", connection)]
    if ethernet:
        lines += _section("ethernet", ethernet)
    lines += _kind_sections(conn)
    if not conn.is_port:
        lines += _ip_sections(conn) + _section("proxy", [])
    return "\n".join(lines).rstrip("\n") + "\n"


def _kind_sections(conn: Connection) -> list[str]:
    lines = []
    if conn.kind == "bond":
        lines += _section("bond", _bond_pairs(conn))
    elif conn.kind == "bridge":
        pairs = [(k, ("true" if v.lower() in TRUE_WORDS else "false")
                  if BRIDGE_OPTIONS[k][0] == "bool" else v) for k, v in conn.bridge_options]
        lines += _section("bridge", pairs)
    elif conn.kind == "team":
        lines += _section("team", [("config", _keyfile_string(conn.team_config))]
                          if conn.team_config else [])
    elif conn.kind == "vlan":
        lines += _section("vlan", [("id", str(conn.vlan_id))]
                          + ([("parent", conn.parent)] if conn.parent else []))
    if conn.port_type == "team" and conn.port_config:
        lines += _section("team-port", [("config", _keyfile_string(conn.port_config))])
    return lines


def _ip_sections(conn: Connection) -> list[str]:
    methods4 = {"dhcp": "auto", "static": "manual", "disabled": "disabled"}
    methods6 = {"auto": "auto", "dhcp": "dhcp", "static": "manual", "disabled": "disabled"}
    ipv4 = [("method", methods4[conn.ipv4])]
    if conn.ipv4 == "static":
        ipv4.append(("address1", conn.address4))
        if conn.gateway4:
            ipv4.append(("gateway", conn.gateway4))
    if conn.ipv4 == "dhcp" and conn.dhcp_class:
        ipv4.append(("dhcp-vendor-class-identifier", conn.dhcp_class))
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
    return _section("ipv4", ipv4) + _section("ipv6", ipv6)


def networkd(conn: Connection) -> str:
    """A systemd-networkd .network file for the connection."""
    if conn.match_mac:  # a bond gives its ports its own MAC: they keep their permanent one
        match = [("PermanentMACAddress" if conn.is_port else "MACAddress", conn.match_mac.lower())]
    elif conn.match_name:
        match = [("Name", conn.match_name)]
    else:
        match = [("Type", "ether")]
    link = []
    if conn.mtu:
        link.append(("MTUBytes", str(conn.mtu)))
    if not conn.onboot:
        link.append(("ActivationPolicy", "manual"))
    lines = [f"# From {conn.origin}", *_section("Match", match)]
    if link:
        lines += _section("Link", link)
    if conn.is_port:
        network = [("Bond" if conn.port_type == "bond" else "Bridge", conn.controller)]
        if conn.primary:
            network.append(("PrimarySlave", "yes"))
        lines += _section("Network", network + [("VLAN", v) for v in conn.vlans])
    else:
        lines += _section("Network", _networkd_ip(conn) + [("VLAN", v) for v in conn.vlans])
        lines += _networkd_dhcp(conn)
    return "\n".join(lines).rstrip("\n") + "\n"


def _networkd_ip(conn: Connection) -> list[tuple[str, str]]:
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
    return network


def _networkd_dhcp(conn: Connection) -> list[str]:
    lines = []
    extra = [("UseDNS", "no")] if conn.ignore_auto_dns else []
    if conn.never_default:
        extra.append(("UseGateway", "no"))
    if conn.dhcp_class:
        extra.append(("VendorClassIdentifier", conn.dhcp_class))
    if extra and conn.ipv4 == "dhcp":
        lines += _section("DHCPv4", extra)
    if conn.ignore_auto_dns and conn.ipv6 == "dhcp":
        lines += _section("DHCPv6", [("UseDNS", "no")])
    if conn.ignore_auto_dns and conn.ipv6 in ("auto", "dhcp"):
        lines += _section("IPv6AcceptRA", [("UseDNS", "no")])
    return lines


def _ms(value: str) -> str:
    return f"{value}ms"


def _yes_no(value: str) -> str:
    return "yes" if value.lower() in TRUE_WORDS else "no"


def _lacp_rate(value: str) -> str:
    return {"0": "slow", "1": "fast"}.get(value, value)


#: bonding options (the kernel's names) as systemd.netdev(5) [Bond] settings
NETWORKD_BOND = {
    "mode": ("Mode", bond_mode), "miimon": ("MIIMonitorSec", _ms),
    "updelay": ("UpDelaySec", _ms), "downdelay": ("DownDelaySec", _ms),
    "arp_interval": ("ARPIntervalSec", _ms),
    "arp_ip_target": ("ARPIPTargets", lambda v: " ".join(a for a in v.split(",") if a)),
    "arp_validate": ("ARPValidate", str), "arp_all_targets": ("ARPAllTargets", str),
    "primary_reselect": ("PrimaryReselectPolicy", str),
    "fail_over_mac": ("FailOverMACPolicy", str), "ad_select": ("AdSelect", str),
    "xmit_hash_policy": ("TransmitHashPolicy", str), "resend_igmp": ("ResendIGMP", str),
    "lacp_rate": ("LACPTransmitRate", _lacp_rate), "num_grat_arp": ("GratuitousARP", str),
    "num_unsol_na": ("GratuitousARP", str), "all_slaves_active": ("AllSlavesActive", _yes_no),
    "min_links": ("MinLinks", str), "lp_interval": ("LearnPacketIntervalSec", str),
    "packets_per_slave": ("PacketsPerSlave", str),
    "tlb_dynamic_lb": ("DynamicTransmitLoadBalancing", _yes_no),
    "ad_actor_sys_prio": ("AdActorSystemPriority", str),
    "ad_user_port_key": ("AdUserPortKey", str), "ad_actor_system": ("AdActorSystem", str),
}
#: options networkd takes elsewhere: the primary port says so in its own .network file
NETWORKD_BOND_ON_PORT = ("primary",)


def networkd_unmapped(conn: Connection) -> list[str]:
    """Bond options of `conn` that systemd-networkd has no setting for (warned by name)."""
    return [k for k, _ in conn.bond_options
            if k not in NETWORKD_BOND and k not in NETWORKD_BOND_ON_PORT]


def netdev(conn: Connection) -> str | None:
    """The systemd .netdev file that creates a bond, bridge or VLAN; None for the rest."""
    if conn.kind == "bond":
        pairs = [(NETWORKD_BOND[k][0], NETWORKD_BOND[k][1](v)) for k, v in _bond_pairs(conn)
                 if k in NETWORKD_BOND]
        section = _section("Bond", pairs)
    elif conn.kind == "bridge":
        given = dict(conn.bridge_options)
        given.setdefault("stp", "yes")  # NetworkManager's default, so both stacks agree
        section = _section("Bridge", [(BRIDGE_OPTIONS[k][1], _yes_no(v) if BRIDGE_OPTIONS[k][0]
                                       == "bool" else v) for k, v in given.items()])
    elif conn.kind == "vlan":
        section = _section("VLAN", [("Id", str(conn.vlan_id))])
    else:
        return None
    lines = [f"# From {conn.origin}",
             *_section("NetDev", [("Name", conn.match_name), ("Kind", conn.kind)]), *section]
    return "\n".join(lines).rstrip("\n") + "\n"
