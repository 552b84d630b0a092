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

    scheme: str  # http, https, ftp, file, hd, cdrom, nfs
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
