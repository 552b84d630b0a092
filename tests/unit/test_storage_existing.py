"""Reusing existing partitions (`part --onpart/--usepart --noformat --resize`) and the
boot drive, planned on image files that already hold a GPT and filesystems."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.errors import StorageProblem
from storage.kickstart import apply_kickstart
from storage.plan import describe_actions, mountpoints
from storage.session import from_image_files

MiB = 1024 * 1024


def _disk_with_partitions(path: Path) -> None:
    """8 GiB: 1 = 512 MiB ext4 'oldhome', 2 = 1 GiB vfat 'WINDATA', 3 = 1 GiB unformatted,
    4 = 256 MiB swap; the rest free."""
    subprocess.run(["truncate", "-s", "8G", str(path)], check=True)
    subprocess.run(["parted", "-s", str(path), "mklabel", "gpt",
                    "mkpart", "a", "1MiB", "513MiB", "mkpart", "b", "513MiB", "1537MiB",
                    "mkpart", "c", "1537MiB", "2561MiB", "mkpart", "d", "2561MiB", "2817MiB"],
                   check=True)
    fs = path.with_suffix(".fs")
    for start, size, mkfs in ((1, 512, ["mkfs.ext4", "-q", "-L", "oldhome"]),
                              (513, 1024, ["mkfs.vfat", "-n", "WINDATA"]),
                              (2561, 256, ["mkswap", "-L", "oldswap"])):
        fs.unlink(missing_ok=True)
        subprocess.run(["truncate", "-s", f"{size}M", str(fs)], check=True)
        subprocess.run([*mkfs, str(fs)], check=True, capture_output=True)
        subprocess.run(["dd", f"if={fs}", f"of={path}", "bs=1M", f"seek={start}", "conv=notrunc,sparse",
                        "status=none"], check=True)
    fs.unlink()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "sda"
    _disk_with_partitions(path)
    return path


@pytest.fixture
def session(tmp_path, template):
    sda, sdb = tmp_path / "sda", tmp_path / "sdb"
    subprocess.run(["cp", "--sparse=always", str(template), str(sda)], check=True)
    subprocess.run(["truncate", "-s", "20G", str(sdb)], check=True)
    return from_image_files([sda, sdb])


def plan(session, text: str):
    handler = parse([("test.ks", text)], None, Reader()).handler
    apply_kickstart(session, handler)
    return mountpoints(session)


def test_existing_layout_of_image_files_is_read(session):
    parts = {p.name: p for p in session.blivet.partitions}
    assert sorted(parts) == ["sda1", "sda2", "sda3", "sda4"]
    assert parts["sda1"].format.type == "ext4" and parts["sda1"].format.label == "oldhome"
    assert parts["sda2"].format.type == "vfat" and parts["sda4"].format.type == "swap"
    assert parts["sda3"].format.type is None and parts["sda1"].exists
    assert parts["sda1"].size == Size("512 MiB")


def test_onpart_noformat_keeps_data_and_usepart_reformats(session):
    mounts = plan(session, """clearpart --none
ignoredisk --only-use=sda
bootloader --location=none
part /home --onpart=sda1 --noformat --fsoptions=noatime
part / --usepart=sda3 --fstype=xfs --label=root
part swap --onpart=/dev/sda4 --noformat
""")
    home, root = mounts["/home"], mounts["/"]
    assert home.name == "sda1" and home.format.exists and home.format.type == "ext4"
    assert home.format.mountopts == "noatime"
    assert root.name == "sda3" and root.format.type == "xfs" and not root.format.exists
    assert root.format.label == "root"
    lines = describe_actions(session)
    assert not any("sda1" in line or "sda2" in line or "sda4" in line for line in lines), lines
    assert any("create format xfs" in line and "sda3" in line for line in lines), lines
    assert len(session.blivet.partitions) == 4  # nothing new, nothing removed


@pytest.mark.parametrize("text, message", [
    ("part /home --noformat --size=100\npart / --size=2000\n",
     "part /home (kickstart line 4) --noformat needs --onpart=PARTITION"),
    ("part / --onpart=sda9\n", "there is no partition sda9 (existing: sda1, sda2, sda3, sda4"),
    ("part /data --onpart=sda3 --noformat\npart / --size=2000\n",
     "--noformat: sda3 holds no filesystem, which cannot be mounted on /data"),
    ("part swap --onpart=sda1 --noformat\npart / --size=2000\n", "sda1 holds ext4, not swap"),
    ("part /data --onpart=sda1 --noformat --fstype=xfs\npart / --size=2000\n",
     "sda1 holds ext4, not xfs"),
    ("part / --onpart=sdb1\n", "there is no partition sdb1"),
    ("part None --onpart=sda2 --noformat --resize --size=100\npart / --size=2000\n",
     "sda2 holds vfat, which cannot be resized"),
])
def test_onpart_errors_name_the_command_and_device(session, text, message):
    with pytest.raises(StorageProblem) as err:
        plan(session, "clearpart --none\nignoredisk --only-use=sda,sdb\nbootloader --location=none\n" + text)
    assert message in err.value.message


def test_onpart_after_clearpart_says_so(session):
    with pytest.raises(StorageProblem) as err:
        plan(session, "clearpart --all --drives=sda\nbootloader --location=none\npart / --onpart=sda3\n")
    assert "sda3 is removed by clearpart first" in err.value.message


def test_onpart_on_unselected_disk_is_refused(session):
    with pytest.raises(StorageProblem) as err:
        plan(session, "ignoredisk --only-use=sdb\nclearpart --none\nbootloader --location=none\n"
                      "part / --onpart=sda3\n")
    assert "sda3 is on disk sda, which is not selected" in err.value.message


def test_boot_drive_takes_the_boot_partitions(session):
    plan(session, "clearpart --all --initlabel --drives=sdb\nignoredisk --only-use=sda,sdb\n"
                  "bootloader --boot-drive=sdb\nreqpart\npart / --size=2000 --ondisk=sdb\n")
    biosboot = [p for p in session.blivet.partitions if p.format.type == "biosboot"]
    assert [p.disk.name for p in biosboot] == ["sdb"]
    assert session.boot_drive == "sdb"


def test_boot_drive_must_be_selected(session):
    with pytest.raises(StorageProblem) as err:
        plan(session, "ignoredisk --only-use=sdb\nbootloader --boot-drive=sda\nclearpart --all\nautopart\n")
    assert "bootloader --boot-drive=sda: disk sda is not selected" in err.value.message


def test_no_bootloader_needs_no_biosboot(session):
    mounts = plan(session, "ignoredisk --only-use=sdb\nclearpart --all --initlabel\n"
                           "bootloader --location=none\npart / --size=2000\n")
    assert "/" in mounts
    assert not any(p.format.type == "biosboot" for p in session.blivet.partitions)
    with pytest.raises(StorageProblem) as err:  # without the command, the boot loader is wanted
        session2 = from_image_files([Path(session.disk("sdb").path)])
        plan(session2, "clearpart --all --initlabel\npart / --size=2000\n")
    assert "needs a biosboot partition" in err.value.message


def test_reqpart_with_only_reused_partitions_allocates_its_own(session):
    mounts = plan(session, "clearpart --none\nignoredisk --only-use=sda\nreqpart\n"
                           "part / --onpart=sda3 --fstype=ext4\n")
    assert mounts["/"].name == "sda3"
    biosboot = [p for p in session.blivet.partitions if p.format.type == "biosboot"]
    assert len(biosboot) == 1 and biosboot[0].disk.name == "sda" and biosboot[0].parted_partition


def test_reqpart_on_a_blank_disk_labels_it_first(session):
    mounts = plan(session, "ignoredisk --only-use=sdb\nreqpart\npart / --size=2000\n")
    assert mounts["/"].disk.name == "sdb"
    assert session.disk("sdb").format.label_type == "gpt"
    assert any(p.format.type == "biosboot" and p.disk.name == "sdb" for p in session.blivet.partitions)


def test_encrypted_logvol_gets_luks_inside_the_lv(session):
    mounts = plan(session, """ignoredisk --only-use=sdb
clearpart --all --initlabel
reqpart --add-boot
part pv.01 --size=4000 --grow
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=3000
logvol /srv --vgname=vg --name=srv --size=1000 --encrypted --passphrase=srv-secret-1 --luks-version=luks1
""")
    srv = mounts["/srv"]
    assert srv.type == "luks/dm-crypt" and srv.format.type == "xfs"
    lv = srv.parents[0]
    assert lv.type == "lvmlv" and lv.format.type == "luks" and lv.format.luks_version == "luks1"
    assert mounts["/"].format.type == "xfs" and mounts["/"].type == "lvmlv"
