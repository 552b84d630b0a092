"""The kickstart's storage commands applied to a session, in Anaconda's order:
ignoredisk, then zerombr/clearpart, then autopart or the explicit layout (reqpart, part,
volgroup, logvol), then the checks. The handler is read by attribute; storage never
imports the installer.
"""
from __future__ import annotations

import logging

from blivet.errors import DependencyError

from pykickstart.constants import (AUTOPART_TYPE_BTRFS, AUTOPART_TYPE_LVM, AUTOPART_TYPE_LVM_THINP,
                                   AUTOPART_TYPE_PLAIN, CLEARPART_TYPE_ALL, CLEARPART_TYPE_LINUX,
                                   CLEARPART_TYPE_LIST, CLEARPART_TYPE_NONE)

from .autopart import AutopartRequest, autopart
from .btrfs_layout import BtrfsRequest
from .clearing import ClearRequest, clear, require_labels
from .custom import LogvolRequest, PartRequest, VolgroupRequest, plan_custom
from .errors import StorageProblem
from .faults import failing_as
from .plan import validate
from .platform import boot_disk, platform_requests
from .raid_layout import RaidRequest
from .selection import resolve_disks, select_disks
from .session import StorageSession

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
    ignoredisk = handler.ignoredisk
    with _step(ignoredisk, "ignoredisk"):
        select_disks(session, only_use=list(ignoredisk.onlyuse or []),
                     ignore=list(ignoredisk.ignoredisk or []))
    with _step(handler.bootloader, "bootloader"):
        _boot_drive(session, handler.bootloader)
    with _step(handler.clearpart, "clearpart"):
        _clear(session, handler)
    if handler.autopart.autopart:
        with _step(handler.autopart, "autopart"):
            _autopart(session, handler.autopart)
    else:
        with _layout_step(handler):
            _custom(session, handler)
    with failing_as("checking the planned layout"):
        validate(session)


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
        luks_version=ap.luks_version or "luks2", cipher=ap.cipher or ""))


def _custom(session: StorageSession, handler) -> None:
    if handler.reqpart.reqpart:
        require_labels(session, [boot_disk(session)])  # a blank boot disk gets its label first
        platform_requests(session, add_boot=bool(handler.reqpart.addBoot),
                          boot_fstype=DEFAULT_FSTYPE)
    parts = [PartRequest(
        mountpoint=p.mountpoint, size=p.size, grow=bool(p.grow), maxsize=p.maxSizeMB or None,
        recommended=bool(p.recommended), fstype=p.fstype or "", ondisk=p.disk or "",
        primary=bool(p.primOnly), label=p.label or "", fsoptions=p.fsopts or "",
        encrypted=bool(p.encrypted), passphrase=p.passphrase or "",
        luks_version=p.luks_version or "luks2", onpart=p.onPart or "", format=bool(p.format),
        resize=bool(p.resize), where=_where(p, f"part {p.mountpoint}"))
        for p in handler.partition.partitions]
    vgs = [VolgroupRequest(name=v.vgname, members=list(v.physvols), pesize=v.pesize or None,
                           useexisting=bool(v.preexist) or not v.format, where=_where(v, f"volgroup {v.vgname}"))
           for v in handler.volgroup.vgList]
    lvs = [LogvolRequest(
        mountpoint=l.mountpoint, vgname=l.vgname, name=l.name, size=l.size, grow=bool(l.grow),
        maxsize=l.maxSizeMB or None, percent=l.percent or None, recommended=bool(l.recommended),
        fstype=l.fstype or "", thin=bool(l.thin_volume), thinpool=bool(l.thin_pool),
        poolname=l.pool_name or "", encrypted=bool(l.encrypted), passphrase=l.passphrase or "",
        luks_version=l.luks_version or "luks2",
        useexisting=bool(l.preexist), format=bool(l.format), resize=bool(l.resize), where=_where(l, f"logvol {l.mountpoint}"))
        for l in handler.logvol.lvList]
    raids = [RaidRequest(
        mountpoint=r.mountpoint, device=r.device or "", level=r.level or "", members=list(r.members),
        spares=r.spares or 0, fstype=r.fstype or "", label=r.label or "",
        encrypted=bool(r.encrypted), passphrase=r.passphrase or "",
        luks_version=r.luks_version or "luks2", where=_where(r, f"raid {r.mountpoint}"))
        for r in handler.raid.raidList]
    btrfs = [BtrfsRequest(
        mountpoint=b.mountpoint, name=b.name or b.label or "", devices=list(b.devices),
        subvol=bool(b.subvol), data_level=b.dataLevel or "", metadata_level=b.metaDataLevel or "",
        where=_where(b, f"btrfs {b.mountpoint}"))
        for b in handler.btrfs.btrfsList]
    if not parts and not lvs and not raids and not btrfs:
        raise StorageProblem("the kickstart has no storage layout: add autopart, or part/"
                             "logvol commands (and clearpart to make room)")
    try:
        plan_custom(session, parts, vgs, lvs, DEFAULT_FSTYPE, raids, btrfs)
    except DependencyError as exc:
        raise StorageProblem(f"the layout cannot be made here: {' '.join(str(exc).split())}") from None
