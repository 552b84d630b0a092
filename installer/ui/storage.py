"""The storage screens' model: the scan, the request's words and numbers, accepting.

The scan is the installer's own (`installer.disks.scan_disks`, the same as
`plan_storage`: image files with --image, else the running system with its mounted disks
and the install source protected, then --firmware, inst.disklabel and the dry run's
tolerance of missing tools), the editing and planning are storage's planner's (reached
through installer.ui.destination and its `LayoutEditor`), and accepting writes the
planner's kickstart lines into the session's handler. The LUKS passphrase is registered with the
log redactor the moment it is known, so no log line ever carries it.

The screens import from here only this module's API: the functions below, the error every
edit raises (`RequestProblem`, naming the field), the mount point they edit
(`MountRequest`) and the choices they offer (`DEVICE_TYPES`, `MD_LEVELS`, `LUKS_VERSIONS`,
`SCHEMES`, `SCHEME_LABELS`, `FILESYSTEMS`, `DISKLABELS`, `NO_BOOTLOADER`); nothing of
storage/ directly.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from blivet.size import Size

from installer.bootopts import BootOptions
from installer.logs import register_secret
from storage.checker import mount_checks as _mount_checks
from storage.checker.request_checks import RequestProblem
from storage.planning import request as _request
from storage.planning.inventory import to_mib
from storage.planning.planner import Planner
from storage.planning.request import MountRequest  # noqa: F401 (API: the mount point the screens edit)
from storage.session import StorageSession

from .storage_prefill import Prefill, prefill

log = logging.getLogger("anaconda.tui")

#: What the screens offer: device types of a mount point, RAID levels, LUKS versions and
#: the automatic schemes (exactly what the planner accepts).
DEVICE_TYPES = _request.DEVICE_TYPES
MD_LEVELS = _mount_checks.MD_LEVELS
LUKS_VERSIONS = _request.LUKS_VERSIONS
SCHEMES = _request.SCHEMES
DISKLABELS = _request.DISKLABELS
NO_BOOTLOADER = _request.NO_BOOTLOADER

#: The schemes in the words of Anaconda's screens.
SCHEME_LABELS = {"lvm": "LVM", "thinp": "LVM thin", "plain": "Standard partitions", "btrfs": "Btrfs"}
#: File systems an automatic layout can put on / (btrfs comes with its scheme).
FILESYSTEMS = ("xfs", "ext4")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_FACTORS = {"": 1, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024 * 1024}


@dataclass
class Scanned:
    """The scanned tree and its planner; `source` says what was scanned, for the screen;
    `systems` the operating systems found on it (device name -> "Fedora Linux 40")."""
    session: StorageSession
    planner: Planner
    source: str
    systems: dict[str, str] = field(default_factory=dict)


def _read_sizes(session: StorageSession) -> None:
    """Filesystem sizes and minimums of existing partitions, where their device is
    readable: without them nothing can be offered for shrinking."""
    for part in session.blivet.partitions:
        if part.format.type and Path(part.path).exists():
            try:
                part.format.update_size_info()
            except Exception as exc:  # an unreadable filesystem just cannot shrink
                log.info("Size of %s not read: %s", part.name, exc)


def scan(options: BootOptions, images: list[Path], dry_run: bool = False,
         firmware: str | None = None, handler=None) -> Scanned:
    """Slow (seconds on a guest): run it off the UI thread. The scan of an unattended
    install (installer.disks.scan_disks), plus the sizes of existing filesystems and the
    systems they hold (read without writing, only on the disks it may use). `handler`:
    the kickstart's, whose `harddrive` source is protected as inst.repo's is."""
    from installer.disks import scan_disks
    from storage.planning.systems import find_systems

    session = scan_disks(options, images, dry_run, firmware, handler)
    _read_sizes(session)
    systems = find_systems(session)
    source = ("image files " + ", ".join(Path(i).name for i in images)) if images else \
        "this computer's disks"
    return Scanned(session, Planner(session, systems=systems), source, systems)


def select(planner: Planner, names: list[str]) -> None:
    """Like Planner.select_disks, but no disk at all is a state the screen can show."""
    if names:
        planner.select_disks(names)
        return
    planner.request.disks = []
    planner.request.boot_drive = "" if planner.request.boot_drive != NO_BOOTLOADER else NO_BOOTLOADER
    planner.request.reclaim.delete.clear()
    planner.request.reclaim.shrink.clear()


def set_passphrase(planner: Planner, passphrase: str, luks_version: str = "luks2") -> None:
    register_secret(passphrase)
    planner.set_encryption(passphrase, luks_version)


def accept(planner: Planner, handler) -> None:
    """The request's storage commands replace the handler's (the rest is left alone)."""
    register_secret(planner.request.encryption.passphrase)
    planner.write_to(handler)
    log.info("Storage layout written to the kickstart: %s", layout_kind(handler))


# ---- the handler's layout --------------------------------------------------------------
def has_layout(handler) -> bool:
    return bool(handler.autopart.autopart or handler.partition.partitions or handler.logvol.lvList
                or handler.raid.raidList or handler.btrfs.btrfsList or handler.mount.mount_points)


def layout_kind(handler) -> str:
    """"automatic", "custom", or "" when the handler has no layout yet."""
    if handler.autopart.autopart:
        return "automatic"
    return "custom" if has_layout(handler) else ""


def kickstart_problem(scanned: Scanned, handler) -> str:
    """Why the handler's storage commands cannot be planned on the scan ("" when they
    can): how a kickstart's own layout is checked before the spoke counts it complete."""
    from installer.disks import storage_errors
    from installer.errors import StorageError, message_of
    from storage.kickstart import apply_kickstart

    if not has_layout(handler):
        return "no layout yet"
    for obj in (handler.autopart, *handler.partition.partitions, *handler.logvol.lvList,
                *handler.raid.raidList):
        register_secret(getattr(obj, "passphrase", ""))
    try:
        with storage_errors(what="the layout cannot be planned"):
            apply_kickstart(scanned.planner.fresh_session(), handler)
    except StorageError as exc:
        return exc.message
    except ValueError as exc:  # blivet's own checks of sizes and names
        return f"the layout cannot be planned: {message_of(exc)}"
    return ""


# ---- words and numbers -----------------------------------------------------------------
def human(size: Size) -> str:
    """"20 GiB", "14.5 GiB", "512 MiB": one decimal at most, for narrow columns."""
    return size.human_readable(max_places=1)


def mib(size: Size) -> int:
    return to_mib(size)


def parse_size(text: str, field_name: str) -> int:
    """Whole MiB from "1024", "1024 MiB", "2 GiB", "2G"; RequestProblem naming the field."""
    found = _SIZE.match(text)
    if not found:
        raise RequestProblem(field_name, f"{text.strip() or 'nothing'} is not a size; give MiB "
                             "(1024) or a unit (2 GiB)")
    value = float(found.group(1)) * _FACTORS[found.group(2).lower()]
    if value != int(value):
        raise RequestProblem(field_name, f"{text.strip()} is not a whole number of MiB")
    return int(value)


def asked(planner: Planner) -> str:
    """What the request asks for, to put next to a planning error that names no field
    (blivet's "does not fit" says nothing about which mount point is too big)."""
    request = planner.request
    room = f"{human(planner.room)} free on {', '.join(request.disks)}"
    if request.automatic is not None:
        return f"asked: the automatic {SCHEME_LABELS[request.automatic.scheme]} layout; {room}"
    sizes = ", ".join(f"{m.mountpoint} {m.size}{'+' if m.grow else ''} MiB" for m in request.mounts)
    total = sum(m.size for m in request.mounts)
    return f"asked: {sizes} ({total} MiB in all); {room}"


def load(scanned: Scanned, handler, seen: set[str]) -> Prefill:
    """A new request, pre-filled from the handler's storage commands (storage_prefill)."""
    scanned.planner = Planner(scanned.session, systems=scanned.systems)
    return prefill(scanned.planner, handler, seen)


def storage_text(handler) -> str:
    """The handler's storage commands as text: tells whether they changed since read."""
    from storage.commands import PLANNED_COMMANDS

    return "".join(str(handler.commands[name]) for name in (*PLANNED_COMMANDS, "bootloader"))
