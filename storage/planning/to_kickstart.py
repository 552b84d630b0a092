"""A layout request as kickstart storage commands: pykickstart's own data objects.

The planner puts these objects into a pykickstart handler and plans that handler (applied
like any kickstart); the TUI puts the same objects into its handler, so what was shown is
what installs. pykickstart serialises them (`storage_lines`): nothing here writes or
quotes kickstart text, and nothing is parsed back. The request must have passed
`storage.checker.request_checks` first (defaults filled in).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from blivet import blockdev
from blivet.devicelibs import btrfs as btrfs_levels
from blivet.devicelibs import mdraid
from blivet.size import ROUND_UP, Size
from pykickstart.constants import (AUTOPART_TYPE_BTRFS, AUTOPART_TYPE_LVM, AUTOPART_TYPE_LVM_THINP,
                                   AUTOPART_TYPE_PLAIN, CLEARPART_TYPE_ALL, CLEARPART_TYPE_LIST,
                                   CLEARPART_TYPE_NONE)

from storage.commands import PLANNED_COMMANDS
from storage.planning.request import NO_BOOTLOADER, LayoutRequest, MountRequest

log = logging.getLogger("anaconda.storage")
MiB = Size("1 MiB")
#: Room LVM takes besides the LVs: metadata per PV, extents rounding per LV.
LV_OVERHEAD_MIB = 8
THIN_POOL_OVERHEAD_MIB = 256
LUKS_HEADER_MIB = 16  # LUKS2's; LUKS1 needs 2
AUTOPART_TYPES = {"plain": AUTOPART_TYPE_PLAIN, "lvm": AUTOPART_TYPE_LVM,
                  "thinp": AUTOPART_TYPE_LVM_THINP, "btrfs": AUTOPART_TYPE_BTRFS}
#: The list attribute of each command that holds data objects.
_LISTS = {"partition": "partitions", "volgroup": "vgList", "logvol": "lvList", "raid": "raidList",
          "btrfs": "btrfsList", "mount": "mount_points"}


def _mib(size: Size) -> int:
    return int(size.round_to_nearest(MiB, rounding=ROUND_UP).convert_to(MiB))


def volume_name(mountpoint: str, used: set[str]) -> str:
    """root for /, home for /home, var_log for /var/log, made unique among `used`."""
    base = {"/": "root", "swap": "swap"}.get(mountpoint) or mountpoint.strip("/").replace("/", "_")
    name, number = base, count(1)
    while name in used:
        name = f"{base}{next(number)}"
    used.add(name)
    return name


@dataclass
class _Writer:
    """Adds data objects to the storage commands of `handler`, each command marked seen
    (as pykickstart's parser marks a command it read)."""
    handler: object
    request: LayoutRequest
    blank: list[str]  # selected disks without a partition table
    numbers: dict[str, count] = field(default_factory=dict)

    def command(self, name: str):
        command = self.handler.commands[name]
        command.seen = True
        return command

    def add(self, name: str, data) -> None:
        getattr(self.command(name), _LISTS[name]).append(data)

    def luks(self, encrypted: bool) -> dict:
        """The data attributes of an encrypted device (none for a plain one)."""
        if not encrypted:
            return {}
        encryption = self.request.encryption
        return {"encrypted": True, "passphrase": encryption.passphrase,
                "luks_version": encryption.luks_version}

    def part(self, mountpoint: str, **attrs) -> None:
        self.add("partition", self.handler.PartData(mountpoint=mountpoint, **attrs))

    def member(self, kind: str) -> str:
        return f"{kind}.{next(self.numbers.setdefault(kind, count(1))):02d}"

    @property
    def disks(self) -> list[str]:
        return self.request.disks

    def members(self, kind: str, fstype: str, size_mib: int, grow: bool, encrypted: bool,
                max_size: int = 0) -> list[str]:
        """One member partition on each selected disk (encrypted: with room for the LUKS header)."""
        size_mib += LUKS_HEADER_MIB if encrypted else 0
        names = []
        for disk in self.disks:
            name = self.member(kind)
            self.part(name, fstype=fstype, size=size_mib, disk=disk, **_grow(grow, max_size),
                      **self.luks(encrypted))
            names.append(name)
        return names


def _grow(grow: bool, max_size: int = 0) -> dict:
    return {"grow": True, "maxSizeMB": max_size} if grow else {}


def _reclaim(writer: _Writer) -> None:
    request, reclaim = writer.request, writer.request.reclaim
    clearpart = writer.command("clearpart")
    if reclaim.clear_all:
        clearpart.type, clearpart.initAll, clearpart.drives = CLEARPART_TYPE_ALL, True, list(request.disks)
        clearpart.disklabel = request.disklabel
        return
    clearpart.disklabel = request.disklabel
    parts = [name for name in reclaim.delete if name not in request.disks]
    if writer.blank:  # empty disks, and disks whose whole-disk content is deleted, get a table
        writer.command("zerombr").zerombr = True
    if parts:
        clearpart.type, clearpart.devices = CLEARPART_TYPE_LIST, parts
    else:
        clearpart.type = CLEARPART_TYPE_NONE
    for name, size in reclaim.shrink.items():
        writer.part("None", onPart=name, format=False, resize=True, size=size)


def _partitions(writer: _Writer, mounts: list[MountRequest]) -> None:
    for m in mounts:
        if m.reuse:
            writer.part(m.mountpoint, onPart=m.reuse, **_reused(writer, m))
            continue
        writer.part(m.mountpoint, fstype=m.fstype, size=m.size, **_grow(m.grow, m.max_size),
                    **writer.luks(m.encrypted))


def _reused(writer: _Writer, m: MountRequest) -> dict:
    """How an existing device is used: a new file system, or its own kept (and resized)."""
    if m.reformat:
        return {"fstype": m.fstype, **writer.luks(m.encrypted)}
    return {"format": False, **({"resize": True, "size": m.resize} if m.resize else {})}


def _reused_lvs(writer: _Writer, mounts: list[MountRequest]) -> None:
    """Existing logical volumes (`reuse` VG/LV): their group as it is, each LV reused."""
    handler, groups = writer.handler, []
    for m in mounts:
        vgname, name = m.reuse.split("/", 1)
        if vgname not in groups:
            groups.append(vgname)
            writer.add("volgroup", handler.VolGroupData(vgname=vgname, preexist=True))
        writer.add("logvol", handler.LogVolData(mountpoint=m.mountpoint, vgname=vgname, name=name,
                                                preexist=True, **_reused(writer, m)))


def _bootloader(writer: _Writer) -> None:
    """Only where the boot loader goes (`--boot-drive`, `--location=none`); its other
    options (timeout, append, password) are left as they were."""
    command, drive = writer.handler.bootloader, writer.request.boot_drive
    if drive == NO_BOOTLOADER:
        command.seen, command.location, command.bootDrive = True, "none", ""
        return
    command.bootDrive = drive
    if drive or command.seen:
        command.seen = True
        if command.location in (None, "", "none"):
            command.location = "mbr"
        if getattr(command, "disabled", False):  # `--disabled` read back as "none", now undone
            command.disabled = False


def _lvm(writer: _Writer, vgname: str, mounts: list[MountRequest]) -> None:
    """A volume group over one PV per selected disk; thin LVs share one pool."""
    handler = writer.handler
    thin = [m for m in mounts if m.device_type == "lvm thin"]
    pool_mib = sum(m.size for m in thin)
    need = sum(m.size + LV_OVERHEAD_MIB for m in mounts) + (THIN_POOL_OVERHEAD_MIB if thin else 0)
    grow = any(m.grow for m in mounts)
    pvs = writer.members("pv", "lvmpv", max(-(-need // len(writer.disks)), 16), grow, mounts[0].encrypted)
    writer.add("volgroup", handler.VolGroupData(vgname=vgname, physvols=pvs))
    used: set[str] = set()
    pool = volume_name("pool", used) if thin else ""
    if thin:
        writer.add("logvol", handler.LogVolData(mountpoint="none", vgname=vgname, name=pool, thin_pool=True,
                                                size=pool_mib, **_grow(any(m.grow for m in thin))))
    for m in mounts:
        where = {"thin_volume": True, "pool_name": pool} if m.device_type == "lvm thin" else {}
        writer.add("logvol", handler.LogVolData(mountpoint=m.mountpoint, vgname=vgname,
                                                name=volume_name(m.mountpoint, used), fstype=m.fstype,
                                                size=m.size, **_grow(m.grow, m.max_size), **where))


def _raid(writer: _Writer, m: MountRequest, used: set[str]) -> None:
    level = mdraid.raid_levels.raid_level(m.raid_level)
    disks = len(writer.disks)

    def member_mib(size_mib: int) -> int:
        space = level.get_space(Size(f"{size_mib} MiB"), disks,
                                superblock_size_func=lambda s: Size(blockdev.md.get_superblock_size(int(s))))
        return _mib(space / disks)

    members = writer.members("raid", "mdmember", member_mib(m.size), m.grow, False,
                             member_mib(m.max_size) if m.max_size else 0)
    writer.add("raid", writer.handler.RaidData(
        mountpoint=m.mountpoint, device=volume_name(m.mountpoint, used), level=m.raid_level.upper(),
        fstype=m.fstype, members=members, **writer.luks(m.encrypted)))


def _btrfs(writer: _Writer, label: str, mounts: list[MountRequest]) -> None:
    """One btrfs volume over a member per selected disk, a subvolume per mount point."""
    handler = writer.handler
    level, disks = mounts[0].raid_level or "single", len(writer.disks)
    total = Size(f"{sum(m.size for m in mounts)} MiB")
    # as blivet sizes the volume (its raid1 counts the smallest member, whatever the disks)
    base = total / disks if level == "single" else \
        btrfs_levels.raid_levels.raid_level(level).get_base_member_size(total, disks)
    member = max(_mib(base), 256)
    members = writer.members("btrfs", "btrfs", member, any(m.grow for m in mounts), mounts[0].encrypted)
    levels = {"dataLevel": level, "metaDataLevel": level} if level != "single" else {}
    writer.add("btrfs", handler.BTRFSData(mountpoint="none", label=label, name="", devices=members, **levels))
    used: set[str] = set()
    for m in mounts:
        writer.add("btrfs", handler.BTRFSData(mountpoint=m.mountpoint, subvol=True,
                                              name=volume_name(m.mountpoint, used), devices=[label]))


def _custom(writer: _Writer) -> None:
    mounts = writer.request.mounts
    boot_loader = writer.request.boot_drive != NO_BOOTLOADER  # without one, no partitions for it
    if boot_loader and not any(m.mountpoint in ("biosboot", "/boot/efi") for m in mounts):
        writer.command("reqpart").reqpart = True
    _partitions(writer, [m for m in mounts if m.device_type == "partition"])
    used: set[str] = set()
    for m in mounts:
        if m.device_type == "raid":
            _raid(writer, m, used)
    _reused_lvs(writer, [m for m in mounts if m.reuse and m.device_type == "lvm"])
    groups: dict[tuple[str, str], list[MountRequest]] = {}
    for m in mounts:
        if m.device_type in ("lvm", "lvm thin", "btrfs") and not m.reuse:
            kind = "btrfs" if m.device_type == "btrfs" else "lvm"
            groups.setdefault((kind, m.volume_group), []).append(m)
    for (kind, name), members in groups.items():
        (_btrfs if kind == "btrfs" else _lvm)(writer, name, members)


def new_handler():
    """A pykickstart handler of the newest syntax (storage does not ask the installer)."""
    from pykickstart.version import makeVersion

    return makeVersion()


def clear_storage(handler) -> None:
    """Every command the planner writes back to pykickstart's defaults, in place (the
    handler's attributes and `commands` share the command objects); `mount` goes too:
    it cannot stand beside a layout."""
    for name in (*PLANNED_COMMANDS, "mount"):
        command = handler.commands.get(name)
        if command is None:
            continue
        fresh = type(command)()
        for key, value in vars(fresh).items():
            if key not in ("handler", "writePriority"):
                setattr(command, key, value)
        if name in _LISTS:
            setattr(command, _LISTS[name], [])


def write_storage(handler, request: LayoutRequest, blank: Sequence[str] = ()):
    """Replace the storage commands of `handler` (the TUI's source of truth, or the
    planner's own) with those of a checked request, leaving every other command as it
    was; returns the handler. `blank` are the selected disks without a partition table:
    `zerombr` gives them one up front (the checks made sure that only empty disks and
    deleted whole-disk content are among them)."""
    clear_storage(handler)
    writer = _Writer(handler, request, [name for name in blank if name in request.disks])
    writer.command("ignoredisk").onlyuse = list(request.disks)
    _reclaim(writer)
    _bootloader(writer)
    auto = request.automatic
    if auto is not None:
        autopart = writer.command("autopart")
        autopart.autopart, autopart.type = True, AUTOPART_TYPES[auto.scheme]
        if auto.scheme != "btrfs":
            autopart.fstype = auto.fstype
        for key, value in writer.luks(auto.encrypted).items():
            setattr(autopart, key, value)
    else:
        _custom(writer)
    return handler


def storage_lines(handler) -> list[str]:
    """The planned storage commands as pykickstart writes them, one line each, without
    its comment lines: what the saved kickstart holds (the boot loader's line too, once
    it was given or chosen)."""
    names = (*PLANNED_COMMANDS, *(["bootloader"] if handler.bootloader.seen else []))
    text = "".join(str(handler.commands[name]) for name in names)
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
