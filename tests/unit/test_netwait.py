"""inst.waitfornet: a default route in /proc/net/route or ipv6_route counts as connected;
the wait ends at once when there is one, else after the timeout, and says so."""
from __future__ import annotations

import logging

from installer.netwait import default_route, wait_for_network

HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
LINK_ONLY = "eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
DEFAULT = "eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
DEFAULT_DOWN = "eth0\t00000000\t0102000A\t0002\t0\t0\t0\t00000000\t0\t0\t0\n"
V6_DEFAULT = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
              "fd000000000000000000000000000001 00000400 00000003 00000000 00000003     ens3\n")
V6_UNREACHABLE = ("00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
                  "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n")


def routes(tmp_path, v4: str, v6: str = ""):
    (tmp_path / "route").write_text(HEADER + v4)
    (tmp_path / "ipv6_route").write_text(v6)
    return tmp_path / "route", tmp_path / "ipv6_route"


def test_default_route(tmp_path):
    assert default_route(*routes(tmp_path, LINK_ONLY + DEFAULT)) == "eth0"
    assert default_route(*routes(tmp_path, LINK_ONLY, V6_DEFAULT)) == "ens3"
    assert default_route(*routes(tmp_path, LINK_ONLY + DEFAULT_DOWN, V6_UNREACHABLE)) is None
    assert default_route(tmp_path / "missing", tmp_path / "missing6") is None


class FakeTime:
    """A clock that moves only when the code sleeps; the route appears after `after` s."""

    def __init__(self, tmp_path, after: float | None):
        self.now, self.after, self.tmp_path = 0.0, after, tmp_path
        self.paths = routes(tmp_path, LINK_ONLY)

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        if self.after is not None and self.now >= self.after:
            routes(self.tmp_path, LINK_ONLY + DEFAULT)

    def clock(self) -> float:
        return self.now


def test_waits_until_connected(tmp_path, caplog):
    fake, said = FakeTime(tmp_path, after=3), []
    with caplog.at_level(logging.INFO, logger="anaconda"):
        assert wait_for_network(30, said.append, *fake.paths, sleep=fake.sleep, clock=fake.clock)
    assert fake.now == 3
    assert said == ["Waiting up to 30 s for the network (inst.waitfornet=30)"]
    assert "inst.waitfornet=30: connected through eth0 after 3.0 s" in caplog.text


def test_gives_up_after_the_timeout_and_goes_on(tmp_path, caplog):
    fake, said = FakeTime(tmp_path, after=None), []
    assert not wait_for_network(5, said.append, *fake.paths, sleep=fake.sleep, clock=fake.clock)
    assert fake.now == 5
    assert said[-1] == "No network connectivity after 5 s (inst.waitfornet); going on"
    assert "no network connectivity (no default route) after 5 s; going on" in caplog.text


def test_connected_already_asks_nothing(tmp_path):
    said = []
    paths = routes(tmp_path, DEFAULT)
    assert wait_for_network(5, said.append, *paths, sleep=lambda s: 1 / 0, clock=lambda: 0.0)
    assert said == []
