"""The network spoke's model without urwid (installer/ui/network*.py): address settings
to and from `network` lines, bonds, VLANs and bridges read from the kickstart the host
test installs, the kickstart's own checks behind the spoke's messages, and what the spoke
writes passing those checks unchanged."""
from __future__ import annotations

import pytest

from installer.kickstart.checks.findings import Findings
from installer.kickstart.checks.network import check_network
from installer.kickstart.load import LoadedKickstart, parse
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler
from installer.ui.network import Interface, InterfaceConfig, read_state, write_state
from installer.ui.network_ip import IpConfig, field_named, search_problem
from installer.ui.network_virtual import VirtualConfig, is_virtual

NICS = [Interface("ens3", "52:54:00:00:00:03", "Wired", True),
        Interface("ens4", "52:54:00:00:00:04", "Wired", True),
        Interface("ens5", "52:54:00:00:00:05", "Wired", False)]
#: the host test's kickstart (tests/host/test_network_dirinstall.py), as the spoke meets it
NETWORK = """\
network --device=bond0 --bondslaves=ens3,ens4 --bondopts=mode=active-backup,miimon=100,primary=ens3 --bootproto=static --ip=192.0.2.10/24 --gateway=192.0.2.1 --nameserver=192.0.2.53
network --device=bond0 --vlanid=10 --bootproto=static --ip=198.51.100.10/24 --ipv6=2001:db8:10::10/64
network --device=br0 --bridgeslaves=ens5 --bridgeopts=stp=no,forward-delay=2 --bootproto=dhcp --nodns
network --device=team0 --teamslaves=ens6,ens7 --teamconfig='{"runner": {"name": "activebackup"}}' --bootproto=dhcp
"""


def loaded(text: str):
    return parse([("ks.cfg", text)], None, Reader())


def findings_of(handler) -> Findings:
    found = Findings()
    check_network(LoadedKickstart(handler=handler, sources=[]), found)
    return found


@pytest.mark.parametrize("message, expected", [
    ("network --device=bond0 --vlanid=4095: expected a VLAN id from 1 to 4094",
     ("bond0", "VLAN id: --vlanid=4095: expected a VLAN id from 1 to 4094")),
    ("network --device=e --ipv6gateway=x: not an IPv6 address",
     ("e", "IPv6 gateway: --ipv6gateway=x: not an IPv6 address")),
    ("network --device=e --ipv6=x: expected auto", ("e", "IPv6 address: --ipv6=x: expected auto")),
    ("network --device=br0 --bridgeopts: bogus is not a bridge option",
     ("br0", "Options: --bridgeopts: bogus is not a bridge option")),
    ("network --device=v --vlanid=10: v.10 is too long; name it with --interfacename",
     ("v", "Name: --vlanid=10: v.10 is too long; name it with --interfacename")),
    ("network --vlanid=3 needs --device=PARENT", ("", "VLAN id: --vlanid=3 needs --device=PARENT")),
])
def test_kickstart_messages_are_led_by_the_spoke_field(message, expected):
    assert field_named(message) == expected


def test_address_settings_round_trip_through_a_network_line():
    handler = make_handler()
    config = IpConfig(method="static", address="10.0.0.5/24", gateway="10.0.0.1",
                      method6="static", address6="2001:db8::5/64", gateway6="fe80::1",
                      dns="10.0.0.53 2001:db8::53", search="example.com, lab.example.com")
    data = handler.NetworkData(device="ens3")
    config.write_ip(data)
    assert str(data).strip() == (
        "network  --bootproto=static --device=ens3 --gateway=10.0.0.1 --ip=10.0.0.5 "
        "--nameserver=10.0.0.53,2001:db8::53 --netmask=255.255.255.0 --ipv6=2001:db8::5/64 "
        "--ipv6gateway=fe80::1 --ipv4-dns-search=example.com,lab.example.com")
    again = IpConfig()
    again.read_ip(data)
    assert (again.method, again.address, again.method6, again.address6, again.gateway6,
            again.dns, again.search) == ("static", "10.0.0.5/24", "static", "2001:db8::5/64",
                                         "fe80::1", "10.0.0.53, 2001:db8::53",
                                         "example.com, lab.example.com")
    again.method, again.method6 = "off", "off"
    again.write_ip(data)
    assert "--noipv4" in str(data) and "--noipv6" in str(data) and "--ip=" not in str(data)


def test_search_domains_split_between_ipv4_and_ipv6_stay_unless_changed():
    data = loaded("network --device=ens3 --ipv4-dns-search=a.example "
                  "--ipv6-dns-search=b.example\n").handler.network.network[0]
    config = IpConfig()
    config.read_ip(data)
    assert config.search == "a.example, b.example"
    config.write_ip(data)
    assert (data.ipv4_dns_search, data.ipv6_dns_search) == ("a.example", "b.example")
    config.search = "c.example"
    config.write_ip(data)
    assert (data.ipv4_dns_search, data.ipv6_dns_search) == ("c.example", "")
    assert search_problem("example.com lab-1.example.com") is None
    assert search_problem("-bad.example").startswith("Search domains: '-bad.example' is not")


def test_the_host_tests_kickstart_reads_and_writes_back_without_new_findings():
    handler = loaded(NETWORK).handler
    before = [str(d) for d in handler.network.network]
    state = read_state(handler, NICS)
    bond, vlan, bridge = state.virtuals
    assert (bond.kind, bond.name, bond.ports, bond.mode, bond.options) == (
        "bond", "bond0", ["ens3", "ens4"], "active-backup", "miimon=100,primary=ens3")
    assert (bond.method, bond.address, bond.gateway, bond.dns) == (
        "static", "192.0.2.10/24", "192.0.2.1", "192.0.2.53")
    assert (vlan.kind, vlan.parent, vlan.vlan_id, vlan.device, vlan.address6) == (
        "vlan", "bond0", "10", "bond0.10", "2001:db8:10::10/64")
    assert (bridge.ports, bridge.options) == (["ens5"], "stp=no,forward-delay=2")
    assert [d.device for d in state.kept] == ["team0"]
    assert [state.port_of(n.name) for n in NICS] == ["bond0", "bond0", "br0"]
    assert state.problems() == []
    write_state(handler, state)
    after = [str(d) for d in handler.network.network]
    assert len(after) == 4 and after[3] == before[3]  # the team line as it was
    assert "--bondopts=mode=active-backup,miimon=100,primary=ens3" in after[0]
    assert "--nodns" in after[2]  # an option the spoke does not show stays
    found = findings_of(handler)
    assert found.errors == [] and [w for _, w in found.warnings if "team" not in w] == []


def test_what_the_spoke_accepts_the_kickstart_checks_accept():
    handler = make_handler()
    state = read_state(handler, NICS)
    state.virtuals = [
        VirtualConfig(kind="bond", name="bond0", ports=["ens3", "ens4"], mode="802.3ad",
                      options="miimon=100,lacp_rate=fast", method="off"),
        VirtualConfig(kind="vlan", parent="bond0", vlan_id="20", name="vlan20",
                      method="static", address="192.0.2.20/24", method6="dhcp"),
        VirtualConfig(kind="bridge", name="br0", ports=["ens5"], options="stp=yes,priority=100")]
    assert state.problems() == []
    write_state(handler, state)
    entries = handler.network.network
    # every interface is a port here: none gets a line of its own
    assert [(d.device, is_virtual(d)) for d in entries] == [
        ("bond0", True), ("bond0", True), ("br0", True)]
    assert "--vlanid=20 --interfacename=vlan20" in str(entries[1])
    assert findings_of(handler).errors == [] and findings_of(handler).warnings == []


def test_form_problems_come_before_the_kickstart_checks():
    state = read_state(make_handler(), NICS)
    bond = VirtualConfig(kind="bond", name="bond0", ports=["ens3"], options="mode=4")
    assert state.virtual_problems(bond) == ["bond0: Options: choose the mode under Mode, not here."]
    state.virtuals.append(VirtualConfig(kind="bond", name="bond1", ports=["ens3"]))
    bond.options = ""
    assert state.virtual_problems(bond) == [
        "bond0: Ports: --bondslaves: ens3 is a port of bond1 already"]
    vlan = VirtualConfig(kind="vlan", parent="ens3", vlan_id="12345678901234")
    assert state.virtual_problems(vlan) == [
        "ens3.12345678901234: VLAN id: --vlanid=12345678901234: expected a VLAN id from 1 to 4094"]
    assert state.users_of("bond1") == [] and state.users_of("ens3") == ["bond1"]
    state.virtuals.append(VirtualConfig(kind="vlan", parent="bond1", vlan_id="5"))
    state.rename("bond1", "bond9")
    assert state.virtuals[-1].device == "bond9.5"


def test_an_interface_config_keeps_its_keyword_form():
    config = InterfaceConfig("ens3", method="static", address="10.0.0.2/24", method6="static",
                             address6="2001:db8::2")
    assert config.problems() == [
        "ens3: IPv6 address: '2001:db8::2' needs a prefix, such as 2001:db8::10/64."]
