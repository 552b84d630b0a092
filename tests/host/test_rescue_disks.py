"""Rescue mode on real file systems: loop devices over image files this test makes (two
"disks": a partitioned one with an ext4 root, an xfs /home and swap, and a whole-disk
ext4 second system), found by their fstab and os-release, mounted read-write and
read-only with the kernel file systems bound, a command run in the chroot, everything
taken down again. Read-only rescue and the search itself leave the images byte for byte
as they were. LUKS, LVM and md need device-mapper/md: tests/vm/test_rescue.py.
"""
from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from installer.rescue.session import READ_ONLY, READ_WRITE, RescueSession
from spokes.rescue_cmdline import RescuePrompts

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("losetup"),
                                reason="needs root, losetup and mount")

HOME_FILE = "alice/notes.txt"


def sh(*argv: str, **kw) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw).stdout.strip()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mounts_under(path: Path) -> list[str]:
    text = Path("/proc/self/mounts").read_text()
    return [line.split()[1] for line in text.splitlines() if line.split()[1].startswith(str(path))]


def _copy_with_libs(binary: str, root: Path) -> None:
    paths = [binary] + [p for line in sh("ldd", binary).splitlines()
                        for p in line.split() if p.startswith("/")]
    for path in paths:
        dest = root / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.realpath(path), dest)


class Loops:
    """Loop devices set up by the test, detached (and anything left mounted from them
    unmounted) whatever happens."""

    def __init__(self) -> None:
        self.devices: list[str] = []

    def attach(self, image: Path) -> str:
        device = sh("losetup", "--find", "--show", "--partscan", str(image))
        self.devices.append(device)
        subprocess.run(["partx", "-u", device], capture_output=True)
        return device

    def close(self) -> None:
        for line in Path("/proc/self/mounts").read_text().splitlines():
            source, target = line.split()[:2]
            if any(source.startswith(d) for d in self.devices):
                subprocess.run(["umount", "-l", target], capture_output=True)
        for device in self.devices:
            subprocess.run(["losetup", "-d", device], capture_output=True)


def wait_for_partitions(device: str, count: int) -> list[str]:
    wanted = [f"{device}p{n}" for n in range(1, count + 1)]
    deadline = time.monotonic() + 10
    while not all(os.path.exists(p) for p in wanted):
        assert time.monotonic() < deadline, f"partitions of {device} did not appear"
        subprocess.run(["partx", "-a", device], capture_output=True)
        time.sleep(0.2)
    return wanted


def populate(device: str, files: dict[str, str], where: Path, shell: bool = False) -> None:
    where.mkdir(parents=True, exist_ok=True)
    sh("mount", device, str(where))
    try:
        for name, text in files.items():
            path = where / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        if shell:
            _copy_with_libs("/bin/dash", where)
            (where / "bin/sh").symlink_to("dash")
            for name in ("dev", "proc", "sys", "run", "home", "srv"):
                (where / name).mkdir(exist_ok=True)
            (where / "dev/pts").mkdir(exist_ok=True)
    finally:
        sh("umount", str(where))


@pytest.fixture
def disks(tmp_path):
    """(disk paths, image files): disk A = ext4 root + xfs /home + swap; disk B = a whole
    ext4 disk holding another system's root."""
    loops = Loops()
    try:
        image_a, image_b = tmp_path / "disk-a.img", tmp_path / "disk-b.img"
        subprocess.run(["truncate", "-s", "480M", str(image_a)], check=True)
        subprocess.run(["truncate", "-s", "48M", str(image_b)], check=True)
        sh("sfdisk", "-q", str(image_a), input="label: gpt\n,64M\n,320M\n,16M,S\n")
        disk_a = loops.attach(image_a)
        root, home, swap = wait_for_partitions(disk_a, 3)
        sh("mkfs.ext4", "-q", "-L", "rootfs", root)
        sh("mkfs.xfs", "-q", "-L", "home", home)
        sh("mkswap", "-L", "swap", swap)
        root_uuid = sh("blkid", "-p", "-o", "value", "-s", "UUID", root)
        home_uuid = sh("blkid", "-p", "-o", "value", "-s", "UUID", home)
        fstab = (f"# made by the test\nUUID={root_uuid} / ext4 defaults 1 1\n"
                 f"UUID={home_uuid} /home xfs defaults,x-systemd.device-timeout=0 0 0\n"
                 "LABEL=swap none swap sw 0 0\n"
                 "tmpfs /tmp tmpfs defaults 0 0\n"
                 "server:/export /mnt/nfs nfs defaults 0 0\n"
                 "LABEL=gone /srv ext4 defaults 0 2\n")
        populate(root, {"etc/fstab": fstab, "etc/hostname": "rescued.example.test\n",
                        "etc/os-release": 'NAME="Test Linux"\nVERSION="9"\nID=testlinux\n'
                                          'PRETTY_NAME="Test Linux 9 (Rescue)"\n'},
                 tmp_path / "setup", shell=True)
        populate(home, {HOME_FILE: "kept\n"}, tmp_path / "setup")
        disk_b = loops.attach(image_b)
        sh("mkfs.ext4", "-q", "-L", "other", disk_b)
        other_uuid = sh("blkid", "-p", "-o", "value", "-s", "UUID", disk_b)
        populate(disk_b, {"etc/fstab": f"UUID={other_uuid} / ext4 defaults 0 1\n",
                          "usr/lib/os-release": 'NAME="Other OS"\nVERSION_ID=2\n'},
                 tmp_path / "setup")
        yield [disk_a, disk_b], [image_a, image_b]
    finally:
        loops.close()


def new_session(tmp_path, disk_paths, mode) -> RescueSession:
    return RescueSession(disks=disk_paths, mode=mode, sysroot=tmp_path / "sysroot",
                         work=tmp_path / "work")


def test_finds_both_systems_and_looking_writes_nothing(tmp_path, disks):
    disk_paths, images = disks
    before = [digest(i) for i in images]
    session = new_session(tmp_path, disk_paths, READ_WRITE)
    session.scan()
    assert session.step().name == "find" and session.locked == []
    systems = session.find()
    assert [s.describe() for s in systems] == [f"Test Linux 9 (Rescue) on {disk_paths[0]}p1",
                                               f"Other OS 2 on {disk_paths[1]}"]
    assert session.step().name == "choose"
    assert [digest(i) for i in images] == before
    assert mounts_under(tmp_path) == []


def test_read_write_mount_chroot_and_clean_teardown(tmp_path, disks):
    disk_paths, _ = disks
    session = new_session(tmp_path, disk_paths, READ_WRITE)
    session.scan()
    system = session.find()[0]
    mounted = session.mount(system)
    sysroot = tmp_path / "sysroot"
    assert (sysroot / "home" / HOME_FILE).read_text() == "kept\n"
    assert dict(mounted.filesystems) == {"/": f"{disk_paths[0]}p1", "/home": f"{disk_paths[0]}p2"}
    assert {str(sysroot / p) for p in ("proc", "sys", "dev", "dev/pts", "run")} <= set(mounts_under(sysroot))
    assert mounted.problems == ["/etc/fstab line 7 (/srv): no device LABEL=gone was found "
                                "(locked, skipped or missing); not mounted"]
    out = sh("chroot", str(sysroot), "/bin/sh", "-c",
             "read name < /etc/hostname; echo host=$name; test -e /proc/self/status && echo proc")
    assert out.splitlines() == ["host=rescued.example.test", "proc"]
    (sysroot / "home/alice/fixed.txt").write_text("repaired\n")  # read-write: a repair sticks
    hint = "\n".join(session.shell_hint())
    assert f"mounted read-write under {sysroot}" in hint and f"chroot {sysroot}" in hint
    assert "Problem: /etc/fstab line 7 (/srv)" in hint
    lines, clean = session.finish()
    assert clean, lines
    assert lines[0] == f"Unmounted 7 file system(s) under {sysroot}."
    assert lines[-1] == "Everything rescue mode set up was unmounted and closed cleanly."
    assert mounts_under(tmp_path) == []


def test_read_only_rescue_leaves_the_disks_untouched(tmp_path, disks):
    disk_paths, images = disks
    before = [digest(i) for i in images]
    session = new_session(tmp_path, disk_paths, READ_ONLY)
    session.scan()
    session.mount(session.find()[1])
    sysroot = tmp_path / "sysroot"
    with pytest.raises(OSError):
        (sysroot / "etc/new-file").write_text("x")
    assert session.shell_hint()[0] == f"Other OS 2 on {disk_paths[1]} is mounted read-only under {sysroot}."
    lines, clean = session.finish()
    assert clean, lines
    assert mounts_under(tmp_path) == []
    assert [digest(i) for i in images] == before


def test_a_mounted_partition_is_left_alone(tmp_path, disks):
    disk_paths, _ = disks
    busy = tmp_path / "busy"
    busy.mkdir()
    sh("mount", "-o", "ro", f"{disk_paths[0]}p1", str(busy))
    try:
        session = new_session(tmp_path, disk_paths, READ_WRITE)
        session.scan()
        assert f"{disk_paths[0]}p1" not in [d.path for d in session.devices]
        assert [s.root.path for s in session.find()] == [disk_paths[1]]
    finally:
        sh("umount", str(busy))


def test_cmdline_prompts_choose_mode_and_system(tmp_path, disks):
    disk_paths, _ = disks
    session = new_session(tmp_path, disk_paths, None)
    out = io.StringIO()
    prompts = RescuePrompts(stdin=io.StringIO("2\n7\n1\n"), stdout=out)
    try:
        assert prompts.interact(session) is True
        text = out.getvalue()
        assert "  2) Read-only mount: find it and mount it read-only" in text
        assert "Found 2 installed Linux system(s)." in text
        assert f"  1) Test Linux 9 (Rescue) on {disk_paths[0]}p1" in text
        assert "'7' is not one of 1-3." in text
        assert f"Mounting Test Linux 9 (Rescue) on {disk_paths[0]}p1 read-only" in text
        assert session.mounted is not None and session.mounted.readonly
    finally:
        lines, clean = session.finish()
    assert clean, lines
    assert mounts_under(tmp_path) == []
