"""stage2 read on demand (image/boot/init: a read-only loop over /dev/nbd0) out to the
target and back: here a loop device over another loop device stands in for the loop over
/dev/nbd0 (the host has no nbd). The block device under it is never deleted, and at the
end the loop reads it again instead of a copy in RAM."""
from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from installer.memory import stage2_move
from installer.memory.stage2_move import COPY_NAME, find_loop, move_to_disk, move_to_ram
from tests.host.test_stage2_move import fake_loop, run

pytestmark = pytest.mark.host


def test_a_stage2_on_a_block_device_moves_to_the_target_and_back(tmp_path, caplog):
    if os.geteuid() != 0 or shutil.which("mksquashfs") is None or shutil.which("losetup") is None:
        pytest.skip("needs root, losetup and squashfs-tools")
    caplog.set_level(logging.INFO, logger="anaconda.memory")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "file").write_bytes(os.urandom(300 * 1024))
    image = tmp_path / "install.img"
    run("mksquashfs", str(tree), str(image), "-noappend", "-quiet", "-no-progress")
    under = run("losetup", "--find", "--show", "--read-only", str(image))  # "/dev/nbd0"
    over = None
    mountpoint = tmp_path / "rootfs.ro"
    mountpoint.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    try:
        over = run("losetup", "--find", "--show", "--read-only", under)
        run("mount", "-t", "squashfs", "-o", "ro", over, str(mountpoint))
        loop = find_loop(mountpoint)
        assert loop.backing == under and loop.backing_device == Path(under)
        assert loop.backing_path is None  # a device is never unlinked
        assert not stage2_move.read_on_demand(mountpoint)  # only an nbd device is "on demand"

        moved = move_to_disk(target, mountpoint)
        assert moved is not None
        assert find_loop(mountpoint).backing == str(target / COPY_NAME)
        assert stat.S_ISBLK(os.stat(under).st_mode)
        assert (mountpoint / "file").read_bytes() == (tree / "file").read_bytes()
        assert "no longer needs the server" in caplog.text

        ram = tmp_path / "ram"
        move_to_ram(moved, ram_dir=ram)
        assert find_loop(mountpoint).backing == under  # back on the device, not into RAM
        assert not (ram / "install.img").exists() and not (target / COPY_NAME).exists()
        assert (mountpoint / "file").read_bytes() == (tree / "file").read_bytes()
    finally:
        subprocess.run(["umount", str(mountpoint)], capture_output=True)
        if over:
            subprocess.run(["losetup", "-d", over], capture_output=True)
        subprocess.run(["losetup", "-d", under], capture_output=True)


def test_read_on_demand_is_an_nbd_backed_stage2(tmp_path):
    mounts = tmp_path / "mounts"
    sys_block = tmp_path / "block"
    fake_loop(sys_block, "loop0", "/dev/nbd0", 106496, read_only=True)
    mounts.write_text("/dev/loop0 /run/rootfs.ro squashfs ro 0 0\n")
    assert stage2_move.read_on_demand(Path("/run/rootfs.ro"), mounts, sys_block)
    (sys_block / "loop0/loop/backing_file").write_text("/run/install/install.img\n")
    assert not stage2_move.read_on_demand(Path("/run/rootfs.ro"), mounts, sys_block)
    assert not stage2_move.read_on_demand(Path("/run/rootfs.ro"), tmp_path / "none", sys_block)


def test_the_device_under_stage2s_loop_is_protected(tmp_path):
    """blivet sees /dev/nbd0 as a disk but the loop over it as a file's: the disk scan
    must still count nbd0 as holding the mounted stage2 (clearpart --all must skip it)."""
    from storage.protection import mounted_devices

    mounts = tmp_path / "mounts"
    sys_block = tmp_path / "block"
    for name, backing in (("loop0", "/dev/nbd0"), ("loop1", "/run/install/install.img"),
                          ("loop2", "/images/install.img (deleted)")):
        (sys_block / name / "loop").mkdir(parents=True)
        (sys_block / name / "loop/backing_file").write_text(backing + "\n")
    mounts.write_text("/dev/loop0 /run/rootfs.ro squashfs ro 0 0\n"
                      "/dev/loop1 /mnt/other squashfs ro 0 0\n/dev/loop2 /mnt/old squashfs ro 0 0\n")
    found = mounted_devices(mounts, sys_block)
    assert found["/dev/nbd0"] == "it holds the mounted filesystem /run/rootfs.ro (through /dev/loop0)"
    assert found["/dev/loop0"] == "it holds the mounted filesystem /run/rootfs.ro"
    assert "/run/install/install.img" not in found and "/images/install.img (deleted)" not in found
