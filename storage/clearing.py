"""`zerombr` and `clearpart`: what is removed from the selected disks before the layout.

Only selected, unprotected disks are ever touched; a disk named in --drives or --list
that is not selected is an error, never silently cleared.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from blivet.formats.disklabel import DiskLabel

from .errors import StorageProblem
from .protection import check_usable
from .selection import is_pattern, resolve_disks
from .session import StorageSession

log = logging.getLogger("anaconda.storage")

#: Formats `clearpart --linux` removes (Anaconda's "Linux native" set).
LINUX_FORMATS = {"ext2", "ext3", "ext4", "xfs", "btrfs", "swap", "lvmpv", "mdmember", "luks",
                 "biosboot", "prepboot", "jfs", "reiserfs"}


@dataclass
class ClearRequest:
    mode: str = "none"  # none, all, linux, list
    drives: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)  # --list
    initlabel: bool = False
    disklabel: str = ""  # gpt or msdos
    zerombr: bool = False


def _has_label(disk) -> bool:
    return disk.format.type == "disklabel"


def clear(session: StorageSession, request: ClearRequest) -> list[str]:
    """Schedule the removals; returns the names of what was scheduled, for the log."""
    storage = session.blivet
    if request.disklabel:
        if request.disklabel not in ("gpt", "msdos"):
            raise StorageProblem(f"clearpart --disklabel={request.disklabel}: expected gpt or msdos")
        DiskLabel.set_default_label_type(request.disklabel)
    targets = list(session.selected)
    if request.drives:
        targets = []
        for spec in request.drives:
            found = resolve_disks(session, [spec], "clearpart --drives")
            if is_pattern(spec):  # a pattern (sd*) passes over disks the install may not use
                found = [n for n in found if n in session.selected and n not in session.protected]
            targets += [n for n in found if n not in targets]
        for name in targets:
            check_usable(session, name, "clearpart --drives")
            if name not in session.selected:
                raise StorageProblem(f"clearpart --drives: disk {name} is not selected "
                                     "(ignoredisk leaves it out)")
    removed: list[str] = []
    for name in targets:
        disk = session.disk(name)
        if request.mode == "all" or (not _has_label(disk) and (request.zerombr or request.initlabel)):
            log.info("Initializing disk %s (%s)", name, request.mode)
            if disk.children or disk.format.type:  # what is there goes first, then the new label
                storage.recursive_remove(disk)
            storage.initialize_disk(disk)
            removed.append(f"{name}: everything")
        elif request.mode == "linux":
            for part in [p for p in storage.partitions if p.disk == disk and not p.is_extended]:
                if part.format.type in LINUX_FORMATS:
                    storage.recursive_remove(part)
                    removed.append(part.name)
    if request.mode == "list":
        for spec in request.devices:
            device = storage.devicetree.resolve_device(spec)
            if device is None:
                raise StorageProblem(f"clearpart --list: no device {spec}")
            for disk in device.disks:
                if disk.name not in session.selected:
                    raise StorageProblem(f"clearpart --list: {spec} is on disk {disk.name}, "
                                         "which is not selected")
            storage.recursive_remove(device)
            removed.append(device.name)
    storage.remove_empty_extended_partitions()
    return removed


def require_labels(session: StorageSession, disks) -> None:
    """Partitions need a partition table; without zerombr/--initlabel one is not made
    over a disk that holds something unrecognised."""
    for disk in disks:
        if disk.format.type != "disklabel":
            if disk.format.type is None and not disk.children:
                session.blivet.initialize_disk(disk)
            else:
                raise StorageProblem(f"disk {disk.name} holds {disk.format.type or 'no partition table'}; "
                                     "add `zerombr` or `clearpart --all --initlabel` to reuse it")
