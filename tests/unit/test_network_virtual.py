"""Bonds, teams, bridges and VLANs of the installed system: `network` commands parsed with
real pykickstart and rendered as NetworkManager keyfiles and systemd-networkd
.netdev/.network text; the installer's own bond=/vlan=/bridge=/team=/ifname=/nameserver=
carried over; the checks that refuse what cannot work, with the line."""
from __future__ import annotations

import configparser
import json
import logging
from pathlib import Path

import pytest

from installer.bootopts.options import parse_cmdline
from installer.configure import netboot, netfiles, network
from installer.configure.target import Target
from installer.kickstart.checks import collect
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader

UUID = "0b1c5e2a-9d7f-4c61-9a0e-3f4e5d6c7b8a"
NICS = [network.Nic("ens3", "52:54:00:00:00:03", True), network.Nic("ens4", "52:54:00:00:00:04", True)]


def conns(tmp_path: Path, text: str, boot: str = "", nics=NICS) -> list[netfiles.Connection]:
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    loaded = parse([(str(ks), text)], None, Reader())
    return network.connections(loaded.handler, Target(tmp_path, loaded.commands_seen),
                               parse_cmdline(boot), list(nics))


def by_label(found) -> dict[str, netfiles.Connection]:
    return {c.label: c for c in found}


def ini(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read_string(text)
    return {name: dict(parser[name]) for name in parser.sections()}


def networkd_files(found) -> dict[str, str]:
    """name -> text as write_networkd would name them (teams already dropped)."""
    files = {}
    for conn in network.networkd_connections(found):
        device = netfiles.netdev(conn)
        if device:
            files[f"{conn.label}.netdev"] = device
        files[f"{conn.label}.network"] = netfiles.networkd(conn)
    return files


def body(text: str) -> str:
    """The file without its `# From` comment line."""
    return text.split("\n", 1)[1]


BOND = ("network --device=bond0 --bondslaves=ens3,ens4 --bondopts=mode=active-backup,primary=ens3,"
        "miimon=100 --bootproto=static --ip=192.0.2.10/24 --gateway=192.0.2.1 "
        "--nameserver=192.0.2.53 --mtu=9000\n")


def test_bond_keyfiles(tmp_path):
    found = by_label(conns(tmp_path, BOND))
    assert list(found) == ["bond0", "bond0-ens3", "bond0-ens4"]
    bond = ini(netfiles.keyfile(found["bond0"], UUID))
    assert bond["connection"] == {"id": "bond0", "uuid": UUID, "type": "bond",
                                  "interface-name": "bond0"}
    assert bond["bond"] == {"mode": "active-backup", "primary": "ens3", "miimon": "100"}
    assert bond["ethernet"] == {"mtu": "9000"}
    assert bond["ipv4"] == {"method": "manual", "address1": "192.0.2.10/24",
                            "gateway": "192.0.2.1", "dns": "192.0.2.53;"}
    port = ini(netfiles.keyfile(found["bond0-ens4"], UUID))
    assert port == {"connection": {"id": "bond0-ens4", "uuid": UUID, "type": "ethernet",
                                   "interface-name": "ens4", "master": "bond0",
                                   "slave-type": "bond"}}


def test_bond_networkd(tmp_path):
    files = networkd_files(conns(tmp_path, BOND))
    assert sorted(files) == ["bond0-ens3.network", "bond0-ens4.network", "bond0.netdev",
                             "bond0.network"]
    assert body(files["bond0.netdev"]) == (
        "[NetDev]\nName=bond0\nKind=bond\n\n[Bond]\nMode=active-backup\nMIIMonitorSec=100ms\n")
    assert body(files["bond0.network"]) == (
        "[Match]\nName=bond0\n\n[Link]\nMTUBytes=9000\n\n[Network]\nAddress=192.0.2.10/24\n"
        "Gateway=192.0.2.1\nIPv6AcceptRA=yes\nDNS=192.0.2.53\n")
    assert body(files["bond0-ens3.network"]) == (
        "[Match]\nName=ens3\n\n[Network]\nBond=bond0\nPrimarySlave=yes\n")
    assert body(files["bond0-ens4.network"]) == "[Match]\nName=ens4\n\n[Network]\nBond=bond0\n"


def test_vlan_on_a_bond_in_one_line(tmp_path):
    """Anaconda's form: --bondslaves with --vlanid, the bond without addresses."""
    found = by_label(conns(tmp_path, "network --device=bond0 --bondslaves=ens3,ens4 "
                           "--bondopts=mode=802.3ad --vlanid=10 --bootproto=dhcp "
                           "--ipv6=2001:db8::10/64\n"))
    assert list(found) == ["bond0", "bond0.10", "bond0-ens3", "bond0-ens4"]
    bond = ini(netfiles.keyfile(found["bond0"], UUID))
    assert bond["ipv4"] == {"method": "disabled"} and bond["ipv6"] == {"method": "disabled"}
    assert bond["bond"] == {"mode": "802.3ad"}
    vlan = ini(netfiles.keyfile(found["bond0.10"], UUID))
    assert vlan["connection"]["type"] == "vlan" and vlan["vlan"] == {"id": "10", "parent": "bond0"}
    assert vlan["ipv4"] == {"method": "auto"}
    assert vlan["ipv6"] == {"method": "manual", "address1": "2001:db8::10/64"}
    files = networkd_files(list(found.values()))
    assert body(files["bond0.network"]) == (
        "[Match]\nName=bond0\n\n[Network]\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n"
        "VLAN=bond0.10\n")
    assert body(files["bond0.10.netdev"]) == "[NetDev]\nName=bond0.10\nKind=vlan\n\n[VLAN]\nId=10\n"
    assert "DHCP=ipv4\nAddress=2001:db8::10/64\nIPv6AcceptRA=no\n" in files["bond0.10.network"]


def test_vlan_lines_name_and_parent(tmp_path):
    found = by_label(conns(tmp_path, (
        "network --device=ens3 --vlanid=20 --interfacename=vlan20 --bootproto=dhcp\n"
        "network --device=52:54:00:00:00:04 --vlanid=30 --bootproto=dhcp --noipv6\n"
        "network --device=ens3 --bootproto=dhcp\n")))
    assert list(found) == ["vlan20", "ens4.30", "ens3"]
    by_name = ini(netfiles.keyfile(found["vlan20"], UUID))
    assert by_name["vlan"] == {"id": "20", "parent": "ens3"}
    by_mac = ini(netfiles.keyfile(found["ens4.30"], UUID))  # the parent is its MAC
    assert by_mac["vlan"] == {"id": "30"} and by_mac["ethernet"] == {"mac-address": "52:54:00:00:00:04"}
    files = networkd_files(list(found.values()))
    # ens3 has its own line: the VLAN joins it; ens4 has none: a parent file carries it
    assert "DHCP=ipv4\nIPv6AcceptRA=yes\nVLAN=vlan20\n" in files["ens3.network"]
    assert body(files["525400000004.network"]) == (
        "[Match]\nMACAddress=52:54:00:00:00:04\n\n[Network]\nLinkLocalAddressing=no\n"
        "IPv6AcceptRA=no\nVLAN=ens4.30\n")


def test_bridge_over_a_bond_and_its_options(tmp_path):
    found = by_label(conns(tmp_path, (
        "network --device=br0 --bridgeslaves=bond0,ens5 --bridgeopts=stp=no,priority=100,"
        "forward-delay=4 --bootproto=dhcp --nodns\n"
        "network --device=bond0 --bondslaves=ens3,ens4 --bootproto=dhcp\n")))
    assert list(found) == ["br0", "br0-ens5", "bond0", "bond0-ens3", "bond0-ens4"]
    bridge = ini(netfiles.keyfile(found["br0"], UUID))
    assert bridge["bridge"] == {"stp": "false", "priority": "100", "forward-delay": "4"}
    assert bridge["ipv4"] == {"method": "auto", "ignore-auto-dns": "true"}  # --nodns
    bond = ini(netfiles.keyfile(found["bond0"], UUID))  # a bridge port now: no addresses
    assert bond["connection"]["master"] == "br0" and bond["connection"]["slave-type"] == "bridge"
    assert "ipv4" not in bond and bond["bond"] == {"mode": "balance-rr"}
    files = networkd_files(list(found.values()))
    assert body(files["br0.netdev"]) == (
        "[NetDev]\nName=br0\nKind=bridge\n\n[Bridge]\nSTP=no\nPriority=100\nForwardDelaySec=4\n")
    assert body(files["bond0.network"]) == "[Match]\nName=bond0\n\n[Network]\nBridge=br0\n"
    assert "[DHCPv4]\nUseDNS=no\n" in files["br0.network"]


def test_bridge_stp_defaults_to_networkmanagers_on(tmp_path):
    (bridge, _) = conns(tmp_path, "network --device=br0 --bridgeslaves=ens3 --bootproto=dhcp\n")
    assert "[Bridge]\nSTP=yes\n" in netfiles.netdev(bridge)
    assert "bridge" in ini(netfiles.keyfile(bridge, UUID))  # NetworkManager's own default


TEAM = ("network --device=team0 --teamslaves=\"ens3'{\\\"prio\\\": -10}',ens4\" "
        "--teamconfig=\"{\\\"runner\\\": {\\\"name\\\": \\\"activebackup\\\"}}\" --bootproto=dhcp\n")


def test_team_keyfiles(tmp_path):
    team, first, second = conns(tmp_path, TEAM)
    parsed = ini(netfiles.keyfile(team, UUID))
    assert parsed["connection"]["type"] == "team"
    assert json.loads(parsed["team"]["config"]) == {"runner": {"name": "activebackup"}}
    port = ini(netfiles.keyfile(first, UUID))
    assert port["connection"]["slave-type"] == "team"
    assert json.loads(port["team-port"]["config"]) == {"prio": -10}
    assert "team-port" not in ini(netfiles.keyfile(second, UUID))


def test_team_on_networkd_is_warned_and_left_out(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, "anaconda.configure"):
        files = networkd_files(conns(tmp_path, TEAM + BOND))
    assert sorted(files) == ["bond0-ens3.network", "bond0-ens4.network", "bond0.netdev",
                             "bond0.network"]
    assert f"{tmp_path}/ks.cfg:1: network --teamslaves: systemd-networkd has no team" \
        in caplog.text and "needs NetworkManager" in caplog.text


def test_bond_options_networkd_lacks_are_warned(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, "anaconda.configure"):
        files = networkd_files(conns(tmp_path, "network --device=bond0 --bondslaves=ens3 "
                                     "--bondopts=mode=1;arp_ip_target=192.0.2.1,192.0.2.2;"
                                     "use_carrier=1;lacp_rate=1 --bootproto=dhcp\n"))
    assert body(files["bond0.netdev"]).endswith(
        "[Bond]\nMode=active-backup\nARPIPTargets=192.0.2.1 192.0.2.2\nLACPTransmitRate=fast\n")
    assert "ks.cfg:1: network --bondopts: systemd-networkd has no setting for use_carrier" \
        in caplog.text


def test_bindto_mac(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, "anaconda.configure"):
        found = by_label(conns(tmp_path, (
            "network --device=ens3 --bindto=mac --bootproto=dhcp\n"
            "network --device=bond0 --bondslaves=ens4,ens9 --bindto=mac --bootproto=dhcp\n")))
    plain = found["ens3"]
    assert (plain.match_name, plain.match_mac) == ("", "52:54:00:00:00:03")
    assert "interface-name" not in ini(netfiles.keyfile(plain, UUID))["connection"]
    port = found["bond0-ens4"]
    assert ini(netfiles.keyfile(port, UUID))["ethernet"] == {"mac-address": "52:54:00:00:00:04"}
    assert "[Match]\nPermanentMACAddress=52:54:00:00:00:04\n" in netfiles.networkd(port)
    assert found["bond0-ens9"].match_name == "ens9"  # no such device here: by name
    assert "--bindto=mac: this machine has no device ens9" in caplog.text


def test_dhcp_class_and_ipv6_modes(tmp_path):
    dhcp, auto = conns(tmp_path, (
        "network --device=ens3 --bootproto=dhcp --dhcpclass=lab-class --ipv6=dhcp\n"
        "network --device=ens4 --bootproto=dhcp --ipv6=auto\n"))
    parsed = ini(netfiles.keyfile(dhcp, UUID))
    assert parsed["ipv4"]["dhcp-vendor-class-identifier"] == "lab-class"
    assert parsed["ipv6"] == {"method": "dhcp"}
    assert "DHCP=yes\n" in netfiles.networkd(dhcp)
    assert "[DHCPv4]\nVendorClassIdentifier=lab-class\n" in netfiles.networkd(dhcp)
    assert ini(netfiles.keyfile(auto, UUID))["ipv6"] == {"method": "auto"}
    assert "DHCP=ipv4\nIPv6AcceptRA=yes\n" in netfiles.networkd(auto)


# --- the installer's own network, carried over

INSTALLER_NICS = [network.Nic("eth0", "52:54:00:00:00:01", True),
                  network.Nic("eth1", "52:54:00:00:00:02", True)]
BOOT = ("bond=bond0:eth0,eth1:mode=active-backup,miimon=100 vlan=vlan5:bond0 "
        "ip=192.0.2.5::192.0.2.1:255.255.255.0:host:vlan5:none nameserver=192.0.2.53")


def test_boot_bond_and_vlan_are_carried(tmp_path):
    found = by_label(conns(tmp_path, "lang en_US.UTF-8\n", BOOT, INSTALLER_NICS))
    assert list(found) == ["bond0", "bond0-eth0", "bond0-eth1", "vlan5"]
    bond, vlan = found["bond0"], found["vlan5"]
    assert (bond.kind, bond.ipv4, bond.ipv6, bond.origin) == (
        "bond", "disabled", "disabled", "boot option bond=bond0")
    assert bond.bond_options == [("mode", "active-backup"), ("miimon", "100")]
    port = found["bond0-eth0"]  # the installer's name: matched by the MAC it saw
    assert (port.match_name, port.match_mac, port.controller) == ("", "52:54:00:00:00:01", "bond0")
    assert (vlan.kind, vlan.vlan_id, vlan.parent) == ("vlan", 5, "bond0")
    assert (vlan.address4, vlan.gateway4, vlan.dns) == ("192.0.2.5/24", "192.0.2.1", ["192.0.2.53"])
    files = networkd_files(list(found.values()))
    assert "VLAN=vlan5\n" in files["bond0.network"]
    assert "[Match]\nPermanentMACAddress=52:54:00:00:00:02\n" in files["bond0-eth1.network"]


def test_boot_devices_the_kickstart_configures_are_not_carried(tmp_path):
    found = by_label(conns(tmp_path, BOND.replace("ens3,ens4", "eth0,eth1"), BOOT, INSTALLER_NICS))
    # the kickstart's bond0 wins, with its ports; the VLAN on it is still the installer's
    assert list(found) == ["bond0", "bond0-eth0", "bond0-eth1", "vlan5"]
    assert found["bond0"].origin.endswith("ks.cfg:1") and found["vlan5"].parent == "bond0"
    assert found["bond0-eth0"].origin.endswith("ks.cfg:1")


def test_boot_top_device_gets_bare_ip_and_dhcp_by_default(tmp_path):
    (bridge, port) = conns(tmp_path, "lang en_US.UTF-8\n", "bridge=br0:eth0", INSTALLER_NICS)
    assert (bridge.kind, bridge.ipv4, port.controller, port.port_type) == ("bridge", "dhcp", "br0", "bridge")
    team, *_ = conns(tmp_path, "lang en_US.UTF-8\n", "team=team0:eth0,eth1:lacp ip=dhcp6",
                     INSTALLER_NICS)
    assert json.loads(team.team_config) == {"runner": {"name": "lacp"}}
    assert (team.ipv4, team.ipv6) == ("disabled", "dhcp")


def test_ifname_names_the_device_on_the_target(tmp_path):
    boot = parse_cmdline("ifname=lan0:52:54:00:00:00:01 ip=lan0:dhcp nameserver=[2001:db8::53]")
    nics = [network.Nic("lan0", "52:54:00:00:00:01", True)]
    (conn,) = netboot.boot_connections(boot, nics, [])
    assert (conn.match_name, conn.match_mac, conn.dns) == ("lan0", "", ["2001:db8::53"])
    target = Target(tmp_path)
    netboot.write_link_files(target, boot)
    assert (tmp_path / "etc/systemd/network/10-anaconda-ifname-lan0.link").read_text() == (
        "# From boot option ifname=lan0:52:54:00:00:00:01\n"
        "[Match]\nMACAddress=52:54:00:00:00:01\n\n[Link]\nName=lan0\n")


# --- boot option values

@pytest.mark.parametrize("word, message", [
    ("bond=", "expected NAME[:PORTS[:OPTIONS[:MTU]]]"),
    ("bond=bond0:eth0:mode=fast", "bond mode 'fast' is not one of"),
    ("bond=bond0:eth0:speed=10", "'speed' is not a bonding option"),
    ("bond=bond0:eth0,eth0", "a bond port is named twice"),
    ("bond=bond0:eth0:mode=1:20", "MTU '20'"),
    ("vlan=eth0:eth1", "carries no id"),
    ("vlan=eth0.4095:eth0", "VLAN id 4095"),
    ("vlan=vlan5", "expected NAME:PARENT"),
    ("bridge=br0", "expected NAME:PORT"),
    ("team=team0:eth0:fast", "team runner 'fast'"),
    ("ifname=lan0:zz", "expected NAME:MAC"),
    ("nameserver=dns.example", "name server 'dns.example'"),
])
def test_bad_network_boot_options_name_the_option(word, message):
    from installer.errors import BootOptionError
    with pytest.raises(BootOptionError) as err:
        parse_cmdline(word)
    assert str(err.value).startswith(word) and message in str(err.value)


# --- checks before anything is written

def findings(text: str):
    found = collect(parse([("ks.cfg", "lang en_US.UTF-8\n" + text)], None, Reader()))
    return ([f"{w}: {m}" for w, m in found.errors], [f"{w}: {m}" for w, m in found.warnings])


@pytest.mark.parametrize("line, message", [
    ("network --device=bond0 --bondslaves=ens3,,ens4", "'' is not an interface name"),
    ("network --device=bond0 --bondslaves=ens3,ens3", "ens3 is named twice"),
    ("network --device=bond0 --bondslaves=bond0", "cannot be a port of itself"),
    ("network --device=52:54:00:00:00:01 --bondslaves=ens3", "--device must name the new device"),
    ("network --bridgeslaves=ens3", "--device must name the new device"),
    ("network --device=x --bondslaves=ens3 --bridgeslaves=ens4", "--bondslaves and --bridgeslaves"),
    ("network --device=br0 --bridgeslaves=ens3 --vlanid=5", "--vlanid with --bridgeslaves"),
    ("network --device=ens3 --vlanid=0", "--vlanid=0: expected a VLAN id from 1 to 4094"),
    ("network --device=ens3 --vlanid=4095", "--vlanid=4095"),
    ("network --device=ens3 --vlanid=ten", "--vlanid=ten"),
    ("network --vlanid=5", "needs --device=PARENT"),
    ("network --device=enp0s20f0u1u2 --vlanid=100", "longer than the 15 characters"),
    ("network --device=bond0 --bondslaves=ens3 --bondopts=mode=fast", "bond mode 'fast'"),
    ("network --device=bond0 --bondslaves=ens3 --bondopts=miimon", "is not NAME=VALUE"),
    ("network --device=br0 --bridgeslaves=ens3 --bridgeopts=colour=red", "colour is not a bridge option"),
    ("network --device=br0 --bridgeslaves=ens3 --bridgeopts=stp=maybe", "stp=maybe: expected yes or no"),
    ("network --device=team0 --teamslaves=ens3 --teamconfig=runner", "is not a JSON object"),
])
def test_network_mistakes_are_refused_with_the_line(line, message):
    errors, _ = findings(line + "\n")
    assert any(e.startswith("ks.cfg:2: ") and message in e for e in errors), errors


def test_a_port_of_two_devices_is_refused():
    errors, _ = findings("network --device=bond0 --bondslaves=ens3,ens4\n"
                         "network --device=br0 --bridgeslaves=ens4\n")
    assert errors == ["ks.cfg:3: network --device=br0 --bridgeslaves: ens4 is a port of bond0 already"]


@pytest.mark.parametrize("text, message", [
    ("network --device=ens3 --interfacename=vlan7 --bootproto=dhcp\n", "--interfacename=vlan7: only names a VLAN"),
    ("network --device=ens3 --bondopts=mode=1 --bootproto=dhcp\n", "--bondopts: only for a bond"),
    ("network --device=ens3 --teamconfig={} --bootproto=dhcp\n", "--teamconfig: only for a team"),
    ("network --device=bond0 --bondslaves=ens3 --bondopts=mode=1,speed=9\n", "speed is not a bonding option"),
    ("network --device=br0 --bridgeslaves=ens3 --bridgeopts=priority=high\n", "priority=high is not a number"),
    ("network --device=bond0 --bondslaves=ens3\nnetwork --device=ens3 --bootproto=dhcp\n",
     "ens3 is a port of bond0; its own addresses are not used"),
])
def test_network_options_not_applied_are_warned(text, message):
    errors, warnings = findings(text)
    assert errors == [] and any(message in w for w in warnings), warnings


def test_good_virtual_devices_pass():
    team = TEAM.replace("ens3", "ens6").replace("ens4", "ens7")
    errors, warnings = findings(BOND + team + "network --device=bond0 --vlanid=10 --bootproto=dhcp\n"
                                "network --device=br0 --bridgeslaves=ens5 --bridgeopts=stp=yes\n")
    assert errors == [] and not [w for w in warnings if "network" in w], warnings


def test_activate_beyond_the_one_the_installer_brings_up_is_warned():
    _, warnings = findings("network --hostname=h.example.test\n"
                           "network --device=ens3 --bootproto=dhcp --activate\n"
                           "network --device=ens4 --bootproto=dhcp --activate\n")
    assert warnings == ["ks.cfg:4: network --device=ens4 --activate: the installer brings up "
                        "one network command (ks.cfg:3); this one is configured for the "
                        "installed system only"]
    _, warnings = findings("network --device=ens3 --bootproto=dhcp --no-activate\n"
                           "network --device=ens4 --bootproto=dhcp --activate\n")
    assert warnings == []


def test_boot_address_goes_on_the_first_top_device_as_in_the_init(tmp_path):
    """The image's init puts ip= on the first bond, team, bridge or VLAN no other device
    uses (tests/unit/test_init_network.py); the carried configuration agrees."""
    found = by_label(conns(tmp_path, "lang en_US.UTF-8\n", "bridge=br0:bond0 vlan=br0.7:br0 "
                           "bond=bond0:eth0,eth1 vlan=vlan5:eth1 ip=dhcp", INSTALLER_NICS))
    assert (found["br0.7"].ipv4, found["vlan5"].ipv4, found["br0"].ipv4) == ("dhcp", "disabled", "disabled")
    assert (found["bond0"].controller, found["bond0"].port_type) == ("br0", "bridge")
    assert found["vlan5"].parent_mac == "52:54:00:00:00:02"  # eth1, by the MAC the installer saw


def test_ibft_is_refused_before_anything_is_written():
    errors, _ = findings("network --device=ens3 --bootproto=ibft\n")
    assert errors == ["ks.cfg:2: network --device=ens3 --bootproto=ibft: not supported for the "
                      "installed system here; use dhcp or static"]
