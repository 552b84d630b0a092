"""Boot options: realistic kernel command lines and every option of OPTIONS, valid and not.
"""
from __future__ import annotations

import pytest

from installer.bootopts import OPTIONS, IpConfig, Proxy, Source, describe, parse_cmdline
from installer.bootopts import values
from installer.errors import BootOptionError


# --- whole command lines ------------------------------------------------------------------

PXE_LINE = (
    "BOOT_IMAGE=/images/pxeboot/vmlinuz initrd=initrd.img root=live:CDLABEL=X quiet "
    "inst.stage2=hd:LABEL=Fedora-S-dvd-x86_64-40 inst.ks=http://10.0.0.1/ks/web.cfg "
    'inst.text console=tty0 console=ttyS0,115200n8 inst.keymap="cz (qwerty)" '
    'inst.addrepo="extras,https://mirror.example.org/extras/" ip=enp1s0:dhcp '
    "-- single inst.text=0 inst.lowmem=9")


def test_realistic_pxe_line():
    options = parse_cmdline(PXE_LINE)
    assert options.stage2 == Source("hd", "hd:LABEL=Fedora-S-dvd-x86_64-40",
                                    device="LABEL=Fedora-S-dvd-x86_64-40")
    assert [str(s) for s in options.ks] == ["http://10.0.0.1/ks/web.cfg"]
    assert options.text is True  # `inst.text=0` after `--` belongs to init
    assert options.lowmem is None  # so does the bad `inst.lowmem=9`
    assert options.console == ["tty0", "ttyS0,115200n8"]
    assert options.keymap == "cz (qwerty)"
    assert options.addrepo == [("extras", Source("https", "https://mirror.example.org/extras/",
                                                 path="/extras/"))]
    assert options.ip == [IpConfig(method="dhcp", interface="enp1s0")]
    assert options.warnings == []


@pytest.mark.parametrize("line, fragment", [
    ("inst.text inst.graphical", "'inst.graphical'"),
    ("inst.txt=1", "'inst.txt=1'"),
    ("ks=http://10.0.0.1/ks.cfg", "use inst.ks="),
    ("repo=nfs:srv:/repo inst.text", "use inst.repo="),
])
def test_unknown_and_legacy_options_warn(line, fragment):
    options = parse_cmdline(line, origin="pxelinux.cfg")
    assert len(options.warnings) == 1
    assert options.warnings[0].startswith("pxelinux.cfg: ") and fragment in options.warnings[0]
    assert options.ks == [] and options.repo is None  # ignored, not applied


def test_unbalanced_quote_is_an_error():
    with pytest.raises(BootOptionError, match="check the quotes"):
        parse_cmdline('inst.keymap="cz (qwerty) inst.text')


def test_repeated_and_single_options():
    options = parse_cmdline("inst.ks=http://a/1.cfg inst.ks=hd:sdb1:/2.cfg inst.ks.all "
                            "inst.lang=de_DE inst.lang=cs_CZ.UTF-8")
    assert [s.scheme for s in options.ks] == ["http", "hd"] and options.ks_all is True
    assert options.lang == "cs_CZ.UTF-8"  # a single-valued option: the last one wins


def test_nothing_given():
    options = parse_cmdline("BOOT_IMAGE=vmlinuz quiet")
    assert describe(options) == "(none)" and options.warnings == []


# --- every option, valid values -----------------------------------------------------------

def src(scheme, location, device="", path=""):
    return Source(scheme, location, device=device, path=path)


SOURCES = [
    ("http://10.0.0.1/ks.cfg", src("http", "http://10.0.0.1/ks.cfg", path="/ks.cfg")),
    ("https://example.com:8443/a/ks.cfg",
     src("https", "https://example.com:8443/a/ks.cfg", path="/a/ks.cfg")),
    ("ftp://mirror.example.org/pub/ks.cfg",
     src("ftp", "ftp://mirror.example.org/pub/ks.cfg", path="/pub/ks.cfg")),
    ("file:/ks.cfg", src("file", "file:/ks.cfg", path="/ks.cfg")),
    ("file:///run/ks.cfg", src("file", "file:///run/ks.cfg", path="/run/ks.cfg")),
    ("/ks.cfg", src("file", "file:/ks.cfg", path="/ks.cfg")),
    ("hd:sdb1:/ks.cfg", src("hd", "hd:sdb1:/ks.cfg", "sdb1", "/ks.cfg")),
    ("hd:/dev/vdb1:/ks/ks.cfg", src("hd", "hd:/dev/vdb1:/ks/ks.cfg", "/dev/vdb1", "/ks/ks.cfg")),
    ("hd:LABEL=X:/p", src("hd", "hd:LABEL=X:/p", "LABEL=X", "/p")),
    ("hd:UUID=1234-ABCD:/ks.cfg", src("hd", "hd:UUID=1234-ABCD:/ks.cfg", "UUID=1234-ABCD", "/ks.cfg")),
    ("cdrom", src("cdrom", "cdrom")),
    ("cdrom:/ks.cfg", src("cdrom", "cdrom:/ks.cfg", path="/ks.cfg")),
    ("cdrom:sr0", src("cdrom", "cdrom:sr0", "sr0")),
    ("cdrom:/dev/sr0:/ks.cfg", src("cdrom", "cdrom:/dev/sr0:/ks.cfg", "/dev/sr0", "/ks.cfg")),
    pytest.param("cdrom:/dev/sr0", src("cdrom", "cdrom:/dev/sr0", "/dev/sr0")),
    ("nfs:server.example.com:/exports/ks.cfg",
     src("nfs", "nfs:server.example.com:/exports/ks.cfg", "server.example.com", "/exports/ks.cfg")),
    ("nfs:nfsvers=4,ro:10.0.0.1:/exports/ks.cfg",
     src("nfs", "nfs:nfsvers=4,ro:10.0.0.1:/exports/ks.cfg", "10.0.0.1", "/exports/ks.cfg")),
]


@pytest.mark.parametrize("text, expected", SOURCES)
def test_ks_sources(text, expected):
    assert parse_cmdline(f"inst.ks={text}").ks == [expected]


@pytest.mark.parametrize("name", ["inst.repo", "inst.stage2", "inst.updates"])
def test_single_sources(name):
    options = parse_cmdline(f"{name}=hd:LABEL=INST:/repo")
    assert getattr(options, name.removeprefix("inst.")) == src("hd", "hd:LABEL=INST:/repo",
                                                               "LABEL=INST", "/repo")


BOOL_WORDS = [("", True), ("=1", True), ("=yes", True), ("=on", True), ("=true", True),
              ("=YES", True), ("=0", False), ("=no", False), ("=off", False), ("=false", False)]
SWITCHES = [spec for spec in OPTIONS if spec.flag]


@pytest.mark.parametrize("suffix, expected", BOOL_WORDS)
@pytest.mark.parametrize("spec", SWITCHES, ids=lambda spec: spec.name)
def test_switches(spec, suffix, expected):
    assert getattr(parse_cmdline(spec.name + suffix), spec.attr) is expected


PROXY = Proxy("http://proxy.example.com:3128", "user", "s3cr3t")
IP_STATIC = IpConfig("none", "eth0", "192.168.1.10", "", "192.168.1.1", "255.255.255.0", "host")
VALID = [  # word, BootOptions attribute, value
    ("inst.addrepo=updates,http://10.0.0.1/updates", "addrepo",
     [("updates", src("http", "http://10.0.0.1/updates", path="/updates"))]),
    ("inst.addrepo=my.repo:1,nfs:srv:/r", "addrepo", [("my.repo:1", src("nfs", "nfs:srv:/r", "srv", "/r"))]),
    ("inst.lang=en_US.UTF-8", "lang", "en_US.UTF-8"),
    ("inst.lang=cs", "lang", "cs"),
    ("inst.lang=sr_RS@latin", "lang", "sr_RS@latin"),
    ("inst.keymap=us", "keymap", "us"),
    ("inst.keymap=de-nodeadkeys", "keymap", "de-nodeadkeys"),
    ("inst.keymap=cz(qwerty)", "keymap", "cz(qwerty)"),
    ("inst.nosave=logs", "nosave", {"logs"}),
    ("inst.nosave=input_ks,output_ks", "nosave", {"input_ks", "output_ks"}),
    ("inst.lowmem=0", "lowmem", 0),
    ("inst.lowmem=1", "lowmem", 1),
    ("inst.lowmem=2", "lowmem", 2),
    ("inst.disklabel=gpt", "disklabel", "gpt"),
    ("inst.disklabel=MBR", "disklabel", "mbr"),
    ("inst.disklabel=msdos", "disklabel", "mbr"),
    ("inst.loglevel=debug", "loglevel", "debug"),
    ("inst.loglevel=Warning", "loglevel", "warning"),
    ("inst.loglevel=critical", "loglevel", "critical"),
    ("inst.syslog=10.0.2.2:5514", "syslog", ("10.0.2.2", 5514)),
    ("inst.virtiolog=org.example.log.1", "virtiolog", "org.example.log.1"),
    ("inst.ks.sendmac", "ks_sendmac", True),
    ("inst.ks.sendmac=0", "ks_sendmac", False),
    ("inst.ks.sendsn", "ks_sendsn", True),
    ("inst.ks.sendsn=yes", "ks_sendsn", True),
    ("inst.waitfornet=30", "waitfornet", 30),
    ("inst.waitfornet=0", "waitfornet", 0),
    ("inst.wait_for_disks=0", "wait_for_disks", 0),
    ("inst.wait_for_disks=120", "wait_for_disks", 120),
    ("inst.shell_timeout=2", "shell_timeout", 2),
    ("inst.proxy=user:s3cr3t@proxy.example.com:3128", "proxy", PROXY),
    ("inst.proxy=http://user:s3cr3t@proxy.example.com:3128/", "proxy", PROXY),
    ("inst.proxy=https://proxy.example.com", "proxy", Proxy("https://proxy.example.com")),
    ("inst.proxy=ftp://10.0.0.1:21", "proxy", Proxy("ftp://10.0.0.1:21")),
    pytest.param("inst.proxy=http://[2001:db8::1]:3128", "proxy", Proxy("http://[2001:db8::1]:3128")),
    ("console=tty0", "console", ["tty0"]),
    ("console=ttyS0,115200n8", "console", ["ttyS0,115200n8"]),
    ("console=ttyS1,9600", "console", ["ttyS1,9600"]),
    ("console=hvc0 console=ttyAMA0,115200", "console", ["hvc0", "ttyAMA0,115200"]),
    pytest.param("console=uart8250,io,0x3f8,115200n8", "console", ["uart8250,io,0x3f8,115200n8"]),
    ("ip=dhcp", "ip", [IpConfig("dhcp")]),
    ("ip=auto6 ip=ibft", "ip", [IpConfig("auto6"), IpConfig("ibft")]),
    ("ip=eth0:dhcp", "ip", [IpConfig("dhcp", "eth0")]),
    ("ip=enp1s0:dhcp6", "ip", [IpConfig("dhcp6", "enp1s0")]),
    ("ip=eth0:dhcp:9000", "ip", [IpConfig("dhcp", "eth0", mtu=9000)]),
    pytest.param("ip=eth0:dhcp:1500:52:54:00:12:34:56", "ip",
                 [IpConfig("dhcp", "eth0", mtu=1500, mac="52:54:00:12:34:56")]),
    ("ip=192.168.1.10::192.168.1.1:255.255.255.0:host:eth0:none", "ip", [IP_STATIC]),
    ("ip=192.168.1.10::192.168.1.1:24:host:eth0:", "ip",
     [IpConfig("none", "eth0", "192.168.1.10", "", "192.168.1.1", "24", "host")]),
    ("ip=192.168.1.10:192.168.1.2:192.168.1.1:255.255.255.0:::off", "ip",
     [IpConfig("off", "", "192.168.1.10", "192.168.1.2", "192.168.1.1", "255.255.255.0")]),
    ("ip=[2001:db8::10]::[2001:db8::1]:64:host.example.com:eth0:none", "ip",
     [IpConfig("none", "eth0", "2001:db8::10", "", "2001:db8::1", "64", "host.example.com")]),
    ("ip=192.168.1.10::192.168.1.1:255.255.255.0:host:eth0:none:1500:52:54:00:12:34:56", "ip",
     [IpConfig(**{**vars(IP_STATIC), "mtu": 1500, "mac": "52:54:00:12:34:56"})]),
    ("ip=192.168.1.10::192.168.1.1:255.255.255.0:host:eth0:none::8.8.8.8:[2001:4860::8888]", "ip",
     [IpConfig(**{**vars(IP_STATIC), "dns": ("8.8.8.8", "2001:4860::8888")})]),
    pytest.param("ip=192.168.1.10::192.168.1.1:255.255.255.0:host:eth0:none:8.8.8.8:8.8.4.4", "ip",
                 [IpConfig(**{**vars(IP_STATIC), "dns": ("8.8.8.8", "8.8.4.4")})]),
    # dracut's other network options (tests/unit/test_network_virtual.py has the rest)
    ("bond=bond0", "bond", [values.BondConfig()]),
    ("bond=bond1:ens3,ens4:mode=active-backup,arp_ip_target=10.0.0.1,10.0.0.2:9000", "bond",
     [values.BondConfig("bond1", ("ens3", "ens4"), (("mode", "active-backup"),
                                                    ("arp_ip_target", "10.0.0.1,10.0.0.2")), 9000)]),
    ("team=team0:eth0,eth1", "team", [values.TeamConfig("team0", ("eth0", "eth1"))]),
    ("vlan=vlan0005:eth0 vlan=bond0.10:bond0", "vlan",
     [values.VlanConfig("vlan0005", "eth0", 5), values.VlanConfig("bond0.10", "bond0", 10)]),
    ("bridge=br0:eth0,bond0", "bridge", [values.BridgeConfig("br0", ("eth0", "bond0"))]),
    ("ifname=lan0:52:54:00:12:34:AB", "ifname", [("lan0", "52:54:00:12:34:ab")]),
    ("nameserver=192.0.2.53 nameserver=[2001:db8::53]", "nameserver", ["192.0.2.53", "2001:db8::53"]),
]


@pytest.mark.parametrize("line, attr, expected", VALID)
def test_valid_values(line, attr, expected):
    options = parse_cmdline(line)
    assert getattr(options, attr) == expected
    assert options.warnings == []


def test_every_option_is_covered():
    lines = [case.values[0] if hasattr(case, "values") else case[0] for case in VALID]
    tested = {word.partition("=")[0] for line in lines for word in line.split()}
    tested |= {"inst.ks", "inst.repo", "inst.stage2", "inst.updates"}  # the source tests
    tested |= {spec.name for spec in SWITCHES}
    assert {spec.name for spec in OPTIONS} <= tested


@pytest.mark.parametrize("nosave, saved", [
    ("", {"logs", "input_ks", "output_ks"}),
    ("inst.nosave=logs", {"input_ks", "output_ks"}),
    ("inst.nosave=all_ks", {"logs"}),
    ("inst.nosave=input_ks,logs", {"output_ks"}),
    ("inst.nosave=all", set()),
])
def test_nosave_and_saves(nosave, saved):
    options = parse_cmdline(nosave)
    assert {what for what in ("logs", "input_ks", "output_ks") if options.saves(what)} == saved


def test_proxy_password_stays_secret():
    options = parse_cmdline("inst.proxy=http://user:s3cr3t@proxy.example.com:3128 inst.text")
    assert options.proxy.password == "s3cr3t" and options.secrets() == ["s3cr3t"]
    for shown in (describe(options), repr(options), repr(options.proxy), str(options.proxy)):
        assert "s3cr3t" not in shown
    assert "proxy.example.com:3128" in describe(options) and "text=True" in describe(options)


@pytest.mark.parametrize("line", ["inst.proxy=socks5://user:s3cr3t@proxy:1080",
                                  "inst.proxy=user:s3cr3t@proxy:99999",
                                  "proxy=http://user:s3cr3t@proxy:3128"])
def test_proxy_password_not_in_errors_or_warnings(line):
    try:
        shown = parse_cmdline(line).warnings
    except BootOptionError as exc:
        shown = [str(exc)]
    assert not any("s3cr3t" in text for text in shown)


# --- malformed values: the error names the option as written and what is accepted ---------

INVALID = [  # word, a fragment of what is accepted
    ("inst.ks=", "expected http(s)://HOST/PATH"),  # bare inst.ks is DHCP's; an empty value is not
    ("inst.ks=ks.cfg", "http(s)://HOST/PATH, ftp://HOST/PATH, file:/PATH, hd:DEVICE:/PATH"),
    ("inst.ks=gopher://h/ks.cfg", "nfs:[OPTIONS:]SERVER:/PATH"),
    ("inst.ks=http:/ks.cfg", "expected http://HOST/PATH"),
    ("inst.ks=https://:443/ks.cfg", "expected https://HOST/PATH"),
    ("inst.ks=http://h:99999/ks.cfg", "a number from 1 to 65535"),
    ("inst.ks=file:ks.cfg", "absolute path, e.g. file:/ks.cfg"),
    ("inst.ks=hd::/ks.cfg", "needs a device, e.g. hd:sdb1:/ks.cfg"),
    ("inst.ks=hd:sdb1:ks.cfg", "must be absolute"),
    ("inst.ks=hd:sd*b:/ks.cfg", "not a device name, LABEL=, UUID= or PARTUUID="),
    ("inst.ks=nfs:server", "expected nfs:[OPTIONS:]SERVER:/PATH"),
    ("inst.repo=nfs::/repo", "expected nfs:[OPTIONS:]SERVER:/PATH"),
    ("inst.stage2=hd:", "needs a device"),
    ("inst.updates=updates.img", "file:/PATH"),
    ("inst.addrepo=http://10.0.0.1/repo", "expected NAME,URL"),
    ("inst.addrepo=a/b,http://10.0.0.1/repo", "expected NAME,URL"),
    ("inst.addrepo=extras,repo", "hd:DEVICE:/PATH"),
    ("inst.text=maybe", "one of 1, 0, yes, no, on, off, true, false"),
    ("inst.zram=2", "one of 1, 0, yes, no, on, off, true, false"),
    ("inst.lang", "needs a value"),
    ("inst.lang=English", "a locale such as en_US.UTF-8"),
    ("inst.keymap=us;rm", "a keymap name such as us"),
    ("inst.nosave=", "comma-separated list of all, all_ks, logs, input_ks, output_ks"),
    ("inst.nosave=logs,everything", "comma-separated list of all, all_ks"),
    ("inst.lowmem=5", "0 (normal), 1 (low memory) or 2 (very low memory)"),
    ("inst.lowmem=low", "0 (normal), 1 (low memory) or 2"),
    ("inst.lowmem", "needs a value: force low-memory level 0, 1 or 2"),
    ("inst.disklabel=dos", "expected gpt or mbr (msdos is accepted for mbr)"),
    ("inst.disklabel", "needs a value: disk label type of new disk labels: gpt or mbr"),
    ("inst.loglevel=verbose", "expected one of debug, info, warning, error, critical"),
    ("inst.waitfornet=-1", "a whole number of seconds from 0 to 10000"),
    ("inst.waitfornet=1m", "a whole number of seconds from 0 to 10000"),
    ("inst.wait_for_disks=99999", "a whole number of seconds from 0 to 10000"),
    ("inst.selinux=permissive", "one of 1, 0, yes, no, on, off, true, false"),
    ("inst.kdump_addon=enabled", "one of 1, 0, yes, no, on, off, true, false"),
    ("rd.live.check=maybe", "one of 1, 0, yes, no, on, off, true, false"),
    ("inst.proxy=socks5://proxy:1080", "PROTOCOL http, https or ftp"),
    ("inst.proxy=proxy:port", "a number from 1 to 65535"),
    ("console=ttyS0,fast", "DEVICE[,BAUD[PARITY][BITS]]"),
    ("console=/dev/ttyS0", "e.g. tty0 or ttyS0,115200n8"),
    ("ip=bogus", "method 'bogus' is not one of dhcp, on, any"),
    ("ip=eth0:static", "method 'static' is not one of"),
    ("ip=eth/0:dhcp", "expected METHOD, INTERFACE:METHOD or IP:[PEER]"),
    ("ip=eth0:dhcp:9", "MTU '9' is not a number from 68 to 65535"),
    ("ip=10.0.0.300::10.0.0.1:24:h:eth0:none", "address '10.0.0.300' is not an IPv4 or IPv6"),
    ("ip=10.0.0.2::gw:24:h:eth0:none", "gateway 'gw' is not an IPv4 or IPv6"),
    ("ip=10.0.0.2::10.0.0.1:255.0.255.0:h:eth0:none", "is neither a prefix length"),
    ("ip=10.0.0.2::10.0.0.1:24:-h:eth0:none", "host name '-h' is not valid"),
    ("ip=10.0.0.2::10.0.0.1:24:h:averyverylongname0:none", "interface name"),
    ("ip=10.0.0.2::10.0.0.1:24:h:eth0:none::8.8.8.x", "DNS server '8.8.8.x' is not an IPv4"),
]


@pytest.mark.parametrize("word, accepted", INVALID)
def test_malformed_values(word, accepted):
    with pytest.raises(BootOptionError) as caught:
        parse_cmdline(f"quiet {word} inst.text")
    message = str(caught.value)
    assert message.startswith(word + (":" if "=" in word else " needs a value")), message
    assert accepted in message
