"""Kickstart's explicit layouts: `part`, `volgroup`, `logvol` and `reqpart`.

Each request becomes planned blivet devices; names such as pv.01 tie partitions to the
volume group that uses them. Problems name the kickstart command and what was asked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from blivet.devices import LUKSDevice
from blivet.errors import DeviceError
from blivet.formats import get_format
from blivet.partitioning import grow_lvm
from blivet.size import Size

from .autopart import _allocate, space_report
from .btrfs_layout import BtrfsRequest, plan_btrfs
from .clearing import require_labels
from .errors import StorageProblem
from .existing import find_existing, resize, reuse, reuse_encrypted
from .format_args import fs_args
from .fstypes import fstype_for
from .raid_layout import RaidRequest, plan_raid
from .selection import resolve_disks
from .session import StorageSession
from .sizing import recommended_swap

log = logging.getLogger("anaconda.storage")


@dataclass
class PartRequest:
    mountpoint: str  # /, /home, swap, biosboot, pv.01, raid.01, btrfs.01, None
    size: int | None = None  # MiB
    grow: bool = False
    maxsize: int | None = None  # MiB
    recommended: bool = False
    hibernation: bool = False  # with --recommended swap: RAM more
    fstype: str = ""
    ondisk: str = ""
    onbiosdisk: str = ""  # a BIOS disk number (80, 81...), mapped through the firmware's EDD data
    primary: bool = False
    label: str = ""
    fsoptions: str = ""
    mkfsoptions: str = ""
    fsprofile: str = ""
    encrypted: bool = False
    passphrase: str = ""
    luks_version: str = "luks2"
    luks_extra: dict = field(default_factory=dict)  # --cipher, --pbkdf... (storage.format_args)
    onpart: str = ""  # --onpart/--usepart: an existing partition
    format: bool = True  # False: --noformat, keep what --onpart holds
    resize: bool = False  # --resize to --size (with --onpart)
    where: str = "part"  # for messages: "part /home (line 7)"


@dataclass
class LogvolRequest:
    mountpoint: str
    vgname: str
    name: str
    size: int | None = None
    grow: bool = False
    maxsize: int | None = None
    percent: int | None = None
    recommended: bool = False
    hibernation: bool = False
    fstype: str = ""
    label: str = ""
    fsoptions: str = ""
    mkfsoptions: str = ""
    fsprofile: str = ""
    thin: bool = False
    thinpool: bool = False
    poolname: str = ""
    chunksize: int | None = None  # thin pool, KiB
    metadatasize: int | None = None  # thin pool, MiB
    profile: str = ""  # thin pool: LVM's thin-generic or thin-performance
    encrypted: bool = False
    passphrase: str = ""
    luks_version: str = "luks2"
    luks_extra: dict = field(default_factory=dict)
    useexisting: bool = False  # an existing LV of that name
    format: bool = True
    resize: bool = False
    where: str = "logvol"


@dataclass
class _NewFormat:
    """What a partition of this layout still gets once partitions are allocated: the
    request, and for --encrypted the format inside its LUKS. A side table keyed by the
    device's id (plan_custom's), instead of attributes set on blivet's devices."""
    request: PartRequest
    fstype: str
    fmt_args: dict


@dataclass
class VolgroupRequest:
    name: str
    members: list[str] = field(default_factory=list)  # pv.01, ...
    pesize: int | None = None  # KiB
    reserved_space: int | None = None  # MiB kept free in the new volume group
    reserved_percent: int | None = None  # or this share of it
    useexisting: bool = False  # --useexisting/--noformat: the VG already exists
    where: str = "volgroup"


def _claim(seen: dict[str, str], mount: str, where: str) -> None:
    """A mount point belongs to one request; the second one is named with the first."""
    if mount.startswith("/"):
        if mount in seen:
            raise StorageProblem(f"{where}: mount point {mount} is already used by {seen[mount]}")
        seen[mount] = where


def _plan_onpart(session: StorageSession, request: PartRequest, members: dict,
                 default_fstype: str, made: dict[int, _NewFormat]) -> None:
    """part --onpart/--usepart: an existing partition, reformatted, kept or resized."""
    if not request.onpart:
        raise StorageProblem(f"{request.where} --noformat needs --onpart=PARTITION "
                             "(the existing partition to keep)")
    part = find_existing(session, request.onpart, f"{request.where} --onpart", "partition")
    if request.resize:
        resize(session, part, request.size, request.where)
    mount = "" if request.mountpoint.lower() == "none" else request.mountpoint
    fmt_args = fs_args(request.label, request.fsoptions, request.mkfsoptions if request.format else "",
                       request.fsprofile)
    fstype = fstype_for(request.fstype, mount, default_fstype) if mount else request.fstype
    if request.encrypted and request.format:
        if not request.passphrase:
            raise StorageProblem(f"{request.where} --encrypted needs --passphrase in a "
                                 "non-interactive install")
        reuse(session, part, "", "luks", True, {"passphrase": request.passphrase,
                                                "luks_version": request.luks_version,
                                                **request.luks_extra}, request.where)
        made[part.id] = _NewFormat(request, fstype, fmt_args)
    else:
        reuse(session, part, mount, fstype if request.format else request.fstype,
              request.format, fmt_args, request.where)
    if mount and not mount.startswith("/") and mount not in ("swap", "biosboot"):
        members[mount] = part


def _plan_existing_lv(session: StorageSession, request: LogvolRequest, vg, default_fstype: str) -> None:
    """logvol --useexisting/--noformat: an LV of the existing volume group."""
    if not vg.exists:
        raise StorageProblem(f"{request.where} --useexisting: volume group {vg.name} is new; "
                             "only an existing one has logical volumes to reuse")
    lv = next((lv for lv in vg.lvs if lv.lvname == request.name), None)
    if lv is None:
        raise StorageProblem(f"{request.where} --useexisting: {vg.name} has no logical volume "
                             f"{request.name} (it has: {', '.join(l.lvname for l in vg.lvs) or 'none'})")
    if request.resize:
        resize(session, lv, request.size, request.where)
    fstype = fstype_for(request.fstype, request.mountpoint, default_fstype) if request.format else request.fstype
    fmt_args = fs_args(request.label, request.fsoptions, request.mkfsoptions if request.format else "",
                       request.fsprofile)
    if request.encrypted and request.format:
        reuse_encrypted(session, lv, request.mountpoint, fstype, {
            "passphrase": request.passphrase, "luks_version": request.luks_version,
            **request.luks_extra}, fmt_args, request.where)
        return
    reuse(session, lv, request.mountpoint, fstype, request.format, fmt_args, request.where)


def _plan_tmpfs(session: StorageSession, request: PartRequest) -> None:
    """Anaconda's `part /tmp --fstype=tmpfs --size=N`: a tmpfs mount in fstab (size=N MiB,
    or the kernel's default of half the RAM without --size); no disk space is used."""
    mount = request.mountpoint
    if not mount.startswith("/") or mount == "/" or mount.startswith("/boot"):
        raise StorageProblem(f"{request.where} --fstype=tmpfs: {mount} cannot be a tmpfs "
                             "(it lives in memory and is empty at every boot)")
    size = Size(f"{request.size} MiB") if request.size else Size(0)
    fmt_args = {"mountopts": request.fsoptions} if request.fsoptions else {}
    fmt = get_format("tmpfs", mountpoint=mount, size=size, **fmt_args)
    session.blivet.create_device(session.blivet.new_tmp_fs(fmt=fmt, size=size))


def _disks_to_label(session: StorageSession, parts: list[PartRequest]) -> list:
    """Only disks a partition can land on get a new partition table: those named by
    --ondisk and, for requests without it, the disks that have one already (or, when
    none has, every selected disk). A selected disk nothing lands on is never touched."""
    named = {p.ondisk.removeprefix("/dev/") for p in parts if p.ondisk}
    disks = [d for d in session.disks if d.name in named]
    if any(not p.ondisk for p in parts):
        labelled = [d for d in session.disks if d.format.type == "disklabel"]
        disks += [d for d in (labelled or session.disks) if d not in disks]
    return disks


def _bios_disk(session: StorageSession, request: PartRequest) -> str:
    """part --onbiosdisk=80: the disk the firmware numbers so (EDD, as Anaconda reads it)."""
    edd = getattr(session.blivet, "edd_dict", {}) or {}
    try:
        number = int(request.onbiosdisk, 16)
    except ValueError:
        raise StorageProblem(f"{request.where} --onbiosdisk={request.onbiosdisk}: not a BIOS disk "
                             "number (hexadecimal, such as 80)") from None
    name = next((disk for disk, found in edd.items() if found == number), None)
    if name is None:
        known = ", ".join(f"{found:x}={disk}" for disk, found in sorted(edd.items())) or "none"
        raise StorageProblem(f"{request.where} --onbiosdisk={request.onbiosdisk}: the firmware "
                             f"numbers no such disk (EDD: {known}); use --ondisk")
    return name


def plan_custom(session: StorageSession, parts: list[PartRequest], vgs: list[VolgroupRequest],
                lvs: list[LogvolRequest], default_fstype: str = "xfs",
                raids: list[RaidRequest] = (), btrfs: list[BtrfsRequest] = ()) -> None:
    storage = session.blivet
    for request in parts:
        if request.onbiosdisk and not request.ondisk:
            request.ondisk = _bios_disk(session, request)
    new_parts = [p for p in parts if not p.onpart]
    if new_parts:
        require_labels(session, _disks_to_label(session, new_parts))
    members: dict[str, object] = {}
    made: dict[int, _NewFormat] = {}  # partition id -> its request
    seen_mounts: dict[str, str] = {}
    for request in parts:
        mount = request.mountpoint
        _claim(seen_mounts, mount, request.where)
        if request.fstype == "tmpfs":
            _plan_tmpfs(session, request)
            continue
        if request.onpart or not request.format:
            _plan_onpart(session, request, members, default_fstype, made)
            continue
        disks = session.disks
        if request.ondisk:
            (name,) = resolve_disks(session, [request.ondisk], f"{request.where} --ondisk")
            if name not in session.selected:
                raise StorageProblem(f"{request.where} --ondisk={request.ondisk}: disk {name} is "
                                     f"not selected{' (' + session.protected[name] + ')' if name in session.protected else ''}")
            disks = [session.disk(name)]
        size = Size(f"{request.size} MiB") if request.size else Size("1 GiB")
        if request.recommended and mount == "swap":
            size = recommended_swap(session.memory, hibernation=request.hibernation)
        if request.size is not None and request.size <= 0:
            raise StorageProblem(f"{request.where}: --size={request.size} is not a size; give MiB > 0")
        fstype = fstype_for(request.fstype, mount, default_fstype)
        kwargs = {"size": size, "grow": request.grow, "parents": disks, "primary": request.primary}
        if request.maxsize:
            kwargs["maxsize"] = Size(f"{request.maxsize} MiB")
        fmt_args = fs_args(request.label, request.fsoptions, request.mkfsoptions, request.fsprofile)
        if request.encrypted:
            if not request.passphrase:
                raise StorageProblem(f"{request.where} --encrypted needs --passphrase in a "
                                     "non-interactive install")
            part = storage.new_partition(fmt_type="luks", fmt_args={
                "passphrase": request.passphrase, "luks_version": request.luks_version,
                **request.luks_extra}, **kwargs)
        else:
            part = storage.new_partition(fmt_type=fstype, fmt_args=fmt_args,
                                         mountpoint=mount if mount.startswith("/") else None, **kwargs)
        storage.create_device(part)
        made[part.id] = _NewFormat(request, fstype, fmt_args)
        if not mount.startswith("/") and mount not in ("swap", "biosboot"):
            members[mount] = part
    if any(not p.exists for p in storage.partitions):  # new ones, reqpart's included
        _allocate(session)
    for part in [p for p in storage.partitions if p.id in made]:
        request, fstype, fmt_args = made[part.id].request, made[part.id].fstype, made[part.id].fmt_args
        if request.encrypted:
            luks = LUKSDevice(f"luks-{part.name}", parents=[part],
                              fmt=get_format(fstype, mountpoint=request.mountpoint
                                             if request.mountpoint.startswith("/") else None, **fmt_args))
            storage.create_device(luks)
            if request.mountpoint in members:
                members[request.mountpoint] = luks
    for raid_request in raids:
        _claim(seen_mounts, raid_request.mountpoint, raid_request.where)
        plan_raid(session, raid_request, members, default_fstype)
    volumes: dict[str, object] = {}
    for btrfs_request in sorted(btrfs, key=lambda r: r.subvol):
        _claim(seen_mounts, btrfs_request.mountpoint, btrfs_request.where)
        plan_btrfs(session, btrfs_request, members, volumes)
    for vg_request in vgs:
        if vg_request.useexisting:
            vg = find_existing(session, vg_request.name, vg_request.where, "volume group")
            if vg.type != "lvmvg":
                raise StorageProblem(f"{vg_request.where} --useexisting: {vg_request.name} is a "
                                     f"{vg.type}, not a volume group")
            log.info("%s: using the existing volume group %s (%s)", vg_request.where, vg.name, vg.size)
            continue
        missing = [m for m in vg_request.members if m not in members]
        if missing:
            raise StorageProblem(f"{vg_request.where}: no partition {', '.join(missing)} "
                                 "(add `part pv.NN ...` before it)")
        kwargs = {"parents": [members[m] for m in vg_request.members], "name": vg_request.name}
        if vg_request.pesize:
            kwargs["pe_size"] = Size(f"{vg_request.pesize} KiB")
        vg = storage.new_vg(**kwargs)
        if vg_request.reserved_space:  # as Anaconda: a size wins over a percentage
            vg.reserved_space = Size(f"{vg_request.reserved_space} MiB")
        elif vg_request.reserved_percent:
            vg.reserved_percent = vg_request.reserved_percent
        storage.create_device(vg)
    pools: dict[tuple[str, str], object] = {}
    for lv_request in sorted(lvs, key=lambda r: not r.thinpool):
        vg = storage.devicetree.get_device_by_name(lv_request.vgname)
        if vg is None or vg.type != "lvmvg":
            raise StorageProblem(f"{lv_request.where}: no volume group {lv_request.vgname} "
                                 "(define it with volgroup first)")
        mount = lv_request.mountpoint
        _claim(seen_mounts, mount, lv_request.where)
        if lv_request.useexisting or not lv_request.format:
            _plan_existing_lv(session, lv_request, vg, default_fstype)
            continue
        size = Size(f"{lv_request.size} MiB") if lv_request.size else Size("1 GiB")
        if lv_request.recommended and mount == "swap":
            size = recommended_swap(session.memory, hibernation=lv_request.hibernation)
        kwargs = {"name": lv_request.name, "size": size, "grow": lv_request.grow}
        if lv_request.percent:  # of the space the other LVs leave, sized by grow_lvm (as Anaconda)
            kwargs.update(size=Size(0), percent=lv_request.percent)
        if lv_request.maxsize:
            kwargs["maxsize"] = Size(f"{lv_request.maxsize} MiB")
        if lv_request.thinpool:
            kwargs.update(_pool_args(session, lv_request))
            try:
                pool = storage.new_lv(thin_pool=True, parents=[vg], **kwargs)
            except DeviceError as exc:
                raise StorageProblem(f"{lv_request.where}: the thin pool does not fit in {vg.name} "
                                     f"({vg.free_space} free): {exc}") from None
            storage.create_device(pool)
            pools[(vg.name, lv_request.name)] = pool
            continue
        parent = vg
        if lv_request.thin:
            parent = pools.get((vg.name, lv_request.poolname))
            if parent is None:
                raise StorageProblem(f"{lv_request.where} --thin: no thin pool "
                                     f"{lv_request.poolname} in {vg.name}")
            kwargs["thin_volume"] = True
        fstype = fstype_for(lv_request.fstype, mount, default_fstype)
        mountpoint = mount if mount.startswith("/") else None
        fmt_args = fs_args(lv_request.label, lv_request.fsoptions, lv_request.mkfsoptions,
                           lv_request.fsprofile)
        if lv_request.encrypted:
            if not lv_request.passphrase:
                raise StorageProblem(f"{lv_request.where} --encrypted needs --passphrase in a "
                                     "non-interactive install")
            kwargs.update(fmt_type="luks", fmt_args={"passphrase": lv_request.passphrase,
                                                     "luks_version": lv_request.luks_version,
                                                     **lv_request.luks_extra})
        else:
            kwargs.update(fmt_type=fstype, mountpoint=mountpoint, fmt_args=fmt_args)
        try:
            lv = storage.new_lv(parents=[parent], **kwargs)
        except DeviceError as exc:
            raise StorageProblem(f"{lv_request.where}: {size} does not fit in volume group "
                                 f"{vg.name} ({vg.free_space} free of {vg.size}): {exc}") from None
        storage.create_device(lv)
        if lv_request.encrypted:  # LUKS inside the LV, the filesystem inside LUKS
            storage.create_device(LUKSDevice(f"luks-{lv.name}", parents=[lv],
                                             fmt=get_format(fstype, mountpoint=mountpoint, **fmt_args)))
    grow_lvm(storage)
    for vg in storage.vgs:
        if vg.free_space < 0:
            raise StorageProblem(f"the logical volumes of {vg.name} need {-vg.free_space} more "
                                 f"than it has ({vg.size}; {space_report(session)})")


def _pool_args(session: StorageSession, request: LogvolRequest) -> dict:
    """logvol --thinpool --chunksize (KiB) --metadatasize (MiB) --profile, as Anaconda
    passes them; a profile LVM does not ship is a warning, and LVM's default is used."""
    from blivet.devicelibs.lvm import KNOWN_THPOOL_PROFILES

    args = {}
    if request.chunksize:
        args["chunk_size"] = Size(f"{request.chunksize} KiB")
    if request.metadatasize:
        args["metadata_size"] = Size(f"{request.metadatasize} MiB")
    if request.profile:
        profile = next((p for p in KNOWN_THPOOL_PROFILES if p.name == request.profile), None)
        if profile is None:
            session.warnings.append(f"{request.where} --profile={request.profile}: LVM has no such "
                                    f"thin pool profile ({', '.join(p.name for p in KNOWN_THPOOL_PROFILES)}); "
                                    "LVM's default is used")
        else:
            args["profile"] = profile
    return args
