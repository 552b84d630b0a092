"""inst.waitfornet=SECONDS: wait for network connectivity before the installer goes on.

Where Anaconda does it: at the start of the second stage (after the boot image's init has
switched root and started the installer), before the front end starts and before a
network kickstart or source is fetched. It waits at most SECONDS and then goes on either
way, saying which. Connected means a default route (IPv4 or IPv6) that is up on an
interface other than lo: the condition under which NetworkManager, which Anaconda asks,
reports global connectivity without a connectivity check (none runs here).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Callable

log = logging.getLogger("anaconda")

ROUTE = Path("/proc/net/route")
ROUTE6 = Path("/proc/net/ipv6_route")
RTF_UP = 0x1
INTERVAL = 1.0  # seconds between looks


def _lines(path: Path) -> list[list[str]]:
    try:
        return [line.split() for line in path.read_text().splitlines()]
    except OSError:
        return []


def default_route(route: Path = ROUTE, route6: Path = ROUTE6) -> str | None:
    """The interface that holds a default route, or None."""
    for fields in _lines(route)[1:]:  # Iface Destination Gateway Flags ...
        if len(fields) > 3 and fields[1] == "00000000" and int(fields[3], 16) & RTF_UP \
                and fields[0] != "lo":
            return fields[0]
    for fields in _lines(route6):  # dest plen src splen nexthop metric ref use flags iface
        if len(fields) == 10 and fields[0] == "0" * 32 and fields[1] == "00" \
                and int(fields[8], 16) & RTF_UP and fields[9] != "lo":
            return fields[9]
    return None


def wait_for_network(timeout: int, say: Callable[[str], None] = lambda text: None,
                     route: Path = ROUTE, route6: Path = ROUTE6,
                     sleep: Callable[[float], None] = time.sleep,
                     clock: Callable[[], float] = time.monotonic) -> bool:
    """Wait up to `timeout` seconds for a default route; True when there is one."""
    started = clock()
    found = default_route(route, route6)
    if found is None:
        say(f"Waiting up to {timeout} s for the network (inst.waitfornet={timeout})")
    while found is None and clock() - started < timeout:
        sleep(INTERVAL)
        found = default_route(route, route6)
    waited = clock() - started
    if found is None:
        log.warning("inst.waitfornet=%d: no network connectivity (no default route) after "
                    "%.0f s; going on without it", timeout, waited)
        say(f"No network connectivity after {timeout} s (inst.waitfornet); going on")
        return False
    log.info("inst.waitfornet=%d: connected through %s after %.1f s", timeout, found, waited)
    return True
