"""What the storage screens show about the disks: size, identity, free space, what is on
them and what could be reclaimed, and what this machine can make.

Read once from the scanned tree (never from a planned one), so that the listing is what
is on the disks now, not what a half-edited plan would leave.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from blivet.devices import BTRFSVolumeDevice, LUKSDevice, LVMLogicalVolumeDevice, MDRaidArrayDevice
from blivet.formats import get_format
from blivet.size import ROUND_UP, Size

from storage.blivet_adapter import resize_tool_missing, type_resizable
from storage.checker.request_checks import Capabilities
from storage.session import StorageSession

log = logging.getLogger("anaconda.storage")
MiB = Size("1 MiB")
#: What a mount point can be formatted as, in the order the screens offer them.
FSTYPES = ("xfs", "ext4", "ext3", "ext2", "btrfs", "vfat", "efi", "swap", "biosboot")
#: The blivet device class behind each device type (and encryption) of the screens.
DEVICE_CLASSES = {"lvm": LVMLogicalVolumeDevice, "lvm thin": LVMLogicalVolumeDevice,
                  "raid": MDRaidArrayDevice, "btrfs": BTRFSVolumeDevice, "encryption": LUKSDevice}


@dataclass(frozen=True)
class PartitionInfo:
    name: str  # sda2; for whole_disk the disk's own name
    size: Size
    fstype: str  # "" when blivet recognised nothing
    label: str
    mountable: bool
    can_shrink: bool
    min_size: Size  # the smallest it can shrink to; its size when it cannot shrink
    why_not: str = ""  # why it cannot shrink, said so a user understands
    whole_disk: bool = False  # a format on the disk itself (no partition table)
    kind: str = "partition"  # partition, lvm (a logical volume), raid (an md array)
    system: str = ""  # the operating system it holds ("Fedora Linux 40"), from its os-release
    max_size: Size = Size(0)  # the largest it can grow to with its data; its size when it cannot
    on: tuple[str, ...] = ()  # lvm, raid: the partitions (or disks) it lives on
    disks: tuple[str, ...] = ()  # the disks it is on


@dataclass(frozen=True)
class DiskInfo:
    name: str
    path: str
    size: Size
    model: str
    serial: str
    vendor: str
    bus: str  # transport as blivet knows it: ata, scsi, virtio, usb, nvme...
    free: Size  # not in any partition
    label: str  # gpt, msdos; "" without a partition table
    partitions: tuple[PartitionInfo, ...]
    protected: str = ""  # why the installer must not touch it; "" when it may

    @property
    def usable(self) -> bool:
        return not self.protected


def to_mib(size: Size) -> int:
    return int(size.round_to_nearest(MiB, rounding=ROUND_UP).convert_to(MiB))


def _shrink(device) -> tuple[bool, Size, str]:
    """Can the device shrink, to what, and if not why (the reason a user would act on)."""
    fmt = device.format
    if not fmt.type:
        return False, device.size, "it holds nothing the installer recognises"
    if not fmt.resizable:
        if not type_resizable(fmt):
            return False, device.size, f"{fmt.type} cannot be resized"
        if resize_tool_missing(fmt):
            return False, device.size, f"the tools to resize {fmt.type} are missing here"
        return False, device.size, f"the size of its {fmt.type} could not be read"
    least = device.min_size if device.resizable else fmt.min_size
    if not least or least >= device.size:
        why = f"{fmt.type} can only grow" if fmt.type == "xfs" else f"its {fmt.type} is full"
        return False, device.size, why
    return True, least, ""


def _grows_to(device) -> Size:
    """How far the device and its file system can grow (the free space after a partition,
    the format's own limit); its size when it cannot grow."""
    fmt = device.format
    if not fmt.type or not fmt.resizable or not device.resizable:
        return device.size
    try:
        most = device.max_size
    except (ArithmeticError, ValueError):  # parted could not say: no growing offered
        return device.size
    if fmt.max_size:
        most = min(most, fmt.max_size)
    return max(most, device.size)


def _partition_info(device, whole_disk: bool = False, systems: dict[str, str] | None = None,
                    kind: str = "partition", name: str = "") -> PartitionInfo:
    fmt = device.format
    can, least, why = _shrink(device)
    on = _underneath(device) if kind != "partition" else ()
    return PartitionInfo(name=name or device.name, size=device.size, fstype=fmt.type or "",
                         label=getattr(fmt, "label", None) or "", mountable=bool(fmt.mountable),
                         can_shrink=can, min_size=least, why_not=why, whole_disk=whole_disk, kind=kind,
                         system=(systems or {}).get(device.name, ""), max_size=_grows_to(device),
                         on=on, disks=tuple(sorted(d.name for d in device.disks)))


def _underneath(device) -> tuple[str, ...]:
    """The partitions (or whole disks) a volume is made of, through LUKS and md too."""
    return tuple(sorted(a.name for a in device.ancestors
                        if a is not device and (a.type == "partition" or a.is_disk)
                        and not any(c.type == "partition" for c in a.children)))


def lv_name(device) -> str:
    """A logical volume as LVM names it, VG/LV ("old/data"), the way requests reuse it."""
    return f"{device.vg.name}/{device.lvname}"


def list_volumes(session: StorageSession, systems: dict[str, str] | None = None) -> list[PartitionInfo]:
    """The existing logical volumes and md arrays (what they hold, their size), each on
    disks the scan was given; thin pools and snapshots' internals are left out."""
    found = []
    for device in session.blivet.devices:
        if not device.exists or not device.disks:
            continue
        if isinstance(device, LVMLogicalVolumeDevice):
            if getattr(device, "is_thin_pool", False) or device.is_internal_lv:
                continue
            volume = _partition_info(device, systems=systems, kind="lvm", name=lv_name(device))
        elif isinstance(device, MDRaidArrayDevice) and not device.is_disk:
            volume = _partition_info(device, systems=systems, kind="raid")
        else:
            continue
        found.append(volume)
    return found


def list_disks(session: StorageSession, systems: dict[str, str] | None = None) -> list[DiskInfo]:
    """The disks with their partitions; `systems` (device name -> title) from the scan."""
    storage = session.blivet
    free = storage.get_free_space(disks=storage.disks)
    disks = []
    for disk in storage.disks:
        if disk.format.type == "disklabel":
            parts = tuple(_partition_info(p, systems=systems) for p in storage.partitions
                          if p.disk == disk and p.exists and not p.is_extended)
        elif disk.format.type:
            parts = (_partition_info(disk, whole_disk=True, systems=systems),)
        else:
            parts = ()
        disks.append(DiskInfo(
            name=disk.name, path=disk.path, size=disk.size, model=getattr(disk, "model", "") or "",
            serial=getattr(disk, "serial", "") or "", vendor=getattr(disk, "vendor", "") or "",
            bus=getattr(disk, "bus", "") or "", free=free[disk.name][0],
            label=disk.format.label_type if disk.format.type == "disklabel" else "",
            partitions=parts, protected=session.protected.get(disk.name, "")))
    return disks


def _why_unavailable(cls) -> str:
    missing = cls.unavailable_type_dependencies()
    return "; ".join(f"{dep} ({', '.join(dep.availability_errors)})" for dep in missing)


def capabilities(session: StorageSession) -> Capabilities:
    """The filesystems and device types blivet can make here, and the disks."""
    fstypes, min_sizes = [], {}
    for name in FSTYPES:
        fmt = get_format(name)
        if fmt.formattable:
            fstypes.append(name)
            if fmt.min_size:
                min_sizes[name] = to_mib(fmt.min_size)
    unavailable = {kind: why for kind, cls in DEVICE_CLASSES.items() if (why := _why_unavailable(cls))}
    return Capabilities(tuple(fstypes), min_sizes, unavailable,
                        {d.name: session.protected.get(d.name, "") for d in session.blivet.disks})


def container_names(session: StorageSession) -> set[str]:
    """Names of volume groups, btrfs volumes and arrays already on the disks."""
    return {d.name for d in session.blivet.devices if d.type in ("lvmvg", "btrfs volume", "mdarray")} | \
        {getattr(d.format, "label", None) for d in session.blivet.devices if d.format.type == "btrfs"} - {None}
