"""Which operating system an existing file system holds, by its os-release, read during
the background scan so the destination screen can say "Debian GNU/Linux 12 on sda2".

Read without changing anything on the disk: ext2/3/4 through `debugfs` (it reads the
file system's blocks, never mounts it, so no journal is replayed and image files work
as well as block devices); xfs and btrfs on a block device mounted read-only with log
recovery off, in a private directory, and unmounted at once. Only file systems on the
disks the scan was given and may use are read (never a protected disk: it is mounted or
the install source), only those that can hold a root, and each read is bounded in time.
The text is parsed by `storage.os_release`, the project's one os-release reader.
"""
from __future__ import annotations

import logging
import stat
import subprocess
import tempfile
from pathlib import Path

from storage import os_release
from storage.session import StorageSession

log = logging.getLogger("anaconda.storage")

EXT = ("ext2", "ext3", "ext4")
#: Mount options that read a file system without writing to it (no log replay).
MOUNT_OPTIONS = {"xfs": "ro,norecovery", "btrfs": "ro,nologreplay"}
#: Subvolume directories a btrfs root is commonly in (Fedora, Ubuntu/openSUSE).
BTRFS_ROOTS = ("", "root", "@", "@rootfs")
TIMEOUT = 10  # seconds for one read: a damaged file system must not stall the scan


def _debugfs_cat(path: str, inside: str) -> str:
    """The file's text, "" when absent, a symbolic link, or unreadable."""
    try:
        done = subprocess.run(["debugfs", "-R", f"cat /{inside}", path], capture_output=True,
                              text=True, errors="replace", timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("os-release of %s not read: %s", path, exc)
        return ""
    return done.stdout if done.returncode == 0 else ""


def _from_ext(path: str) -> os_release.OsRelease | None:
    """Each place os-release(5) names, copied into a scratch root for the one reader."""
    with tempfile.TemporaryDirectory(prefix="anaconda-osrelease-") as scratch:
        for place in os_release.PLACES:
            text = _debugfs_cat(path, place)
            if text.strip():  # a symbolic link reads as nothing: the next place has the file
                target = Path(scratch, place)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
                break
        return os_release.read(Path(scratch))


def _from_mount(path: str, fstype: str) -> os_release.OsRelease | None:
    with tempfile.TemporaryDirectory(prefix="anaconda-probe-") as where:
        try:
            mounted = subprocess.run(["mount", "-t", fstype, "-o", MOUNT_OPTIONS[fstype], path, where],
                                     capture_output=True, text=True, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.info("%s not mounted to read its os-release: %s", path, exc)
            return None
        if mounted.returncode != 0:
            log.info("%s not mounted to read its os-release: %s", path, mounted.stderr.strip())
            return None
        try:
            roots = BTRFS_ROOTS if fstype == "btrfs" else ("",)
            return next((found for sub in roots if (found := os_release.read(Path(where, sub)))), None)
        finally:
            subprocess.run(["umount", where], capture_output=True, timeout=TIMEOUT)


def _is_block(path: str) -> bool:
    try:
        return stat.S_ISBLK(Path(path).stat().st_mode)
    except OSError:
        return False


def read_system(device) -> str:
    """The title of the system whose root `device` holds, "" when none can be read."""
    fmt, path = device.format, device.path
    if not fmt.exists or not Path(path).exists():
        return ""
    found = None
    if fmt.type in EXT:
        found = _from_ext(path)
    elif fmt.type in MOUNT_OPTIONS and _is_block(path):
        found = _from_mount(path, fmt.type)
    return found.title if found else ""


def find_systems(session: StorageSession) -> dict[str, str]:
    """Device name -> the title of the system it holds, for every file system on the
    selected, unprotected disks that holds a root."""
    usable = {name for name in session.selected if name not in session.protected}
    systems = {}
    for device in session.blivet.devices:
        disks = {d.name for d in device.disks}
        if device.format.type not in (*EXT, *MOUNT_OPTIONS) or not disks or not disks <= usable:
            continue
        title = read_system(device)
        if title:
            systems[device.name] = title
            log.info("Found %s on %s", title, device.name)
    return systems
