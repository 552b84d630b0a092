"""Anaconda's boot options (its user guide's list): each one is parsed into BootOptions,
or warned of, refused or accepted by name (installer/bootopts/ignored.py), never dropped
without a word; graphical ones say they are out of scope; password values never show."""
from __future__ import annotations

import logging

import pytest

from installer.bootopts import BootOptions, describe, parse_cmdline
from installer.bootopts.ignored import ACCEPTED, GRAPHICAL, IGNORED, REFUSED, WARNED
from installer.bootopts.options import ALIASES, BY_NAME, LEGACY_NAMES
from installer.cli import apply_flags, parse_args
from installer.errors import BootOptionError
from installer.logs import file_level

#: Every option Anaconda's docs/user-guide/boot-options.rst has a section for.
ANACONDA_DOC = (
    "inst.repo inst.addrepo inst.noverifyssl inst.proxy inst.stage2 inst.stage2.all inst.dd "
    "inst.multilib inst.ks inst.ks.all inst.ks.sendmac inst.ks.sendsn inst.ksstrict "
    "inst.pauseatsummary ip nameserver bootdev ifname inst.dhcpclass inst.waitfornet "
    "inst.net.noautodefault console inst.lang inst.geoloc inst.geoloc-use-with-ks inst.keymap "
    "inst.cmdline inst.graphical inst.text inst.noninteractive inst.resolution inst.rdp "
    "inst.rdp.username inst.rdp.password inst.webui.remote.noauth inst.webui.remote.pin "
    "inst.xdriver inst.usefbx inst.xtimeout inst.sshd inst.debug inst.remote-debugger "
    "inst.rescue inst.updates inst.nokill inst.noshell inst.notmux inst.syslog inst.virtiolog "
    "inst.wait_for_disks inst.extlinux inst.sdboot inst.leavebootorder inst.disklabel inst.gpt "
    "inst.selinux inst.nosave inst.nonibftiscsiboot inst.profile inst.kdump_addon dns netmask "
    "gateway hostname ksdevice askmethod asknetwork blacklist nofirewire method serial updates "
    "essid wepkey wpakey ethtool gdb inst.loglevel inst.mediacheck rd.live.check ks display "
    "utf8 noipv6 upgradeany inst.zram inst.singlelang repo inst.nodmraid inst.nompath "
    "inst.product inst.variant inst.vnc inst.vncpassword inst.vncconnect").split()
#: Network options another part of issue 15 adds (they may not be in OPTIONS yet).
NETWORK = {"nameserver", "ifname"}


@pytest.mark.parametrize("name", ANACONDA_DOC)
def test_every_documented_option_has_a_disposition(name):
    assert name in BY_NAME or name in ALIASES or name in IGNORED or name in LEGACY_NAMES \
        or name in NETWORK, f"{name}: neither parsed nor warned/refused/accepted"


def test_ignored_names_are_not_options_too():
    """An option that gets an OptionSpec leaves the table (the spec would win silently)."""
    assert not set(IGNORED) & set(BY_NAME)
    assert {rule.state for rule in IGNORED.values()} == {WARNED, REFUSED, ACCEPTED}


def test_the_new_options_on_one_line():
    options = parse_cmdline(
        "inst.disklabel=gpt inst.selinux=0 inst.multilib inst.loglevel=error inst.waitfornet=20 "
        "inst.wait_for_disks=0 inst.noshell inst.singlelang inst.stage2.all inst.mediacheck "
        "inst.kdump_addon=off inst.gpt")
    assert (options.disklabel, options.gpt, options.selinux, options.multilib) == \
        ("gpt", True, False, True)
    assert (options.loglevel, options.waitfornet, options.wait_for_disks) == ("error", 20, 0)
    assert options.noshell and options.singlelang and options.stage2_all and options.mediacheck
    assert options.kdump_addon is False and options.warnings == []
    assert "selinux=False" in describe(options) and "kdump_addon=False" in describe(options)


def test_defaults_leave_the_kickstart_and_the_image_alone():
    options = BootOptions()
    assert options.selinux is None and options.kdump_addon is None and options.gpt is None
    assert options.disk_label() is None and not options.multilib and options.loglevel is None


@pytest.mark.parametrize("line, label", [
    ("inst.gpt", "gpt"), ("inst.gpt=0", None), ("inst.disklabel=mbr", "mbr"),
    ("inst.gpt inst.disklabel=mbr", "mbr"),  # the explicit label wins over the old switch
])
def test_disk_label(line, label):
    assert parse_cmdline(line).disk_label() == label


@pytest.mark.parametrize("line, expected", [
    ("rd.live.check", True), ("rd.live.check=1", True), ("rd.live.check=0", False),
    ("inst.mediacheck=no", False),
])
def test_rd_live_check_is_mediacheck(line, expected):
    options = parse_cmdline(line)
    assert options.mediacheck is expected and options.warnings == []


def test_cli_flags_of_the_new_options():
    args = parse_args(["--selinux", "0", "--kdump-addon", "on", "--wait-for-disks", "3",
                       "--stage2-all", "--mediacheck", "--gpt", "--multilib", "--noshell",
                       "--singlelang", "--loglevel", "info", "--waitfornet", "5",
                       "--disklabel", "mbr"])
    options = apply_flags(args, BootOptions())
    assert options.selinux is False and options.kdump_addon is True
    assert options.wait_for_disks == 3 and options.waitfornet == 5
    assert options.stage2_all and options.mediacheck and options.gpt and options.multilib
    assert options.noshell and options.singlelang and options.loglevel == "info"
    assert options.disklabel == "mbr"


GRAPHICAL_NAMES = ["inst.graphical", "inst.vnc", "inst.vncconnect", "inst.rdp",
                   "inst.rdp.username", "inst.resolution", "inst.xdriver", "inst.usefbx",
                   "inst.xtimeout", "inst.webui.remote", "inst.webui.remote.noauth"]


@pytest.mark.parametrize("name", GRAPHICAL_NAMES)
def test_graphical_options_are_out_of_scope(name):
    options = parse_cmdline(f"{name}=1024x768 inst.text", origin="pxelinux.cfg")
    assert options.warnings == [f"pxelinux.cfg: {name!r} ignored: {GRAPHICAL}"]
    assert "out of scope" in options.warnings[0] and "text interface" in options.warnings[0]


@pytest.mark.parametrize("name", ["inst.vncpassword", "inst.rdp.password",
                                  "inst.webui.remote.pin", "wpakey", "wepkey"])
def test_passwords_of_ignored_options_never_show(name):
    options = parse_cmdline(f"{name}=Hunter2secret")
    assert len(options.warnings) == 1 and name in options.warnings[0]
    shown = " ".join(options.warnings) + describe(options) + repr(options)
    assert "Hunter2secret" not in shown
    assert "Hunter2secret" in options.secrets()  # the redactor masks it in every log


@pytest.mark.parametrize("word, why", [
    ("inst.remotelog=10.0.0.1:514", "not streamed over TCP"),
    ("inst.dd=hd:sdb1:/dd.rpm", "driver update disks"), ("inst.geoloc=0", "no geolocation"),
    ("inst.leavebootorder", "boot entry first"), ("inst.profile=fedora-server", "profiles"),
    ("ksdevice=eth0", "ip=INTERFACE:dhcp"), ("serial", "console=ttyS0"),
    ("inst.nompath", "removed from Anaconda"), ("bootdev=eth0", "ip="),
])
def test_not_applied_options_warn_by_name(word, why):
    options = parse_cmdline(word)
    name = word.partition("=")[0]
    assert len(options.warnings) == 1
    assert f"{name!r} ignored: " in options.warnings[0] and why in options.warnings[0]


@pytest.mark.parametrize("word, why", [
    ("inst.sdboot", "GRUB 2"), ("inst.extlinux", "GRUB 2"),
    ("inst.pauseatsummary", "begins the install at once"),
])
def test_refused_options_stop_the_start(word, why):
    with pytest.raises(BootOptionError) as caught:
        parse_cmdline(f"quiet {word} inst.text")
    assert f"{word!r} is refused: " in str(caught.value) and why in str(caught.value)


@pytest.mark.parametrize("word", ["inst.notmux", "inst.net.noautodefault", "inst.noeject"])
def test_accepted_options_need_nothing(word):
    assert parse_cmdline(word).warnings == []


def test_unknown_inst_option_still_named():
    options = parse_cmdline("inst.nosuchthing=1")
    assert options.warnings == ["/proc/cmdline: unknown boot option 'inst.nosuchthing=1' ignored"]


@pytest.mark.parametrize("debug, loglevel, level", [
    (False, None, logging.INFO), (True, None, logging.DEBUG), (True, "warning", logging.WARNING),
    (False, "critical", logging.CRITICAL), (False, "debug", logging.DEBUG),
])
def test_log_file_level(debug, loglevel, level):
    assert file_level(debug, loglevel) == level


@pytest.mark.parametrize("kickstart, boot, mode", [
    ("selinux --permissive\n", "inst.selinux=0", "selinux --disabled"),
    ("selinux --disabled\n", "inst.selinux", "selinux --enforcing"),
    ("", "inst.selinux=1", "selinux --enforcing"),
    ("selinux --permissive\n", "", "selinux --permissive"),
])
def test_inst_selinux_wins_over_the_kickstart(kickstart, boot, mode):
    from installer.configure.selinux import apply_boot_option
    from installer.kickstart.load import parse
    from installer.kickstart.reader import Reader

    handler = parse([("ks.cfg", kickstart)], None, Reader()).handler
    apply_boot_option(handler, parse_cmdline(boot).selinux)
    assert mode in str(handler.selinux)
