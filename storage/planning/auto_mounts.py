"""Anaconda's automatic layout written out as custom mount requests.

`autopart` cannot be combined with `part` in a kickstart, so an automatic layout that
also shrinks a partition (`part None --onpart=... --resize`) is saved as the mount points
autopart would make; the same list seeds a custom layout ("create them automatically").
The choices mirror storage.autopart: /boot, / up to 70 GiB, /home (with 50 GiB of room,
or as a btrfs subvolume), swap of the recommended size; the boot loader's partitions come from reqpart.
"""
from __future__ import annotations

from blivet.size import Size

from storage.planning.request import AutomaticLayout, MountRequest
from storage.sizing import BOOT_SIZE, HOME_MIN, HOME_NEEDS, ROOT_MAX, ROOT_MIN, recommended_swap

MiB = Size("1 MiB")
DEVICE_TYPE = {"plain": "partition", "lvm": "lvm", "thinp": "lvm thin", "btrfs": "btrfs"}


def _mib(size: Size) -> int:
    return int(size.convert_to(MiB))


def automatic_mounts(auto: AutomaticLayout, room: Size, memory: Size) -> list[MountRequest]:
    """The mount points of `auto` for `room` free on the selected disks."""
    kind = DEVICE_TYPE[auto.scheme]
    fstype = "btrfs" if kind == "btrfs" else auto.fstype
    mounts = [MountRequest("/boot", _mib(BOOT_SIZE), "ext4" if kind == "btrfs" else auto.fstype),
              MountRequest("/", _mib(ROOT_MIN), fstype, kind, grow=True, max_size=_mib(ROOT_MAX),
                           encrypted=auto.encrypted)]
    if kind == "btrfs":
        mounts[-1].max_size = 0  # subvolumes share their volume
    if kind == "btrfs" or room >= HOME_NEEDS:  # a subvolume takes no room of its own
        mounts.append(MountRequest("/home", _mib(HOME_MIN), fstype, kind, grow=True, encrypted=auto.encrypted))
    swap_kind = {"btrfs": "partition", "lvm thin": "lvm"}.get(kind, kind)
    mounts.append(MountRequest("swap", _mib(recommended_swap(memory, room)), "swap", swap_kind,
                               encrypted=auto.encrypted))
    return mounts
