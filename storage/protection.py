"""Disks the installer must never touch, and why.

A disk is protected when any device on it holds a mounted filesystem (the live system,
a host's root), the installer image (stage2) or the installation source. Protection is
decided once after the scan; every later request that names a protected disk fails with
the disk and the reason, and autopart/clearpart never consider it.

A device that is on no disk but holds a mounted filesystem itself (a host's loop device,
which blivet does not count as a disk) is recorded under its own name, so a kickstart that
names it is told that, rather than that no such disk exists.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from .errors import StorageProblem
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


def loop_backing_device(path: str, sys_block: Path = Path("/sys/block")) -> str | None:
    """The block device under a loop device (stage2 read on demand over HTTP: a loop over
    /dev/nbd0), None for a loop over a file or any other device. blivet sees such a loop's
    backing device as a file, not as the disk it is."""
    name = os.path.basename(path)
    if not name.startswith("loop"):
        return None
    try:
        backing = (sys_block / name / "loop/backing_file").read_text().strip()
    except OSError:
        return None
    return backing if backing.startswith("/dev/") and not backing.endswith(" (deleted)") else None


def mounted_devices(mounts: Path = Path("/proc/self/mounts"),
                    sys_block: Path = Path("/sys/block")) -> dict[str, str]:
    """Block device path -> why it matters, from the mount table."""
    found: dict[str, str] = {}
    for line in mounts.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith("/dev/"):
            path = os.path.realpath(parts[0])
            found.setdefault(path, f"it holds the mounted filesystem {parts[1]}")
            backing = loop_backing_device(path, sys_block)
            if backing is not None:
                found.setdefault(backing, f"it holds the mounted filesystem {parts[1]} (through {path})")
    for line in Path("/proc/swaps").read_text().splitlines()[1:] if Path("/proc/swaps").exists() else []:
        device = line.split()[0]
        if device.startswith("/dev/"):
            found.setdefault(os.path.realpath(device), "it holds active swap")
    return found


def find_device(session: StorageSession, spec: str):
    """Any device of the tree (not only disks) by name, path (/dev, or an image file's) or
    /dev/disk/by-* link; None when unknown."""
    path = os.path.realpath(spec) if spec.startswith("/") else f"/dev/{spec}"
    tree = session.blivet.devicetree
    return (tree.get_device_by_path(spec) or tree.get_device_by_path(path)
            or tree.get_device_by_name(os.path.basename(path)))


def disks_of(session: StorageSession, path: str) -> list:
    """The disks under a device path (a partition, an LV, a loop device's backing disk...)."""
    device = find_device(session, path)
    if device is None:
        return []
    return list(device.disks) or ([device] if device.is_disk else [])


def protect(session: StorageSession, devices: dict[str, str]) -> None:
    """Mark the disks holding these device paths as protected, with the reason; a device
    on no disk (a loop device) is marked under its own name."""
    for path, reason in devices.items():
        device = find_device(session, path)
        if device is None:
            continue
        for holder in list(device.disks) or [device]:
            if holder.name not in session.protected:
                session.protected[holder.name] = f"{reason} ({path})"
                log.info("Protected %s %s: %s", holder.type, holder.name,
                         session.protected[holder.name])
    session.selected = [n for n in session.selected if n not in session.protected]


def protect_running_system(session: StorageSession, extra: dict[str, str] | None = None) -> None:
    """Mounted filesystems and active swap, plus the stage2/source devices the caller names."""
    protect(session, {**mounted_devices(), **(extra or {})})


def check_usable(session: StorageSession, name: str, what: str) -> None:
    if name in session.protected:
        raise StorageProblem(f"{what}: disk {name} cannot be used: {session.protected[name]}")
