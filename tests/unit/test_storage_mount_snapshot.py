"""Kickstart `mount` (existing devices given mount points, kept or reformatted) and
`snapshot` (LVM thin snapshots), planned on image files; nothing is written. Also the
format options every layout command carries (--fsoptions, --label, --mkfsoptions...)."""
from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from blivet.size import Size

from installer.disks import configure_session, disk_label
from installer.errors import UsageError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.errors import StorageProblem
from storage.kickstart import apply_kickstart
from storage.plan import describe_actions, mountpoints
from storage.session import from_image_files
from storage.target import fstab_lines
from tests.unit.disk_images import write_sda

GiB = Size("1 GiB")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """sda: GPT, 1 = ext4 "data" (partition name p1), 2 = xfs "logs", 3 = vfat "WINDATA"."""
    return write_sda(tmp_path_factory.mktemp("mount"))


@pytest.fixture
def session(tmp_path, template):
    def make(platform: str = "uefi", blank: str = ""):
        sda = tmp_path / "sda"
        subprocess.run(["cp", "--sparse=always", str(template), str(sda)], check=True)
        paths = [sda]
        if blank:
            paths.append(tmp_path / blank)
            subprocess.run(["truncate", "-s", "20G", str(paths[-1])], check=True)
        return from_image_files(paths, platform=platform)
    return make


def plan(session, text: str):
    handler = parse([("test.ks", text)], None, Reader()).handler
    apply_kickstart(session, handler)
    return mountpoints(session)


def test_mount_keeps_reformats_and_resolves_every_spec(session):
    s = session()
    uuid = next(p for p in s.blivet.partitions if p.name == "sda1").uuid
    mounts = plan(s, "ignoredisk --only-use=sda\n"
                     f"mount PARTUUID={uuid.upper()} /srv --mountoptions=noatime,nodev\n"
                     "mount LABEL=logs / --reformat --mkfsoptions='-m bigtime=1'\n"
                     "mount PARTLABEL=p3 /boot/efi --reformat=efi\n")
    assert {m: d.name for m, d in mounts.items()} == {"/srv": "sda1", "/": "sda2", "/boot/efi": "sda3"}
    assert mounts["/srv"].format.exists and mounts["/srv"].format.label == "data"  # data kept
    assert mounts["/"].format.type == "xfs" and not mounts["/"].format.exists  # --reformat: same type
    assert mounts["/"].format.create_options == "-m bigtime=1"
    assert mounts["/boot/efi"].format.type == "efi"
    fstab = fstab_lines(s)
    assert any(" /srv ext4 noatime,nodev " in line for line in fstab), fstab
    actions = "\n".join(describe_actions(s))
    assert "create format xfs: partition sda2" in actions and "sda1" not in actions


@pytest.mark.parametrize("line, words", [
    ("mount /dev/sdz1 /srv", "there is no device /dev/sdz1"),
    ("mount sda /srv", "sda is a disk with a partition table; name one of its partitions"),
    ("mount PARTLABEL=nope /srv", "no partition has PARTLABEL=nope"),
    ("mount sda2 /srv\nmount LABEL=logs /opt", "sda2 is already assigned by mount sda2 /srv"),
    ("mount sda1 /srv\nmount sda3 /srv", "mount point /srv is already used by mount sda1 /srv"),
    ("mount sda1 / --reformat=vfat", "/ needs a Linux file system"),
    ("mount sda1 /srv --reformat=swap", "swap cannot be mounted on /srv"),
])
def test_mount_problems_name_the_line(session, line, words):
    text = f"ignoredisk --only-use=sda\nbootloader --location=none\n{line}\n"
    with pytest.raises(StorageProblem) as caught:
        plan(session(), text)
    assert words in caught.value.message, caught.value.message
    assert caught.value.command == "mount" and caught.value.lineno >= 3


def test_mount_of_vfat_and_swap_without_reformat(session):
    mounts = plan(session(), "bootloader --location=none\nmount sda2 / --reformat\n"
                             "mount sda3 /srv/windows --mountoptions=ro\n")
    assert mounts["/srv/windows"].format.type == "vfat" and mounts["/srv/windows"].format.exists


def test_mount_after_clearpart_and_beside_btrfs_is_refused(session):
    with pytest.raises(StorageProblem, match="removed by clearpart first"):
        plan(session(), "clearpart --all\nmount sda2 / --reformat\n")
    with pytest.raises(StorageProblem, match="cannot be combined with btrfs"):
        plan(session(), "mount sda2 / --reformat\nbtrfs /srv --subvol --name=srv old\n")


def test_mount_without_the_efi_partition_says_where_it_must_come_from(session):
    with pytest.raises(StorageProblem, match="UEFI needs an EFI system partition.*with `mount`"):
        plan(session(), "mount sda2 / --reformat\n")


def test_thin_snapshot_of_the_planned_root(session):
    s = session(platform="bios", blank="sdb")
    plan(s, "ignoredisk --only-use=sdb\nclearpart --all --drives=sdb --initlabel\n"
            "autopart --type=thinp\nsnapshot system/root --name=post --when=post-install\n")
    (request,) = s.snapshots
    assert request.when == "post-install" and request.device.type == "lvmthinlv"
    assert request.device.name == "system-root"


@pytest.mark.parametrize("kickstart, words", [
    ("autopart --type=lvm\nsnapshot system/root --name=post --when=post-install",
     "system/root is a lvmlv, not a thin logical volume"),
    ("autopart --type=thinp\nsnapshot system/nope --name=post --when=post-install",
     "there is no logical volume system/nope in the planned layout (volume group system has: "),
    ("autopart --type=thinp\nsnapshot system/root --name=swap --when=post-install",
     "volume group system already has a logical volume swap"),
    ("autopart --type=thinp\nsnapshot system/root --name=pre --when=pre-install",
     "there is no logical volume system/root on the disks (there is no volume group system)"),
])
def test_snapshot_origins_are_checked_before_anything_is_written(session, kickstart, words):
    s = session(platform="bios", blank="sdb")
    text = "ignoredisk --only-use=sdb\nclearpart --all --drives=sdb --initlabel\n" + kickstart + "\n"
    with pytest.raises(StorageProblem) as caught:
        plan(s, text)
    assert words in caught.value.message, caught.value.message
    assert caught.value.command == "snapshot" and caught.value.lineno == 4


LAYOUT = """zerombr
clearpart --all --initlabel
ignoredisk --only-use=sdb,sdc
bootloader --location=none
part /boot --size=1024 --fstype=ext4 --label=BOOT --fsoptions=nodev --fsprofile=small --ondisk=sdb
part raid.01 --size=2048 --ondisk=sdb
part raid.02 --size=2048 --ondisk=sdc
raid /data --device=md0 --level=1 --fstype=xfs --label=DATA --fsoptions=noatime --mkfsoptions="-m crc=1" raid.01 raid.02
part raid.11 --size=2048 --ondisk=sdb
part raid.12 --size=2048 --ondisk=sdc
raid /scratch --device=md1 --level=0 --chunksize=128 raid.11 raid.12
part pv.01 --size=8000 --ondisk=sdb
part pv.02 --size=4096 --ondisk=sdc --encrypted --passphrase=secretsecret --cipher=aes-xts-plain64 --pbkdf=pbkdf2 --pbkdf-iterations=1000
volgroup vg pv.01 pv.02 --reserved-space=500
logvol / --vgname=vg --name=root --size=3000 --label=ROOT --fsoptions="noatime,discard" --mkfsoptions="-m reflink=1"
logvol swap --vgname=vg --name=swap --recommended --hibernation
logvol none --vgname=vg --name=pool --thinpool --size=2000 --chunksize=256 --metadatasize=16 --profile=thin-performance
logvol /home --vgname=vg --name=home --thin --poolname=pool --size=1000 --fsoptions=nosuid
logvol /secret --vgname=vg --name=sec --size=500 --encrypted --passphrase=secretsecret --cipher=aes-cbc-essiv:sha256 --fsoptions=noexec
"""


def test_format_options_reach_every_device(tmp_path):
    paths = []
    for name in ("sdb", "sdc"):
        paths.append(tmp_path / name)
        subprocess.run(["truncate", "-s", "20G", str(paths[-1])], check=True)
    s = from_image_files(paths, memory=Size("2 GiB"))
    mounts = plan(s, LAYOUT)
    fstab = "\n".join(fstab_lines(s))
    for mount, options in (("/", "noatime,discard"), ("/boot", "nodev"), ("/data", "noatime"),
                           ("/home", "nosuid"), ("/secret", "noexec")):
        assert f" {mount} " in fstab and f" {options} " in fstab.split(f" {mount} ", 1)[1].split("\n")[0], fstab
    assert mounts["/"].format.label == "ROOT" and mounts["/"].format.create_options == "-m reflink=1"
    assert mounts["/boot"].format.label == "BOOT" and mounts["/boot"].format.fsprofile == "small"
    assert mounts["/data"].format.label == "DATA" and mounts["/data"].format.create_options == "-m crc=1"
    assert mounts["/scratch"].chunk_size == Size("128 KiB")
    devices = {d.name: d for d in s.blivet.devices}
    luks = next(d for d in s.blivet.partitions if d.format.type == "luks").format
    assert luks.cipher == "aes-xts-plain64" and luks.pbkdf_args.type == "pbkdf2"
    assert luks.pbkdf_args.iterations == 1000
    assert devices["vg-sec"].format.cipher == "aes-cbc-essiv:sha256"
    pool = devices["vg-pool"]
    assert pool.chunk_size == Size("256 KiB") and pool.metadata_size == Size("16 MiB")
    assert pool.profile.name == "thin-performance"
    assert devices["vg"]._reserved_space == Size("500 MiB")
    assert devices["vg-swap"].size == Size("4 GiB")  # 2 GiB RAM: 2 GiB, and RAM again to hibernate
    assert not s.warnings


def test_raid_and_btrfs_reuse_need_existing_devices(tmp_path):
    path = tmp_path / "sdb"
    subprocess.run(["truncate", "-s", "20G", str(path)], check=True)
    with pytest.raises(StorageProblem, match="there is no RAID array md5"):
        plan(from_image_files([path]), "zerombr\nclearpart --all\npart / --size=4000\n"
                                       "raid /data --device=md5 --useexisting --noformat\n")
    with pytest.raises(StorageProblem, match="there is no existing btrfs volume or subvolume old"):
        plan(from_image_files([path]), "zerombr\nclearpart --all\npart / --size=4000\n"
                                       "btrfs /data --useexisting --label=old sdb9\n")


def test_dry_run_plans_btrfs_without_the_kernel_module(tmp_path):
    """This host lacks the btrfs module (blivet refuses btrfs); a plan-only session plans
    it and says what executing it would need; a session that may be executed refuses."""
    path = tmp_path / "sdb"
    subprocess.run(["truncate", "-s", "20G", str(path)], check=True)
    text = "zerombr\nclearpart --all\nautopart --type=btrfs\nbootloader --location=none\n"
    executable = from_image_files([path])
    from blivet.devices.btrfs import BTRFSVolumeDevice

    if not BTRFSVolumeDevice.unavailable_type_dependencies():
        pytest.skip("this host has btrfs: nothing is missing")
    with pytest.raises(StorageProblem, match="btrfs"):
        plan(executable, text)
    shown = from_image_files([path])
    shown.plan_only = True
    mounts = plan(shown, text)
    assert mounts["/"].type == "btrfs subvolume" and mounts["/home"].type == "btrfs subvolume"
    (warning,) = shown.warnings
    assert warning.startswith("the plan needs libblockdev btrfs plugin (for btrfs volume")
    assert "executing it needs a machine that has it" in warning
    assert BTRFSVolumeDevice.unavailable_type_dependencies()  # nothing stays patched


def test_boot_options_and_firmware_configure_the_session(tmp_path):
    path = tmp_path / "sdb"
    subprocess.run(["truncate", "-s", "20G", str(path)], check=True)
    assert disk_label(SimpleNamespace()) is None
    assert disk_label(SimpleNamespace(gpt=True)) == "gpt"
    assert disk_label(SimpleNamespace(disklabel="mbr", gpt=True)) == "msdos"
    s = from_image_files([path], platform="bios")
    configure_session(s, SimpleNamespace(disklabel="mbr"), "uefi", dry_run=True)
    assert s.platform == "uefi" and s.disklabel == "msdos" and s.plan_only
    mounts = plan(s, "zerombr\nclearpart --all --initlabel\nreqpart\npart / --size=4000\n")
    assert s.disk("sdb").format.label_type == "msdos" and "/boot/efi" in mounts
    with pytest.raises(UsageError, match="--dry-run only"):
        configure_session(from_image_files([path]), SimpleNamespace(), "uefi", dry_run=False)
    s = from_image_files([path], platform="uefi")
    configure_session(s, SimpleNamespace(), "bios", dry_run=True)
    plan(s, "zerombr\nclearpart --all --disklabel=msdos\nreqpart\npart / --size=4000\n")
    assert s.disk("sdb").format.label_type == "msdos"  # clearpart --disklabel wins
    assert not any(p.format.type in ("efi", "biosboot") for p in s.blivet.partitions)


def test_onbiosdisk_maps_the_firmware_disk_number(tmp_path):
    paths = []
    for name in ("sdb", "sdc"):
        paths.append(tmp_path / name)
        subprocess.run(["truncate", "-s", "20G", str(paths[-1])], check=True)
    text = "zerombr\nclearpart --all\nbootloader --location=none\npart / --size=4000 --onbiosdisk=81\n"
    with pytest.raises(StorageProblem, match="--onbiosdisk=81: the firmware numbers no such disk .EDD: none."):
        plan(from_image_files(paths), text)
    s = from_image_files(paths)
    s.blivet.edd_dict = {"sdb": 0x80, "sdc": 0x81}  # what blivet reads from /sys/firmware/edd
    assert plan(s, text)["/"].disk.name == "sdc"


def test_mount_and_snapshot_lines_are_checked_before_any_disk_is_read():
    from installer.kickstart.checks import collect

    text = ("lang en_US.UTF-8\nrootpw --lock\nzerombr\nclearpart --all\n"
            "mount /dev/vda1 /etc\nmount /dev/vda2 / --reformat=vfat\n"
            "mount /dev/vda3 /home --reformat=swap\nmount vda3 /srv\nmount /dev/vda4 /home\n"
            "mount /dev/vda5 none --mountoptions=pri=5\nmount /dev/vda6 /boot --reformat=efi\n"
            "snapshot vg/root --name=s1 --when=pre-install\n")
    found = collect(parse([("ks.cfg", text)], None, Reader()))
    errors = [f"{where}: {problem}" for where, problem in found.errors]
    warnings = [f"{where}: {problem}" for where, problem in found.warnings]
    expected = ["ks.cfg:5: mount /dev/vda1 /etc: /etc must stay on the / file system",
                "ks.cfg:6: mount /dev/vda2 / --reformat=vfat: / needs a Linux file system",
                "ks.cfg:7: mount /dev/vda3 /home --reformat=swap: swap has no mount point",
                "ks.cfg:8: mount vda3 /srv: vda3 is already assigned at ks.cfg:7",
                "ks.cfg:9: mount /dev/vda4 /home: mount point /home is already used at ks.cfg:7",
                "ks.cfg:11: mount /dev/vda6 /boot --reformat=efi: the EFI system partition is mounted on /boot/efi"]
    for line in expected:
        assert any(e.startswith(line) for e in errors), (line, errors)
    assert any(w.startswith("ks.cfg:10: mount /dev/vda5 none --mountoptions=pri=5 is not applied") for w in warnings)
    assert any(w.startswith("ks.cfg:12: snapshot vg/root --name=s1 --when=pre-install: clearpart or zerombr")
               for w in warnings), warnings


def test_disk_patterns_in_ignoredisk_and_clearpart(tmp_path):
    paths = []
    for name in ("sda", "sdb", "vdc"):
        paths.append(tmp_path / name)
        subprocess.run(["truncate", "-s", "20G", str(paths[-1])], check=True)
    s = from_image_files(paths)
    s.protected["sda"] = "it holds the mounted filesystem /"
    plan(s, "ignoredisk --only-use=sd*\nzerombr\nclearpart --all --drives=/dev/sd[ab]\n"
            "bootloader --location=none\npart / --size=1000\n")
    assert s.selected == ["sdb"]  # a pattern passes over the protected disk; a name would not
    with pytest.raises(StorageProblem, match=r"ignoredisk --only-use: no disk nv\* on this machine"):
        plan(from_image_files(paths), "ignoredisk --only-use=nv*\nzerombr\npart / --size=1000\n")
