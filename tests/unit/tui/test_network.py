"""The network & host name spoke at 80x24 over a real hub: interfaces from a sysfs tree
(and the host's real /sys/class/net), a static address set per interface, errors naming
the interface and field, the host name checked, and the `network` lines it writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.ui.network import list_interfaces
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.network import NetworkSpoke
from tests.unit.test_interactive_validation import make_nic
from tests.unit.tui.driver import Driver


@pytest.fixture
def lister(tmp_path):
    net = tmp_path / "net"
    make_nic(net, "lo", "00:00:00:00:00:00", True, hardware=False)
    make_nic(net, "enp9s9", "52:54:00:aa:bb:01", True)
    make_nic(net, "enp9s10", "52:54:00:aa:bb:02", False)
    (tmp_path / "if_inet6").write_text(
        "fd000000000000000000000000000009 04 40 00 80 enp9s9\n")
    return lambda: list_interfaces(net, tmp_path / "if_inet6")


def session_for(kickstart: str | None = None, boot: str = ""):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(boot), log_dir=None, loaded=loaded)


def with_hub(session, spoke) -> Driver:
    app = TuiApp(session)
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    return Driver(app)


def network_lines(session) -> list[str]:
    return [line for line in str(session.handler).splitlines() if line.startswith("network")]


def test_static_address_and_host_name_into_the_kickstart(lister):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(lister))
    drive.assert_shows("1) [x] Network & host name", "Wired (enp9s9) connected")
    shown = drive.press("1").assert_shows(
        "Host name:", "Interfaces (Enter to configure)",
        "enp9s10    disconnected  -                    DHCP",
        "enp9s9     connected     fd00::9/64           DHCP")
    assert len(shown.splitlines()) == 24
    drive.type("web01.example.com")
    drive.press("down", "down", "enter").assert_shows(
        "Wired interface enp9s9 (52:54:00:aa:bb:01), connected, now: fd00::9/64",
        "(X) DHCP  ( ) Static", "[X] Connect automatically after reboot")
    drive.press("right", " ", "down").type("10.0.0.20/24")
    drive.press("down").type("10.0.0.1").press("down").type("10.0.0.53, 9.9.9.9")
    drive.press("esc").assert_shows("static 10.0.0.20/24", "Host name:            web01")
    assert network_lines(session) == []  # written when the spoke is left
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    drive.assert_shows("Wired (enp9s9) connected")
    assert network_lines(session) == [  # the host name on the first interface's line
        "network  --bootproto=dhcp --device=enp9s10 --hostname=web01.example.com --onboot=off "
        "--ipv6=auto",
        "network  --bootproto=static --device=enp9s9 --gateway=10.0.0.1 "
        "--ip=10.0.0.20 --nameserver=10.0.0.53,9.9.9.9 --netmask=255.255.255.0 --ipv6=auto "
        "--activate"]


def test_bad_values_are_named_and_keep_the_person_here(lister):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(lister))
    drive.press("1", "down", "down", "enter", "right", " ")
    drive.press("esc").assert_shows("enp9s9: Address: enter the address with its prefix")
    drive.press("down").type("10.0.0.20").press("down").type("10.9.0.1").press("down").type("dns")
    drive.press("esc").assert_shows("enp9s9: Address: '10.0.0.20' needs a prefix",
                                    "enp9s9: DNS servers: 'dns' is not an IP address")
    drive.press("up", "up", "end").type("/16")
    drive.press("esc").assert_shows(
        "enp9s9: Gateway: 10.9.0.1 is not in the interface's network 10.0.0.0/16.",
        "enp9s9: DNS servers: 'dns'")
    shown = drive.press("backspace", "backspace").type("8").press("esc").screen()
    assert "Gateway:" in shown and "is not in" not in shown and "DNS servers: 'dns'" in shown
    drive.press("down", "down", *["backspace"] * 3, "esc").assert_shows("static 10.0.0.20/8")
    drive.press("up", "up").type("bad_name.example").press("esc")
    drive.assert_shows("Host name: 'bad_name' is not accepted. Use letters, digits and '-'")
    assert isinstance(drive.app.current, NetworkSpoke) and network_lines(session) == []
    drive.press(*["backspace"] * 16).type("good-name").press("esc")
    assert isinstance(drive.app.current, Hub)
    first, second = network_lines(session)
    assert "--device=enp9s10 --hostname=good-name" in first
    assert "--ip=10.0.0.20 --netmask=255.0.0.0" in second and "--nameserver" not in second


def test_kickstart_lines_prefill_and_stay_in_place(lister):
    session = session_for("network --hostname=ks.example\n"
                          "network --device=enp9s10 --bootproto=static --ip=192.168.7.7 "
                          "--netmask=255.255.255.0 --gateway=192.168.7.1\n")
    drive = with_hub(session, NetworkSpoke(lister))
    drive.press("1").assert_shows("Host name:            ks.example",
                                  "enp9s10    disconnected  -                    static "
                                  "192.168.7.7/24")
    drive.press("down", "enter").assert_shows("(X) Static", "192.168.7.7/24", "192.168.7.1")
    drive.press("left", " ", "esc").press("esc")  # enp9s10 to DHCP, saved
    assert network_lines(session) == [
        "network  --bootproto=dhcp --hostname=ks.example",
        "network  --bootproto=dhcp --device=enp9s10",
        "network  --bootproto=dhcp --device=enp9s9 --ipv6=auto --activate"]


def test_interfaces_of_this_host_are_listed():
    """The default lister reads the real /sys/class/net: no lo, every hardware device."""
    session = session_for()
    drive = with_hub(session, NetworkSpoke())
    shown = drive.press("1").screen()
    assert "lo " not in shown
    names = sorted(p.name for p in Path("/sys/class/net").iterdir()
                   if (p / "device").exists() and p.name != "lo")
    for name in names:
        assert f"   {name} " in shown
    if not names:
        assert "No network interface was found on this machine." in shown


def test_no_interfaces_and_help(tmp_path):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(lambda: list_interfaces(tmp_path / "none")))
    drive.assert_shows("Network & host name", "Not connected")
    drive.press("1").assert_shows("No network interface was found on this machine.")
    drive.press("f1").assert_shows("Help", "Address/prefix such as 192.168.1.10/24")
