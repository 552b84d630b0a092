"""The boot loader's planning side: what grub-install targets, /etc/default/grub, the
packages a layout needs. grub-install itself runs in the VM tier (tests/vm/test_boot_installed.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.bootloader import BootloaderRequest, bios_targets, find_tools, write_defaults, write_password
from storage.errors import StorageProblem
from storage.kickstart import apply_kickstart
from storage.requirements import system_needs
from storage.session import from_image_files


@pytest.fixture
def disks(tmp_path):
    def make(count: int = 1, platform: str = "bios"):
        paths = []
        for name in ("sda", "sdb")[:count]:
            path = tmp_path / name
            with open(path, "wb") as handle:
                handle.truncate(int(Size("20 GiB")))
            paths.append(path)
        return from_image_files(paths, platform=platform)
    return make


def plan(session, text: str):
    apply_kickstart(session, parse([("test.ks", text)], None, Reader()).handler)
    return session


def needs(session) -> dict[str, tuple[list[str], bool]]:
    return {n.why: (n.names, n.required) for n in system_needs(session)}


def test_lvm_layout_needs_lvm2_xfs_and_grub(disks):
    found = needs(plan(disks(), "clearpart --all --initlabel\nautopart --type=lvm\n"))
    names = {name for group, _ in found.values() for name in group}
    assert {"lvm2", "xfsprogs", "grub2-pc", "grub-pc-bin", "grub2-tools", "grub2-common"} <= names
    assert "cryptsetup" not in names and "mdadm" not in names
    assert found["the BIOS boot loader"] == (["grub2-pc", "grub-pc-bin"], True)


def test_encrypted_plain_ext4_on_uefi(disks):
    session = plan(disks(platform="uefi"), "clearpart --all --initlabel\n"
                   "autopart --type=plain --fstype=ext4 --encrypted --passphrase=long-enough-secret\n")
    found = needs(session)
    names = {name for group, _ in found.values() for name in group}
    assert {"e2fsprogs", "cryptsetup", "dosfstools", "grub-efi-amd64-bin", "efibootmgr"} <= names
    assert found["unlocking LUKS at boot with initramfs-tools"][1] is False  # helpful, not fatal
    assert "lvm2" not in names and "xfsprogs" not in names and "grub-pc-bin" not in names


def test_no_bootloader_no_grub(disks):
    session = plan(disks(), "clearpart --all --initlabel\nbootloader --location=none\n"
                            "part / --size=4000 --fstype=ext4\n")
    found = system_needs(session)
    assert [(n.names, n.required) for n in found] == [(["e2fsprogs"], False)]


def test_bios_targets(disks):
    session = plan(disks(2), "clearpart --all --initlabel\nbootloader --boot-drive=sdb\n"
                             "reqpart\npart / --size=4000 --ondisk=sdb\n")
    assert bios_targets(session, "mbr") == [session.disk("sdb").path]
    root = next(p for p in session.blivet.partitions if getattr(p.format, "mountpoint", "") == "/")
    assert bios_targets(session, "partition") == [root.path]


def test_raid1_boot_goes_on_every_member(disks):
    session = plan(disks(2), """clearpart --all --initlabel
part biosboot --size=1 --ondisk=sda
part biosboot --size=1 --ondisk=sdb
part raid.01 --size=1000 --ondisk=sda
part raid.02 --size=1000 --ondisk=sdb
raid /boot --level=1 --device=boot raid.01 raid.02 --fstype=ext4
part / --size=4000 --ondisk=sda
""")
    assert bios_targets(session, "mbr") == sorted([session.disk("sda").path, session.disk("sdb").path])


def test_default_grub_keeps_the_file_and_sets_keys(tmp_path):
    default = tmp_path / "etc/default/grub"
    default.parent.mkdir(parents=True)
    default.write_text('GRUB_DEFAULT=0\nGRUB_TIMEOUT=5\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\n'
                       'GRUB_CMDLINE_LINUX=""\n#GRUB_TERMINAL=console\n')
    write_defaults(tmp_path, BootloaderRequest(append="rd.lvm=1 quiet", timeout=1,
                                               console_args=["console=ttyS0,38400"]))
    text = default.read_text()
    assert 'GRUB_CMDLINE_LINUX="console=ttyS0,38400 rd.lvm=1 quiet"' in text
    assert 'GRUB_TIMEOUT="1"' in text and "GRUB_TIMEOUT=5" not in text
    assert 'GRUB_TERMINAL="serial console"' in text and "#GRUB_TERMINAL" not in text
    assert 'GRUB_SERIAL_COMMAND="serial --unit=0 --speed=38400"' in text
    assert 'GRUB_DEFAULT=0' in text and 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"' in text


def test_password_is_a_root_only_script_with_the_hash(tmp_path):
    write_password(tmp_path, "grub.pbkdf2.sha512.10000.AB.CD")
    script = tmp_path / "etc/grub.d/01_users"
    assert script.stat().st_mode & 0o777 == 0o700
    assert "password_pbkdf2 root grub.pbkdf2.sha512.10000.AB.CD" in script.read_text()


def test_find_tools_prefers_fedora_names(tmp_path):
    assert find_tools(tmp_path) is None
    sbin = tmp_path / "usr/sbin"
    sbin.mkdir(parents=True)
    for tool in ("grub-install", "grub-mkconfig"):
        (sbin / tool).touch()
    assert find_tools(tmp_path).config == "/boot/grub/grub.cfg"
    for tool in ("grub2-install", "grub2-mkconfig"):
        (sbin / tool).touch()
    assert find_tools(tmp_path).install == "/usr/sbin/grub2-install"


def test_needs_are_the_same_after_the_layout_was_written(disks):
    """The payload asks after execution, when every device exists: lvm2 must still be there."""
    session = plan(disks(), "clearpart --all --initlabel\nautopart --type=lvm\n")
    before = [(n.names, n.required) for n in system_needs(session)]
    for device in session.blivet.devices:  # what execution leaves: every format made
        device.format.exists = True
    for part in session.blivet.partitions:  # ... and the partitions (LVs cannot be faked here)
        part.exists = True
    assert [(n.names, n.required) for n in system_needs(session)] == before
    assert (["lvm2"], True) in before


def test_mdadm_conf_lets_mdmonitor_start():
    from storage.target import mdadm_conf

    text = mdadm_conf("ARRAY /dev/md/boot metadata=1.2 name=x:boot UUID=a:b:c:d\n")
    assert "\nMAILADDR root\n" in text and text.endswith("UUID=a:b:c:d\n")
