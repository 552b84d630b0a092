"""Checks on reusing an existing device for a mount point, against the scanned disks: a
partition or a logical volume reformatted (`part /home --onpart=sda3 --fstype=xfs`,
`logvol /home --useexisting --vgname=old --name=home`), kept with its data
(`--noformat`), or kept and resized with its file system (`--noformat --resize --size=N`).

A kept file system must be one that can be mounted and is not also being deleted or
shrunk; its size is the device's unless resized, and a resize stays between what its
data needs and the room it has (the bounds the shrink screen shows). Run before
`storage.checker.mount_checks.check_mount`, which then checks the rest of the mount point.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from blivet.size import Size

from storage.planning.inventory import DiskInfo, PartitionInfo, to_mib
from storage.planning.request import SPECIAL_MOUNTS, LayoutRequest, MountRequest
from storage.checker.request_checks import RequestProblem

FIELD = "existing partition"
#: The device type a reused device of each kind keeps.
DEVICE_TYPE = {"partition": "partition", "lvm": "lvm"}


def reusable(request: LayoutRequest, disks: list[DiskInfo],
             volumes: Sequence[PartitionInfo] = ()) -> dict[str, PartitionInfo]:
    """The existing partitions and logical volumes on the selected disks, by the name a
    request reuses them by (sda3, old/data)."""
    chosen = set(request.disks)
    found = {p.name: p for d in disks if d.name in chosen for p in d.partitions if not p.whole_disk}
    found.update((v.name, v) for v in volumes if v.disks and set(v.disks) <= chosen)
    return found


def _conflict(device: PartitionInfo, request: LayoutRequest) -> str:
    """Why the reclaim choices leave nothing of `device` to reuse ("" when they do not)."""
    reclaim, name = request.reclaim, device.name
    if reclaim.clear_all:
        return f"clear all deletes {name}; turn it off to reuse {name}"
    if name in reclaim.delete:
        return f"{name} is to be deleted; keep it to reuse it"
    if name in reclaim.shrink:
        return f"{name} is to be shrunk; keep its size to reuse it"
    gone = next((n for n in (*device.on, *device.disks) if n in reclaim.delete), "")
    if gone:
        return f"{gone} is to be deleted, and {name} with it; keep {gone} to reuse {name}"
    return ""


def _device(name: str, request: LayoutRequest, found: dict[str, PartitionInfo]) -> PartitionInfo:
    if name not in found:
        raise RequestProblem(FIELD, f"there is no partition or logical volume {name} on the selected "
                             f"disks (existing: {', '.join(found) or 'none'})")
    why = _conflict(found[name], request)
    if why:
        raise RequestProblem(FIELD, why)
    return found[name]


def resize_bounds(device: PartitionInfo) -> tuple[int, int]:
    """The sizes (MiB) a kept device can be resized to: what its data needs up to its
    room; both its size when it cannot be resized."""
    size = int(device.size.convert_to("MiB"))
    least = to_mib(device.min_size) if device.can_shrink else size
    most = int(Size(max(device.max_size, device.size)).convert_to("MiB"))
    return least, most


def _check_resize(mount: MountRequest, device: PartitionInfo) -> int:
    """The new size in MiB (0: unchanged), or the problem naming the field."""
    size = int(device.size.convert_to("MiB"))
    if not mount.resize or mount.resize == size:
        return 0
    if mount.reformat:
        raise RequestProblem("resize", f"a reformatted {device.name} gets a new file system at its "
                             "size; keep its data to resize it")
    if not isinstance(mount.resize, int) or mount.resize < 0:
        raise RequestProblem("resize", f"{mount.resize} MiB is not a size")
    least, most = resize_bounds(device)
    if least == most == size:
        why = device.why_not or f"its {device.fstype or 'content'} cannot be resized"
        raise RequestProblem("resize", f"{device.name} cannot be resized: {why}")
    if not least <= mount.resize <= most:
        raise RequestProblem("resize", f"{device.name} can be resized to {least}-{most} MiB "
                             f"(its data needs {least} MiB); {mount.resize} MiB is outside that")
    return mount.resize


def check_reuse(mount: MountRequest, request: LayoutRequest, disks: list[DiskInfo],
                replacing: str | None = None, volumes: Sequence[PartitionInfo] = ()) -> MountRequest:
    """The mount request with the existing device's size (and kept file system, volume
    group) filled in."""
    if not mount.reuse:
        if not mount.reformat:
            raise RequestProblem("reformat", "only an existing partition keeps its data; choose the "
                                 "partition to reuse, or reformat")
        if mount.resize:
            raise RequestProblem("resize", "only an existing partition is resized; a new one gets its size")
        return mount
    name = mount.reuse.strip().removeprefix("/dev/")
    device = _device(name, request, reusable(request, disks, volumes))
    user = next((m.mountpoint for m in request.mounts
                 if m.reuse == name and (replacing is None or m.mountpoint != replacing)), None)
    if user:
        raise RequestProblem(FIELD, f"{name} is already used by {user}")
    kind = DEVICE_TYPE.get(device.kind)
    if kind is None:
        raise RequestProblem(FIELD, f"{name} is an existing {device.kind} array; reuse it with a "
                             "kickstart (raid --useexisting), or pick a partition or logical volume")
    if mount.device_type != kind:
        raise RequestProblem("device type", f"{name} is reused as {'a partition' if kind == 'partition' else 'an lvm logical volume'}; "
                             f"choose device type {kind}")
    group = name.split("/")[0] if kind == "lvm" else ""
    resized = _check_resize(mount, device)
    size = resized or int(device.size.convert_to("MiB"))
    reused = replace(mount, reuse=name, size=size, grow=False, max_size=0, resize=resized,
                     volume_group=group, raid_level="")
    if mount.reformat:
        return reused
    if mount.mountpoint.strip() in SPECIAL_MOUNTS:
        raise RequestProblem("reformat", f"an existing {mount.mountpoint.strip()} partition is reused by "
                             "reformatting it")
    if not device.mountable:
        raise RequestProblem("reformat", f"{name} holds {device.fstype or 'no filesystem'}, which cannot be "
                             "mounted here; reformat it")
    if mount.fstype.strip() and mount.fstype.strip() != device.fstype:
        raise RequestProblem("file system", f"{name} holds {device.fstype}; keep {device.fstype} or reformat it")
    if mount.encrypted:
        raise RequestProblem("encrypted", f"{name} keeps its data as it is; reformat it to encrypt it")
    return replace(reused, fstype=device.fstype)


def check_new_in_existing_group(mount: MountRequest, taken: set[str]) -> None:
    """A new logical volume cannot join a volume group already on the disks here (the
    planner makes its groups new); reusing that group's volumes is what is offered."""
    if mount.reuse or mount.device_type not in ("lvm", "lvm thin"):
        return
    if mount.volume_group.strip() in taken:
        raise RequestProblem("volume group", f"{mount.volume_group.strip()} is a volume group already on the "
                             "disks; name a new one (its logical volumes can be reused as they are)")
