"""A planned tree read back in the words of the storage screens: which mount point ends
up on what kind of device, how big, with which filesystem, encrypted or not.

The screens show this list, and tests compare it between a plan and the plan of its
saved kickstart, so it says only what the user chose, not blivet's device names.
"""
from __future__ import annotations

from dataclasses import dataclass

from blivet.size import Size

from storage.session import StorageSession

#: blivet device types in the screens' words.
DEVICE_TYPES = {"partition": "partition", "lvmlv": "lvm", "lvmthinlv": "lvm thin", "mdarray": "raid",
                "btrfs subvolume": "btrfs", "btrfs volume": "btrfs"}
LUKS = "luks/dm-crypt"


@dataclass(frozen=True)
class PlannedMount:
    mountpoint: str  # /, /home, swap, biosboot
    device_type: str  # partition, lvm, lvm thin, raid, btrfs
    size: Size
    fstype: str
    encrypted: bool
    device: str  # blivet's name, for the action list (sda2, system-root)
    disks: tuple[str, ...]
    reformat: bool = True  # False: an existing filesystem kept with its data

    @property
    def key(self) -> tuple[str, str, str, bool]:
        """What a saved kickstart must reproduce: sizes may differ by rounding."""
        return (self.mountpoint, self.device_type, self.fstype, self.encrypted)


def _order(mount: PlannedMount) -> tuple:
    return (mount.mountpoint in ("swap", "biosboot"), mount.mountpoint)


def planned_mounts(session: StorageSession) -> list[PlannedMount]:
    found = []
    for device in session.blivet.devices:
        fmt = device.format
        mountpoint = getattr(fmt, "mountpoint", None)
        if not mountpoint and fmt.type in ("swap", "biosboot") and not fmt.exists:
            mountpoint = fmt.type
        if not mountpoint:
            continue
        holder = device.parents[0] if device.type == LUKS else device
        encrypted = any(d.type == LUKS for d in [device, *device.ancestors])
        found.append(PlannedMount(mountpoint, DEVICE_TYPES.get(holder.type, holder.type), device.size,
                                  fmt.type, encrypted, device.name,
                                  tuple(sorted(d.name for d in device.disks)), not fmt.exists))
    return sorted(found, key=_order)
