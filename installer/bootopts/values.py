"""Parsers for the values boot options take.

Each parser gets the raw text and returns a typed value or raises ValueError with a short
description of what would be accepted; the caller adds the option's name. Kept free of
option names so the kernel command line and the CLI flags share them.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

TRUE_WORDS = {"1", "yes", "true", "on", ""}
FALSE_WORDS = {"0", "no", "false", "off"}


def parse_bool(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("expected no value or one of 1, 0, yes, no, on, off, true, false")


def parse_level(text: str) -> int:
    if text in ("0", "1", "2"):
        return int(text)
    raise ValueError("expected 0 (normal), 1 (low memory) or 2 (very low memory)")


NOSAVE_WORDS = ("all", "all_ks", "logs", "input_ks", "output_ks")


def parse_nosave(text: str) -> frozenset[str]:
    words = [w for w in text.split(",") if w]
    bad = [w for w in words if w not in NOSAVE_WORDS]
    if not words or bad:
        raise ValueError("expected a comma-separated list of " + ", ".join(NOSAVE_WORDS))
    return frozenset(words)


def parse_disklabel(text: str) -> str:
    """gpt or mbr, Anaconda's words; msdos (blivet's and parted's name for mbr) is mbr too."""
    word = text.strip().lower()
    if word in ("gpt", "mbr", "msdos"):
        return "mbr" if word == "msdos" else word
    raise ValueError("expected gpt or mbr (msdos is accepted for mbr)")


LOG_LEVELS = ("debug", "info", "warning", "error", "critical")


def parse_loglevel(text: str) -> str:
    word = text.strip().lower()
    if word in LOG_LEVELS:
        return word
    raise ValueError("expected one of " + ", ".join(LOG_LEVELS))


SYSLOG_PORT = 514  # inst.syslog's default port, as in Anaconda's documentation


def parse_host_port(text: str, default_port: int = SYSLOG_PORT) -> tuple[str, int]:
    """inst.syslog: HOST, HOST:PORT, [IPV6]:PORT or a bare IPv6 address -> (host, port)."""
    text = text.strip()
    host, port = text, ""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError("expected HOST[:PORT] ([ADDRESS]:PORT for IPv6)")
        port = rest[1:]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if not host or any(c.isspace() or c in "/@[]" for c in host):
        raise ValueError("expected HOST[:PORT]")
    if port == "":
        return host, default_port
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"port {port!r}: expected a number from 1 to 65535")
    return host, int(port)


VIRTIO_PORT_RE = re.compile(r"^(/dev/virtio-ports/)?[A-Za-z0-9_.-]+$")


def parse_virtiolog(text: str) -> str:
    """inst.virtiolog[=NAME]: a virtio-serial port name (or its /dev/virtio-ports path);
    bare: Anaconda's default name ("" here)."""
    text = text.strip()
    if text and not VIRTIO_PORT_RE.match(text):
        raise ValueError("expected a virtio-serial port name such as "
                         "org.fedoraproject.anaconda.log.0")
    return text


MAX_SECONDS = 10000  # dracut's bound for inst.wait_for_disks


def parse_seconds(text: str) -> int:
    if text.strip().isdigit() and int(text) <= MAX_SECONDS:
        return int(text)
    raise ValueError(f"expected a whole number of seconds from 0 to {MAX_SECONDS}")


LANG_RE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?(\.[A-Za-z0-9-]+)?(@[A-Za-z]+)?$")
KEYMAP_RE = re.compile(r"^[A-Za-z0-9_-]+( ?\([A-Za-z0-9_-]+\))?$")


def parse_lang(text: str) -> str:
    if LANG_RE.match(text):
        return text
    raise ValueError("expected a locale such as en_US.UTF-8, de_DE or cs")


def parse_keymap(text: str) -> str:
    if KEYMAP_RE.match(text):
        return text
    raise ValueError("expected a keymap name such as us, de-nodeadkeys or cz(qwerty)")


@dataclass(frozen=True)
class Source:
    """Where something comes from: a kickstart, a repository, stage2, an updates image."""

    scheme: str  # http, https, ftp, file, hd, cdrom, nfs; dhcp (bare inst.ks)
    location: str  # the text as given
    device: str = ""  # hd:/cdrom: device spec (sdb1, LABEL=x, UUID=y)
    path: str = ""  # path on the device, server, or in the local tree

    def __str__(self) -> str:
        return self.location


def _check_port(parts) -> None:
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 and parts.netloc.rpartition("]")[2].count(":"):
        raise ValueError("the port is not a number from 1 to 65535")


DEVICE_RE = re.compile(r"^(/dev/[\w./-]+|[\w.-]+|(LABEL|UUID|PARTUUID|PARTLABEL)=[^:]+)$")
SOURCE_FORMS = ("http(s)://HOST/PATH, ftp://HOST/PATH, file:/PATH, hd:DEVICE:/PATH, "
                "cdrom[:DEVICE] or nfs:[OPTIONS:]SERVER:/PATH")


def ks_from_dhcp() -> Source:
    """Bare `inst.ks`: the boot image's init asks DHCP's next-server (else the DHCP server)
    for its filename (else /kickstart/) over http (dracut: over NFS)."""
    return Source("dhcp", "(DHCP next-server/filename)")


def parse_source(text: str) -> Source:
    """Accept Anaconda's source forms; a bare absolute path means file:PATH."""
    bad = ValueError("expected " + SOURCE_FORMS)
    if text.startswith("/"):
        return Source("file", "file:" + text, path=text)
    scheme, sep, rest = text.partition(":")
    scheme = scheme.lower()
    if not sep and scheme == "cdrom":
        return Source("cdrom", text)
    if not sep:
        raise bad
    if scheme in ("http", "https", "ftp"):
        parts = urlsplit(text)
        if not rest.startswith("//") or not parts.hostname:
            raise ValueError(f"{scheme} URL without a host; expected {scheme}://HOST/PATH")
        _check_port(parts)
        return Source(scheme, text, path=parts.path)
    if scheme == "file":
        if rest.startswith("//") and not rest.startswith("///"):
            raise ValueError("a file: URL names no host; use file:/PATH or file:///PATH")
        path = rest[2:] if rest.startswith("///") else rest
        if not path.startswith("/"):
            raise ValueError("file: needs an absolute path, e.g. file:/ks.cfg")
        return Source("file", text, path=path)
    if scheme in ("hd", "cdrom"):
        device, _, path = rest.partition(":")
        device = device.strip()
        if scheme == "hd" and not device:
            raise ValueError("hd: needs a device, e.g. hd:sdb1:/ks.cfg or hd:LABEL=INST:/repo")
        if scheme == "cdrom" and device.startswith("/") and not device.startswith("/dev/") and not path:
            device, path = "", device  # cdrom:/ks.cfg is a path on the disc
        if device and not DEVICE_RE.match(device):
            raise ValueError(f"{device!r} is not a device name, LABEL=, UUID= or PARTUUID=")
        if path and not path.startswith("/"):
            raise ValueError(f"the path after the device must be absolute, not {path!r}")
        return Source(scheme, text, device=device, path=path)
    if scheme == "nfs":
        server_path = rest.rsplit(":", 2)
        if len(server_path) < 2 or not server_path[-1].startswith("/") or not server_path[-2]:
            raise ValueError("expected nfs:[OPTIONS:]SERVER:/PATH")
        return Source("nfs", text, device=server_path[-2], path=server_path[-1])
    raise bad


REPO_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]+$")


def parse_addrepo(text: str) -> tuple[str, Source]:
    name, sep, url = text.partition(",")
    if not sep or not REPO_NAME_RE.match(name):
        raise ValueError("expected NAME,URL with a NAME of letters, digits, '_', '.', ':' or '-'")
    return name, parse_source(url)


@dataclass(frozen=True)
class Proxy:
    url: str  # without credentials, safe to log
    username: str = ""
    password: str = field(default="", repr=False)

    def authenticated_url(self) -> str:
        """The URL with USER[:PASSWORD]@ for clients that take one string (requests)."""
        if not self.username:
            return self.url
        scheme, rest = self.url.split("://", 1)
        user = quote(self.username, safe="") + (f":{quote(self.password, safe='')}"
                                                if self.password else "")
        return f"{scheme}://{user}@{rest}"


def parse_proxy(text: str) -> Proxy:
    candidate = text if "://" in text else "http://" + text
    parts = urlsplit(candidate)
    forms = "expected [PROTOCOL://][USER[:PASSWORD]@]HOST[:PORT] with PROTOCOL http, https or ftp"
    if parts.scheme not in ("http", "https", "ftp") or not parts.hostname:
        raise ValueError(forms)
    _check_port(parts)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = host + (f":{parts.port}" if parts.port else "")
    return Proxy(f"{parts.scheme}://{netloc}", parts.username or "", parts.password or "")


CONSOLE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(,[0-9]+([noe][5-8]?r?)?)?$")
UART_RE = re.compile(r"^uart(8250)?,((io|mmio|mmio16|mmio32|mmio32be),)?0x[0-9A-Fa-f]+"
                     r"(,[0-9]+([noe][5-8]?r?)?)?$")


def parse_console(text: str) -> str:
    if CONSOLE_RE.match(text) or UART_RE.match(text):
        return text
    raise ValueError("expected DEVICE[,BAUD[PARITY][BITS]], e.g. tty0 or ttyS0,115200n8")


IP_METHODS = ("dhcp", "on", "any", "dhcp6", "auto6", "either6", "link6", "ibft", "none", "off")
IFNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,15}$")
MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")
HOSTNAME_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$")


@dataclass(frozen=True)
class IpConfig:
    """One dracut-style `ip=` option: the installer's own network configuration."""

    method: str
    interface: str = ""
    address: str = ""
    peer: str = ""
    gateway: str = ""
    netmask: str = ""
    hostname: str = ""
    mtu: int | None = None
    mac: str = ""
    dns: tuple[str, ...] = ()


def _split_ip_fields(text: str) -> list[str]:
    """Split on ':' but keep [IPv6] addresses whole (dracut's syntax)."""
    fields, current, depth = [], "", 0
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        if char == ":" and depth == 0:
            fields.append(current)
            current = ""
        else:
            current += char
    fields.append(current)
    return [f[1:-1] if f.startswith("[") and f.endswith("]") else f for f in fields]


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _address(value: str, what: str) -> str:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{what} {value!r} is not an IPv4 or IPv6 address") from None
    return value


def _netmask(value: str, address: str = "") -> str:
    limit = 32 if "." in address else 128
    if value.isdigit() and 0 <= int(value) <= limit:
        return value
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{value}")
    except ValueError:
        raise ValueError(f"netmask {value!r} is neither a prefix length (0-{limit}) "
                         "nor a dotted mask") from None
    return value


def _tail(fields: list[str]) -> tuple[int | None, str, tuple[str, ...]]:
    """What may follow the method: [MTU][:MAC] or [DNS1][:DNS2] (a MAC has colons itself)."""
    if not fields:
        return None, "", ()
    first, rest = fields[0], fields[1:]
    if first and not first.isdigit():  # METHOD:DNS1[:DNS2]
        return None, "", tuple(_address(d, "DNS server") for d in fields if d)
    mtu = None
    if first:
        if not 68 <= int(first) <= 65535:
            raise ValueError(f"MTU {first!r} is not a number from 68 to 65535")
        mtu = int(first)
    if len(rest) == 6 and MAC_RE.match(":".join(rest)):
        return mtu, ":".join(rest), ()
    if rest and any(rest):
        if mtu is None and not first:  # METHOD::DNS1[:DNS2]
            return None, "", tuple(_address(d, "DNS server") for d in rest if d)
        raise ValueError(f"{':'.join(rest)!r} after the MTU is not a MAC address like "
                         "52:54:00:12:34:56")
    return mtu, "", ()


def _method(value: str) -> str:
    if value not in IP_METHODS:
        raise ValueError(f"method {value!r} is not one of " + ", ".join(IP_METHODS))
    return value


def parse_ip(text: str) -> IpConfig:
    """dracut's forms: METHOD, IFACE:METHOD[:MTU[:MAC]], or the full static form."""
    fields = _split_ip_fields(text)
    if len(fields) == 1:
        return IpConfig(method=_method(fields[0]))
    short_form = fields[1] in IP_METHODS and not _is_address(fields[0])
    if short_form or len(fields) < 7:
        if not IFNAME_RE.match(fields[0]):
            raise ValueError(
                "expected METHOD, INTERFACE:METHOD or "
                "IP:[PEER]:GATEWAY:NETMASK:HOSTNAME:INTERFACE:METHOD[:MTU[:MAC]]")
        mtu, mac, dns = _tail(fields[2:])
        return IpConfig(method=_method(fields[1]), interface=fields[0], mtu=mtu, mac=mac, dns=dns)
    address, peer, gateway, netmask, hostname, interface, method = fields[:7]
    if interface and not IFNAME_RE.match(interface):
        raise ValueError(f"interface name {interface!r} is not valid")
    if hostname and not HOSTNAME_RE.match(hostname):
        raise ValueError(f"host name {hostname!r} is not valid")
    mtu, mac, dns = _tail(fields[7:])
    return IpConfig(
        method=_method(method or "none"),
        interface=interface,
        address=_address(address, "address") if address else "",
        peer=_address(peer, "peer") if peer else "",
        gateway=_address(gateway, "gateway") if gateway else "",
        netmask=_netmask(netmask, address) if netmask else "",
        hostname=hostname,
        mtu=mtu,
        mac=mac,
        dns=dns,
    )


# --- dracut's network options beside ip= (dracut.cmdline(7)): the installer's own network
# on bonds, teams, VLANs and bridges, device names by MAC, name servers

#: bonding driver options (the names of /sys/class/net/BOND/bonding/*); NetworkManager's
#: [bond] section takes the same names
BOND_OPTIONS = frozenset((
    "mode", "miimon", "updelay", "downdelay", "arp_interval", "arp_ip_target", "arp_validate",
    "arp_all_targets", "arp_missed_max", "primary", "primary_reselect", "fail_over_mac",
    "use_carrier", "ad_select", "xmit_hash_policy", "resend_igmp", "lacp_rate",
    "num_grat_arp", "num_unsol_na", "all_slaves_active", "min_links", "lp_interval",
    "packets_per_slave", "tlb_dynamic_lb", "ad_actor_sys_prio", "ad_user_port_key",
    "ad_actor_system", "active_slave", "peer_notif_delay", "ns_ip6_target", "coupled_control",
    "lacp_active"))
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad",
              "balance-tlb", "balance-alb")
TEAM_RUNNERS = ("broadcast", "roundrobin", "activebackup", "loadbalance", "lacp", "random")


def bond_mode(value: str) -> str:
    """A bonding mode's name ("1" is active-backup); ValueError for anything else."""
    if value.isdigit() and int(value) < len(BOND_MODES):
        return BOND_MODES[int(value)]
    if value in BOND_MODES:
        return value
    raise ValueError(f"bond mode {value!r} is not one of " + ", ".join(BOND_MODES)
                     + " (or 0-6)")


def split_bond_options(text: str, separators: str = ",") -> list[tuple[str, str]]:
    """`mode=active-backup,miimon=100` -> [(mode, active-backup), (miimon, 100)].

    A piece without `=` continues the value before it, so list values keep their commas
    (`arp_ip_target=192.0.2.1,192.0.2.2`); `;` separates too (Anaconda's form for them)."""
    pairs: list[tuple[str, str]] = []
    sep = ";" if ";" in text else separators
    for piece in (p.strip() for p in text.split(sep)):
        if not piece:
            continue
        key, eq, value = piece.partition("=")
        if not eq:
            if not pairs:
                raise ValueError(f"bond option {piece!r} is not NAME=VALUE")
            pairs[-1] = (pairs[-1][0], f"{pairs[-1][1]},{piece}")
            continue
        pairs.append((key.strip(), value.strip()))
    return pairs


def _ifname(value: str, what: str) -> str:
    if not IFNAME_RE.match(value):
        raise ValueError(f"{what} {value!r} is not an interface name (1-15 letters, digits, "
                         "'.', '_' or '-')")
    return value


def _ifnames(text: str, what: str) -> tuple[str, ...]:
    names = tuple(_ifname(n, what) for n in text.split(","))
    if len(set(names)) != len(names):
        raise ValueError(f"a {what} is named twice in {text!r}")
    return names


@dataclass(frozen=True)
class BondConfig:
    """bond=NAME[:PORTS[:OPTIONS[:MTU]]]: ports eth0,eth1 and mode balance-rr by default."""

    name: str = "bond0"
    ports: tuple[str, ...] = ("eth0", "eth1")
    options: tuple[tuple[str, str], ...] = (("mode", "balance-rr"),)
    mtu: int | None = None


def parse_bond(text: str) -> BondConfig:
    if not text:
        raise ValueError("expected NAME[:PORTS[:OPTIONS[:MTU]]], e.g. "
                         "bond0:eth0,eth1:mode=active-backup")
    name, _, rest = text.partition(":")
    ports, _, rest = rest.partition(":")
    # the options hold no ':' but an IPv6 arp target would: the MTU is the last field
    options, _, mtu = rest.rpartition(":") if rest.rpartition(":")[2].isdigit() else (rest, "", "")
    pairs = split_bond_options(options) if options else [("mode", "balance-rr")]
    for key, value in pairs:
        if key not in BOND_OPTIONS:
            raise ValueError(f"{key!r} is not a bonding option (mode, miimon, primary, "
                             "xmit_hash_policy, ...)")
        if key == "mode":
            bond_mode(value)
    if mtu and not 68 <= int(mtu) <= 65535:
        raise ValueError(f"MTU {mtu!r} is not a number from 68 to 65535")
    return BondConfig(_ifname(name, "bond name"), _ifnames(ports or "eth0,eth1", "bond port"),
                      tuple(pairs), int(mtu) if mtu else None)


@dataclass(frozen=True)
class TeamConfig:
    """team=NAME:PORTS[:RUNNER]."""

    name: str
    ports: tuple[str, ...]
    runner: str = "activebackup"


def parse_team(text: str) -> TeamConfig:
    name, _, rest = text.partition(":")
    ports, _, runner = rest.partition(":")
    if not name or not ports:
        raise ValueError("expected NAME:PORT,PORT[:RUNNER], e.g. team0:eth0,eth1:activebackup")
    if runner and runner not in TEAM_RUNNERS:
        raise ValueError(f"team runner {runner!r} is not one of " + ", ".join(TEAM_RUNNERS))
    return TeamConfig(_ifname(name, "team name"), _ifnames(ports, "team port"),
                      runner or "activebackup")


VLAN_NAME_RE = re.compile(r"^(?:vlan0*(?P<plain>\d+)|(?P<parent>[A-Za-z0-9_-]+(?:\.\d+)*)\.0*(?P<dotted>\d+))$")


def vlan_id_of(name: str) -> int | None:
    """The VLAN id a dracut VLAN name carries: vlan5, vlan0005, eth0.5, eth0.0005."""
    match = VLAN_NAME_RE.match(name)
    if not match:
        return None
    return int(match.group("plain") or match.group("dotted"))


@dataclass(frozen=True)
class VlanConfig:
    """vlan=NAME:PARENT; the id is in the name (vlan5, vlan0005, eth0.5, eth0.0005)."""

    name: str
    parent: str
    id: int


def parse_vlan(text: str) -> VlanConfig:
    name, sep, parent = text.partition(":")
    if not sep or not name or not parent:
        raise ValueError("expected NAME:PARENT, e.g. vlan5:eth0 or eth0.5:eth0")
    _ifname(name, "VLAN name")
    vid = vlan_id_of(name)
    if vid is None:
        raise ValueError(f"VLAN name {name!r} carries no id: name it vlan5, vlan0005, "
                         "eth0.5 or eth0.0005")
    if not 1 <= vid <= 4094:
        raise ValueError(f"VLAN id {vid} (from {name!r}) is not from 1 to 4094")
    return VlanConfig(name, _ifname(parent, "VLAN parent"), vid)


@dataclass(frozen=True)
class BridgeConfig:
    """bridge=NAME:PORTS."""

    name: str = "br0"
    ports: tuple[str, ...] = ("eth0",)


def parse_bridge(text: str) -> BridgeConfig:
    name, sep, ports = text.partition(":")
    if not sep or not ports:
        raise ValueError("expected NAME:PORT[,PORT...], e.g. br0:eth0,eth1")
    return BridgeConfig(_ifname(name, "bridge name"), _ifnames(ports, "bridge port"))


def parse_ifname(text: str) -> tuple[str, str]:
    """ifname=NAME:MAC -> (NAME, mac in lower case)."""
    name, sep, mac = text.partition(":")
    if not sep or not MAC_RE.match(mac):
        raise ValueError("expected NAME:MAC, e.g. net0:52:54:00:12:34:56")
    return _ifname(name, "interface name"), mac.lower()


def parse_nameserver(text: str) -> str:
    address = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    return _address(address, "name server")
