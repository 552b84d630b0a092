"""Target configuration on fake target trees holding what the bundled test repository
lacks (NetworkManager, chrony, systemd-timesyncd, SELinux, initial-setup): marker files
and real unit files, enabled by the host's real `systemctl --root` (the fake tree has no
systemctl of its own)."""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from installer.configure.system import configure_system
from installer.errors import ConfigurationError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader

pytestmark = [pytest.mark.host,
              pytest.mark.skipif(not shutil.which("systemctl"), reason="needs systemctl")]

UNITS = "usr/lib/systemd/system"


def unit(root: Path, name: str, wanted_by: str = "multi-user.target") -> None:
    path = root / UNITS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.endswith(".target"):
        path.write_text(f"[Unit]\nDescription={name}\n")
    else:
        path.write_text(f"[Unit]\nDescription={name}\n[Service]\nExecStart=/bin/true\n"
                        f"[Install]\nWantedBy={wanted_by}\n")


def touch(root: Path, path: str, text: str = "") -> Path:
    dest = root / path
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text)
    return dest


def fake_root(tmp_path: Path, *units: str) -> Path:
    root = tmp_path / "root"
    touch(root, "usr/lib/systemd/systemd")
    for name in ("multi-user.target", "graphical.target", *units):
        unit(root, name)
    os.symlink("graphical.target", root / UNITS / "default.target")
    return root


def configure(tmp_path: Path, root: Path, text: str, boot_ip=()):
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    loaded = parse([(str(ks), text)], None, Reader())
    (tmp_path / "sysfs").mkdir(exist_ok=True)
    configure_system(loaded.handler, root, loaded.commands_seen, boot_ip, tmp_path / "sysfs")


def wants(root: Path, unit_name: str, target: str = "multi-user.target") -> bool:
    return (root / "etc/systemd/system" / f"{target}.wants" / unit_name).is_symlink()


FEDORA_KS = """lang en_US.UTF-8 --addsupport=cs_CZ
timezone Etc/UTC --utc
timesource --ntp-server=ntp.example.test --nts
network --bootproto=static --device=ens3 --ip=192.0.2.10/24 --gateway=192.0.2.1 --nameserver=192.0.2.53
network --bootproto=dhcp --device=link --onboot=no
selinux --permissive
firstboot --reconfig
skipx
services --enabled=sshd
"""


def test_fedora_like_target(tmp_path):
    root = fake_root(tmp_path, "NetworkManager.service", "systemd-networkd.service",
                     "chronyd.service", "initial-setup.service", "sshd.service")
    touch(root, "usr/sbin/NetworkManager")
    touch(root, "etc/chrony.conf", "pool 2.fedora.pool.ntp.org iburst\ndriftfile /var/x\n")
    touch(root, "etc/selinux/config", "SELINUX=enforcing\nSELINUXTYPE=targeted\n")
    (root / "etc/selinux/targeted/policy").mkdir(parents=True)
    configure(tmp_path, root, FEDORA_KS)

    keyfiles = root / "etc/NetworkManager/system-connections"
    assert sorted(p.name for p in keyfiles.iterdir()) == ["ens3.nmconnection",
                                                          "link.nmconnection"]
    ens3 = keyfiles / "ens3.nmconnection"
    assert stat.S_IMODE(ens3.stat().st_mode) == 0o600
    text = ens3.read_text()
    assert "interface-name=ens3\n" in text and "address1=192.0.2.10/24\n" in text
    assert "gateway=192.0.2.1\n" in text and "dns=192.0.2.53;\n" in text
    assert "autoconnect=false\n" in (keyfiles / "link.nmconnection").read_text()
    assert not (root / "etc/systemd/network").exists()  # NetworkManager wins over networkd
    assert wants(root, "NetworkManager.service")
    assert not wants(root, "systemd-networkd.service")

    assert (root / "etc/chrony.conf").read_text().splitlines()[1:] == [
        "server ntp.example.test iburst nts", "#pool 2.fedora.pool.ntp.org iburst",
        "driftfile /var/x"]
    assert wants(root, "chronyd.service")
    assert (root / "etc/selinux/config").read_text() == \
        "SELINUX=permissive\nSELINUXTYPE=targeted\n"
    assert wants(root, "initial-setup.service") and (root / "etc/reconfigSys").exists()
    assert os.readlink(root / "etc/systemd/system/default.target").endswith("/multi-user.target")
    assert wants(root, "sshd.service")
    assert not (root / "etc/locale.gen").exists()  # langpacks are packages there
    machine_id = (root / "etc/machine-id").read_text()
    assert len(machine_id) == 33 and machine_id.endswith("\n")


def test_timesyncd_target_and_ntp_off(tmp_path):
    root = fake_root(tmp_path, "systemd-timesyncd.service", "initial-setup.service")
    configure(tmp_path, root, "timezone Etc/UTC\ntimesource --ntp-pool=pool.example.test\n")
    assert (root / "etc/systemd/timesyncd.conf.d/10-anaconda.conf").read_text().endswith(
        "[Time]\nNTP=pool.example.test\n")
    assert wants(root, "systemd-timesyncd.service")
    # a second install into the same tree: NTP off, first boot off
    os.symlink("../../../../usr/lib/systemd/system/initial-setup.service",
               root / "etc/systemd/system/multi-user.target.wants/initial-setup.service")
    configure(tmp_path, root, "timezone Etc/UTC --nontp\nfirstboot --disable\n")
    assert not wants(root, "systemd-timesyncd.service")
    assert not wants(root, "initial-setup.service")
    assert os.readlink(root / UNITS / "default.target") == "graphical.target"
    assert not (root / "etc/systemd/system/default.target").exists()  # no skipx: left alone


def test_no_selinux_no_config(tmp_path):
    root = fake_root(tmp_path)
    (root / "etc/selinux").mkdir(parents=True)
    touch(root, "etc/selinux/semanage.conf")  # libsemanage alone is not SELinux
    configure(tmp_path, root, "selinux --enforcing\n")
    assert not (root / "etc/selinux/config").exists()


def test_alias_and_missing_units(tmp_path):
    root = fake_root(tmp_path, "ssh.service")
    os.symlink("/usr/lib/systemd/system/ssh.service", root / UNITS / "sshd.service")
    configure(tmp_path, root, "services --enabled=sshd\n")
    assert wants(root, "ssh.service")
    with pytest.raises(ConfigurationError) as err:
        configure(tmp_path, root, "lang en_US.UTF-8\nservices --disabled=nosuch\n")
    assert str(err.value).startswith(f"{tmp_path}/ks.cfg:2: services: cannot disable "
                                     "nosuch.service: no such unit")
