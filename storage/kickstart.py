"""The kickstart's storage commands applied to a session, in Anaconda's order:
ignoredisk, then pre-install snapshots checked, zerombr/clearpart, then `mount`, autopart
or the explicit layout (reqpart, part, raid, btrfs, volgroup, logvol), then post-install
snapshots and the checks. The handler is read by attribute; storage never imports the
installer.
"""
from __future__ import annotations

import logging

from blivet.errors import DependencyError

from blivet.formats.disklabel import DiskLabel
from pykickstart.constants import (AUTOPART_TYPE_BTRFS, AUTOPART_TYPE_LVM, AUTOPART_TYPE_LVM_THINP,
                                   AUTOPART_TYPE_PLAIN, CLEARPART_TYPE_ALL, CLEARPART_TYPE_LINUX,
                                   CLEARPART_TYPE_LIST, CLEARPART_TYPE_NONE,
                                   SNAPSHOT_WHEN_PRE_INSTALL)

from .autopart import AutopartRequest, autopart
from .checker import check_plan
from .btrfs_layout import BtrfsRequest
from .clearing import ClearRequest, clear, require_labels
from .custom import LogvolRequest, PartRequest, VolgroupRequest, plan_custom
from .errors import StorageProblem
from .faults import failing_as
from .format_args import choose_luks2_memory, luks_extra
from .missing_tools import tolerated
from .mount_assign import MountAssignment, plan_mounts
from .platform import boot_disk, platform_requests
from .raid_layout import RaidRequest
from .selection import resolve_disks, select_disks
from .session import StorageSession
from .snapshots import POST, PRE, SnapshotRequest, check_post_install, check_pre_install

log = logging.getLogger("anaconda.storage")

AUTOPART_TYPES = {AUTOPART_TYPE_PLAIN: "plain", AUTOPART_TYPE_LVM: "lvm",
                  AUTOPART_TYPE_LVM_THINP: "thinp", AUTOPART_TYPE_BTRFS: "btrfs"}
CLEARPART_MODES = {CLEARPART_TYPE_ALL: "all", CLEARPART_TYPE_LINUX: "linux",
                   CLEARPART_TYPE_LIST: "list", CLEARPART_TYPE_NONE: "none", None: "none"}
DEFAULT_FSTYPE = "xfs"


def _where(command, name: str) -> str:
    line = getattr(command, "lineno", None)
    return f"{name} (kickstart line {line})" if line else name


def bootloader_wanted(bootloader) -> bool:
    """As Anaconda: no `bootloader` command means install it; pykickstart's default
    location for an unseen command is "none", so `seen` decides."""
    if not bootloader.seen:
        return True
    return bootloader.location != "none" and not getattr(bootloader, "disabled", False)


def _boot_drive(session: StorageSession, bootloader) -> None:
    """bootloader --boot-drive (or the first selected disk) carries the boot loader and
    its partitions; --location=none (or --disabled) needs neither."""
    session.bootloader = bootloader_wanted(bootloader)
    if bootloader.bootDrive:
        (name,) = resolve_disks(session, [bootloader.bootDrive], "bootloader --boot-drive")
        if name not in session.selected:
            raise StorageProblem(f"bootloader --boot-drive={bootloader.bootDrive}: disk {name} is not "
                                 f"selected ({session.protected.get(name, 'ignoredisk leaves it out')})")
        session.boot_drive = name


def _step(command, name: str):
    """A foreign error while applying `command` names it and its line."""
    return failing_as(_where(command, name), name, getattr(command, "lineno", None))


def _layout_step(handler):
    """The explicit layout is planned as a whole; a foreign error in it names the layout's
    commands and lines, and its first line for the installer's file:line."""
    found = [(c.lineno, name) for name, items in (
        ("reqpart", [handler.reqpart] if handler.reqpart.reqpart else []),
        ("part", handler.partition.partitions), ("raid", handler.raid.raidList),
        ("btrfs", handler.btrfs.btrfsList), ("volgroup", handler.volgroup.vgList),
        ("logvol", handler.logvol.lvList)) for c in items if getattr(c, "lineno", None)]
    if not found:
        return failing_as("the layout")
    found.sort()
    names = ", ".join(dict.fromkeys(name for _, name in found))
    lines = ", ".join(str(line) for line, _ in found)
    return failing_as(f"the layout ({names}; kickstart lines {lines})", found[0][1], found[0][0])


def apply_kickstart(session: StorageSession, handler) -> None:
    DiskLabel.set_default_label_type(session.disklabel)  # inst.disklabel; clearpart --disklabel wins
    with tolerated(session):
        _apply(session, handler)
    with failing_as("checking the planned layout"):
        report = check_plan(session)
    session.warnings.extend(w for w in report.warnings if w not in session.warnings)
    if report.ok:
        return
    message = report.message()
    if _mounts(handler):
        message += (" (with `mount`, every partition the system needs must exist already and be "
                    "named by a `mount` line; reqpart and part cannot be combined with it)")
    raise StorageProblem(message, problems=list(report.errors))


def _apply(session: StorageSession, handler) -> None:
    ignoredisk = handler.ignoredisk
    with _step(ignoredisk, "ignoredisk"):
        select_disks(session, only_use=list(ignoredisk.onlyuse or []),
                     ignore=list(ignoredisk.ignoredisk or []))
    with _step(handler.bootloader, "bootloader"):
        _boot_drive(session, handler.bootloader)
    snapshots = _snapshots(handler)
    with failing_as("checking the pre-install snapshots", "snapshot"):
        check_pre_install(session, [s for s in snapshots if s.when == PRE])
    with _step(handler.clearpart, "clearpart"):
        _clear(session, handler)
    mounts = _mounts(handler)
    if mounts:
        _no_layout_besides(handler, mounts)
        with failing_as("assigning the mount points", "mount", mounts[0].lineno):
            plan_mounts(session, mounts)
    elif handler.autopart.autopart:
        with _step(handler.autopart, "autopart"):
            _autopart(session, handler.autopart)
    else:
        with _layout_step(handler):
            _custom(session, handler)
    choose_luks2_memory(session)
    with failing_as("checking the post-install snapshots", "snapshot"):
        check_post_install(session, [s for s in snapshots if s.when == POST])


def _snapshots(handler) -> list[SnapshotRequest]:
    command = getattr(handler, "snapshot", None)
    return [SnapshotRequest(origin=s.origin, name=s.name,
                            when=PRE if s.when == SNAPSHOT_WHEN_PRE_INSTALL else POST,
                            lineno=getattr(s, "lineno", None))
            for s in (command.snapshotList if command is not None else [])]


def _mounts(handler) -> list[MountAssignment]:
    command = getattr(handler, "mount", None)
    return [MountAssignment(device=m.device, mountpoint=m.mount_point, reformat=bool(m.reformat),
                            fstype=m.format or "", mkfsoptions=m.mkfs_opts or "",
                            mountoptions=m.mount_opts or "", lineno=getattr(m, "lineno", None))
            for m in (command.mount_points if command is not None else [])]


def _no_layout_besides(handler, mounts: list[MountAssignment]) -> None:
    """`mount` assigns existing devices; a layout command beside it would be ignored by
    Anaconda (pykickstart refuses most pairs itself; btrfs slips through)."""
    others = [name for name, used in (
        ("autopart", handler.autopart.autopart), ("reqpart", handler.reqpart.reqpart),
        ("part", handler.partition.partitions), ("raid", handler.raid.raidList),
        ("btrfs", handler.btrfs.btrfsList), ("volgroup", handler.volgroup.vgList),
        ("logvol", handler.logvol.lvList)) if used]
    if others:
        raise StorageProblem(f"{mounts[0].where}: `mount` assigns existing devices and cannot be "
                             f"combined with {', '.join(others)}; use one way or the other",
                             "mount", mounts[0].lineno)


def _clear(session: StorageSession, handler) -> None:
    clearpart = handler.clearpart
    clear(session, ClearRequest(mode=CLEARPART_MODES.get(clearpart.type, "none"),
                                drives=list(clearpart.drives or []),
                                devices=list(clearpart.devices or []),
                                initlabel=bool(clearpart.initAll),
                                disklabel=clearpart.disklabel or "",
                                zerombr=bool(handler.zerombr.zerombr)))


def _autopart(session: StorageSession, ap) -> None:
    autopart(session, AutopartRequest(
        scheme=AUTOPART_TYPES.get(ap.type, "lvm"), fstype=ap.fstype or DEFAULT_FSTYPE,
        nohome=bool(ap.nohome), noswap=bool(ap.noswap), noboot=bool(ap.noboot),
        encrypted=bool(ap.encrypted), passphrase=ap.passphrase or "",
        luks_version=ap.luks_version or "luks2", cipher=ap.cipher or "",
        hibernation=bool(getattr(ap, "hibernation", False)),
        luks_extra=luks_extra(ap, _where(ap, "autopart"), session.warnings) if ap.encrypted else {}))


def _fs_fields(data) -> dict:
    """The file system options part, logvol and raid share."""
    return {"label": getattr(data, "label", "") or "", "fsoptions": getattr(data, "fsopts", "") or "",
            "mkfsoptions": getattr(data, "mkfsopts", "") or "",
            "fsprofile": getattr(data, "fsprofile", "") or ""}


def _luks_fields(session: StorageSession, data, where: str) -> dict:
    return {"encrypted": bool(data.encrypted), "passphrase": data.passphrase or "",
            "luks_version": data.luks_version or "luks2",
            "luks_extra": luks_extra(data, where, session.warnings) if data.encrypted else {}}


def _custom(session: StorageSession, handler) -> None:
    if handler.reqpart.reqpart:
        require_labels(session, [boot_disk(session)])  # a blank boot disk gets its label first
        platform_requests(session, add_boot=bool(handler.reqpart.addBoot),
                          boot_fstype=DEFAULT_FSTYPE)
    parts = [PartRequest(
        mountpoint=p.mountpoint, size=p.size, grow=bool(p.grow), maxsize=p.maxSizeMB or None,
        recommended=bool(p.recommended), hibernation=bool(getattr(p, "hibernation", False)),
        fstype=p.fstype or "", ondisk=p.disk or "", onbiosdisk=getattr(p, "onbiosdisk", "") or "",
        primary=bool(p.primOnly),
        **_fs_fields(p), **_luks_fields(session, p, _where(p, f"part {p.mountpoint}")),
        onpart=p.onPart or "", format=bool(p.format),
        resize=bool(p.resize), where=_where(p, f"part {p.mountpoint}"))
        for p in handler.partition.partitions]
    vgs = [VolgroupRequest(name=v.vgname, members=list(v.physvols), pesize=v.pesize or None,
                           reserved_space=getattr(v, "reserved_space", 0) or None,
                           reserved_percent=getattr(v, "reserved_percent", 0) or None,
                           useexisting=bool(v.preexist) or not v.format, where=_where(v, f"volgroup {v.vgname}"))
           for v in handler.volgroup.vgList]
    lvs = [LogvolRequest(
        mountpoint=l.mountpoint, vgname=l.vgname, name=l.name, size=l.size, grow=bool(l.grow),
        maxsize=l.maxSizeMB or None, percent=l.percent or None, recommended=bool(l.recommended),
        hibernation=bool(getattr(l, "hibernation", False)),
        fstype=l.fstype or "", thin=bool(l.thin_volume), thinpool=bool(l.thin_pool),
        poolname=l.pool_name or "", chunksize=getattr(l, "chunk_size", None) or None,
        metadatasize=getattr(l, "metadata_size", None) or None, profile=getattr(l, "profile", "") or "",
        **_fs_fields(l), **_luks_fields(session, l, _where(l, f"logvol {l.mountpoint}")),
        useexisting=bool(l.preexist), format=bool(l.format), resize=bool(l.resize), where=_where(l, f"logvol {l.mountpoint}"))
        for l in handler.logvol.lvList]
    raids = [RaidRequest(
        mountpoint=r.mountpoint, device=r.device or "", level=r.level or "", members=list(r.members),
        spares=r.spares or 0, fstype=r.fstype or "", chunksize=getattr(r, "chunk_size", None) or None,
        **_fs_fields(r), **_luks_fields(session, r, _where(r, f"raid {r.mountpoint}")),
        useexisting=bool(r.preexist), format=bool(r.format), where=_where(r, f"raid {r.mountpoint}"))
        for r in handler.raid.raidList]
    btrfs = [BtrfsRequest(
        mountpoint=b.mountpoint, name=b.name or b.label or "", devices=list(b.devices),
        subvol=bool(b.subvol), data_level=b.dataLevel or "", metadata_level=b.metaDataLevel or "",
        useexisting=bool(b.preexist), format=bool(b.format), mkfsoptions=getattr(b, "mkfsopts", "") or "",
        where=_where(b, f"btrfs {b.mountpoint}"))
        for b in handler.btrfs.btrfsList]
    if not parts and not lvs and not raids and not btrfs:
        raise StorageProblem("the kickstart has no storage layout: add autopart, or part/"
                             "logvol commands (and clearpart to make room)")
    try:
        plan_custom(session, parts, vgs, lvs, DEFAULT_FSTYPE, raids, btrfs)
    except DependencyError as exc:
        raise StorageProblem(f"the layout cannot be made here: {' '.join(str(exc).split())}") from None
