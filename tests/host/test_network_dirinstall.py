"""Bonds, VLANs, bridges and teams in the installed system's files, end to end.

A real `anaconda --cmdline --dirinstall` of systemd from the bundled test repository
(Debian's systemd: networkd, no NetworkManager) with a kickstart holding a bond of two
NICs, a VLAN on it, a bridge and a team, plus the installer's own bond=/ifname= boot
options; and the same kickstart on a fake target that has NetworkManager (the bundled
repository has none), written as keyfiles. A wrong VLAN id stops before anything is
written, naming its line."""
from __future__ import annotations

import configparser
import os
import stat

import pytest

from installer.bootopts.options import parse_cmdline
from tests.host.test_configure_dirinstall import SMALL_PACKAGES, anaconda_log, run_anaconda, wants
from tests.host.test_configure_fake_target import configure, fake_root, touch

pytestmark = pytest.mark.host

NETWORK = """\
lang en_US.UTF-8
rootpw --lock
network --device=bond0 --bondslaves=ens3,ens4 --bondopts=mode=active-backup,miimon=100,primary=ens3 --bootproto=static --ip=192.0.2.10/24 --gateway=192.0.2.1 --nameserver=192.0.2.53
network --device=bond0 --vlanid=10 --bootproto=static --ip=198.51.100.10/24 --ipv6=2001:db8:10::10/64
network --device=br0 --bridgeslaves=ens5 --bridgeopts=stp=no,forward-delay=2 --bootproto=dhcp --nodns
network --device=team0 --teamslaves=ens6,ens7 --teamconfig='{"runner": {"name": "activebackup"}}' --bootproto=dhcp
"""
#: the installer's own bond: ports by the names the installer saw (not on this host: by name)
BOOT = "ifname=lan0:52:54:00:aa:bb:cc bond=bond1:lan0,eth9:mode=802.3ad ip=bond1:dhcp"


@pytest.fixture(scope="module")
def networkd_target(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("network")
    outcome, target = run_anaconda(tmp, NETWORK + SMALL_PACKAGES, BOOT)
    assert outcome.code == 0, outcome.text[-3000:]
    return outcome, target, tmp / "ks.cfg"


def files(target, suffixes=(".network", ".netdev", ".link")) -> dict[str, str]:
    directory = target / "etc/systemd/network"
    return {p.name: p.read_text() for p in sorted(directory.iterdir()) if p.suffix in suffixes}


def test_networkd_files(networkd_target):
    outcome, target, ks = networkd_target
    written = files(target)
    assert sorted(written) == sorted([
        "10-anaconda-bond0.netdev", "10-anaconda-bond0.network",
        "10-anaconda-bond0-ens3.network", "10-anaconda-bond0-ens4.network",
        "10-anaconda-bond0.10.netdev", "10-anaconda-bond0.10.network",
        "10-anaconda-br0.netdev", "10-anaconda-br0.network", "10-anaconda-br0-ens5.network",
        "10-anaconda-bond1.netdev", "10-anaconda-bond1.network",
        "10-anaconda-bond1-lan0.network", "10-anaconda-bond1-eth9.network",
        "10-anaconda-ifname-lan0.link"])
    assert written["10-anaconda-bond0.netdev"] == (
        f"# From {ks}:3\n[NetDev]\nName=bond0\nKind=bond\n\n"
        "[Bond]\nMode=active-backup\nMIIMonitorSec=100ms\n")
    assert written["10-anaconda-bond0.network"] == (
        f"# From {ks}:3\n[Match]\nName=bond0\n\n[Network]\nAddress=192.0.2.10/24\n"
        "Gateway=192.0.2.1\nIPv6AcceptRA=yes\nDNS=192.0.2.53\nVLAN=bond0.10\n")
    assert written["10-anaconda-bond0-ens3.network"] == (
        f"# From {ks}:3\n[Match]\nName=ens3\n\n[Network]\nBond=bond0\nPrimarySlave=yes\n")
    assert written["10-anaconda-bond0.10.netdev"] == (
        f"# From {ks}:4\n[NetDev]\nName=bond0.10\nKind=vlan\n\n[VLAN]\nId=10\n")
    assert written["10-anaconda-bond0.10.network"] == (
        f"# From {ks}:4\n[Match]\nName=bond0.10\n\n[Network]\nAddress=198.51.100.10/24\n"
        "Address=2001:db8:10::10/64\nIPv6AcceptRA=no\n")
    assert written["10-anaconda-br0.netdev"].endswith("[Bridge]\nSTP=no\nForwardDelaySec=2\n")
    assert "[Network]\nBridge=br0\n" in written["10-anaconda-br0-ens5.network"]
    assert "DHCP=ipv4\n" in written["10-anaconda-br0.network"]
    assert "[DHCPv4]\nUseDNS=no\n" in written["10-anaconda-br0.network"]  # --nodns
    # the installer's bond1, carried: lan0 by the name ifname= gives it on the target too
    assert written["10-anaconda-bond1.netdev"].endswith("[Bond]\nMode=802.3ad\n")
    assert "[Match]\nName=bond1\n\n[Network]\nDHCP=ipv4\n" in written["10-anaconda-bond1.network"]
    assert "[Match]\nName=lan0\n\n[Network]\nBond=bond1\n" in written["10-anaconda-bond1-lan0.network"]
    assert written["10-anaconda-ifname-lan0.link"].endswith(
        "[Match]\nMACAddress=52:54:00:aa:bb:cc\n\n[Link]\nName=lan0\n")
    assert wants(target, "systemd-networkd.service") == ["multi-user.target.wants"]


def test_team_is_warned_on_networkd(networkd_target):
    outcome, target, ks = networkd_target
    assert not [name for name in files(target) if "team0" in name]
    log = anaconda_log(outcome)
    assert f"{ks}:6: network --teamslaves: systemd-networkd has no team devices" in log
    assert "needs NetworkManager" in log


def test_networkmanager_keyfiles(tmp_path):
    root = fake_root(tmp_path, "NetworkManager.service", "systemd-networkd.service")
    touch(root, "usr/sbin/NetworkManager")
    configure(tmp_path, root, NETWORK, parse_cmdline(BOOT))
    directory = root / "etc/NetworkManager/system-connections"
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted(f"{n}.nmconnection" for n in (
        "bond0", "bond0-ens3", "bond0-ens4", "bond0.10", "br0", "br0-ens5", "team0",
        "team0-ens6", "team0-ens7", "bond1", "bond1-lan0", "bond1-eth9"))
    assert all(stat.S_IMODE((directory / n).stat().st_mode) == 0o600 for n in names)

    def keyfile(name: str) -> dict[str, dict[str, str]]:
        parser = configparser.ConfigParser(interpolation=None, strict=True)
        parser.optionxform = str
        parser.read_string((directory / f"{name}.nmconnection").read_text())
        return {section: dict(parser[section]) for section in parser.sections()}

    bond = keyfile("bond0")
    assert bond["connection"]["type"] == "bond" and bond["connection"]["interface-name"] == "bond0"
    assert bond["bond"] == {"mode": "active-backup", "miimon": "100", "primary": "ens3"}
    assert bond["ipv4"]["address1"] == "192.0.2.10/24"
    port = keyfile("bond0-ens4")["connection"]
    assert (port["type"], port["interface-name"], port["master"], port["slave-type"]) == (
        "ethernet", "ens4", "bond0", "bond")
    vlan = keyfile("bond0.10")
    assert vlan["vlan"] == {"id": "10", "parent": "bond0"}
    assert vlan["ipv6"] == {"method": "manual", "address1": "2001:db8:10::10/64"}
    assert keyfile("br0")["bridge"] == {"stp": "false", "forward-delay": "2"}
    assert keyfile("team0")["team"] == {"config": '{"runner": {"name": "activebackup"}}'}
    assert keyfile("team0-ens7")["connection"]["slave-type"] == "team"
    assert keyfile("bond1")["bond"] == {"mode": "802.3ad"}
    assert keyfile("bond1-lan0")["connection"]["interface-name"] == "lan0"
    assert (root / "etc/systemd/network/10-anaconda-ifname-lan0.link").is_file()
    assert not [p for p in (root / "etc/systemd/network").iterdir() if p.suffix != ".link"]


def test_bad_vlan_id_is_refused_before_anything_is_written(tmp_path):
    text = ("lang en_US.UTF-8\nrootpw --lock\n"
            "network --device=bond0 --bondslaves=ens3,ens4 --vlanid=4095 --bootproto=dhcp\n"
            + SMALL_PACKAGES)
    outcome, target = run_anaconda(tmp_path, text)
    assert outcome.code == 2, outcome.text[-2000:]
    assert f"{tmp_path}/ks.cfg:3: network --device=bond0 --vlanid=4095: expected a VLAN id " \
        "from 1 to 4094" in outcome.err
    assert not os.path.exists(target / "etc")
