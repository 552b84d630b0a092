"""stage2 out of RAM and back, on a real squashfs mounted from a loop device this test
sets up: the mounted files stay readable and identical through both switches, the image
file the loop started from is released, and the copy on the "target" is gone at the end."""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from installer.memory import stage2_move
from installer.memory.stage2_move import COPY_NAME, find_loop, move_to_disk, move_to_ram


def run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout.strip()


def fake_loop(sys_block: Path, name: str, backing: str, sectors: int, read_only: bool) -> None:
    """A loop device as /sys/block shows it, for find_loop without a real one."""
    (sys_block / name / "loop").mkdir(parents=True, exist_ok=True)
    (sys_block / name / "loop/backing_file").write_text(backing + "\n")
    (sys_block / name / "size").write_text(f"{sectors}\n")
    (sys_block / name / "ro").write_text(f"{int(read_only)}\n")


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def stage2(tmp_path):
    """A squashfs like stage2's, loop-mounted read-only, its image file deleted as the
    initramfs's is after switch_root. Yields (mountpoint, loop device)."""
    if os.geteuid() != 0:
        pytest.skip("needs root (losetup, mount)")
    for tool in ("losetup", "mksquashfs", "mount", "umount"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed")
    tree = tmp_path / "tree"
    (tree / "usr/lib").mkdir(parents=True)
    for index in range(8):
        (tree / "usr/lib" / f"lib{index}.so").write_bytes(os.urandom(256 * 1024))
    (tree / "usr/lib/readme").write_text("stage2\n" * 1000)
    image = tmp_path / "ram" / "install.img"
    image.parent.mkdir()
    run("mksquashfs", str(tree), str(image), "-noappend", "-quiet", "-no-progress")
    device = run("losetup", "--find", "--show", "--read-only", str(image))
    mountpoint = tmp_path / "rootfs.ro"
    mountpoint.mkdir()
    try:
        run("mount", "-t", "squashfs", "-o", "ro", device, str(mountpoint))
        try:
            image.unlink()
            yield mountpoint, device, _digests(tree)
        finally:
            subprocess.run(["umount", str(mountpoint)], capture_output=True)
    finally:
        subprocess.run(["losetup", "-d", device], capture_output=True)


def test_to_the_target_and_back(stage2, tmp_path, caplog):
    mountpoint, device, expected = stage2
    caplog.set_level(logging.INFO, logger="anaconda.memory")
    loop = find_loop(mountpoint)
    assert loop is not None and str(loop.device) == device and loop.read_only
    assert loop.backing.endswith(" (deleted)") and loop.backing_path is None  # the PXE case

    target = tmp_path / "target"
    target.mkdir()
    moved = move_to_disk(target, mountpoint)
    assert moved is not None and moved.copy == target / COPY_NAME
    on_disk = find_loop(mountpoint)
    assert on_disk.backing == str(target / COPY_NAME)
    assert _digests(mountpoint) == expected
    assert any(getattr(r, "memory_event", False) for r in caplog.records)

    ram = tmp_path / "run-install"
    move_to_ram(moved, ram_dir=ram)
    assert find_loop(mountpoint).backing == str(ram / "install.img")
    assert not (target / COPY_NAME).exists()
    assert _digests(mountpoint) == expected


def test_the_ram_file_of_an_http_stage2_is_released(tmp_path):
    """inst.stage2=http://... leaves the image in /run by name: it is deleted once the
    loop reads the copy, or the RAM would not be freed."""
    if os.geteuid() != 0 or shutil.which("mksquashfs") is None:
        pytest.skip("needs root and squashfs-tools")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "file").write_bytes(os.urandom(64 * 1024))
    image = tmp_path / "install.img"
    run("mksquashfs", str(tree), str(image), "-noappend", "-quiet", "-no-progress")
    device = run("losetup", "--find", "--show", "--read-only", str(image))
    mountpoint = tmp_path / "mnt"
    mountpoint.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    try:
        run("mount", "-t", "squashfs", "-o", "ro", device, str(mountpoint))
        moved = move_to_disk(target, mountpoint)
        assert moved is not None and not image.exists()
        assert (mountpoint / "file").read_bytes() == (tree / "file").read_bytes()
        move_to_ram(moved, ram_dir=tmp_path / "ram")
    finally:
        subprocess.run(["umount", str(mountpoint)], capture_output=True)
        subprocess.run(["losetup", "-d", device], capture_output=True)


def test_a_writable_loop_or_a_full_target_keeps_stage2_in_ram(tmp_path, monkeypatch):
    mounts = tmp_path / "mounts"
    sys_block = tmp_path / "block"
    fake_loop(sys_block, "loop3", "/images/install.img (deleted)", 131072, read_only=False)
    mounts.write_text("proc /proc proc rw 0 0\n/dev/loop3 /run/rootfs.ro squashfs ro 0 0\n")
    loop = find_loop(Path("/run/rootfs.ro"), mounts, sys_block)
    assert loop == stage2_move.Stage2Loop(Path("/dev/loop3"), "/images/install.img (deleted)",
                                          64 << 20, False)
    assert find_loop(Path("/elsewhere"), mounts, sys_block) is None

    monkeypatch.setattr(stage2_move, "find_loop", lambda mountpoint: loop)
    assert move_to_disk(tmp_path) is None  # writable: LOOP_CHANGE_FD would refuse
    loop.read_only = True
    loop.size = 1 << 50  # more than any test machine's disk has free
    assert move_to_disk(tmp_path) is None
    assert not (tmp_path / COPY_NAME).exists()
