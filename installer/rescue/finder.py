"""Which devices hold the root of an installed Linux system.

A root is a file system with an `/etc/fstab` (on btrfs also a subvolume one level below
the top that has one, as Fedora's `root` subvolume); its name comes from os-release
(storage.os_release, the project's one reader). Each candidate is mounted read-only
with journal replay off (ext* `noload`, xfs `norecovery`, btrfs `nologreplay`) so that
looking never writes, and unmounted again at once.
"""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from installer import program
from storage.os_release import OsRelease, read as read_os_release

from . import fstab
from .devices import ROOT_FSTYPES, Device, Runner

log = logging.getLogger("anaconda.rescue")

#: Mount options that read a file system without writing to it, journal included.
PEEK_OPTIONS = {"ext2": "ro,noload", "ext3": "ro,noload", "ext4": "ro,noload",
                "xfs": "ro,norecovery", "btrfs": "ro,nologreplay"}
BTRFS_SUBVOLUME_INODE = 256


@dataclass(frozen=True)
class InstalledSystem:
    root: Device
    os: OsRelease | None
    entries: tuple[fstab.FstabEntry, ...] = field(default=())
    subvol: str = ""  # btrfs: the subvolume holding the root ("" for the top level)

    @property
    def title(self) -> str:
        return (self.os.title if self.os and self.os.title else "") or "Linux (no os-release)"

    def describe(self) -> str:
        where = self.root.path + (f" (subvolume {self.subvol})" if self.subvol else "")
        return f"{self.title} on {where}"


def peek(device: Device, where: Path, run: Runner = program.run) -> bool:
    """Mount `device` read-only at `where` without journal replay; False when it will not."""
    options = PEEK_OPTIONS.get(device.fstype, "ro")
    result = run(["mount", "-t", device.fstype, "-o", options, device.path, str(where)])
    if result.returncode != 0:
        log.info("Not a root: %s cannot be mounted read-only: %s", device.path, result.output.strip())
        return False
    return True


def _system_at(device: Device, top: Path, subvol: str = "") -> InstalledSystem | None:
    root = top / subvol if subvol else top
    try:
        text = (root / "etc/fstab").read_text(errors="replace")
    except OSError:
        return None
    return InstalledSystem(root=device, os=read_os_release(root),
                           entries=tuple(fstab.parse(text)), subvol=subvol)


def _subvolumes(top: Path) -> list[str]:
    """The btrfs subvolumes right below the top level (directories with inode 256)."""
    found = []
    try:
        for child in sorted(top.iterdir()):
            if child.is_dir() and not child.is_symlink() and child.stat().st_ino == BTRFS_SUBVOLUME_INODE:
                found.append(child.name)
    except OSError:
        pass
    return found


def systems_on(device: Device, work: Path, run: Runner = program.run) -> list[InstalledSystem]:
    """The systems whose root is this device (none, one, or one per btrfs subvolume)."""
    if device.fstype not in ROOT_FSTYPES:
        return []
    work.mkdir(parents=True, exist_ok=True)
    where = Path(tempfile.mkdtemp(prefix="peek-", dir=work))
    found: list[InstalledSystem] = []
    try:
        if not peek(device, where, run):
            return []
        try:
            top = _system_at(device, where)
            if top is not None:
                found.append(top)
            elif device.fstype == "btrfs":
                found += [s for sub in _subvolumes(where) if (s := _system_at(device, where, sub))]
        finally:
            result = run(["umount", str(where)])
            if result.returncode != 0:
                run(["umount", "-l", str(where)])
    finally:
        try:
            os.rmdir(where)
        except OSError:
            log.warning("Could not remove the probe directory %s", where)
    for system in found:
        log.info("Found %s", system.describe())
    return found


def find_systems(devices: list[Device], work: Path, run: Runner = program.run) -> list[InstalledSystem]:
    """Every installed system on these devices, in device order."""
    systems: list[InstalledSystem] = []
    for device in devices:
        systems += systems_on(device, work, run)
    return systems
