"""The data side of the network, root password and user spokes: interface listing from a
sysfs tree (and the host's real one), the checks on host names, addresses, user and group
names, and the round trip between those settings and kickstart lines (real pykickstart)."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer import hostnames, nics
from installer.bootopts import parse_cmdline
from installer.ui import accounts, network, network_ip
from installer.ui.accounts import UserForm
from installer.ui.network import Interface, InterfaceConfig
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler
from installer.passwords import verify_password


def make_nic(root: Path, name: str, mac: str, carrier: bool, hardware: bool = True,
             wireless: bool = False) -> None:
    path = root / name
    path.mkdir(parents=True)
    (path / "address").write_text(mac + "\n")
    (path / "carrier").write_text("1\n" if carrier else "0\n")
    (path / "operstate").write_text("up\n" if carrier else "down\n")
    (path / "type").write_text("1\n")
    if hardware:
        (path / "device").mkdir()
    if wireless:
        (path / "wireless").mkdir()


INET6 = ("fd000000000000000000000000000002 04 40 00 80 enp9s9\n"
         "fe80000000000000000000fffe000001 04 40 20 80 enp9s9\n"
         "00000000000000000000000000000001 01 80 10 80       lo\n")


@pytest.fixture
def sysfs(tmp_path):
    net = tmp_path / "net"
    make_nic(net, "lo", "00:00:00:00:00:00", True, hardware=False)
    make_nic(net, "enp9s9", "52:54:00:AA:BB:01", True)
    make_nic(net, "wlp8s0", "52:54:00:aa:bb:02", False, wireless=True)
    make_nic(net, "virbr9", "52:54:00:aa:bb:03", True, hardware=False)
    (tmp_path / "if_inet6").write_text(INET6)
    return tmp_path


def listed(sysfs: Path) -> list[Interface]:
    return network.list_interfaces(sysfs / "net", sysfs / "if_inet6", ipv4=lambda name: "")


def test_interfaces_from_a_sysfs_tree(sysfs):
    found = listed(sysfs)
    assert [i.name for i in found] == ["enp9s9", "wlp8s0"]  # no lo, no virtual bridge
    wired, wifi = found
    assert wired == Interface("enp9s9", "52:54:00:aa:bb:01", "Wired", True, ("fd00::2/64",))
    assert wifi.kind == "Wireless" and not wifi.connected and wifi.addresses == ()
    assert wired.describe() == "Wired (enp9s9) connected"
    assert wifi.describe() == "Wireless (wlp8s0) disconnected"


def test_interfaces_of_this_host():
    """The real /sys/class/net and the real ioctl: lo never, every hardware device listed."""
    found = network.list_interfaces()
    hardware = sorted(p.name for p in Path("/sys/class/net").iterdir()
                      if (p / "device").exists() and p.name != "lo")
    assert [i.name for i in found] == hardware
    for iface in found:
        assert len(iface.mac.split(":")) == 6
        for address in iface.addresses:
            assert "/" in address
    assert nics.ipv4_address("lo") == "127.0.0.1/8"
    assert nics.ipv4_address("no-such-nic0") == ""


@pytest.mark.parametrize("name", ["localhost", "my-host", "a.b.c", "web01.example.com",
                                  "x" * 63, ".".join(["a" * 31, "b" * 32])])
def test_accepted_host_names(name):
    assert hostnames.hostname_problem(name) is None


@pytest.mark.parametrize("name, expected", [
    ("a" * 65, "at most 64"),
    ("-lead.example", "'-lead' is not accepted"),
    ("trail-", "'trail-' is not accepted"),
    ("under_score", "'under_score'"),
    ("two..dots", "an empty part"),
    ("x" * 64, "'" + "x" * 64 + "'"),  # a label is at most 63
    ("space host", "'space host'"),
])
def test_refused_host_names_name_the_field(name, expected):
    problem = hostnames.hostname_problem(name)
    assert problem.startswith("Host name: ") and expected in problem


def test_addresses_gateways_and_dns():
    assert str(network_ip.parse_address("10.0.0.2/24")) == "10.0.0.2/24"
    assert str(network_ip.parse_address("10.0.0.2/255.255.255.0")) == "10.0.0.2/24"
    assert str(network_ip.parse_address("10.0.0.0/31")) == "10.0.0.0/31"  # point to point
    for text, expected in [("", "enter the address"), ("10.0.0.2", "needs a prefix"),
                           ("10.0.0.300/24", "not an IPv4 address"), ("10.0.0.0/24", "network or"),
                           ("10.0.0.255/24", "broadcast"), ("127.0.0.1/8", "cannot be a host"),
                           ("fd00::1/64", "not an IPv4")]:
        with pytest.raises(ValueError, match=expected) as info:
            network_ip.parse_address(text)
        assert str(info.value).startswith("Address: ")
    iface = network_ip.parse_address("10.0.0.2/24")
    assert network_ip.gateway_problem("", iface) is None
    assert network_ip.gateway_problem("10.0.0.1", iface) is None
    assert "not in the interface's network 10.0.0.0/24" in \
        network_ip.gateway_problem("10.1.0.1", iface)
    assert "own address" in network_ip.gateway_problem("10.0.0.2", iface)
    assert network_ip.gateway_problem("gw", iface).startswith("Gateway: 'gw'")
    assert network_ip.dns_problem("1.1.1.1, 2606:4700:4700::1111 8.8.8.8") is None
    assert network_ip.dns_problem("1.1.1.1, dns.example").startswith("DNS servers: 'dns.example'")
    assert network_ip.split_dns(" 1.1.1.1,8.8.8.8  9.9.9.9 ") == ["1.1.1.1", "8.8.8.8", "9.9.9.9"]


def test_interface_config_problems_name_interface_and_field():
    config = InterfaceConfig("enp9s9", method="static", address="10.0.0.2/24",
                             gateway="192.168.0.1", dns="x")
    assert config.problems() == [
        "enp9s9: Gateway: 192.168.0.1 is not in the interface's network 10.0.0.0/24.",
        "enp9s9: DNS servers: 'x' is not an IP address. Give addresses separated by commas, "
        "such as 1.1.1.1, 2606:4700:4700::1111."]
    assert InterfaceConfig("e", method="dhcp", address="junk").problems() == []  # ignored


def loaded_handler(text: str):
    return parse([("ks.cfg", text)], None, Reader()).handler


def test_kickstart_lines_prefill_and_are_updated_in_place(sysfs):
    handler = loaded_handler(
        "network --hostname=old.example\n"
        "network --bootproto=static --device=52:54:00:aa:bb:01 --ip=10.1.1.5 "
        "--netmask=255.255.255.0 --gateway=10.1.1.1 --nameserver=10.1.1.53\n"
        "network --device=bond0 --bondslaves=enp9s9,wlp8s0 --bootproto=dhcp\n"
        "network --device=eth7 --bootproto=dhcp\n")
    state = network.read_state(handler, listed(sysfs))
    assert state.hostname == "old.example"
    wired, wifi = state.configs
    assert (wired.method, wired.address, wired.gateway, wired.dns) == \
        ("static", "10.1.1.5/24", "10.1.1.1", "10.1.1.53")
    assert wifi.method == "dhcp" and wifi.data is None and not wifi.onboot
    state.hostname = "new.example"
    wired.address, wired.dns = "10.1.1.6/24", "1.1.1.1, 8.8.8.8"
    network.write_state(handler, state)
    lines = [line for line in str(handler).splitlines() if line.startswith("network")]
    assert lines == [
        "network  --bootproto=dhcp --hostname=new.example",
        "network  --bootproto=static --device=52:54:00:aa:bb:01 --gateway=10.1.1.1 "
        "--ip=10.1.1.6 --nameserver=1.1.1.1,8.8.8.8 --netmask=255.255.255.0",
        "network  --bootproto=dhcp --device=bond0 --bondslaves=enp9s9,wlp8s0",
        "network  --bootproto=dhcp --device=eth7"]


def test_link_device_and_boot_option_prefill(sysfs):
    handler = loaded_handler("network --device=link --bootproto=dhcp --hostname=box\n")
    state = network.read_state(handler, listed(sysfs))
    assert state.configs[0].data is handler.network.network[0]
    assert state.hostname == "box"
    boot = parse_cmdline("ip=192.168.5.9::192.168.5.1:255.255.255.0:bootname:wlp8s0:none "
                         "nameserver=192.168.5.53").ip
    state = network.read_state(make_handler(), listed(sysfs), boot)
    wifi = state.configs[1]
    assert (wifi.method, wifi.address, wifi.gateway) == ("static", "192.168.5.9/24", "192.168.5.1")
    assert state.hostname == "bootname"


def test_hostname_goes_on_the_first_interface_line(sysfs):
    handler = make_handler()
    state = network.read_state(handler, listed(sysfs))
    state.hostname = "fresh.example"
    network.write_state(handler, state)
    assert network.hostname_of(handler) == "fresh.example"
    first = handler.network.network[0]
    assert (first.device, first.hostname, first.activate) == ("enp9s9", "fresh.example", True)
    handler = make_handler()
    network.write_state(handler, network.NetworkState("alone", []))  # no interface at all
    assert str(handler.network).strip().endswith("network  --bootproto=dhcp --hostname=alone")


# ---- accounts ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["alice", "_svc", "a1", "bob-smith", "x_y", "a" * 32])
def test_accepted_user_names(name):
    assert accounts.username_problem(name) is None


@pytest.mark.parametrize("name, expected", [
    ("", "enter a user name"), ("Alice", "'Alice' is not accepted"),
    ("1alice", "is not accepted"), ("-x", "is not accepted"), ("al ice", "is not accepted"),
    ("al.ice", "is not accepted"), ("a" * 33, "at most 32"), ("root", "reserved"),
    ("daemon", "reserved"), ("bin", "reserved"), ("systemd-foo", "reserved"),
])
def test_refused_user_names_name_the_field(name, expected):
    problem = accounts.username_problem(name)
    assert problem.startswith("User name: ") and expected in problem


def test_proposed_user_names():
    assert accounts.propose_username("Alice Smith") == "alice"
    assert accounts.propose_username("  Émile  Zola ") == "emile"
    assert accounts.propose_username("O'Brien") == "obrien"
    assert accounts.propose_username("42 Douglas") == ""
    assert accounts.propose_username("") == ""
    assert accounts.username_problem(accounts.propose_username("Zoë Q")) is None


def test_group_lists():
    parsed = accounts.parse_groups("wheel, audio,mygroup(5000), audio ,, video( 44 )")
    assert [str(g) for g in parsed] == ["wheel", "audio", "mygroup(5000)", "video(44)"]
    assert accounts.parse_groups("") == []
    for text, expected in [("my group", "'my group' is not accepted"),
                           ("Wheel", "'Wheel' is not a group name"),
                           ("g(abc)", "GID of g must be a number"),
                           ("g(0)", "GID of g must be a number"),
                           ("g(5000", "'g(5000' is not accepted")]:
        with pytest.raises(ValueError, match=expected.replace("(", r"\(")) as info:
            accounts.parse_groups(text)
        assert str(info.value).startswith("Groups: ")
    assert accounts.fullname_problem("A: B") == "Full name: cannot contain ':' or a line break."


def test_user_form_writes_a_hashed_user_line():
    handler = make_handler()
    form = UserForm(fullname="Alice Smith", name="alice", admin=True,
                    groups="audio, wheel, mygroup(5000)", password="correct horse battery")
    accounts.write_user(handler, form)
    user = handler.user.userList[0]
    assert user.groups == ["wheel", "audio", "mygroup(5000)"]
    assert user.isCrypted and verify_password("correct horse battery", user.password)
    assert form.password == ""
    text = str(handler)
    assert "correct horse" not in text
    assert f"user --groups=wheel,audio,mygroup(5000) --name=alice --password={user.password} " \
           '--iscrypted --gecos="Alice Smith"' in text
    assert accounts.has_admin(handler)
    again = UserForm.from_user(user)
    assert (again.name, again.admin, again.groups, again.existing) == \
        ("alice", True, "audio, mygroup(5000)", user.password)
    again.admin = False
    accounts.write_user(handler, again)  # keeps the hash, drops wheel
    assert handler.user.userList[0].password == user.password and not accounts.has_admin(handler)
    accounts.write_user(handler, UserForm())
    assert handler.user.userList == []


def test_root_password_is_hashed_and_lock_clears_it():
    handler = make_handler()
    assert not accounts.root_password_set(handler)
    accounts.set_root_password(handler, "s3cret-Root-pw")
    assert accounts.root_password_set(handler)
    assert verify_password("s3cret-Root-pw", handler.rootpw.password)
    assert str(handler.rootpw).strip().endswith(f"\nrootpw --iscrypted {handler.rootpw.password}")
    accounts.lock_root(handler)
    assert accounts.root_locked(handler) and not accounts.root_password_set(handler)
    assert str(handler.rootpw).strip().endswith("\nrootpw --lock")
