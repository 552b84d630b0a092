"""Configuring the installed system, end to end: one real `anaconda --cmdline --dirinstall`
of the bundled test repository (Debian 12 packages as RPMs: systemd with networkd and
resolved, locales, keyboard-configuration; no NetworkManager, chrony or SELinux) with a
kickstart using every configuration command, checked file by file and link by link.
Plus the failures that must stop an install with exit code 6 and the kickstart line."""
from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from image.testrepo.build import ensure_repo
from tests.conftest import ANACONDA, REPO, Outcome

pytestmark = pytest.mark.host

KICKSTART = """\
lang en_US.UTF-8 --addsupport=cs_CZ.UTF-8,de_DE
keyboard --vckeymap=cz-qwerty --xlayouts='cz (qwerty)',us --switch=grp:alt_shift_toggle
timezone Europe/Prague --utc --ntpservers=ntp1.example.test
timesource --ntp-pool=pool.example.test --nts
network --hostname=configured.example.test
network --bootproto=static --device=ens3 --ip=192.0.2.10 --netmask=255.255.255.0 --gateway=192.0.2.1 --nameserver=192.0.2.53,2001:db8::53 --ipv6=2001:db8::10/64 --ipv6gateway=2001:db8::1 --onboot=no --activate
network --bootproto=dhcp --device=52:54:00:12:34:56 --noipv6
network --bootproto=dhcp --device=link
services --enabled=sshd,getty@tty2 --disabled=getty@tty1
selinux --enforcing
firstboot --enable
skipx
rootpw --lock
%packages
@^minimal-environment
@standard
systemd-resolved
%end
"""
#: ens3's ip= is the kickstart's device (not carried); ens9's is carried to the target
BOOT = ("ip=192.0.2.99::192.0.2.1:255.255.255.0:inst:ens3:none "
        "ip=192.0.2.7::192.0.2.1:255.255.255.0:inst:ens9:none:192.0.2.54")
SMALL_PACKAGES = "%packages --nocore\nsystemd\n%end\n"


def run_anaconda(tmp: Path, kickstart: str, boot: str = "") -> tuple[Outcome, Path]:
    (tmp / "ks.cfg").write_text(kickstart)
    target, logs = tmp / "root", tmp / "logs"
    argv = [str(ANACONDA), "--logdir", str(logs), "--boot-options",
            f"inst.repo={ensure_repo().as_uri()} {boot}".strip(),
            "--cmdline", "--dirinstall", str(target), "--kickstart", str(tmp / "ks.cfg")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, cwd=REPO)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, logs), target


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("configured")
    outcome, target = run_anaconda(tmp, KICKSTART, BOOT)
    assert outcome.code == 0, outcome.text[-3000:]
    return outcome, target, tmp / "ks.cfg"


def read(target: Path, path: str) -> str:
    return (target / path).read_text()


def wants(target: Path, unit: str) -> list[str]:
    """The .wants directories a unit is enabled in (the links are absolute, so they dangle
    from the host's point of view: lexists, not exists)."""
    return sorted(d.name for d in target.glob("etc/systemd/system/*.wants")
                  if os.path.lexists(d / unit))


def anaconda_log(outcome: Outcome) -> str:
    return (outcome.log_dir / "anaconda.log").read_text()


def test_locales(installed):
    _, target, _ = installed
    assert read(target, "etc/locale.conf") == "LANG=en_US.UTF-8\n"
    enabled = [l for l in read(target, "etc/locale.gen").splitlines() if not l.startswith("#")]
    assert enabled == ["cs_CZ.UTF-8 UTF-8", "de_DE.UTF-8 UTF-8", "en_US.UTF-8 UTF-8"]
    compiled = subprocess.run(["chroot", str(target), "locale", "-a"], capture_output=True,
                              text=True).stdout.split()
    assert {"cs_CZ.utf8", "de_DE.utf8", "en_US.utf8"} <= set(compiled)


def test_keyboard(installed):
    _, target, _ = installed
    assert read(target, "etc/vconsole.conf") == "KEYMAP=cz-qwerty\n"
    x11 = read(target, "etc/X11/xorg.conf.d/00-keyboard.conf")
    assert re.findall(r'Option "(\w+)" "([^"]*)"', x11) == [
        ("XkbLayout", "cz,us"), ("XkbVariant", "qwerty,"), ("XkbOptions", "grp:alt_shift_toggle")]
    debian = read(target, "etc/default/keyboard")  # keyboard-configuration is installed
    assert 'XKBLAYOUT="cz,us"\nXKBVARIANT="qwerty,"\nXKBOPTIONS="grp:alt_shift_toggle"\n' \
        in debian and "BACKSPACE=guess" in debian


def test_time(installed):
    outcome, target, ks = installed
    assert os.readlink(target / "etc/localtime") == "../usr/share/zoneinfo/Europe/Prague"
    assert read(target, "etc/adjtime").endswith("UTC\n")
    log = anaconda_log(outcome)
    assert f"{ks}:4: timesource: the target has no time daemon (chrony, systemd-timesyncd)" \
        in log and "pool.example.test, ntp1.example.test" in log
    assert not (target / "etc/chrony.conf").exists()
    assert not (target / "etc/systemd/timesyncd.conf.d").exists()


def network_files(target: Path) -> dict[str, str]:
    directory = target / "etc/systemd/network"
    return {p.name: p.read_text() for p in directory.glob("*-anaconda-*.network")}


def link_device() -> tuple[str, str] | None:
    """The first hardware device with carrier on this host, read here independently."""
    for path in sorted(Path("/sys/class/net").iterdir()):
        try:
            if (path / "device").exists() and (path / "carrier").read_text().strip() == "1":
                return path.name, (path / "address").read_text().strip().lower()
        except OSError:
            continue
    return None


def test_network_files(installed):
    _, target, ks = installed
    files = network_files(target)
    link = link_device()
    link_file = f"10-anaconda-{link[0]}.network" if link else "90-anaconda-link.network"
    assert sorted(files) == sorted(["10-anaconda-ens3.network",
                                    "10-anaconda-525400123456.network",
                                    "10-anaconda-ens9.network", link_file])
    assert files["10-anaconda-ens3.network"] == (
        f"# From {ks}:6\n[Match]\nName=ens3\n\n[Link]\nActivationPolicy=manual\n\n"
        "[Network]\nAddress=192.0.2.10/24\nGateway=192.0.2.1\nAddress=2001:db8::10/64\n"
        "Gateway=2001:db8::1\nIPv6AcceptRA=no\nDNS=192.0.2.53\nDNS=2001:db8::53\n")
    assert files["10-anaconda-525400123456.network"] == (
        f"# From {ks}:7\n[Match]\nMACAddress=52:54:00:12:34:56\n\n"
        "[Network]\nDHCP=ipv4\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n")
    match = f"MACAddress={link[1]}" if link else "Type=ether"
    assert files[link_file] == (f"# From {ks}:8\n[Match]\n{match}\n\n"
                                "[Network]\nDHCP=ipv4\nIPv6AcceptRA=yes\n")
    assert files["10-anaconda-ens9.network"] == (
        "# From boot option ip=ens9:none\n[Match]\nName=ens9\n\n[Network]\n"
        "Address=192.0.2.7/24\nGateway=192.0.2.1\nIPv6AcceptRA=yes\nDNS=192.0.2.54\n")
    assert read(target, "etc/hostname") == "configured.example.test\n"


def test_network_services(installed):
    _, target, _ = installed
    assert wants(target, "systemd-networkd.service") == ["multi-user.target.wants"]
    assert wants(target, "systemd-resolved.service") == ["sysinit.target.wants"]
    assert os.readlink(target / "etc/resolv.conf") == "../run/systemd/resolve/stub-resolv.conf"
    assert not (target / "etc/NetworkManager").exists()


def test_services(installed):
    _, target, _ = installed
    assert wants(target, "ssh.service") == ["multi-user.target.wants"]  # sshd is an alias
    assert wants(target, "getty@tty2.service") == ["getty.target.wants"]
    assert wants(target, "getty@tty1.service") == []
    state = subprocess.run(["systemctl", f"--root={target}", "is-enabled", "ssh.service",
                            "getty@tty2.service", "getty@tty1.service"],
                           capture_output=True, text=True).stdout.split()
    assert state == ["enabled", "enabled", "disabled"]


def test_selinux_firstboot_skipx(installed):
    outcome, target, ks = installed
    log = anaconda_log(outcome)
    assert f"{ks}:10: selinux: the target has no SELinux" in log
    assert not (target / "etc/selinux/config").exists()
    assert f"{ks}:11: firstboot: initial-setup is not installed" in log
    assert os.readlink(target / "etc/systemd/system/default.target").endswith(
        "/multi-user.target")


def test_machine_id(installed):
    _, target, _ = installed
    path = target / "etc/machine-id"
    assert re.fullmatch(r"[0-9a-f]{32}\n", path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_commands_in_program_log(installed):
    outcome, target, _ = installed
    program = (outcome.log_dir / "program.log").read_text()
    for argv in ("systemctl --root=/ enable ssh.service", "systemctl --root=/ disable "
                 "getty@tty1.service", "systemctl --root=/ set-default multi-user.target",
                 "/usr/sbin/locale-gen"):
        assert f"Running: chroot {target} {argv}" in program, argv


@pytest.mark.parametrize("line, message", [
    ("services --enabled=getty@tty2,nosuch", "services: cannot enable nosuch.service: no such unit"),
    # `network --bootproto=static --ip=ADDRESS` without --netmask is refused before anything
    # is written (exit 2): test_bad_input.py
])
def test_configuration_errors_exit_6_with_the_line(tmp_path, line, message):
    outcome, target = run_anaconda(tmp_path, f"lang en_US.UTF-8\n{line}\n{SMALL_PACKAGES}")
    assert outcome.code == 6, outcome.text[-2000:]
    assert f"{tmp_path}/ks.cfg:2: {message}" in outcome.err
    assert (target / "var/log/anaconda/anaconda.log").exists()  # logs saved after a failure
