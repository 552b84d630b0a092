"""What a kickstart request tells a provisioning server about the machine asking.

Cobbler, Foreman and Satellite pick a machine's kickstart by the headers Anaconda's dracut
adds to the request (dracut/anaconda-ks-sendheaders.sh):
- `inst.ks.sendmac`: `X-RHN-Provisioning-MAC-N: IFNAME MAC` for every entry of
  /sys/class/net in name order, except `lo` and those without an address, N from 0;
- `inst.ks.sendsn`: `X-System-Serial-Number: SERIAL` from
  /sys/class/dmi/id/product_serial (nothing sent when it is empty or unreadable).
And a kickstart URL ending in `/` names a directory of per-machine files: the machine asks
for `<its IPv4 address>-kickstart` in it (Anaconda's rule for NFS paths, used here for
http(s) too).

The boot image's init sends the same headers from the same files (image/boot/init,
`ks_headers`); a host test compares the two.
"""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

SYS_NET = Path("/sys/class/net")
PRODUCT_SERIAL = Path("/sys/class/dmi/id/product_serial")
MAC_HEADER = "X-RHN-Provisioning-MAC-{}"
SERIAL_HEADER = "X-System-Serial-Number"


def _read(path: Path) -> str:
    """A sysfs file as the shell's $(cat FILE) gives it: trailing newlines dropped."""
    try:
        return path.read_text(errors="replace").rstrip("\n")
    except OSError:
        return ""


def mac_headers(sys_net: Path = SYS_NET) -> list[tuple[str, str]]:
    """(header, "IFNAME MAC") for each network interface, numbered as dracut numbers them."""
    found = []
    for entry in sorted(p.name for p in sys_net.iterdir()) if sys_net.is_dir() else []:
        mac = _read(sys_net / entry / "address")
        if entry != "lo" and mac:
            found.append((MAC_HEADER.format(len(found)), f"{entry} {mac}"))
    return found


def serial_number(path: Path = PRODUCT_SERIAL) -> str:
    return _read(path)


def headers(sendmac: bool, sendsn: bool, sys_net: Path = SYS_NET,
            serial_path: Path = PRODUCT_SERIAL) -> dict[str, str]:
    """The headers inst.ks.sendmac and inst.ks.sendsn add, in the order they are sent."""
    found = dict(mac_headers(sys_net)) if sendmac else {}
    serial = serial_number(serial_path) if sendsn else ""
    if serial:
        found[SERIAL_HEADER] = serial
    return found


def source_address(url: str) -> str:
    """The IPv4 address this machine reaches the URL's server from (no packet is sent: a
    UDP socket is only connected, which makes the kernel choose the route and address)."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        target = socket.getaddrinfo(parts.hostname, port, socket.AF_INET, socket.SOCK_DGRAM)[0][4]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.connect(target)
            return sock.getsockname()[0]
    except OSError as exc:
        raise OSError(f"no IPv4 route to {parts.hostname} to name this machine's "
                      f"<IP>-kickstart file ({exc.strerror or exc})") from None


def per_machine_url(url: str, address: str | None = None) -> str:
    """A URL ending in `/` gets `<IPv4 address>-kickstart` appended; others stay as given."""
    if not url.endswith("/"):
        return url
    address = address or source_address(url)
    ipaddress.IPv4Address(address)  # a ValueError here is a bug in the caller
    return f"{url}{address}-kickstart"
