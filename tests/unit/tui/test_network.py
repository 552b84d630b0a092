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
    drive.press("down").type("10.0.0.1").press(*["down"] * 4).type("10.0.0.53, 9.9.9.9")
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
    drive.press("down").type("10.0.0.20").press("down").type("10.9.0.1")
    drive.press(*["down"] * 4).type("dns")
    drive.press("esc").assert_shows("enp9s9: Address: '10.0.0.20' needs a prefix",
                                    "enp9s9: DNS servers: 'dns' is not an IP address")
    drive.press(*["up"] * 5, "end").type("/16")
    drive.press("esc").assert_shows(
        "enp9s9: Gateway: 10.9.0.1 is not in the interface's network 10.0.0.0/16.",
        "enp9s9: DNS servers: 'dns'")
    shown = drive.press("backspace", "backspace").type("8").press("esc").screen()
    assert "Gateway:" in shown and "is not in" not in shown and "DNS servers: 'dns'" in shown
    drive.press(*["down"] * 5, *["backspace"] * 3, "esc").assert_shows("static 10.0.0.20/8")
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
    drive.press("f1").assert_shows("Help", "(192.168.1.10/24 and a gateway)", "a VLAN (id 1-4094",
                                   "`network` lines.", "< OK >")  # all of it fits


@pytest.fixture
def three(tmp_path):
    """ens3 and ens4 with link, ens5 without: room for a bond and a bridge."""
    net = tmp_path / "net3"
    for number, carrier in ((3, True), (4, True), (5, False)):
        make_nic(net, f"ens{number}", f"52:54:00:aa:bb:0{number}", carrier)
    (tmp_path / "if_inet6").write_text("")
    return lambda: list_interfaces(net, tmp_path / "if_inet6")


def test_bond_vlan_and_bridge_over_the_listed_interfaces(three):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(three))
    drive.press("1").assert_shows("Bonds, VLANs and bridges", "Add a bond", "Add a VLAN",
                                  "Add a bridge")
    drive.press(*["down"] * 4, "enter").assert_shows(
        "New bond", "[ ] ens3      [ ] ens4      [ ] ens5", "(X) active-backup",
        "Esc Check and back to the list")
    drive.type("bond0").press("down", " ", "right", " ")  # ports ens3 and ens4
    drive.press("down", "left", "down", "right", " ")  # mode 802.3ad
    drive.press("down", "down").type("miimon=100,lacp_rate=fast")
    drive.press("down", "left", "left", "right", " ")  # IPv4 static
    drive.press("down").type("192.0.2.10/24").press("down").type("192.0.2.1")
    drive.press(*["down"] * 4).type("192.0.2.53").press("down").type("example.com lab.example.com")
    drive.assert_shows("[X] ens3      [X] ens4      [ ] ens5", "(X) 802.3ad")
    drive.press("esc").assert_shows(
        "ens3       connected     -                    port of bond0",
        "ens4       connected     -                    port of bond0",
        "ens5       disconnected  -                    DHCP",
        "bond0        bond of ens3,ens4          static 192.0.2.10/24")
    # a VLAN on the bond, with a static IPv6 address and no IPv4
    drive.press("down", "down", "enter").assert_shows(
        "New VLAN", "( ) ens3", "( ) ens4", "( ) ens5", "( ) bond0")
    drive.press("down", " ").assert_shows("(X) bond0")  # the grid's 2nd row
    drive.press("down").type("10")
    drive.press("down", "down", "left", "right", "right", " ")  # IPv4 off
    drive.press(*["down"] * 3, *["left"] * 3, *["right"] * 2, " ")  # IPv6 static
    drive.press("down").type("2001:db8:10::10/64")
    drive.press("down").type("fe80::1").press("down").type("2001:db8::53")
    drive.press("esc").assert_shows("bond0.10     VLAN 10 on bond0           no IPv4, "
                                    "2001:db8:10::10/64")
    # a bridge over the interface left; the bond's ports are marked as taken
    drive.press("down", "down", "down", "enter").assert_shows(
        "New bridge", "[ ] ens3 (in bond0)", "[ ] ens5", "[ ] bond0")
    drive.type("br0").press("down", "down", " ", "down").type("stp=no,forward-delay=2")
    drive.press("esc").assert_shows("br0          bridge of ens5", "port of br0")
    drive.press("up", "up", "up", "up", "up", "up", "up", "up", "up").type("host1")
    drive.press("esc")
    assert isinstance(drive.app.current, Hub), drive.screen()
    assert network_lines(session) == [
        "network  --bootproto=static --device=bond0 --gateway=192.0.2.1 --hostname=host1 "
        "--ip=192.0.2.10 --nameserver=192.0.2.53 --netmask=255.255.255.0 --ipv6=auto "
        "--bondslaves=ens3,ens4 --bondopts=mode=802.3ad,miimon=100,lacp_rate=fast "
        "--ipv4-dns-search=example.com,lab.example.com",
        "network  --bootproto=dhcp --device=bond0 --nameserver=2001:db8::53 --noipv4 "
        "--ipv6=2001:db8:10::10/64 --vlanid=10 --ipv6gateway=fe80::1",
        "network  --bootproto=dhcp --device=br0 --ipv6=auto --bridgeslaves=ens5 "
        "--bridgeopts=stp=no,forward-delay=2"]


def test_bad_device_settings_name_the_field_and_what_is_accepted(three):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(three))
    drive.press("1", *["down"] * 4, "enter", "esc").assert_shows(
        "New bond: Name: enter the device's name, such as bond0.",
        "New bond: Ports: tick at least one interface for the bond.")
    drive.type("ens3").press("down", " ", *["down"] * 4).type("miimon=100,fast=1")
    drive.press("esc").assert_shows("ens3: Name: ens3 is already the name of another device.")
    drive.press(*["up"] * 5, "end", *["backspace"] * 4).type("bond0")
    drive.press("esc").assert_shows(
        "bond0: Options: --bondopts: fast is not a bonding option; not applied")
    drive.press(*["down"] * 5, "end", *["backspace"] * 7, "esc")
    drive.assert_shows("bond0        bond of ens3               DHCP")
    drive.press("down", "down", "enter", " ", "down", "down").type("5000")  # VLAN on ens3
    drive.press(*["down"] * 5, *["left"] * 3, "right", "right", " ", "down").type("2001:db8::zz/64")
    drive.press(*["down"] * 3).type("lab..example")
    drive.press("esc").assert_shows(
        "ens3.5000: VLAN id: --vlanid=5000: expected a VLAN id from 1 to 4094",
        "ens3.5000: IPv6 address: --ipv6=2001:db8::zz/64: expected auto, dhcp or an",
        "IPv6 address with an optional prefix (2001:db8::10/64)",
        "ens3.5000: Search domains: 'lab..example' is not a domain name.")
    assert isinstance(drive.app.current, NetworkSpoke) and network_lines(session) == []
    drive.press("esc", "esc")  # still there: nothing was taken
    assert drive.app.current.editor is not None


def test_a_bridge_option_and_a_port_taken_twice(three):
    session = session_for("network --device=bond0 --bondslaves=ens3,ens4 --bootproto=dhcp\n")
    drive = with_hub(session, NetworkSpoke(three))
    drive.press("1").assert_shows("bond0        bond of ens3,ens4          DHCP")
    drive.press(*["down"] * 7, "enter").assert_shows("[ ] ens3 (in bond0)")
    drive.type("br0").press("down", " ", "down", "down").type("stp=maybe")
    drive.press("esc").assert_shows(
        "br0: Options: --bridgeopts: stp=maybe: expected yes or no",
        "br0: Ports: --bridgeslaves: ens3 is a port of bond0 already")


PREFILL = """\
network --device=bond0 --bondslaves=ens3,ens4 --bondopts=mode=1,miimon=100 --bootproto=dhcp --hostname=ks.example
network --device=bond0 --vlanid=10 --bootproto=static --ip=198.51.100.10/24 --ipv6=2001:db8:10::10/64
network --device=br0 --bridgeslaves=ens9 --bridgeopts=stp=no --bootproto=dhcp --nameserver=192.0.2.53 --ipv4-dns-search=example.com
network --device=team0 --teamslaves=ens6,ens7 --bootproto=dhcp
network --device=ens5 --bootproto=dhcp --ipv6=dhcp --noipv4
"""


def test_kickstart_devices_prefill_edit_in_place_and_remove(three):
    session = session_for(PREFILL)
    drive = with_hub(session, NetworkSpoke(three))
    drive.press("1").assert_shows(
        "Host name:            ks.example",
        "ens3       connected     -                    port of bond0",
        "ens5       disconnected  -                    no IPv4, DHCPv6",
        "bond0        bond of ens3,ens4          DHCP",
        "bond0.10     VLAN 10 on bond0           static 198.51.100.10/24, 2001:db8:1…",
        "br0          bridge of ens9             DHCP",
        "team0 (team): kept as the kickstart gives it")
    drive.press("down", "enter").assert_shows(
        "ens3 is a port of bond0: its addresses are bond0's.")
    drive.press(*["down"] * 2, "enter").assert_shows(  # ens5
        "( ) DHCP  ( ) Static  (X) Off", "( ) Automatic  (X) DHCPv6")
    drive.press("esc", "down", "enter").assert_shows(  # bond0: mode 1 is active-backup
        "Bond bond0", "[X] ens3      [X] ens4      [ ] ens5", "(X) active-backup", "miimon=100")
    drive.press(*["up"] * 2, "end").type("1").press("esc")  # renamed bond01
    drive.assert_shows("bond01       bond of ens3,ens4", "bond01.10    VLAN 10 on bond01",
                       "port of bond01")
    drive.press("delete").assert_shows("bond01 is used by bond01.10: remove or change that "
                                       "first.")
    drive.press("down", "down", "delete").assert_shows("Remove br0 (bridge of ens9)?")
    drive.press("enter")
    shown = drive.screen()
    assert "br0 " not in shown and "Remove device" not in shown
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    assert network_lines(session) == [
        "network  --bootproto=dhcp --device=bond01 --hostname=ks.example "
        "--bondslaves=ens3,ens4 --bondopts=mode=active-backup,miimon=100",
        "network  --bootproto=static --device=bond01 --ip=198.51.100.10 "
        "--netmask=255.255.255.0 --ipv6=2001:db8:10::10/64 --vlanid=10",
        'network  --bootproto=dhcp --device=team0 --teamslaves="ens6,ens7"',  # as it was
        "network  --bootproto=dhcp --device=ens5 --noipv4 --ipv6=dhcp"]


def test_static_ipv6_dns_and_search_domains_on_an_interface(lister):
    session = session_for()
    drive = with_hub(session, NetworkSpoke(lister))
    drive.press("1", "down", "enter").assert_shows(  # enp9s10
        "IPv6 method:          (X) Automatic  ( ) DHCPv6  ( ) Static  ( ) Off",
        "IPv6 address/prefix:", "IPv6 gateway:", "DNS servers:", "Search domains:")
    drive.press(*["down"] * 3, "right", "right", " ", "down").type("2001:db8::7")
    drive.press("down").type("2001:db8::1").press("down").type("2001:db8::53")
    drive.press("down").type("example.com,-x.example").press("esc")
    drive.assert_shows("enp9s10: IPv6 address: '2001:db8::7' needs a prefix, such as "
                       "2001:db8::10/64.", "enp9s10: Search domains: '-x.example' is not a "
                       "domain name.")
    drive.press(*["backspace"] * 11, "up", "up", "up", "end").type("/64").press("esc")
    drive.assert_shows("enp9s10    disconnected  -                    DHCP, 2001:db8::7/64")
    drive.press("esc")
    assert network_lines(session)[0] == (
        "network  --bootproto=dhcp --device=enp9s10 --nameserver=2001:db8::53 --onboot=off "
        "--ipv6=2001:db8::7/64 --ipv6gateway=2001:db8::1 --ipv4-dns-search=example.com")
