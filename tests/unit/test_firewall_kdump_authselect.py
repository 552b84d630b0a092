"""`firewall`, `authselect` and `%addon com_redhat_kdump`: their options read from real
pykickstart parses, the command lines built for the target's tools, the checks that refuse
a bad addon header, and the warnings for a target that lacks the tool (an empty directory
is such a target: nothing is run)."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from installer.configure import authselect, firewall, kdump
from installer.configure.target import Target
from installer.kickstart.checks import collect
from installer.kickstart.kdump import KdumpSettings, parse_kdump_args
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader

BASE = "lang en_US.UTF-8\nrootpw --lock\n"
KDUMP = "%addon com_redhat_kdump {}\n%end\n"


def load(tmp_path: Path, text: str):
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    return parse([(str(ks), text)], None, Reader())


def target_of(tmp_path: Path, loaded) -> Target:
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    return Target(root, loaded.commands_seen)


# ---------------------------------------------------------------- %addon com_redhat_kdump

@pytest.mark.parametrize("args, expected", [
    ([], KdumpSettings(True, "auto", False)),  # the addon alone means on, as Anaconda
    (["--enable"], KdumpSettings(True, "auto", False)),
    (["--disable"], KdumpSettings(False, "auto", False)),
    (["--disable", "--enable"], KdumpSettings(True, "auto", False)),  # the last one wins
    (["--enable", "--reserve-mb=256"], KdumpSettings(True, "256", False)),
    (["--reserve-mb='256M'"], KdumpSettings(True, "256", False)),
    (["--reserve-mb", "auto"], KdumpSettings(True, "auto", False)),
    (["--reserve-mb=\"auto\""], KdumpSettings(True, "auto", False)),
    (["--enable", "--enablefadump"], KdumpSettings(True, "auto", True)),
])
def test_kdump_options(args, expected):
    assert parse_kdump_args(args) == expected


@pytest.mark.parametrize("args, message", [
    (["--reserve-mb=lots"], "--reserve-mb=lots is not a size"),
    (["--reserve-mb=0"], "--reserve-mb=0 is not a size"),
    (["--reserve-mb=-5"], "--reserve-mb=-5 is not a size"),
    (["--reserve-mb"], "--reserve-mb needs a value"),
    (["--reserve-mb", "--enable"], "--reserve-mb needs a value"),
    (["--enable=yes"], "--enable takes no value"),
    (["--crashkernel=1G"], "unknown option '--crashkernel=1G'"),
])
def test_kdump_bad_options(args, message):
    with pytest.raises(ValueError, match=message):
        parse_kdump_args(args)


def test_bad_kdump_header_is_refused_with_its_line(tmp_path):
    text = BASE + "\n" + KDUMP.format("--enable --reserve-mb=lots")
    found = collect(load(tmp_path, text))
    assert [f"{w}: {p}" for w, p in found.errors] == [
        f"{tmp_path}/ks.cfg:4: %addon com_redhat_kdump: --reserve-mb=lots is not a size: "
        "expected a number of MiB such as 256 (or 256M), or auto"]


def test_kdump_body_lines_are_warned(tmp_path):
    text = BASE + ("%addon com_redhat_kdump --enable\n# a comment\n"
                   "core_collector makedumpfile\n%end\n")
    found = collect(load(tmp_path, text))
    assert not found.errors
    assert f"{tmp_path}/ks.cfg:3: %addon com_redhat_kdump reads only its header line; the 1 " \
           "line(s) before its %end are ignored" in found.warning_lines()


def test_good_kdump_header_passes_the_checks(tmp_path):
    found = collect(load(tmp_path, BASE + KDUMP.format("--enable --reserve-mb=256")))
    assert not found.errors
    assert not [w for w in found.warning_lines() if "com_redhat_kdump" in w]


def fake_kdump(root: Path, unit: str, grub_dropin: bool = False) -> None:
    (root / "usr/lib/systemd/system").mkdir(parents=True, exist_ok=True)
    (root / "usr/lib/systemd/system" / unit).write_text("[Unit]\n")
    if grub_dropin:
        (root / "etc/default/grub.d").mkdir(parents=True)
        (root / kdump.DEBIAN_GRUB).write_text(
            'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M"\n')


class Options:
    def __init__(self, kdump_addon):
        self.kdump_addon = kdump_addon


def test_kernel_arguments_fedora_like_target(tmp_path):
    loaded = load(tmp_path, BASE + KDUMP.format("--enable --reserve-mb=256"))
    root = target_of(tmp_path, loaded).root
    assert kdump.kernel_arguments(loaded.handler, root) == []  # no kdump installed: warned
    fake_kdump(root, "kdump.service")
    assert kdump.kernel_arguments(loaded.handler, root) == ["crashkernel=256M"]
    assert kdump.kernel_arguments(loaded.handler, root, Options(None)) == ["crashkernel=256M"]
    assert kdump.kernel_arguments(loaded.handler, root, Options(True)) == ["crashkernel=256M"]
    # inst.kdump_addon=off
    assert kdump.kernel_arguments(loaded.handler, root, Options(False)) == []
    # the user's own crashkernel= in bootloader --append gives way to the addon's
    assert kdump.boot_append("quiet crashkernel=128M", loaded.handler, root) == \
        "quiet crashkernel=256M"
    assert kdump.boot_append("quiet crashkernel=128M", loaded.handler, root, Options(False)) == \
        "quiet crashkernel=128M"


def test_kernel_arguments_disabled_reserve_nothing(tmp_path):
    loaded = load(tmp_path, BASE + KDUMP.format("--disable"))
    root = target_of(tmp_path, loaded).root
    fake_kdump(root, "kdump.service")
    assert kdump.kernel_arguments(loaded.handler, root) == []
    assert kdump.boot_append("quiet crashkernel=128M", loaded.handler, root) == "quiet"


def test_kernel_arguments_without_the_addon_leave_append_alone(tmp_path):
    loaded = load(tmp_path, BASE)
    root = target_of(tmp_path, loaded).root
    fake_kdump(root, "kdump.service")
    assert kdump.kernel_arguments(loaded.handler, root) == []
    assert kdump.boot_append("quiet  crashkernel=128M", loaded.handler, root) == \
        "quiet  crashkernel=128M"


def test_kernel_arguments_auto_without_kdumpctl_answer(tmp_path, caplog):
    loaded = load(tmp_path, BASE + KDUMP.format("--enable"))
    root = target_of(tmp_path, loaded).root
    fake_kdump(root, "kdump.service")
    with caplog.at_level(logging.WARNING, logger="anaconda.configure"):
        assert kdump.kernel_arguments(loaded.handler, root) == \
            [f"crashkernel={kdump.FEDORA_FALLBACK}"]
    assert f"{tmp_path}/ks.cfg:3: %addon com_redhat_kdump: --reserve-mb=auto" in caplog.text


def test_kernel_arguments_debian_target(tmp_path):
    """kdump-tools' own grub.d file is where GRUB takes crashkernel= from on Debian-built
    targets; configure_kdump writes the size there, the request adds nothing twice."""
    loaded = load(tmp_path, BASE + KDUMP.format("--enable --reserve-mb=256"))
    root = target_of(tmp_path, loaded).root
    fake_kdump(root, "kdump-tools.service")
    assert kdump.kernel_arguments(loaded.handler, root) == ["crashkernel=256M"]
    fake_kdump(root, "kdump-tools.service", grub_dropin=True)
    assert kdump.kernel_arguments(loaded.handler, root) == []
    auto = kdump.KdumpSettings()
    assert kdump.crashkernel(auto, Target(root), "debian") == "384M-:128M"


def test_debian_files():
    assert kdump.grub_dropin("256M", "ks.cfg:9") == (
        "# Written by the installer for %addon com_redhat_kdump at ks.cfg:9.\n"
        'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=256M"\n')
    assert "crashkernel" not in kdump.grub_dropin(None, "ks.cfg:9").split("\n", 1)[1]
    template = ("# USE_KDUMP - controls kdump\n#\nUSE_KDUMP=1\n\n"
                "KDUMP_KERNEL=/var/lib/kdump/vmlinuz\n")
    assert kdump.use_kdump(template, False) == template.replace("USE_KDUMP=1", "USE_KDUMP=0")
    assert kdump.use_kdump(template, True) == template
    assert kdump.use_kdump("#USE_KDUMP=0\n", True) == "USE_KDUMP=1\n"
    assert kdump.use_kdump("", True) == "USE_KDUMP=1\n"
    assert kdump.use_kdump("A=1", False) == "A=1\nUSE_KDUMP=0\n"


@pytest.mark.parametrize("args, warned", [("--enable --reserve-mb=256", True),
                                          ("--disable", False)])
def test_kdump_missing_is_warned_with_the_line(tmp_path, caplog, args, warned):
    loaded = load(tmp_path, BASE + KDUMP.format(args))
    with caplog.at_level(logging.INFO, logger="anaconda.configure"):
        kdump.configure_kdump(loaded.handler, target_of(tmp_path, loaded))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if warned:
        assert warnings == [f"{tmp_path}/ks.cfg:3: %addon com_redhat_kdump: the installed system "
                            "has no kdump, so no crash kernel is set up; add kdump-utils (Fedora; "
                            "kexec-tools before Fedora 41) or kdump-tools (Debian) to %packages"]
    else:
        assert warnings == [] and "nothing to disable" in caplog.text


def test_kdump_addon_off_is_logged(tmp_path, caplog):
    loaded = load(tmp_path, BASE + KDUMP.format("--enable"))
    with caplog.at_level(logging.INFO, logger="anaconda.configure"):
        kdump.configure_kdump(loaded.handler, target_of(tmp_path, loaded), kdump_addon=False)
    assert f"{tmp_path}/ks.cfg:3: inst.kdump_addon=off: %addon com_redhat_kdump is ignored" \
        in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------- firewall

@pytest.mark.parametrize("line, expected", [
    ("firewall --enabled --service=ssh --port=1234:tcp --trust=eth1 --remove-service=dhcpv6-client",
     ["--enabled", "--trust=eth1", "--port=1234:tcp", "--remove-service=dhcpv6-client",
      "--service=ssh"]),
    # SSH stays reachable unless the kickstart says otherwise, as in Anaconda
    ("firewall --enabled --http --port=8080", ["--enabled", "--service=ssh", "--port=8080:tcp",
                                               "--service=http"]),
    ("firewall", ["--enabled", "--service=ssh"]),
    ("firewall --enabled --port=22:tcp", ["--enabled", "--port=22:tcp"]),
    ("firewall --enabled --remove-service=ssh,mdns", ["--enabled", "--remove-service=ssh",
                                                     "--remove-service=mdns"]),
    ("firewall --enabled --trust=eth0 --trust=eth1 --service=nfs,mountd",
     ["--enabled", "--service=ssh", "--trust=eth0", "--trust=eth1", "--service=nfs",
      "--service=mountd"]),
    ("firewall --disabled", ["--disabled", "--service=ssh"]),
])
def test_firewall_offline_cmd_args(tmp_path, line, expected):
    loaded = load(tmp_path, BASE + line + "\n")
    assert firewall.offline_cmd_args(loaded.handler.firewall) == expected


def configure_firewall_log(tmp_path, caplog, line: str) -> list:
    loaded = load(tmp_path, BASE + line + "\n")
    with caplog.at_level(logging.INFO, logger="anaconda.configure"):
        firewall.configure_firewall(loaded.handler, target_of(tmp_path, loaded))
    return caplog.records


def test_firewall_without_firewalld_is_warned(tmp_path, caplog):
    records = configure_firewall_log(tmp_path, caplog, "firewall --enabled --service=http")
    assert [(r.levelno, r.getMessage()) for r in records] == [(
        logging.WARNING, f"{tmp_path}/ks.cfg:3: firewall: the installed system has no "
        "firewall-offline-cmd, so the firewall is not configured; add firewalld to %packages")]


@pytest.mark.parametrize("line, logged", [
    ("firewall --disabled", "there is no firewall to disable"),
    ("firewall --use-system-defaults --service=http", "left as the packages set it"),
])
def test_firewall_that_needs_nothing_is_logged(tmp_path, caplog, line, logged):
    records = configure_firewall_log(tmp_path, caplog, line)
    assert [r.levelno for r in records] == [logging.INFO]
    message = records[0].getMessage()
    assert logged in message and f"{tmp_path}/ks.cfg:3: firewall" in message


def test_no_firewall_command_does_nothing(tmp_path, caplog):
    assert configure_firewall_log(tmp_path, caplog, "") == []


# ---------------------------------------------------------------- authselect

@pytest.mark.parametrize("text, expected", [
    ("select sssd", ["select", "sssd", "--force"]),
    ("select sssd with-mkhomedir --force", ["select", "sssd", "with-mkhomedir", "--force"]),
    ("select -f minimal", ["select", "-f", "minimal"]),
    ("enable-feature with-faillock", ["enable-feature", "with-faillock"]),  # select only
    ("select 'custom/my profile'", ["select", "custom/my profile", "--force"]),
])
def test_authselect_args(text, expected):
    assert authselect.authselect_args(text) == expected


def test_authselect_without_the_tool_is_warned(tmp_path, caplog):
    loaded = load(tmp_path, BASE + "authselect select sssd with-mkhomedir\n")
    assert loaded.handler.authselect.authselect == "select sssd with-mkhomedir"
    with caplog.at_level(logging.INFO, logger="anaconda.configure"):
        authselect.configure_authselect(loaded.handler, target_of(tmp_path, loaded))
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(
        logging.WARNING, f"{tmp_path}/ks.cfg:3: authselect: authselect is not installed on the "
        "target (no /usr/bin/authselect), so `authselect select sssd with-mkhomedir` is not "
        "applied; add authselect to %packages")]
