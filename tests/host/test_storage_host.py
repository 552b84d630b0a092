"""Storage on the host, with the real program and a loop device the test makes itself.

The host's kernel has loop devices but no device-mapper or md, and blivet does not count a
host loop device as a disk (it is a `loop` device over a `file` device, never
partitionable). So no disk install can be planned on the host; what is checked here is
what a user sees when a kickstart names such a device:

- a loop device holding a mounted filesystem is refused as protected, naming the mount;
- an unmounted one is refused as "not a disk"; a `--dry-run` stops there (exit 3, the
  storage error) and the image file behind it keeps every byte;
- the scan protects the disk holding the host's mounted root (read-only check).

SAFETY: the scan sees the whole machine. Each kickstart here names ONLY the test's own
loop device, which the test asserts before running anything; a disk install on the
host's own disks (/dev/vda) is never asked for. Loop devices and mounts are removed in
`finally` blocks, also when a test fails.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.host

STORAGE_ERROR = 3
DISK_OPTIONS = re.compile(r"--(?:only-use|drives|ondisk|boot-drive|list)=(\S+)")
# device names a kickstart could reach the host's own disks by
OTHER_DEVICES = re.compile(r"\b(?:[svx]?vd[a-z]+|sd[a-z]+|hd[a-z]+|nvme\d+\S*|zram\d+|mmcblk\d+)\b")


def _need_root_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (losetup, mount)")
    for tool in ("losetup", "mkfs.ext4", "mount", "umount"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} not installed")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def loop_device(image: Path, size: int = 64 << 20):
    """A loop device over a new sparse image file; detached afterwards, whatever happens."""
    with open(image, "xb") as f:
        f.truncate(size)
    device = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True,
                            text=True, check=True).stdout.strip()
    assert re.fullmatch(r"/dev/loop\d+", device), device
    try:
        yield device
    finally:
        subprocess.run(["losetup", "-d", device], capture_output=True)


@contextmanager
def mounted(device: str, mountpoint: Path):
    mountpoint.mkdir()
    subprocess.run(["mount", device, str(mountpoint)], check=True, capture_output=True)
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True)


@pytest.fixture
def loop(tmp_path):
    """(image file, /dev/loopN) with an ext4 filesystem on it, not mounted."""
    _need_root_tools()
    image = tmp_path / "disk.img"
    with loop_device(image) as device:
        subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "hosttest", device], check=True,
                       capture_output=True)
        subprocess.run(["sync"], check=True)
        yield image, device


def storage_kickstart(name: str) -> str:
    """A disk install that selects the loop device `name` and nothing else."""
    ks = f"""ignoredisk --only-use={name}
zerombr
clearpart --all --initlabel --drives={name}
autopart --type=plain
bootloader --location=none
rootpw --lock
%packages --nocore
%end
"""
    named = {value for match in DISK_OPTIONS.finditer(ks) for value in match.group(1).split(",")}
    assert named == {name}, f"the kickstart names other devices: {named}"
    assert not OTHER_DEVICES.search(ks), "the kickstart names a host disk"
    return ks


def dry_run(anaconda, tmp_path, ks_text: str):
    ks = tmp_path / "storage.ks"
    ks.write_text(ks_text)
    return anaconda("--cmdline", "--dry-run", "--kickstart", str(ks))


def error_lines(result) -> list[str]:
    return [line for line in result.err.splitlines() if line.startswith("anaconda: ")
            and "warning" not in line.split(":")[1]]


def test_kickstart_guard_catches_other_devices():
    """The guard that keeps these tests on their own loop device can fail."""
    with pytest.raises(AssertionError):
        storage_kickstart("vda")
    with pytest.raises(AssertionError):
        storage_kickstart("loop7,vda")
    assert "loop7" in storage_kickstart("loop7")


def test_mounted_loop_device_is_refused(loop, anaconda, tmp_path):
    image, device = loop
    name = os.path.basename(device)
    with mounted(device, tmp_path / "mnt") as mountpoint:
        result = dry_run(anaconda, tmp_path, storage_kickstart(name))
        still_mounted = any(line.split()[:2] == [device, str(mountpoint)]
                            for line in Path("/proc/self/mounts").read_text().splitlines())
    assert still_mounted, "the installer unmounted the test's filesystem"
    assert result.code == STORAGE_ERROR, f"exit {result.code}\n{result.text}"
    assert "Traceback" not in result.text
    errors = error_lines(result)
    assert len(errors) == 1, result.text
    message = errors[0]
    for word in (name, "cannot be used", "mounted filesystem", str(mountpoint), str(image)):
        assert word in message, f"{word!r} not in {message!r}"
    assert "no disk" not in message  # not "unknown disk": it is there, and in use
    assert "Storage actions:" not in result.out and "Dry run:" not in result.out


def test_dry_run_on_loop_device_writes_nothing(loop, anaconda, tmp_path):
    """What a --dry-run of a disk install can show on the host: the loop device is
    refused before anything is planned, with the reason, and its image is untouched."""
    image, device = loop
    name = os.path.basename(device)
    before = _sha256(image)
    result = dry_run(anaconda, tmp_path, storage_kickstart(name))
    assert result.code == STORAGE_ERROR, f"exit {result.code}\n{result.text}"
    assert "Traceback" not in result.text
    assert "Scanning disks and planning the storage layout" in result.out, result.text
    assert "Storage actions:" not in result.out and "Dry run: nothing was written." not in result.out
    errors = error_lines(result)
    assert len(errors) == 1, result.text
    message = errors[0]
    for word in ("ignoredisk --only-use", f"{name} is a loop device over {image}", "not a disk"):
        assert word in message, f"{word!r} not in {message!r}"
    subprocess.run(["sync"], check=True)
    assert _sha256(image) == before, "the dry run changed the loop device's image"
    label = subprocess.run(["blkid", "-o", "value", "-s", "LABEL", str(image)],
                           capture_output=True, text=True).stdout.strip()
    assert label == "hosttest"


def test_scan_protects_mounted_disks(loop, tmp_path):
    """Read-only: the scan the installer makes here protects the disk under the host's
    root and the test's mounted loop device, and selects neither."""
    from storage.protection import disks_of, protect_running_system
    from storage.session import scan

    image, device = loop
    name = os.path.basename(device)
    root = next((line.split()[0] for line in Path("/proc/self/mounts").read_text().splitlines()
                 if line.split()[1] == "/" and line.startswith("/dev/")), None)
    with mounted(device, tmp_path / "mnt") as mountpoint:
        session = scan()
        protect_running_system(session)
    assert session.protected.get(name, "").startswith(f"it holds the mounted filesystem {mountpoint}")
    assert name not in session.selected
    assert name not in {d.name for d in session.blivet.disks}  # blivet: a loop is no disk
    if root is not None:
        root_disks = [d.name for d in disks_of(session, root)]
        assert root_disks, f"the scan found no disk under the root filesystem {root}"
        for disk in root_disks:
            assert "mounted filesystem / " in session.protected.get(disk, ""), session.protected
            assert disk not in session.selected
