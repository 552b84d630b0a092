"""`autopart`: Anaconda's automatic layouts on the selected disks.

Schemes: plain partitions, LVM, LVM thin provisioning, btrfs. Requests as Anaconda makes
them: / (1 GiB to 70 GiB, growing), /home (from 500 MiB, growing; only with 50 GiB of
room, except as a btrfs subvolume), swap (the recommended size), /boot (1 GiB) and the
boot loader's partitions.
With --encrypted, LUKS sits under the PVs (LVM), the partitions (plain) or the btrfs
members, all with the one passphrase.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from blivet.devices import LUKSDevice
from blivet.errors import DependencyError, PartitioningError
from blivet.formats import get_format
from blivet.partitioning import do_partitioning, grow_lvm
from blivet.size import Size

from .clearing import require_labels
from .errors import StorageProblem
from .platform import boot_disk, platform_requests
from .session import StorageSession
from .sizing import BOOT_SIZE, HOME_MIN, HOME_NEEDS, ROOT_MAX, ROOT_MIN, recommended_swap

log = logging.getLogger("anaconda.storage")
SCHEMES = ("plain", "lvm", "thinp", "btrfs")


@dataclass
class AutopartRequest:
    scheme: str = "lvm"
    fstype: str = "xfs"
    nohome: bool = False
    noswap: bool = False
    noboot: bool = False
    encrypted: bool = False
    passphrase: str = ""
    luks_version: str = "luks2"
    cipher: str = ""
    hibernation: bool = False  # swap: the recommended size plus RAM
    luks_extra: dict = field(default_factory=dict)  # --cipher, --pbkdf... (storage.format_args)


@dataclass
class _Volume:
    mountpoint: str  # "swap" for swap
    size: Size
    grow: bool
    maxsize: Size | None = None


def _available(session: StorageSession) -> Size:
    total = Size(0)
    for disk_free, fs_free in session.blivet.get_free_space(disks=session.disks).values():
        total += disk_free
    return total


def volumes(session: StorageSession, request: AutopartRequest) -> list[_Volume]:
    room = _available(session)
    wanted = [_Volume("/", ROOT_MIN, True, ROOT_MAX)]
    # a btrfs subvolume takes no space of its own: Anaconda makes /home there at any size
    if not request.nohome and (request.scheme == "btrfs" or room >= HOME_NEEDS):
        wanted.append(_Volume("/home", HOME_MIN, True))
    if not request.noswap:
        wanted.append(_Volume("swap", recommended_swap(session.memory, room, request.hibernation), False))
    return wanted


def _luks(session: StorageSession, request: AutopartRequest, part, fmt_type: str, mountpoint: str | None):
    """A LUKS mapping on `part` holding fmt_type; scheduled after the partitions are placed."""
    device = LUKSDevice(f"luks-{part.name}", parents=[part],
                        fmt=get_format(fmt_type, mountpoint=mountpoint))
    session.blivet.create_device(device)
    return device


def _partition(session, disks, fmt_type, size, grow=False, maxsize=None, mountpoint=None,
               request: AutopartRequest | None = None):
    storage = session.blivet
    kwargs = {"size": size, "grow": grow, "parents": disks}
    if maxsize:
        kwargs["maxsize"] = maxsize
    if request and request.encrypted:
        args = {"passphrase": request.passphrase, "luks_version": request.luks_version,
                **request.luks_extra}
        if request.cipher:
            args["cipher"] = request.cipher
        part = storage.new_partition(fmt_type="luks", fmt_args=args, **kwargs)
    else:
        part = storage.new_partition(fmt_type=fmt_type, mountpoint=mountpoint, **kwargs)
    storage.create_device(part)
    part.anaconda_wants = (fmt_type, mountpoint)  # the format inside LUKS, if encrypted
    return part


def _allocate(session: StorageSession) -> None:
    try:
        do_partitioning(session.blivet, boot_disk=boot_disk(session))
    except PartitioningError as exc:
        raise StorageProblem(f"the layout does not fit on {', '.join(session.selected)}: {exc} "
                             f"({space_report(session)})") from None


def space_report(session: StorageSession) -> str:
    parts = []
    for key, (disk_free, _) in session.blivet.get_free_space(disks=session.disks).items():
        disk = session.disk(getattr(key, "name", key))
        parts.append(f"{disk.name}: {disk.size} disk, {disk_free} free")
    return "; ".join(parts)


def _unwrap(session, parts, request):
    """Formats that live inside LUKS get their mapping now that partitions have names."""
    inner = []
    for part in parts:
        fmt_type, mountpoint = part.anaconda_wants
        if request.encrypted:
            inner.append(_luks(session, request, part, fmt_type, mountpoint))
        else:
            inner.append(part)
    return inner


def autopart(session: StorageSession, request: AutopartRequest) -> None:
    try:
        _autopart(session, request)
    except DependencyError as exc:
        raise StorageProblem(f"autopart --type={request.scheme} cannot be planned here: "
                             f"{' '.join(str(exc).split())}") from None


def _autopart(session: StorageSession, request: AutopartRequest) -> None:
    if request.scheme not in SCHEMES:
        raise StorageProblem(f"autopart --type={request.scheme}: expected one of {', '.join(SCHEMES)}")
    if request.encrypted and not request.passphrase:
        raise StorageProblem("autopart --encrypted needs --passphrase in a non-interactive install")
    storage = session.blivet
    disks = session.disks
    if not disks:
        raise StorageProblem("autopart: no disk selected")
    require_labels(session, disks)
    boot_fstype = "ext4" if request.scheme == "btrfs" else request.fstype
    platform_requests(session, add_boot=not request.noboot, boot_fstype=boot_fstype)
    wanted = volumes(session, request)
    log.info("Autopart %s%s on %s: %s", request.scheme, " encrypted" if request.encrypted else "",
             ", ".join(d.name for d in disks), ", ".join(f"{v.mountpoint} {v.size}" for v in wanted))
    if request.scheme == "plain":
        parts = [_partition(session, disks, "swap" if v.mountpoint == "swap" else request.fstype,
                            v.size, v.grow, v.maxsize,
                            None if v.mountpoint == "swap" else v.mountpoint, request) for v in wanted]
        _allocate(session)
        _unwrap(session, parts, request)
        return
    if request.scheme == "btrfs":
        members = [_partition(session, [disk], "btrfs", Size("1 GiB"), True, request=request)
                   for disk in disks]
        swap = [_partition(session, disks, "swap", v.size, request=request)
                for v in wanted if v.mountpoint == "swap"]
        _allocate(session)
        inner = _unwrap(session, members + swap, request)
        volume = storage.new_btrfs(parents=inner[:len(members)])
        storage.create_device(volume)
        for v in wanted:
            if v.mountpoint != "swap":
                sub = storage.new_btrfs_sub_volume(parents=[volume], mountpoint=v.mountpoint,
                                                   name="root" if v.mountpoint == "/" else "home")
                storage.create_device(sub)
        return
    # lvm and thinp: a PV on every disk, one VG
    pvs = [_partition(session, [disk], "lvmpv", Size("1 GiB"), True, request=request) for disk in disks]
    _allocate(session)
    pvs = _unwrap(session, pvs, request)
    vg = storage.new_vg(parents=pvs, name=storage.suggest_container_name())
    storage.create_device(vg)
    pool = None
    if request.scheme == "thinp":
        pool = storage.new_lv(thin_pool=True, parents=[vg], size=Size("1 GiB"), grow=True, name="pool00")
        storage.create_device(pool)
    for v in wanted:
        name = {"/": "root", "/home": "home", "swap": "swap"}[v.mountpoint]
        fmt = "swap" if v.mountpoint == "swap" else request.fstype
        thin = pool is not None and v.mountpoint != "swap"
        kwargs = {"parents": [pool if thin else vg], "size": v.size, "grow": v.grow, "name": name,
                  "fmt_type": fmt}
        if thin:
            kwargs["thin_volume"] = True
        if v.maxsize:
            kwargs["maxsize"] = v.maxsize
        if fmt != "swap":
            kwargs["mountpoint"] = v.mountpoint
        lv = storage.new_lv(**kwargs)
        storage.create_device(lv)
    grow_lvm(storage)
    if vg.free_space < 0:
        raise StorageProblem(f"the logical volumes need {-vg.free_space} more than volume group "
                             f"{vg.name} has ({space_report(session)})")
