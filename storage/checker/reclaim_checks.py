"""Checks on reclaiming space (delete, shrink, clear all) against the scanned disks, and
the room the layout will have afterwards.

Shrinking is offered only where blivet can shrink the filesystem with its data (its
format is resizable and has a known minimum); anything else is refused with the reason.
"""
from __future__ import annotations

from blivet.size import Size

from storage.planning.inventory import DiskInfo, PartitionInfo, to_mib
from storage.planning.request import LayoutRequest
from storage.checker.request_checks import RequestProblem


def _on_selected(disks: list[DiskInfo], selected: list[str]) -> dict[str, tuple[DiskInfo, PartitionInfo]]:
    return {p.name: (d, p) for d in disks if d.name in selected for p in d.partitions}


def _known(name: str, found: dict, what: str) -> tuple[DiskInfo, PartitionInfo]:
    if name not in found:
        raise RequestProblem(what, f"there is no partition {name} on the selected disks "
                             f"(partitions: {', '.join(found) or 'none'})")
    return found[name]


def check_delete(name: str, disks: list[DiskInfo], selected: list[str]) -> str:
    _known(name, _on_selected(disks, selected), "delete")
    return name


def check_shrink(name: str, size: int, disks: list[DiskInfo], request: LayoutRequest) -> int:
    """The new size in MiB, between the partition's minimum and its current size."""
    _, part = _known(name, _on_selected(disks, request.disks), "shrink")
    if request.reclaim.clear_all:
        raise RequestProblem("shrink", "clear all deletes everything on the selected disks; "
                             f"turn it off to shrink {name}")
    if name in request.reclaim.delete:
        raise RequestProblem("shrink", f"{name} is to be deleted; keep it first to shrink it")
    if not part.can_shrink:
        raise RequestProblem("shrink", f"{name} cannot be shrunk: {part.why_not}")
    least, current = to_mib(part.min_size), int(part.size.convert_to("MiB"))
    if not isinstance(size, int) or isinstance(size, bool) or not least <= size < current:
        raise RequestProblem("shrink", f"{name} can shrink to between {least} and {current - 1} MiB "
                             f"(its data needs {least} MiB); {size} MiB is outside that")
    return size


def check_reclaim(request: LayoutRequest, disks: list[DiskInfo]) -> None:
    """Every delete and shrink still valid for the selected disks; no selected disk left
    holding a filesystem on the whole disk, which would have to be wiped unasked."""
    for name in request.reclaim.delete:
        check_delete(name, disks, request.disks)
    for name, size in request.reclaim.shrink.items():
        check_shrink(name, size, disks, request)
    if request.reclaim.clear_all:
        return
    for disk in disks:
        if disk.name in request.disks and any(p.whole_disk for p in disk.partitions) \
                and disk.name not in request.reclaim.delete:
            raise RequestProblem("disks", f"{disk.name} holds {disk.partitions[0].fstype or 'data'} "
                                 f"on the whole disk: delete it to make room, or leave {disk.name} out")


def room(request: LayoutRequest, disks: list[DiskInfo]) -> Size:
    """Free space on the selected disks once the reclaim is done."""
    total = Size(0)
    for disk in disks:
        if disk.name not in request.disks:
            continue
        if request.reclaim.clear_all or disk.name in request.reclaim.delete:
            total += disk.size
            continue
        total += disk.free
        for part in disk.partitions:
            if part.name in request.reclaim.delete:
                total += part.size
            elif part.name in request.reclaim.shrink:
                total += part.size - Size(f"{request.reclaim.shrink[part.name]} MiB")
    return total
