"""CLI flags: every boot option as a flag, parsed with the same parsers and messages."""
from __future__ import annotations

import os

import pytest

from installer.bootopts import BootOptions, Source
from installer.cli import apply_flags, boot_options_text, parse_args
from installer.errors import BootOptionError, UsageError


def flags(*argv: str) -> BootOptions:
    return apply_flags(parse_args(list(argv)), BootOptions())


@pytest.mark.parametrize("argv, attr, expected", [
    (["--text"], "text", True),
    (["--nokill"], "nokill", True),
    (["--text", "--nokill", "--debug"], "debug", True),
    (["--ksstrict"], "ksstrict", True),
    (["--ks-all"], "ks_all", True),
    (["--noverifyssl"], "noverifyssl", True),
    (["--zram", "0"], "zram", False),
    (["--lowmem", "2"], "lowmem", 2),
    (["--lang", "de_DE.UTF-8"], "lang", "de_DE.UTF-8"),
    (["--nosave", "logs,input_ks"], "nosave", {"logs", "input_ks"}),
    (["--console", "tty0", "--console", "ttyS0,115200n8"], "console", ["tty0", "ttyS0,115200n8"]),
    (["--ks", "http://10.0.0.1/ks.cfg"], "ks", [Source("http", "http://10.0.0.1/ks.cfg", path="/ks.cfg")]),
    (["--repo", "hd:sdb1:/repo"], "repo", Source("hd", "hd:sdb1:/repo", "sdb1", "/repo")),
    (["--addrepo", "extras,file:/srv/extras"], "addrepo",
     [("extras", Source("file", "file:/srv/extras", path="/srv/extras"))]),
])
def test_flags_set_boot_options(argv, attr, expected):
    assert getattr(flags(*argv), attr) == expected


def test_switches_left_alone_stay_off():
    options = flags("--nokill")
    assert (options.text, options.cmdline, options.debug, options.nokill) == (False, False, False, True)


@pytest.mark.parametrize("argv, shown, accepted", [
    (["--lowmem", "5"], "--lowmem 5", "0 (normal), 1 (low memory) or 2"),
    (["--zram", "maybe"], "--zram maybe", "one of 1, 0, yes, no"),
    (["--lang", "English"], "--lang English", "a locale such as en_US.UTF-8"),
    (["--ip", "eth0:static"], "--ip eth0:static", "method 'static' is not one of"),
    (["--kickstart", "gopher://h/ks.cfg"], "--kickstart gopher://h/ks.cfg", "http(s)://HOST/PATH"),
])
def test_bad_values_name_the_flag(argv, shown, accepted):
    with pytest.raises(BootOptionError) as caught:
        flags(*argv)
    assert str(caught.value).startswith(shown + ": ") and accepted in str(caught.value)


@pytest.mark.parametrize("argv", [["--kickstart", "relative/ks.cfg"], ["--ks", "ks.cfg"]])
def test_relative_kickstart_becomes_absolute_file(argv):
    expected = os.path.join(os.getcwd(), argv[1])
    assert flags(*argv).ks == [Source("file", "file:" + expected, path=expected)]


def test_kickstart_replaces_boot_option_ks():
    options = BootOptions(ks=[Source("http", "http://a/ks.cfg", path="/ks.cfg")])
    apply_flags(parse_args(["--kickstart", "/srv/ks.cfg"]), options)
    assert options.ks == [Source("file", "file:/srv/ks.cfg", path="/srv/ks.cfg")]


def test_cmdline_alone_is_the_front_end_switch():
    args = parse_args(["--cmdline", "--kickstart", "/ks.cfg"])
    assert boot_options_text(args) is None
    assert apply_flags(args, BootOptions()).cmdline is True


def test_cmdline_with_text_is_boot_options():
    args = parse_args(["--cmdline", "inst.text inst.lowmem=1"])
    assert boot_options_text(args) == "inst.text inst.lowmem=1"
    assert apply_flags(args, BootOptions()).cmdline is False


def test_boot_options_flag_wins_over_cmdline_text():
    args = parse_args(["--boot-options", "inst.debug", "--cmdline", "inst.text"])
    assert boot_options_text(args) == "inst.debug"


@pytest.mark.parametrize("argv", [["--bogus"], ["--lowmem"], ["--zram"], ["--text=1"], ["stray"]])
def test_usage_errors(argv):
    with pytest.raises(UsageError, match=r"\(see anaconda --help\)$"):
        parse_args(argv)
