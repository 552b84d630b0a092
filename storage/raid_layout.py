"""Kickstart's `raid`: an md array over the `part raid.NN` members, with a filesystem,
swap, a PV or a btrfs member on it, encrypted or not."""
from __future__ import annotations

from dataclasses import dataclass, field

from blivet.devices import LUKSDevice
from blivet.formats import get_format

from .errors import StorageProblem
from .fstypes import fstype_for
from .session import StorageSession


@dataclass
class RaidRequest:
    mountpoint: str  # /, swap, pv.01, btrfs.01 ...
    device: str  # md name (md0, or a name)
    level: str  # RAID1, 1, raid1 ...
    members: list[str] = field(default_factory=list)  # raid.01 ...
    spares: int = 0
    fstype: str = ""
    label: str = ""
    encrypted: bool = False
    passphrase: str = ""
    luks_version: str = "luks2"
    where: str = "raid"


def plan_raid(session: StorageSession, request: RaidRequest, members: dict, default_fstype: str):
    from blivet.devicelibs import raid

    storage = session.blivet
    try:
        level = raid.get_raid_level("raid" + request.level.lower().removeprefix("raid"))
    except Exception:
        raise StorageProblem(f"{request.where}: --level={request.level} is not a RAID level; "
                             "expected 0, 1, 4, 5, 6 or 10") from None
    missing = [m for m in request.members if m not in members]
    if missing:
        raise StorageProblem(f"{request.where}: no partition {', '.join(missing)} "
                             "(add `part raid.NN ...` before it)")
    count = len(request.members) - request.spares
    if count < level.min_members:
        raise StorageProblem(f"{request.where}: {level.name.upper()} needs at least "
                             f"{level.min_members} active members, got {count}")
    mount = request.mountpoint
    fstype = fstype_for(request.fstype, mount, default_fstype)
    fmt_type, fmt_args = fstype, ({"label": request.label} if request.label else {})
    if request.encrypted:
        if not request.passphrase:
            raise StorageProblem(f"{request.where} --encrypted needs --passphrase in a "
                                 "non-interactive install")
        fmt_type, fmt_args = "luks", {"passphrase": request.passphrase,
                                      "luks_version": request.luks_version}
    array = storage.new_mdarray(name=request.device.removeprefix("/dev/md/").removeprefix("/dev/"),
                                level=level, parents=[members[m] for m in request.members],
                                total_devices=len(request.members), member_devices=count,
                                fmt_type=fmt_type, fmt_args=fmt_args,
                                mountpoint=mount if mount.startswith("/") and not request.encrypted else None)
    storage.create_device(array)
    result = array
    if request.encrypted:
        result = LUKSDevice(f"luks-{array.name}", parents=[array],
                            fmt=get_format(fstype, mountpoint=mount if mount.startswith("/") else None))
        storage.create_device(result)
    if not mount.startswith("/") and mount != "swap":
        members[mount] = result
