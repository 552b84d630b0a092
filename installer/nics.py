"""The machine's network devices, read from sysfs and /proc (no tools): the one reader both
the configuration of the target (configure/network.py: which device has link, its MAC)
and the Network spoke (ui/network.py: kind, link state, current addresses) use.

Only hardware devices count (those with a `device` link in sysfs, so never lo, bridges,
tunnels or veths); they are listed sorted by name.
"""
from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from dataclasses import dataclass
from pathlib import Path

SYSFS_NET = Path("/sys/class/net")
PROC_INET6 = Path("/proc/net/if_inet6")
SIOCGIFADDR, SIOCGIFNETMASK = 0x8915, 0x891B


@dataclass(frozen=True)
class Nic:
    name: str
    mac: str
    carrier: bool


def read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:  # carrier cannot be read while the device is down
        return ""


def hardware_devices(sysfs: Path = SYSFS_NET) -> list[Path]:
    """The sysfs directories of hardware devices, sorted by name."""
    if not sysfs.is_dir():
        return []
    return [path for path in sorted(sysfs.iterdir())
            if path.name != "lo" and (path / "device").exists()]


def mac_of(path: Path) -> str:
    return read(path / "address").lower()


def has_carrier(path: Path) -> bool:
    return read(path / "carrier") == "1"


def is_connected(path: Path) -> bool:
    """Link and the device up (operstate `unknown` is what many drivers report when up)."""
    return has_carrier(path) and read(path / "operstate") in ("up", "unknown")


def kind(path: Path) -> str:
    """"Wired", "Wireless", or "Network" for anything else (Anaconda's wording)."""
    if (path / "wireless").exists() or (path / "phy80211").exists():
        return "Wireless"
    return "Wired" if read(path / "type") == "1" else "Network"


def list_nics(sysfs: Path = SYSFS_NET) -> list[Nic]:
    """Hardware network devices with MAC and carrier, sorted by name."""
    return [Nic(path.name, mac_of(path), has_carrier(path)) for path in hardware_devices(sysfs)]


def ipv4_address(name: str) -> str:
    """The interface's primary IPv4 address as ADDRESS/PREFIX, or "" (ioctl: no tools)."""
    packed = struct.pack("256s", name.encode()[:15])
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            address = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, packed)[20:24]
            mask = fcntl.ioctl(sock.fileno(), SIOCGIFNETMASK, packed)[20:24]
    except OSError:  # no address, or no such interface
        return ""
    return str(ipaddress.ip_interface(f"{socket.inet_ntoa(address)}/{socket.inet_ntoa(mask)}"))


def ipv6_addresses(inet6: Path = PROC_INET6) -> dict[str, list[str]]:
    """Global-scope IPv6 addresses by interface, from /proc/net/if_inet6."""
    found: dict[str, list[str]] = {}
    for line in read(inet6).splitlines():
        parts = line.split()
        if len(parts) != 6 or parts[3] != "00":  # scope 00 is global
            continue
        address = ipaddress.IPv6Address(bytes.fromhex(parts[0]))
        found.setdefault(parts[5], []).append(f"{address}/{int(parts[2], 16)}")
    return found
