"""The installer's own network (dracut's boot options) carried to the installed system.

As Anaconda does, what the installer's network was set up with (`ip=`, `bond=`, `team=`,
`vlan=`, `bridge=`, `nameserver=`) becomes the installed system's configuration for each
device the kickstart does not configure, and every `ifname=NAME:MAC` becomes a systemd
.link file naming that device the same way on the installed system.

Names in these options are the installer's (the kernel's eth0 unless ifname= named it),
while the installed system's udev names devices its own way (ens3): a physical port or
parent is therefore matched by the MAC the installer saw, unless ifname= fixed its name.

Where the addresses go: an `ip=` naming a virtual device configures it; an `ip=` naming no
device configures the top device (one that no other device uses as a port or parent),
the one the image's init brought up; with no `ip=` at all the top device uses DHCP, as in
the init. Other virtual devices carry no address of their own.
"""
from __future__ import annotations

import ipaddress
import json
import logging
from dataclasses import dataclass, field
from typing import Sequence

from installer.bootopts.values import (BondConfig, BridgeConfig, IpConfig, TeamConfig,
                                       VlanConfig)
from installer.nics import Nic

from .netfiles import Connection
from .network import NETWORKD_DIR, VIRTUAL_KINDS, Device, _same, resolve_device
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")


@dataclass
class BootNetwork:
    """The network boot options; made from BootOptions, or from a bare ip= list."""

    ip: list[IpConfig] = field(default_factory=list)
    bond: list[BondConfig] = field(default_factory=list)
    team: list[TeamConfig] = field(default_factory=list)
    vlan: list[VlanConfig] = field(default_factory=list)
    bridge: list[BridgeConfig] = field(default_factory=list)
    ifname: list[tuple[str, str]] = field(default_factory=list)
    nameserver: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, boot) -> BootNetwork:
        if isinstance(boot, BootNetwork):
            return boot
        if hasattr(boot, "ip"):  # BootOptions
            return cls(**{name: list(getattr(boot, name, []) or [])
                          for name in cls.__dataclass_fields__})
        return cls(ip=list(boot or ()))

    def virtual(self) -> dict[str, str]:
        """name -> kind of every device these options create."""
        found = {b.name: "bond" for b in self.bond}
        found.update({t.name: "team" for t in self.team})
        found.update({b.name: "bridge" for b in self.bridge})
        found.update({v.name: "vlan" for v in self.vlan})
        return found

    def lower(self) -> set[str]:
        """Names used as a port or a VLAN parent."""
        ports = {p for dev in (*self.bond, *self.team, *self.bridge) for p in dev.ports}
        return ports | {v.parent for v in self.vlan}


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


def _physical(name: str, nics: Sequence[Nic], boot: BootNetwork) -> Device:
    """A port or parent the installer named: by MAC unless ifname= fixed its name."""
    if name in boot.virtual() or name in {n for n, _ in boot.ifname}:
        return Device(name, name=name)
    nic = next((n for n in nics if n.name == name), None)
    return Device(name, mac=nic.mac) if nic else Device(name, name=name)


def _addressed(name: str, boot: BootNetwork, tops: list[str], origin: str) -> Connection:
    """A virtual device's connection with the addresses ip= gives it (see the module doc)."""
    ip = next((i for i in boot.ip if i.interface == name), None)
    if ip is None and tops and name == tops[0]:
        ip = next((i for i in boot.ip if not i.interface), None)
        if ip is None and not boot.ip:
            ip = IpConfig("dhcp")
    conn = from_boot_option(ip, Device(name, name=name)) if ip else None
    if conn is None:
        conn = Connection(name, origin, match_name=name, ipv4="disabled", ipv6="disabled")
    conn.origin = origin
    return conn


def _virtual_connections(boot: BootNetwork, nics: Sequence[Nic]) -> list[tuple[Device, Connection]]:
    tops = [name for name in boot.virtual() if name not in boot.lower()]
    made: list[tuple[Device, Connection]] = []

    def ports(dev, kind: str, config: str = "", primary: str = "") -> None:
        for port in dev.ports:
            device = _physical(port, nics, boot)
            made.append((device, Connection(
                f"{dev.name}-{port}", f"boot option {kind}={dev.name}", match_name=device.name,
                match_mac=device.mac, controller=dev.name, port_type=kind, port_config=config,
                primary=port == primary)))

    for bond in boot.bond:
        conn = _addressed(bond.name, boot, tops, f"boot option bond={bond.name}")
        conn.kind, conn.bond_options, conn.mtu = "bond", list(bond.options), bond.mtu or conn.mtu
        made.append((Device(bond.name, name=bond.name), conn))
        ports(bond, "bond", primary=dict(bond.options).get("primary", ""))
    for team in boot.team:
        conn = _addressed(team.name, boot, tops, f"boot option team={team.name}")
        conn.kind, conn.team_config = "team", json.dumps({"runner": {"name": team.runner}})
        made.append((Device(team.name, name=team.name), conn))
        ports(team, "team")
    for bridge in boot.bridge:
        conn = _addressed(bridge.name, boot, tops, f"boot option bridge={bridge.name}")
        conn.kind = "bridge"
        made.append((Device(bridge.name, name=bridge.name), conn))
        ports(bridge, "bridge")
    for vlan in boot.vlan:
        conn = _addressed(vlan.name, boot, tops, f"boot option vlan={vlan.name}")
        parent = _physical(vlan.parent, nics, boot)
        conn.kind, conn.vlan_id, conn.parent, conn.parent_mac = "vlan", vlan.id, parent.name, parent.mac
        made.append((Device(vlan.name, name=vlan.name), conn))
    # a port that is itself a virtual device (a bridge over a bond) takes that role
    virtual = {c.match_name: c for _, c in made if c.kind in VIRTUAL_KINDS}
    kept = []
    for device, conn in made:
        role = virtual.get(conn.match_name) if conn.is_port and conn.kind == "ethernet" else None
        if role is not None:
            role.controller, role.port_type = conn.controller, conn.port_type
            continue
        kept.append((device, conn))
    return kept


def boot_connections(boot, nics: Sequence[Nic], configured: Sequence[Device]) -> list[Connection]:
    """The installer's network as connections, less the devices the kickstart configures."""
    boot = BootNetwork.of(boot)
    made = _virtual_connections(boot, nics)
    result = [(d, c) for d, c in made if not _configured(d, c, configured, nics)]
    dropped = {c.match_name for _, c in made if c.kind in VIRTUAL_KINDS} - \
        {c.match_name for _, c in result}
    result = [(d, c) for d, c in result if not c.is_port or c.controller not in dropped]
    virtual = boot.virtual()
    tops = [name for name in virtual if name not in boot.lower()]
    for ip in boot.ip:
        if ip.interface in virtual or not ip.interface and tops:
            continue  # the virtual device's own (above)
        device = resolve_device(ip.interface, nics)
        nic = next((n for n in nics if device.name and n.name == device.name), None)
        if nic and ip.interface not in {n for n, _ in boot.ifname}:
            device = Device(nic.name, mac=nic.mac)  # the installer's name: match by MAC
        if _configured(device, None, [*configured, *(d for d, _ in result)], nics):
            continue
        conn = from_boot_option(ip, device)
        if conn:
            result.append((device, conn))
    return _with_nameservers([c for _, c in result], boot.nameserver)


def _configured(device: Device, conn: Connection | None, configured: Sequence[Device],
                nics: Sequence[Nic]) -> bool:
    if any(_same(device, other, nics) for other in configured):
        what = conn.origin if conn else "ip="
        log.info("%s: the kickstart configures %s, not carried over", what, device.label)
        return True
    return False


def _with_nameservers(conns: list[Connection], servers: Sequence[str]) -> list[Connection]:
    """nameserver= is the installer's, for every device: each carried connection with an
    address gets it."""
    addressed = [c for c in conns if not c.is_port and (c.ipv4 != "disabled" or c.ipv6 != "disabled")]
    if servers and not addressed:
        log.info("nameserver=%s: no connection is carried over to hold it", ",".join(servers))
    for conn in addressed:
        conn.dns += [s for s in servers if s not in conn.dns]
    return conns


def link_file(name: str, mac: str) -> str:
    return (f"# From boot option ifname={name}:{mac}\n"
            f"[Match]\nMACAddress={mac}\n\n[Link]\nName={name}\n")


def write_link_files(target: Target, boot) -> None:
    """ifname=NAME:MAC -> the same name on the installed system (udev reads .link files
    whatever network stack it has)."""
    for name, mac in BootNetwork.of(boot).ifname:
        write_file(target, f"{NETWORKD_DIR}/10-anaconda-ifname-{name}.link", link_file(name, mac))
