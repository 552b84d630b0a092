"""`--dry-run --image` with the storage commands of issue 15, through the real program:
`mount` on existing partitions, `snapshot`, `--firmware uefi|bios`, `inst.disklabel` /
`inst.gpt`, and a btrfs layout on a host whose kernel lacks btrfs. Nothing is written:
each image's digest is the same afterwards."""
from __future__ import annotations

import subprocess

import pytest

from tests.vm.harness import disk_digest

pytestmark = pytest.mark.host

HEAD = "lang en_US.UTF-8\nrootpw --lock\n"
TAIL = "%packages --nocore\n%end\n"


def _fs_into(image, start_mib: int, size_mib: int, mkfs: list[str], tmp_path) -> None:
    fs = tmp_path / "fs.tmp"
    subprocess.run(["truncate", "-s", f"{size_mib}M", str(fs)], check=True)
    subprocess.run([*mkfs, str(fs)], check=True, capture_output=True)
    subprocess.run(["dd", f"if={fs}", f"of={image}", "bs=1M", f"seek={start_mib}", "conv=notrunc,sparse",
                    "status=none"], check=True)
    fs.unlink()


@pytest.fixture
def used_disk(tmp_path):
    """8 GiB GPT: 1 = 600 MiB "esp" (empty), 2 = 1 GiB ext4 "oldboot", 3 = 1 GiB ext4
    "data", 4 = 256 MiB swap, 5 = 3 GiB "rootp" (empty)."""
    path = tmp_path / "vdb"
    subprocess.run(["truncate", "-s", "8G", str(path)], check=True)
    subprocess.run(["parted", "-s", str(path), "mklabel", "gpt",
                    "mkpart", "esp", "1MiB", "601MiB", "mkpart", "old", "601MiB", "1625MiB",
                    "mkpart", "data", "1625MiB", "2649MiB", "mkpart", "swp", "2649MiB", "2905MiB",
                    "mkpart", "rootp", "2905MiB", "5977MiB", "set", "1", "esp", "on"], check=True)
    _fs_into(path, 601, 1024, ["mkfs.ext4", "-q", "-L", "oldboot"], tmp_path)
    _fs_into(path, 1625, 1024, ["mkfs.ext4", "-q", "-L", "data"], tmp_path)
    _fs_into(path, 2649, 256, ["mkswap", "-L", "oldswap"], tmp_path)
    return path


@pytest.fixture
def blank_disk(tmp_path):
    path = tmp_path / "vdc"
    subprocess.run(["truncate", "-s", "20G", str(path)], check=True)
    return path


def dry_run(anaconda, tmp_path, ks_text: str, *images, flags=(), boot: str = ""):
    ks = tmp_path / "ks.cfg"
    ks.write_text(HEAD + ks_text + TAIL)
    before = [disk_digest(i) for i in images]
    args = ["--cmdline", "--dry-run", *flags, "--kickstart", str(ks)]
    for image in images:
        args += ["--image", str(image)]
    result = anaconda(*args, boot=boot)
    assert [disk_digest(i) for i in images] == before, "a dry run wrote to an image"
    return result


def test_mount_keeps_one_partition_and_reformats_others(anaconda, tmp_path, used_disk):
    result = dry_run(anaconda, tmp_path, """ignoredisk --only-use=vdb
mount /dev/vdb5 / --reformat=xfs --mkfsoptions="-m bigtime=1"
mount LABEL=data /srv --mountoptions="noatime,nodev"
mount PARTLABEL=old /boot --reformat
mount vdb1 /boot/efi --reformat=efi
mount LABEL=oldswap none
bootloader --location=none
""", used_disk, flags=["--firmware", "uefi"])
    assert result.code == 0, result.text
    out = result.out
    for expected in ("create format xfs: partition vdb5", "on /", "create format ext4: partition vdb2",
                     "create format efi: partition vdb1"):
        assert expected in out, out
    assert "vdb3" not in out and "vdb4" not in out  # kept: /srv's data and the swap


def test_mount_mistakes_are_refused_with_file_and_line(anaconda, tmp_path, used_disk):
    result = dry_run(anaconda, tmp_path, "mount LABEL=data / \nmount LABEL=data /srv\n",
                     used_disk)
    assert result.code == 2, result.text
    assert "ks.cfg:4: mount LABEL=data /srv: LABEL=data is already assigned at" in result.err
    result = dry_run(anaconda, tmp_path, "bootloader --location=none\nmount vdb5 / \n", used_disk)
    assert result.code == 3, result.text
    assert "ks.cfg:4: mount vdb5 /: vdb5 holds no file system, which cannot be mounted on /" in result.err


def test_snapshot_of_a_thin_root_is_planned_and_of_a_plain_one_refused(anaconda, tmp_path, blank_disk):
    storage = "zerombr\nclearpart --all --initlabel\nbootloader --location=none\n"
    result = dry_run(anaconda, tmp_path, storage + "autopart --type=thinp\n"
                     "snapshot system/root --name=post --when=post-install\n", blank_disk)
    assert result.code == 0, result.text
    tasks = [line.split(". ", 1)[1] for line in result.out.splitlines() if line.startswith("  ") and ". " in line
             and line.strip()[0].isdigit() and "create" not in line and "destroy" not in line]
    assert tasks.index("Creating post-install snapshots") == len(tasks) - 1, tasks  # no %post here
    result = dry_run(anaconda, tmp_path, storage + "autopart --type=lvm\n"
                     "snapshot system/root --name=post --when=post-install\n", blank_disk)
    assert result.code == 3, result.text
    assert ("ks.cfg:7: snapshot system/root --name=post --when=post-install: system/root is a "
            "lvmlv, not a thin logical volume") in result.err


@pytest.mark.parametrize("firmware, present, absent", [
    ("bios", "biosboot", "/boot/efi"), ("uefi", "efi, on /boot/efi", "biosboot")])
def test_firmware_flag_plans_for_either_firmware(anaconda, tmp_path, blank_disk, firmware, present, absent):
    ks = "zerombr\nclearpart --all --initlabel\nreqpart\npart / --size=4000\nbootloader --location=none\n"
    result = dry_run(anaconda, tmp_path, ks, blank_disk, flags=["--firmware", firmware])
    assert result.code == 0, result.text
    assert present in result.out and absent not in result.out, result.out


def test_an_esp_plan_is_fine_under_uefi_and_needed_there(anaconda, tmp_path, blank_disk):
    ks = "zerombr\nclearpart --all --initlabel\npart / --size=4000\n"
    esp = "part /boot/efi --fstype=efi --size=600\nbootloader --location=none\n"
    result = dry_run(anaconda, tmp_path, ks + esp, blank_disk, flags=["--firmware", "uefi"])
    assert result.code == 0 and "on /boot/efi" in result.out, result.text
    result = dry_run(anaconda, tmp_path, ks + "bootloader --timeout=1\n", blank_disk, flags=["--firmware", "uefi"])
    assert result.code == 3 and "UEFI needs an EFI system partition" in result.err, result.text
    result = anaconda("--cmdline", "--firmware", "uefi", "--kickstart", str(tmp_path / "ks.cfg"))
    assert result.code == 2 and "--firmware" in result.err and "--dry-run only" in result.err, result.text


def test_every_storage_problem_is_listed_before_exit_3(anaconda, tmp_path, blank_disk):
    """The storage checker reports all it finds at once: no root and no ESP, one run."""
    ks = "zerombr\nclearpart --all --initlabel\npart /home --size=4000\nbootloader --timeout=1\n"
    result = dry_run(anaconda, tmp_path, ks, blank_disk, flags=["--firmware", "uefi"])
    assert result.code == 3, result.text
    assert "the planned layout has 2 problems" in result.err, result.text
    assert "no root filesystem" in result.err and "UEFI needs an EFI system partition" in result.err


def test_a_luks2_cost_the_machine_cannot_spare_is_a_warning(anaconda, tmp_path, blank_disk):
    """LUKS2's Argon2 cost above half the (host's, for --image) RAM: a warning, the plan goes on."""
    ks = ("zerombr\nclearpart --all --initlabel\nreqpart --add-boot\nbootloader --location=none\n"
          "part / --size=4000 --encrypted --passphrase=secret-for-test --pbkdf-memory=4194304000\n")
    result = dry_run(anaconda, tmp_path, ks, blank_disk)
    assert result.code == 0, result.text
    assert "of memory to unlock" in result.err and "--pbkdf-memory=" in result.err, result.text


@pytest.mark.parametrize("boot, label", [("", "gpt"), ("inst.disklabel=mbr", "msdos"),
                                         ("inst.gpt", "gpt"), ("inst.disklabel=gpt", "gpt")])
def test_disklabel_boot_options(anaconda, tmp_path, blank_disk, boot, label):
    ks = "zerombr\nclearpart --all --initlabel\nreqpart\npart / --size=4000\nbootloader --location=none\n"
    result = dry_run(anaconda, tmp_path, ks, blank_disk, flags=["--firmware", "bios"], boot=boot)
    assert result.code == 0, result.text
    assert f"create format disklabel: disk vdc, 20 GiB, disklabel {label}" in result.out, result.out
    assert ("biosboot" in result.out) == (label == "gpt")  # BIOS boot from GPT needs one


def test_btrfs_layout_is_planned_where_btrfs_is_missing(anaconda, tmp_path, blank_disk):
    from blivet.devices.btrfs import BTRFSVolumeDevice

    if not BTRFSVolumeDevice.unavailable_type_dependencies():
        pytest.skip("this host has btrfs: nothing is missing")
    result = dry_run(anaconda, tmp_path, "zerombr\nclearpart --all --initlabel\nautopart --type=btrfs\n"
                     "bootloader --location=none\n", blank_disk)
    assert result.code == 0, result.text
    assert "create device btrfs volume" in result.out and "btrfs subvolume root" in result.out
    assert "warning: the plan needs libblockdev btrfs plugin" in result.err
    assert "executing it needs a machine that has it" in result.err
