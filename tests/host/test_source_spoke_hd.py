"""The source spoke's hd: kind on a real device: an ext4 image this test attaches to a loop
device, holding the small repository as a tree and as an ISO. The spoke lists the
partition (only the loop devices of the session's --image files are looked at, never the
host's disks), the person picks it with the keys and types the path; the check mounts it
read-only (and the ISO inside it) and unmounts everything; the kickstart gets
`harddrive --partition --dir`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from spokes.tui.source import SourceSpoke
from tests.unit.tui.test_source import flat, ks_text, pick_kind, session_for, shows, with_hub

pytestmark = pytest.mark.host


@pytest.fixture
def source_disk(small_repo, tmp_path):
    """(image file, its loop device): ext4 labelled SRCDISK with /tree and /isos/repo.iso."""
    image = tmp_path / "source.img"
    subprocess.run(["truncate", "-s", "96M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-L", "SRCDISK", str(image)], check=True)
    staging = tmp_path / "staging"
    staging.mkdir()
    subprocess.run(["mount", "-o", "loop", str(image), str(staging)], check=True)
    try:
        shutil.copytree(small_repo, staging / "tree", symlinks=True)
        (staging / "isos").mkdir()
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-r", "-V", "SMALLREPO", "-o",
                        str(staging / "isos/repo.iso"), str(small_repo)], check=True,
                       capture_output=True)
    finally:
        subprocess.run(["umount", str(staging)], check=True)
    device = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True,
                            text=True, check=True).stdout.strip()
    try:
        yield image, device
    finally:
        subprocess.run(["losetup", "-d", device], check=False)


def source_mounts() -> list[str]:
    return [line for line in Path("/proc/mounts").read_text().splitlines()
            if "/run/install/sources" in line]


def test_partition_is_listed_picked_and_checked(source_disk):
    image, device = source_disk
    name = Path(device).name
    session = session_for(images=[image])
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.press("1")
    pick_kind(drive, "hd")
    shows(drive, "(X) Disk: ISO/tree (hd:)", f"{name} ext4 96 MiB LABEL=SRCDISK")
    drive.press("down", "down", "enter")  # Partition, ISO or directory, then the list
    shows(drive, f"Partition: {name}", f"* {name} ext4")
    drive.type("/tree").press("enter")
    shows(drive, "Checked: repository metadata found", f"Current source: hd:{name}:/tree",
          "entered here")
    assert f'harddrive --dir="/tree" --partition={name}' in ks_text(session)
    assert source_mounts() == []
    drive.press("end", *["backspace"] * 5).type("/isos/repo.iso").press("enter")
    shows(drive, "Checked: repository metadata found", f"hd:{name}:/isos/repo.iso")
    text = ks_text(session)
    assert f'harddrive --dir="/isos/repo.iso" --partition={name}' in text and "url " not in text
    assert source_mounts() == []
    drive.press("end", *["backspace"] * 14).type("/nothing").press("enter")
    assert "/nothing is neither a directory nor an ISO image on the device" in flat(drive)
    assert f'--dir="/isos/repo.iso" --partition={name}' in ks_text(session)  # the last good one
    assert source_mounts() == []
    drive.press("esc")
    drive.assert_shows("[!] Installation source", "Error checking source")
