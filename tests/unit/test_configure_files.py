"""The target configuration's renderers, fed by kickstarts parsed with real pykickstart:
NetworkManager keyfiles, systemd-networkd files, the X11 and Debian keyboard files,
chrony and timesyncd lines, locale.gen and SELinux config edits."""
from __future__ import annotations

import configparser
import logging
import re
from pathlib import Path

import pytest

from installer.nics import Nic, list_nics
from installer.bootopts.values import parse_ip
from installer.configure import keyboard, language, netfiles, network, selinux, timesync
from installer.configure.target import Target
from installer.errors import ConfigurationError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader

UUID = "0b1c5e2a-9d7f-4c61-9a0e-3f4e5d6c7b8a"


def load(tmp_path: Path, text: str):
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    return parse([(str(ks), text)], None, Reader())


def conns(tmp_path, text, boot_ip=(), nics=()):
    loaded = load(tmp_path, text)
    return network.connections(loaded.handler, Target(tmp_path, loaded.commands_seen),
                               [parse_ip(i) for i in boot_ip], list(nics))


def ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str
    parser.read_string(text)
    return parser


STATIC = ("network --bootproto=static --device=ens3 --ip=192.0.2.10 --netmask=255.255.255.0 "
          "--gateway=192.0.2.1 --nameserver=192.0.2.53,2001:db8::53 --ipv6=2001:db8::10/64 "
          "--ipv6gateway=2001:db8::1 --onboot=no --activate\n")


def test_static_keyfile(tmp_path):
    (conn,) = conns(tmp_path, STATIC)
    assert conn.origin == f"{tmp_path}/ks.cfg:1"
    parsed = ini(netfiles.keyfile(conn, UUID))
    assert dict(parsed["connection"]) == {"id": "ens3", "uuid": UUID, "type": "ethernet",
                                          "interface-name": "ens3", "autoconnect": "false"}
    assert dict(parsed["ipv4"]) == {"method": "manual", "address1": "192.0.2.10/24",
                                    "gateway": "192.0.2.1", "dns": "192.0.2.53;"}
    assert dict(parsed["ipv6"]) == {"method": "manual", "address1": "2001:db8::10/64",
                                    "gateway": "2001:db8::1", "dns": "2001:db8::53;"}
    assert "ethernet" not in parsed


def test_static_networkd(tmp_path):
    (conn,) = conns(tmp_path, STATIC)
    text = netfiles.networkd(conn)
    assert text.startswith(f"# From {tmp_path}/ks.cfg:1\n[Match]\nName=ens3\n")
    assert "[Link]\nActivationPolicy=manual\n" in text
    network_lines = text.split("[Network]\n")[1].splitlines()
    assert network_lines == ["Address=192.0.2.10/24", "Gateway=192.0.2.1",
                             "Address=2001:db8::10/64", "Gateway=2001:db8::1",
                             "IPv6AcceptRA=no", "DNS=192.0.2.53", "DNS=2001:db8::53"]
    assert "DHCP=" not in text


def test_mac_device_dhcp_without_ipv6(tmp_path):
    nics = [network.Nic("eth0", "52:54:00:12:34:56", False)]
    (conn,) = conns(tmp_path, "network --bootproto=dhcp --device=52:54:00:12:34:56 --noipv6 "
                    "--mtu=1400\n", nics=nics)
    assert (conn.label, conn.match_mac, conn.match_name) == ("eth0", "52:54:00:12:34:56", "")
    text = netfiles.networkd(conn)
    assert "[Match]\nMACAddress=52:54:00:12:34:56\n" in text
    assert "[Link]\nMTUBytes=1400\n" in text
    assert "DHCP=ipv4\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n" in text
    parsed = ini(netfiles.keyfile(conn, UUID))
    assert parsed["ethernet"]["mac-address"] == "52:54:00:12:34:56".upper()
    assert parsed["ethernet"]["mtu"] == "1400"
    assert parsed["ipv4"]["method"] == "auto" and parsed["ipv6"]["method"] == "disabled"
    assert "interface-name" not in parsed["connection"] and "autoconnect" not in parsed["connection"]


def test_link_is_the_first_device_with_carrier_by_mac(tmp_path):
    nics = [network.Nic("eth0", "52:54:00:00:00:01", False),
            network.Nic("eth1", "52:54:00:00:00:02", True)]
    first, second = conns(tmp_path, "network --bootproto=dhcp --device=link\n"
                          "network --bootproto=dhcp --ipv6=dhcp\n", nics=nics)
    assert (first.label, first.match_mac) == ("eth1", "52:54:00:00:00:02")
    assert (second.label, second.match_mac) == ("eth1", "52:54:00:00:00:02")
    assert "DHCP=yes\n" in netfiles.networkd(second)


def test_no_device_up_matches_any_ethernet(tmp_path):
    (conn,) = conns(tmp_path, "network --bootproto=dhcp --device=link --nameserver=192.0.2.53\n")
    text = netfiles.networkd(conn)
    assert "[Match]\nType=ether\n" in text and "DNS=192.0.2.53\n" in text
    assert "interface-name" not in netfiles.keyfile(conn, UUID)


def test_hostname_only_configures_no_device(tmp_path):
    assert conns(tmp_path, "network --hostname=only.example.test\n") == []
    (conn,) = conns(tmp_path, "network --bootproto=dhcp --hostname=dhcp.example.test\n")
    assert conn.ipv4 == "dhcp"


def test_list_nics_reads_sysfs(tmp_path):
    sysfs = tmp_path / "net"
    for name, mac, carrier, hardware in (("lo", "00:00:00:00:00:00", "1", False),
                                         ("eth1", "52:54:00:00:00:02", "1", True),
                                         ("eth0", "52:54:00:00:00:01", "0", True),
                                         ("veth0", "aa:bb:cc:dd:ee:ff", "1", False)):
        (sysfs / name).mkdir(parents=True)
        (sysfs / name / "address").write_text(mac.upper() + "\n")
        (sysfs / name / "carrier").write_text(carrier + "\n")
        if hardware:
            (sysfs / name / "device").mkdir()
    assert list_nics(sysfs) == [Nic("eth0", "52:54:00:00:00:01", False),
                                Nic("eth1", "52:54:00:00:00:02", True)]


def test_boot_ip_carried_unless_the_kickstart_has_the_device(tmp_path):
    text = "network --bootproto=dhcp --device=ens3\n"
    result = conns(tmp_path, text, boot_ip=[
        "192.0.2.99::192.0.2.1:255.255.255.0:host:ens3:none",  # the kickstart has ens3
        "192.0.2.7::192.0.2.1:255.255.255.0:host:ens4:none:192.0.2.53",
        "ens5:dhcp6", "ens6:ibft"])
    assert [c.label for c in result] == ["ens3", "ens4", "ens5"]
    static, dhcp6 = result[1], result[2]
    assert (static.address4, static.gateway4, static.dns) == ("192.0.2.7/24", "192.0.2.1",
                                                              ["192.0.2.53"])
    assert static.origin == "boot option ip=ens4:none"
    assert (dhcp6.ipv4, dhcp6.ipv6) == ("disabled", "dhcp")
    assert "DHCP=ipv6\n" in netfiles.networkd(dhcp6)


def test_boot_ip_interface_present_matches_by_mac(tmp_path):
    nics = [network.Nic("eth0", "52:54:00:00:00:01", False)]
    (carried,) = conns(tmp_path, "lang en_US.UTF-8\n", boot_ip=["eth0:dhcp"], nics=nics)
    assert (carried.label, carried.match_name, carried.match_mac) == \
        ("eth0", "", "52:54:00:00:00:01")
    assert conns(tmp_path, "network --device=52:54:00:00:00:01 --bootproto=dhcp\n",
                 boot_ip=["eth0:dhcp"], nics=nics)[1:] == []


def test_boot_ip_dhcp_without_device_is_the_link_device(tmp_path):
    nics = [network.Nic("eth0", "52:54:00:00:00:01", True)]
    assert conns(tmp_path, "network --bootproto=dhcp --device=52:54:00:00:00:01\n",
                 boot_ip=["dhcp"], nics=nics)[1:] == []
    (carried,) = conns(tmp_path, "network --hostname=h.example.test\n", boot_ip=["dhcp"],
                       nics=nics)
    assert carried.match_mac == "52:54:00:00:00:01"


@pytest.mark.parametrize("line, message", [
    ("network --bootproto=static --device=ens3", "--bootproto=static needs --ip"),
    ("network --bootproto=static --device=ens3 --ip=192.0.2.1", "needs --netmask"),
    ("network --bootproto=static --device=ens3 --ip=192.0.2.300 --netmask=24", "'192.0.2.300'"),
    ("network --device=ens3 --nameserver=dns.example.test", "--nameserver 'dns.example.test'"),
    ("network --bootproto=ibft --device=ens3", "--bootproto=ibft is not supported"),
])
def test_bad_network_names_the_line(tmp_path, line, message):
    with pytest.raises(ConfigurationError) as err:
        conns(tmp_path, "lang en_US.UTF-8\n" + line + "\n")
    assert str(err.value).startswith(f"{tmp_path}/ks.cfg:2: ") and message in str(err.value)


def test_wifi_is_logged_not_written(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, "anaconda.configure"):
        result = conns(tmp_path, "network --device=wlp2s0 --essid=home --bootproto=dhcp\n")
    assert result == [] and "--essid: Wi-Fi is not configured here" in caplog.text


KBD_MAP = """# consolelayout\txlayout\txmodel\txvariant\txoptions
us\t\tus\tpc105+inet\t-\t\tterminate:ctrl_alt_bksp
cz-qwerty\tcz,us\tpc105\t\tqwerty,\t\tterminate:ctrl_alt_bksp,grp:shifts_toggle
de-nodeadkeys\tde\tpc105\t\tnodeadkeys\tterminate:ctrl_alt_bksp
"""


def test_x11_file_from_layouts_variants_and_switch(tmp_path):
    kb = load(tmp_path, "keyboard --vckeymap=cz-qwerty --xlayouts='cz (qwerty)',us "
                        "--switch=grp:alt_shift_toggle,grp_led:scroll\n").handler.keyboard
    x = keyboard.x_keyboard(kb.x_layouts, kb.switch_options)
    assert keyboard.render_x11(x).splitlines()[2:] == [
        'Section "InputClass"',
        '        Identifier "system-keyboard"',
        '        MatchIsKeyboard "on"',
        '        Option "XkbLayout" "cz,us"',
        '        Option "XkbVariant" "qwerty,"',
        '        Option "XkbOptions" "grp:alt_shift_toggle,grp_led:scroll"',
        "EndSection"]


def test_x11_without_variants_or_options_leaves_them_out():
    text = keyboard.render_x11(keyboard.x_keyboard(["us"], []))
    assert 'Option "XkbLayout" "us"' in text
    assert "XkbVariant" not in text and "XkbOptions" not in text and "XkbModel" not in text


def test_console_and_x_convert_through_kbd_model_map():
    rows = keyboard.read_model_map(KBD_MAP)
    x = keyboard.x_from_console("cz-qwerty", rows)
    assert (x.layouts, x.variants, x.model) == (["cz", "us"], ["qwerty", ""], "pc105")
    assert x.options == ["terminate:ctrl_alt_bksp", "grp:shifts_toggle"]
    assert keyboard.x_from_console("xx", rows) is None
    assert keyboard.console_from_x(keyboard.x_keyboard(["de (nodeadkeys)"], []), rows) \
        == "de-nodeadkeys"
    assert keyboard.console_from_x(keyboard.x_keyboard(["cz (qwerty)", "us"], []), rows) \
        == "cz-qwerty"
    assert keyboard.console_from_x(keyboard.x_keyboard(["fi"], []), rows) is None


def test_bad_layout_syntax():
    with pytest.raises(ValueError, match="LAYOUT"):
        keyboard.split_layout("cz (qwerty")


def test_debian_keyboard_keeps_other_lines():
    current = ("# KEYBOARD CONFIGURATION FILE\nXKBMODEL=pc105\nXKBLAYOUT=us\nXKBVARIANT=\n"
               "XKBOPTIONS=\n\nBACKSPACE=guess\n")
    x = keyboard.x_keyboard(["cz (qwerty)", "us"], ["grp:alt_shift_toggle"])
    assert keyboard.render_debian(x, current) == (
        '# KEYBOARD CONFIGURATION FILE\nXKBMODEL=pc105\nXKBLAYOUT="cz,us"\n'
        'XKBVARIANT="qwerty,"\nXKBOPTIONS="grp:alt_shift_toggle"\n\nBACKSPACE=guess\n')
    assert keyboard.render_debian(keyboard.x_keyboard(["us"], []), "") == \
        'XKBLAYOUT="us"\nXKBVARIANT=""\nXKBOPTIONS=""\n'


NTP_KS = ("timezone Europe/Prague --utc --ntpservers=ntp1.example.test\n"
          "timesource --ntp-server=ntp2.example.test\n"
          "timesource --ntp-pool=pool.example.test --nts\n")


def test_chrony_lines_from_timesource_and_ntpservers(tmp_path):
    handler = load(tmp_path, NTP_KS).handler
    sources = timesync.time_sources(handler)
    assert timesync.chrony_lines(sources) == ["server ntp2.example.test iburst",
                                              "pool pool.example.test iburst nts",
                                              "server ntp1.example.test iburst"]
    assert timesync.ntp_wanted(handler) is True
    original = "# Welcome\npool 2.debian.pool.ntp.org iburst\nsourcedir /run/chrony-dhcp\n"
    conf = timesync.chrony_conf(original, sources)
    assert conf.splitlines() == [timesync.CHRONY_HEADER, "server ntp2.example.test iburst",
                                 "pool pool.example.test iburst nts",
                                 "server ntp1.example.test iburst", "# Welcome",
                                 "#pool 2.debian.pool.ntp.org iburst",
                                 "sourcedir /run/chrony-dhcp"]
    assert timesync.chrony_conf(conf, sources) == conf  # a second run changes nothing


def test_timesyncd_dropin(tmp_path):
    sources = timesync.time_sources(load(tmp_path, NTP_KS).handler)
    assert timesync.timesyncd_dropin(sources).endswith(
        "[Time]\nNTP=ntp2.example.test pool.example.test ntp1.example.test\n")


@pytest.mark.parametrize("text, wanted", [
    ("timezone Etc/UTC --utc --nontp\n", False),
    ("timezone Etc/UTC\ntimesource --ntp-disable\n", False),
    ("timezone Etc/UTC\n", True),
    ("lang en_US.UTF-8\n", None),
])
def test_ntp_wanted(tmp_path, text, wanted):
    assert timesync.ntp_wanted(load(tmp_path, text).handler) is wanted


LOCALE_GEN = """# Locales to compile (locale-gen)
# cs_CZ.UTF-8 UTF-8
# cs_CZ ISO-8859-2
# de_DE.UTF-8 UTF-8
# de_DE ISO-8859-1
en_US.UTF-8 UTF-8
"""


def test_locale_names_choose_locale_gen_entries():
    known = language.entries(LOCALE_GEN)
    assert ("Locales", "to") not in known and len(known) == 5
    assert language.choose("de_DE", known) == ("de_DE.UTF-8", "UTF-8")
    assert language.choose("de_DE.utf8", known) == ("de_DE.UTF-8", "UTF-8")
    assert language.choose("cs", known) == ("cs_CZ.UTF-8", "UTF-8")
    assert language.choose("de_DE.ISO-8859-1", known) is None
    assert language.choose("xx_YY", known) is None


def test_addsupport_uncomments_locale_gen(tmp_path):
    handler = load(tmp_path, "lang en_US.UTF-8 --addsupport=cs_CZ.UTF-8,de_DE\n").handler
    assert handler.lang.addsupport == ["cs_CZ.UTF-8", "de_DE"]
    known = language.entries(LOCALE_GEN)
    chosen = [language.choose(n, known) for n in ["en_US.UTF-8", *handler.lang.addsupport]]
    text, changed = language.enable_in_locale_gen(LOCALE_GEN, chosen)
    assert changed
    assert [l for l in text.splitlines() if not l.startswith("#")] == [
        "cs_CZ.UTF-8 UTF-8", "de_DE.UTF-8 UTF-8", "en_US.UTF-8 UTF-8"]
    assert language.enable_in_locale_gen(text, chosen) == (text, False)
    appended, _ = language.enable_in_locale_gen("", [("fr_FR.UTF-8", "UTF-8")])
    assert appended == "fr_FR.UTF-8 UTF-8\n"


@pytest.mark.parametrize("line, mode", [("selinux --enforcing", "enforcing"),
                                        ("selinux --permissive", "permissive"),
                                        ("selinux --disabled", "disabled")])
def test_selinux_config(tmp_path, line, mode):
    handler = load(tmp_path, line + "\n").handler
    current = "# This file controls SELinux\nSELINUX=enforcing\nSELINUXTYPE=targeted\n"
    assert selinux.selinux_config(current, selinux.MODES[handler.selinux.selinux], "x") == \
        f"# This file controls SELinux\nSELINUX={mode}\nSELINUXTYPE=targeted\n"
    assert selinux.selinux_config("", mode, "targeted") == \
        f"SELINUX={mode}\nSELINUXTYPE=targeted\n"


def test_machine_id_format():
    from installer.configure.machineid import VALID, new_machine_id

    ids = {new_machine_id() for _ in range(3)}
    assert len(ids) == 3 and all(VALID.match(i) for i in ids)
    assert all(re.match(r"^[0-9a-f]{12}4", i) for i in ids)  # a v4 UUID, as systemd makes
