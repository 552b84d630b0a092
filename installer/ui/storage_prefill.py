"""A kickstart's storage commands read back into the destination spoke's request.

The TUI is a kickstart editor, so a partial kickstart's `ignoredisk`, `clearpart`,
`autopart`, `part` and `logvol` pre-fill the screens. The reading is the inverse of
`storage.planning.to_kickstart` (member partitions `pv.NN` make a volume group, `part None
--onpart --resize` is a shrink); what has no place on the screens (`raid`, `btrfs`,
`mount`, `clearpart --linux`) is named in `Prefill.notes`, and then the kickstart's own lines stay
in the handler until the person changes something here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pykickstart.constants import (AUTOPART_TYPE_BTRFS, AUTOPART_TYPE_LVM, AUTOPART_TYPE_LVM_THINP,
                                   AUTOPART_TYPE_PLAIN, CLEARPART_TYPE_ALL, CLEARPART_TYPE_LIST,
                                   CLEARPART_TYPE_NONE)

from installer.logs import register_secret
from storage.planning.request import NO_BOOTLOADER, MountRequest
from storage.checker.request_checks import RequestProblem
from storage.commands import PLANNED_COMMANDS, canonical

log = logging.getLogger("anaconda.tui")

#: The commands that pre-fill the screens (or are named in the notes as kept).
PREFILLED = (*PLANNED_COMMANDS, "mount")
SCHEMES = {AUTOPART_TYPE_PLAIN: "plain", AUTOPART_TYPE_LVM: "lvm", AUTOPART_TYPE_LVM_THINP: "thinp",
           AUTOPART_TYPE_BTRFS: "btrfs"}
MEMBERS = ("pv.", "raid.", "btrfs.")


@dataclass
class Prefill:
    given: bool = False  # the kickstart had storage commands
    notes: list[str] = field(default_factory=list)  # what the screens could not take over

    @property
    def exact(self) -> bool:
        return not self.notes


def _try(notes: list[str], what: str, action) -> None:
    try:
        action()
    except RequestProblem as problem:
        notes.append(f"{what}: {problem.message}")


def _disks(planner, handler, notes: list[str]) -> None:
    only = [name.removeprefix("/dev/") for name in handler.ignoredisk.onlyuse or []]
    ignore = {name.removeprefix("/dev/") for name in handler.ignoredisk.ignoredisk or []}
    if only:
        _try(notes, "ignoredisk", lambda: planner.select_disks(only))
    elif ignore:
        _try(notes, "ignoredisk", lambda: planner.select_disks(
            [d for d in planner.request.disks if d not in ignore]))


def _bootloader(planner, handler, notes: list[str]) -> None:
    """Where the boot loader goes (`--boot-drive`, `--location=none`), and the table
    new disks get (`clearpart --disklabel`)."""
    command = handler.bootloader
    if command.seen and (command.location == "none" or getattr(command, "disabled", False)):
        planner.set_boot_drive(NO_BOOTLOADER)
    elif command.seen and command.bootDrive:
        _try(notes, "bootloader --boot-drive", lambda: planner.set_boot_drive(command.bootDrive))
    if handler.clearpart.disklabel:
        _try(notes, "clearpart --disklabel", lambda: planner.set_disklabel(handler.clearpart.disklabel))


def _clearpart(planner, handler, notes: list[str]) -> None:
    clearpart = handler.clearpart
    if clearpart.type == CLEARPART_TYPE_ALL:
        planner.clear_all(True)
    elif clearpart.type == CLEARPART_TYPE_LIST:
        for name in clearpart.devices or []:
            _try(notes, "clearpart --list", lambda n=name.removeprefix("/dev/"): planner.delete(n))
    elif clearpart.type not in (CLEARPART_TYPE_NONE, None):
        notes.append("clearpart --linux has no choice on these screens")


def _passphrase(planner, handler, notes: list[str]) -> None:
    for obj in (handler.autopart, *handler.partition.partitions, *handler.logvol.lvList):
        if getattr(obj, "encrypted", False) and obj.passphrase:
            register_secret(obj.passphrase)
            _try(notes, "--passphrase", lambda o=obj: planner.set_encryption(
                o.passphrase, o.luks_version or "luks2"))
            return


def _custom(planner, handler, notes: list[str]) -> None:
    planner.use_custom(seed=False)
    parts = handler.partition.partitions
    encrypted_pvs = {p.mountpoint for p in parts if p.mountpoint.startswith("pv.") and p.encrypted}
    encrypted_vgs = {v.vgname for v in handler.volgroup.vgList if set(v.physvols) & encrypted_pvs}
    for p in parts:
        if p.mountpoint.startswith(MEMBERS):
            continue
        if p.mountpoint == "None" and p.resize and p.onPart:
            _try(notes, f"part --onpart={p.onPart}", lambda p=p: planner.shrink(p.onPart, p.size))
            continue
        mount = MountRequest(p.mountpoint, p.size or 1, p.fstype or "", grow=bool(p.grow),
                             max_size=p.maxSizeMB or 0, encrypted=bool(p.encrypted),
                             reuse=(p.onPart or "").removeprefix("/dev/"), reformat=bool(p.format),
                             resize=(p.size or 0) if p.onPart and p.resize else 0)
        _try(notes, f"part {p.mountpoint}", lambda m=mount: planner.add_mount(m))
    for lv in handler.logvol.lvList:
        if lv.thin_pool:
            continue
        if lv.preexist:  # an existing logical volume, reused
            mount = MountRequest(lv.mountpoint, lv.size or 1, lv.fstype or "", "lvm",
                                 reuse=f"{lv.vgname}/{lv.name}", reformat=bool(lv.format),
                                 resize=(lv.size or 0) if lv.resize else 0, encrypted=bool(lv.encrypted))
            _try(notes, f"logvol {lv.mountpoint}", lambda m=mount: planner.add_mount(m))
            continue
        if lv.encrypted:
            notes.append(f"logvol {lv.mountpoint}: an encrypted logical volume; here the volume "
                         "group's disks are encrypted instead")
        mount = MountRequest(lv.mountpoint, lv.size or 1, lv.fstype or "",
                             "lvm thin" if lv.thin_volume else "lvm", grow=bool(lv.grow),
                             max_size=lv.maxSizeMB or 0, encrypted=lv.vgname in encrypted_vgs,
                             volume_group=lv.vgname)
        _try(notes, f"logvol {lv.mountpoint}", lambda m=mount: planner.add_mount(m))
    for command, items in (("raid", handler.raid.raidList), ("btrfs", handler.btrfs.btrfsList),
                           ("mount", handler.mount.mount_points)):
        if items:
            notes.append(f"{command} commands are kept as the kickstart gives them")


def prefill(planner, handler, seen: set[str]) -> Prefill:
    """Fill `planner`'s request from `handler`; without storage commands only the
    boot loader's place is read."""
    if not any(canonical(name) in PREFILLED for name in seen):
        notes: list[str] = []
        _bootloader(planner, handler, notes)  # a kickstart may say only where the boot loader goes
        return Prefill(notes=notes)
    found = Prefill(given=True)
    _disks(planner, handler, found.notes)
    _clearpart(planner, handler, found.notes)
    _passphrase(planner, handler, found.notes)
    _bootloader(planner, handler, found.notes)
    autopart = handler.autopart
    if autopart.autopart:
        _try(found.notes, "autopart", lambda: planner.use_automatic(
            SCHEMES.get(autopart.type, "lvm"), bool(autopart.encrypted), autopart.fstype or "xfs"))
    elif handler.partition.partitions or handler.logvol.lvList or handler.raid.raidList \
            or handler.btrfs.btrfsList or handler.mount.mount_points:
        _custom(planner, handler, found.notes)
    if found.notes:
        log.info("Kickstart storage kept as given: %s", "; ".join(found.notes))
    return found
