"""A layout request written as kickstart storage commands, and read back by pykickstart.

The planner plans exactly these lines (parsed by real pykickstart and applied like any
kickstart), and the TUI saves exactly these lines, so what was shown is what installs.
The request must have passed `storage.checker.request_checks` first (defaults filled in).
"""
from __future__ import annotations

import logging
import shlex
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from blivet import blockdev
from blivet.devicelibs import btrfs as btrfs_levels
from blivet.devicelibs import mdraid
from blivet.size import ROUND_UP, Size

from storage.planning.request import Encryption, LayoutRequest, MountRequest

log = logging.getLogger("anaconda.storage")
MiB = Size("1 MiB")
#: The kickstart commands this module writes (and `write_storage` replaces in a handler).
STORAGE_COMMANDS = ("ignoredisk", "clearpart", "zerombr", "autopart", "reqpart", "partition",
                    "volgroup", "logvol", "raid", "btrfs")
#: Room LVM takes besides the LVs: metadata per PV, extents rounding per LV.
LV_OVERHEAD_MIB = 8
THIN_POOL_OVERHEAD_MIB = 256
LUKS_HEADER_MIB = 16  # LUKS2's; LUKS1 needs 2


def _mib(size: Size) -> int:
    return int(size.round_to_nearest(MiB, rounding=ROUND_UP).convert_to(MiB))


def _luks(encrypted: bool, encryption: Encryption) -> str:
    if not encrypted:
        return ""
    return (f" --encrypted --passphrase={shlex.quote(encryption.passphrase)}"
            f" --luks-version={encryption.luks_version}")


def _grow(grow: bool, max_size: int = 0) -> str:
    return (" --grow" if grow else "") + (f" --maxsize={max_size}" if grow and max_size else "")


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
    request: LayoutRequest
    blank: list[str]  # selected disks without a partition table
    lines: list[str] = field(default_factory=list)
    numbers: dict[str, count] = field(default_factory=dict)

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
            self.lines.append(f"part {name} --fstype={fstype} --size={size_mib}{_grow(grow, max_size)}"
                              f" --ondisk={disk}{_luks(encrypted, self.request.encryption)}")
            names.append(name)
        return names


def _reclaim(writer: _Writer) -> None:
    request, reclaim = writer.request, writer.request.reclaim
    drives = ",".join(request.disks)
    if reclaim.clear_all:
        writer.lines.append(f"clearpart --all --initlabel --drives={drives}")
        return
    parts = [name for name in reclaim.delete if name not in request.disks]
    if writer.blank:  # empty disks, and disks whose whole-disk content is deleted, get a table
        writer.lines.append("zerombr")
    writer.lines.append(f"clearpart --list={','.join(parts)}" if parts else "clearpart --none")
    for name, size in reclaim.shrink.items():
        writer.lines.append(f"part None --onpart={name} --noformat --resize --size={size}")


def _partitions(writer: _Writer, mounts: list[MountRequest]) -> None:
    for m in mounts:
        if m.reuse:
            how = f" --fstype={m.fstype}{_luks(m.encrypted, writer.request.encryption)}" if m.reformat \
                else " --noformat"
            writer.lines.append(f"part {m.mountpoint} --onpart={m.reuse}{how}")
            continue
        writer.lines.append(f"part {m.mountpoint} --fstype={m.fstype} --size={m.size}"
                            f"{_grow(m.grow, m.max_size)}{_luks(m.encrypted, writer.request.encryption)}")


def _lvm(writer: _Writer, vgname: str, mounts: list[MountRequest]) -> None:
    """A volume group over one PV per selected disk; thin LVs share one pool."""
    thin = [m for m in mounts if m.device_type == "lvm thin"]
    pool_mib = sum(m.size for m in thin)
    need = sum(m.size + LV_OVERHEAD_MIB for m in mounts) + (THIN_POOL_OVERHEAD_MIB if thin else 0)
    grow = any(m.grow for m in mounts)
    pvs = writer.members("pv", "lvmpv", max(-(-need // len(writer.disks)), 16), grow, mounts[0].encrypted)
    writer.lines.append(f"volgroup {vgname} {' '.join(pvs)}")
    used: set[str] = set()
    pool = volume_name("pool", used) if thin else ""
    if thin:
        writer.lines.append(f"logvol none --vgname={vgname} --name={pool} --thinpool --size={pool_mib}"
                            f"{_grow(any(m.grow for m in thin))}")
    for m in mounts:
        where = f" --thin --poolname={pool}" if m.device_type == "lvm thin" else ""
        writer.lines.append(f"logvol {m.mountpoint} --vgname={vgname} --name={volume_name(m.mountpoint, used)}"
                            f" --fstype={m.fstype} --size={m.size}{_grow(m.grow, m.max_size)}{where}")


def _raid(writer: _Writer, m: MountRequest, used: set[str]) -> None:
    level = mdraid.raid_levels.raid_level(m.raid_level)
    disks = len(writer.disks)

    def member_mib(size_mib: int) -> int:
        space = level.get_space(Size(f"{size_mib} MiB"), disks,
                                superblock_size_func=lambda s: Size(blockdev.md.get_superblock_size(int(s))))
        return _mib(space / disks)

    members = writer.members("raid", "mdmember", member_mib(m.size), m.grow, False,
                             member_mib(m.max_size) if m.max_size else 0)
    writer.lines.append(f"raid {m.mountpoint} --device={volume_name(m.mountpoint, used)} "
                        f"--level={m.raid_level.upper()} --fstype={m.fstype}"
                        f"{_luks(m.encrypted, writer.request.encryption)} {' '.join(members)}")


def _btrfs(writer: _Writer, label: str, mounts: list[MountRequest]) -> None:
    """One btrfs volume over a member per selected disk, a subvolume per mount point."""
    level, disks = mounts[0].raid_level or "single", len(writer.disks)
    total = Size(f"{sum(m.size for m in mounts)} MiB")
    # as blivet sizes the volume (its raid1 counts the smallest member, whatever the disks)
    base = total / disks if level == "single" else \
        btrfs_levels.raid_levels.raid_level(level).get_base_member_size(total, disks)
    member = max(_mib(base), 256)
    members = writer.members("btrfs", "btrfs", member, any(m.grow for m in mounts), mounts[0].encrypted)
    levels = f" --data={level} --metadata={level}" if level != "single" else ""
    writer.lines.append(f"btrfs none --label={label}{levels} {' '.join(members)}")
    used: set[str] = set()
    for m in mounts:
        writer.lines.append(f"btrfs {m.mountpoint} --subvol --name={volume_name(m.mountpoint, used)} {label}")


def _custom(writer: _Writer) -> None:
    mounts = writer.request.mounts
    if not any(m.mountpoint in ("biosboot", "/boot/efi") for m in mounts):
        writer.lines.append("reqpart")
    _partitions(writer, [m for m in mounts if m.device_type == "partition"])
    used: set[str] = set()
    for m in mounts:
        if m.device_type == "raid":
            _raid(writer, m, used)
    groups: dict[tuple[str, str], list[MountRequest]] = {}
    for m in mounts:
        if m.device_type in ("lvm", "lvm thin", "btrfs"):
            kind = "btrfs" if m.device_type == "btrfs" else "lvm"
            groups.setdefault((kind, m.volume_group), []).append(m)
    for (kind, name), members in groups.items():
        (_btrfs if kind == "btrfs" else _lvm)(writer, name, members)


def render(request: LayoutRequest, blank: Sequence[str] = ()) -> list[str]:
    """The storage commands for a checked request, one kickstart line each. `blank` are
    the selected disks without a partition table: `zerombr` gives them one up front (the
    checks made sure that only empty disks and deleted whole-disk content are among them)."""
    writer = _Writer(request, [name for name in blank if name in request.disks])
    writer.lines.append(f"ignoredisk --only-use={','.join(request.disks)}")
    _reclaim(writer)
    auto = request.automatic
    if auto is not None:
        fstype = f" --fstype={auto.fstype}" if auto.scheme != "btrfs" else ""
        writer.lines.append(f"autopart --type={auto.scheme}{fstype}{_luks(auto.encrypted, request.encryption)}")
    else:
        _custom(writer)
    return writer.lines


def new_handler():
    """A pykickstart handler of the newest syntax (storage does not ask the installer)."""
    from pykickstart.version import makeVersion

    return makeVersion()


def parse(lines: list[str], handler=None):
    """The lines read by pykickstart into `handler` (a fresh one if None); the duplicate
    `part None` warning of several shrinks is expected."""
    from pykickstart.errors import KickstartParseWarning
    from pykickstart.parser import KickstartParser

    handler = handler or new_handler()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KickstartParseWarning)
        KickstartParser(handler).readKickstartFromString("\n".join(lines) + "\n", reset=False)
    return handler


def write_storage(handler, lines: list[str]):
    """Replace the storage commands of a loaded handler (the TUI's source of truth) with
    `lines`, leaving every other command as it was."""
    for name in STORAGE_COMMANDS:
        command = handler.commands[name]
        fresh = type(command)()
        for key, value in vars(fresh).items():
            if key not in ("handler", "writePriority"):
                setattr(command, key, value)
        for attr in ("partitions", "vgList", "lvList", "raidList", "btrfsList"):
            if hasattr(command, attr):
                setattr(command, attr, [])
    return parse(lines, handler)
