"""Kickstart's `raid`: an md array over the `part raid.NN` members, with a filesystem,
swap, a PV or a btrfs member on it, encrypted or not; or, with `--useexisting` or
`--noformat`, an existing array reused (reformatted, or kept with its data)."""
from __future__ import annotations

from dataclasses import dataclass, field

from blivet.devices import LUKSDevice
from blivet.formats import get_format
from blivet.size import Size

from .errors import StorageProblem
from .existing import find_existing, reuse, reuse_encrypted
from .format_args import fs_args
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
    fsoptions: str = ""
    mkfsoptions: str = ""
    fsprofile: str = ""
    chunksize: int | None = None  # KiB
    encrypted: bool = False
    passphrase: str = ""
    luks_version: str = "luks2"
    luks_extra: dict = field(default_factory=dict)  # --cipher, --pbkdf... (storage.format_args)
    useexisting: bool = False  # --useexisting: the array exists (reformatted unless --noformat)
    format: bool = True  # False: --noformat, keep the array's data
    where: str = "raid"

    @property
    def name(self) -> str:
        return self.device.removeprefix("/dev/md/").removeprefix("/dev/")


def _plan_existing(session: StorageSession, request: RaidRequest, members: dict, default_fstype: str) -> None:
    """raid --useexisting/--noformat: the array --device names, reformatted or kept."""
    if not request.device:
        raise StorageProblem(f"{request.where} --useexisting/--noformat needs --device=NAME "
                             "(the existing array)")
    array = find_existing(session, request.name, f"{request.where} --device", "RAID array")
    if array.type != "mdarray":
        raise StorageProblem(f"{request.where} --device={request.device}: {array.name} is a "
                             f"{array.type}, not a RAID array")
    mount = request.mountpoint
    fstype = fstype_for(request.fstype, mount, default_fstype) if request.format else request.fstype
    fmt_args = fs_args(request.label, request.fsoptions, request.mkfsoptions if request.format else "",
                       request.fsprofile)
    result = array
    if request.encrypted and request.format:
        result = reuse_encrypted(session, array, mount, fstype, {
            "passphrase": request.passphrase, "luks_version": request.luks_version,
            **request.luks_extra}, fmt_args, request.where)
    else:
        reuse(session, array, mount, fstype, request.format, fmt_args, request.where)
    if not mount.startswith("/") and mount != "swap":
        members[mount] = result


def plan_raid(session: StorageSession, request: RaidRequest, members: dict, default_fstype: str):
    from blivet.devicelibs import raid

    storage = session.blivet
    if request.useexisting or not request.format:
        _plan_existing(session, request, members, default_fstype)
        return
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
    fs_fmt_args = fs_args(request.label, request.fsoptions, request.mkfsoptions, request.fsprofile)
    fmt_type, fmt_args = fstype, fs_fmt_args
    if request.encrypted:
        if not request.passphrase:
            raise StorageProblem(f"{request.where} --encrypted needs --passphrase in a "
                                 "non-interactive install")
        fmt_type, fmt_args = "luks", {"passphrase": request.passphrase,
                                      "luks_version": request.luks_version, **request.luks_extra}
    kwargs = {"chunk_size": Size(f"{request.chunksize} KiB")} if request.chunksize else {}
    try:
        array = storage.new_mdarray(name=request.name,
                                    level=level, parents=[members[m] for m in request.members],
                                    total_devices=len(request.members), member_devices=count,
                                    fmt_type=fmt_type, fmt_args=fmt_args,
                                    mountpoint=mount if mount.startswith("/") and not request.encrypted else None,
                                    **kwargs)
    except ValueError as exc:  # blivet: "specifying chunk size is not allowed for raid1"
        raise StorageProblem(f"{request.where}: {exc}"
                             + ("; leave --chunksize out" if request.chunksize else "")) from None
    storage.create_device(array)
    result = array
    if request.encrypted:
        result = LUKSDevice(f"luks-{array.name}", parents=[array],
                            fmt=get_format(fstype, mountpoint=mount if mount.startswith("/") else None,
                                           **fs_fmt_args))
        storage.create_device(result)
    if not mount.startswith("/") and mount != "swap":
        members[mount] = result
