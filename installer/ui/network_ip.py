"""The address settings every device of the network spoke has, a hardware interface or a
bond, VLAN or bridge: IPv4 (DHCP, static or off), IPv6 (automatic, DHCPv6, static or off),
DNS servers and search domains, and whether it comes up at boot.

They live apart from the devices so both kinds share one set of checks and one
translation to and from a kickstart `network` line. IPv6 is checked by the kickstart's own
check (installer/kickstart/checks/network.py), so the spoke accepts exactly what the
executor does; IPv4 keeps the spoke's stricter rules (a prefix is required, the network
and broadcast addresses are refused) because a person typing benefits from them.
"""
from __future__ import annotations

import functools
import ipaddress
import logging
import re
from dataclasses import dataclass, field

from installer.hostnames import DOMAIN_MAX, LABEL_RE
from installer.kickstart.checks import network as checks
from installer.kickstart.checks.findings import Findings, Where

log = logging.getLogger("anaconda.tui")

IPV4_METHODS = ("dhcp", "static", "off")
IPV6_METHODS = ("auto", "dhcp", "static", "off")
#: kickstart option -> the spoke's field, most specific first (--ipv6 is in --ipv6gateway)
OPTION_FIELDS = (("--interfacename", "Name"), ("--vlanid", "VLAN id"),
                 ("--bondopts", "Options"), ("--bridgeopts", "Options"),
                 ("--bondslaves", "Ports"), ("--bridgeslaves", "Ports"),
                 ("--ipv6gateway", "IPv6 gateway"), ("--ipv6", "IPv6 address"),
                 ("--nameserver", "DNS servers"))
MESSAGE_RE = re.compile(r"^network(?: --device=([^\s:]+))?:? ?(.*)$", re.S)


# ---- checks: each returns None or a message that names the field ---------------------

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


def split_list(text: str) -> list[str]:
    """What a person separates by commas or spaces."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


split_dns = split_list


def dns_problem(text: str) -> str | None:
    for part in split_list(text):
        try:
            ipaddress.ip_address(part)
        except ValueError:
            return (f"DNS servers: '{part}' is not an IP address. Give addresses separated "
                    "by commas, such as 1.1.1.1, 2606:4700:4700::1111.")
    return None


def search_problem(text: str) -> str | None:
    """Search domains are DNS names: dot-separated labels as in a host name."""
    for domain in split_list(text):
        labels = domain.split(".")
        if len(domain) > DOMAIN_MAX or not all(LABEL_RE.match(label) for label in labels):
            return (f"Search domains: '{domain}' is not a domain name. Give names such as "
                    "example.com, lab.example.com separated by commas.")
    return None


def ipv6_prefix_problem(text: str) -> str | None:
    """The spoke asks for the prefix, as it does for IPv4; the syntax itself is the
    kickstart check's (`backend_problems`)."""
    if not text:
        return "IPv6 address: enter the address with its prefix, such as 2001:db8::10/64."
    if "/" not in text:
        return f"IPv6 address: '{text}' needs a prefix, such as 2001:db8::10/64."
    return None


def field_named(message: str) -> tuple[str, str]:
    """A kickstart check's message -> (device, the message led by the spoke's field).

    `network --device=bond0 --vlanid=4095: expected a VLAN id from 1 to 4094` becomes
    ("bond0", "VLAN id: --vlanid=4095: expected a VLAN id from 1 to 4094"): the person
    sees the field to fix and the kickstart option it becomes."""
    match = MESSAGE_RE.match(message)
    device, rest = (match[1] or "", match[2]) if match else ("", message)
    label = next((name for option, name in OPTION_FIELDS
                  if re.search(re.escape(option) + r"(?=[=: ]|$)", rest)), "")
    return device, f"{label}: {rest}" if label else rest


def backend_problems(data, names: tuple[str, ...]) -> list[str]:
    """Run the kickstart's checks called `names` (check_ipv6, check_vlan, ...) on one
    pykickstart NetworkData; errors and warnings alike, since a warning there means "not
    applied", which a person typing should hear before leaving the screen."""
    found = Findings()
    for name in names:
        getattr(checks, name)(data, Where(), found)
    return [field_named(problem)[1] for _, problem in found.errors + found.warnings]


def ports_problems(devices) -> list[str]:
    """The kickstart's check that no port belongs to two devices, over the devices'
    `write_device` lines; the problems of the last device only."""
    from installer.kickstart.checks import network as checks  # see backend_problems
    from installer.kickstart.checks.findings import Findings, Where

    lines = []
    for device in devices:
        lines.append(scratch_line())
        device.write_device(lines[-1])
    found = Findings()
    marks = [Where(line=n) for n in range(1, len(lines) + 1)]
    checks.check_ports(lines, marks, found)
    return [field_named(p)[1] for where, p in found.errors if where.line == len(lines)]


@functools.cache
def _network_data_class():
    from installer.kickstart.version import make_handler  # the handler is built once
    return make_handler().NetworkData


def scratch_line():
    """An empty pykickstart NetworkData for the kickstart's checks to read."""
    return _network_data_class()()


# ---- the settings ---------------------------------------------------------------------

@dataclass(kw_only=True)
class IpConfig:
    """What a device's settings hold; `data` is the kickstart line they came from."""

    method: str = "dhcp"  # IPV4_METHODS
    address: str = ""  # "10.0.0.2/24"
    gateway: str = ""
    method6: str = "auto"  # IPV6_METHODS
    address6: str = ""  # "2001:db8::10/64"
    gateway6: str = ""
    dns: str = ""  # "1.1.1.1, 8.8.8.8"
    search: str = ""  # "example.com, lab.example.com"
    onboot: bool = True
    activate: bool = False
    data: object | None = field(default=None, repr=False)

    def ip_problems(self) -> list[str]:
        """Every problem of the address settings, each naming its field."""
        found: list[str] = []
        iface = None
        if self.method == "static":
            try:
                iface = parse_address(self.address)
            except ValueError as exc:
                found.append(str(exc))
            found.append(gateway_problem(self.gateway, iface))
        if self.method6 == "static":
            prefix = ipv6_prefix_problem(self.address6)
            found.append(prefix)
            if prefix is None:
                scratch = scratch_line()
                self.write_ipv6(scratch)
                found += backend_problems(scratch, ("check_ipv6",))
        found += [dns_problem(self.dns), search_problem(self.search)]
        return [p for p in found if p]

    def summary(self) -> str:
        v4 = {"static": f"static {self.address or '(no address)'}", "dhcp": "DHCP",
              "off": "no IPv4"}[self.method]
        v6 = {"static": f", {self.address6}", "dhcp": ", DHCPv6", "off": ", no IPv6"}.get(
            self.method6, "")
        return v4 + v6

    # ---- kickstart ----------------------------------------------------------------------
    def read_ip(self, data) -> None:
        """Pre-fill from a `network` line."""
        self.method = "off" if data.noipv4 else (
            "static" if (data.bootProto or "").lower() == "static" else "dhcp")
        address = data.ip or ""
        if address and "/" not in address and data.netmask:
            try:
                address = str(ipaddress.IPv4Interface(f"{address}/{data.netmask}"))
            except ValueError:
                address = f"{address}/{data.netmask}"
        self.address, self.gateway = address, data.gateway or ""
        ipv6 = data.ipv6 or ""
        if data.noipv6:
            self.method6 = "off"
        else:
            self.method6 = (ipv6 or "auto") if ipv6 in ("", "auto", "dhcp") else "static"
        self.address6 = ipv6 if self.method6 == "static" else ""
        self.gateway6 = data.ipv6gateway or ""
        self.dns = ", ".join(split_list(data.nameserver or ""))
        self.search = ", ".join(split_list(",".join(filter(None, (
            getattr(data, "ipv4_dns_search", ""), getattr(data, "ipv6_dns_search", ""))))))
        self.onboot, self.activate, self.data = bool(data.onboot), bool(data.activate), data

    def write_ipv6(self, data) -> None:
        data.noipv6 = self.method6 == "off"
        if self.method6 == "static":
            data.ipv6, data.ipv6gateway = self.address6, self.gateway6
        else:
            # "auto" stays as the kickstart wrote it (no --ipv6 means automatic too)
            keep = self.method6 == "auto" and (data.ipv6 or "") in ("", "auto")
            if not keep:
                data.ipv6 = "" if self.method6 == "off" else self.method6
            data.ipv6gateway = ""

    def write_ip(self, data) -> None:
        """Into a pykickstart NetworkData, as Anaconda writes it."""
        data.noipv4 = self.method == "off"
        data.bootProto = "static" if self.method == "static" else "dhcp"
        if self.method == "static":
            iface = parse_address(self.address)
            data.ip, data.netmask = str(iface.ip), str(iface.netmask)
            data.gateway = self.gateway
        else:
            data.ip = data.netmask = data.gateway = ""
        self.write_ipv6(data)
        data.nameserver = ",".join(split_list(self.dns))
        search = ",".join(split_list(self.search))
        before = [getattr(data, "ipv4_dns_search", ""), getattr(data, "ipv6_dns_search", "")]
        if search != ",".join(split_list(",".join(filter(None, before)))):
            data.ipv4_dns_search, data.ipv6_dns_search = search, ""
        data.onboot = self.onboot
        data.activate = True if self.activate else None
