"""The provisioning headers (inst.ks.sendmac, inst.ks.sendsn) and the <IP>-kickstart URL,
read from a sysfs-shaped directory of real files: the numbering and the choice of
interfaces follow Anaconda's dracut (anaconda-ks-sendheaders.sh)."""
from __future__ import annotations

import pytest

from installer.bootopts import parse_cmdline
from installer.kickstart.provisioning import headers, mac_headers, per_machine_url, source_address


@pytest.fixture
def sysfs(tmp_path):
    net = tmp_path / "class/net"
    for name, mac in [("lo", "00:00:00:00:00:00"), ("eth1", "52:54:00:12:34:57"),
                      ("eth0", "52:54:00:12:34:56"), ("bond0", "52:54:00:12:34:56"),
                      ("ip_vti0", "")]:
        (net / name).mkdir(parents=True)
        (net / name / "address").write_text(mac + "\n")
    (net / "noaddress").mkdir()
    serial = tmp_path / "class/dmi/id/product_serial"
    serial.parent.mkdir(parents=True)
    serial.write_text("SN 0042\n")
    return net, serial


def test_every_interface_but_lo_in_name_order(sysfs):
    net, _ = sysfs
    assert mac_headers(net) == [("X-RHN-Provisioning-MAC-0", "bond0 52:54:00:12:34:56"),
                                ("X-RHN-Provisioning-MAC-1", "eth0 52:54:00:12:34:56"),
                                ("X-RHN-Provisioning-MAC-2", "eth1 52:54:00:12:34:57")]


def test_headers_follow_the_switches(sysfs):
    net, serial = sysfs
    assert headers(False, False, net, serial) == {}
    assert headers(False, True, net, serial) == {"X-System-Serial-Number": "SN 0042"}
    assert list(headers(True, True, net, serial)) == [
        "X-RHN-Provisioning-MAC-0", "X-RHN-Provisioning-MAC-1", "X-RHN-Provisioning-MAC-2",
        "X-System-Serial-Number"]


def test_no_serial_no_header(sysfs, tmp_path):
    net, serial = sysfs
    serial.write_text("\n")
    assert headers(False, True, net, serial) == {}
    assert headers(False, True, net, tmp_path / "missing") == {}


def test_per_machine_url():
    assert per_machine_url("http://s/ks/", "10.0.2.15") == "http://s/ks/10.0.2.15-kickstart"
    assert per_machine_url("http://s/ks/a.ks", "10.0.2.15") == "http://s/ks/a.ks"
    assert per_machine_url("http://127.0.0.1:8/ks/") == "http://127.0.0.1:8/ks/127.0.0.1-kickstart"
    assert source_address("http://127.0.0.1:8/") == "127.0.0.1"


@pytest.mark.parametrize("cmdline, scheme, sendmac, sendsn", [
    ("inst.ks inst.ks.sendmac", "dhcp", True, False),
    ("inst.ks=http://s/ks/ inst.ks.sendsn", "http", False, True),
    ("inst.ks=http://s/ks/ inst.ks.sendmac=1 inst.ks.sendsn=0", "http", True, False),
])
def test_boot_options(cmdline, scheme, sendmac, sendsn):
    options = parse_cmdline(cmdline)
    assert [s.scheme for s in options.ks] == [scheme]
    assert (options.ks_sendmac, options.ks_sendsn) == (sendmac, sendsn)
    assert not options.warnings
