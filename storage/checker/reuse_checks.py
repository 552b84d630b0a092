"""Checks on reusing an existing partition for a mount point, against the scanned disks:
reformatted (`part /home --onpart=sda3 --fstype=xfs`) or kept with its data
(`part /home --onpart=sda3 --noformat`).

A kept filesystem must be one that can be mounted and is not also being deleted or
shrunk; its size is the partition's. Run before `storage.checker.mount_checks.check_mount`,
which then checks the rest of the mount point.
"""
from __future__ import annotations

from dataclasses import replace

from storage.planning.inventory import DiskInfo, PartitionInfo
from storage.planning.request import SPECIAL_MOUNTS, LayoutRequest, MountRequest
from storage.checker.request_checks import RequestProblem

FIELD = "existing partition"


def _partition(name: str, request: LayoutRequest, disks: list[DiskInfo]) -> PartitionInfo:
    found = {p.name: p for d in disks if d.name in request.disks for p in d.partitions if not p.whole_disk}
    if name not in found:
        raise RequestProblem(FIELD, f"there is no partition {name} on the selected disks "
                             f"(partitions: {', '.join(found) or 'none'})")
    reclaim = request.reclaim
    if reclaim.clear_all:
        raise RequestProblem(FIELD, f"clear all deletes {name}; turn it off to reuse {name}")
    if name in reclaim.delete:
        raise RequestProblem(FIELD, f"{name} is to be deleted; keep it to reuse it")
    if name in reclaim.shrink:
        raise RequestProblem(FIELD, f"{name} is to be shrunk; keep its size to reuse it")
    return found[name]


def check_reuse(mount: MountRequest, request: LayoutRequest, disks: list[DiskInfo],
                replacing: str | None = None) -> MountRequest:
    """The mount request with the existing partition's size (and kept filesystem) filled in."""
    if not mount.reuse:
        if not mount.reformat:
            raise RequestProblem("reformat", "only an existing partition keeps its data; choose the "
                                 "partition to reuse, or reformat")
        return mount
    name = mount.reuse.strip().removeprefix("/dev/")
    part = _partition(name, request, disks)
    user = next((m.mountpoint for m in request.mounts
                 if m.reuse == name and (replacing is None or m.mountpoint != replacing)), None)
    if user:
        raise RequestProblem(FIELD, f"{name} is already used by {user}")
    if mount.device_type != "partition":
        raise RequestProblem("device type", f"{name} is reused as a partition; choose device type partition")
    size = int(part.size.convert_to("MiB"))
    reused = replace(mount, reuse=name, size=size, grow=False, max_size=0)
    if mount.reformat:
        return reused
    if mount.mountpoint.strip() in SPECIAL_MOUNTS:
        raise RequestProblem("reformat", f"an existing {mount.mountpoint.strip()} partition is reused by "
                             "reformatting it")
    if not part.mountable:
        raise RequestProblem("reformat", f"{name} holds {part.fstype or 'no filesystem'}, which cannot be "
                             "mounted here; reformat it")
    if mount.fstype.strip() and mount.fstype.strip() != part.fstype:
        raise RequestProblem("file system", f"{name} holds {part.fstype}; keep {part.fstype} or reformat it")
    if mount.encrypted:
        raise RequestProblem("encrypted", f"{name} keeps its data as it is; reformat it to encrypt it")
    return replace(reused, fstype=part.fstype)
