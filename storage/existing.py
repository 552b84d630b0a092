"""Reusing what is already on the disks: `part --onpart/--usepart` (with `--noformat`
and `--resize`), `volgroup --useexisting/--noformat` and `logvol --useexisting/--noformat`.

Kept apart from new layouts because the rules differ: the device must exist after
clearpart, sit on selected and unprotected disks, and keeping its data (--noformat) or
shrinking it (--resize) must be safe for its filesystem; anything else is refused with
the device and the reason before a byte is written.
"""
from __future__ import annotations

import logging

from blivet.formats import get_format
from blivet.size import Size

from .errors import StorageProblem
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


def find_existing(session: StorageSession, spec: str, where: str, kind: str = "device"):
    """The existing device `spec` names (vda2, /dev/vda2, LABEL=..., UUID=..., vg-lv)."""
    storage = session.blivet
    device = storage.devicetree.resolve_device(spec) or storage.devicetree.get_device_by_name(
        spec.removeprefix("/dev/"))
    if device is None or not device.exists:
        if _scheduled_for_removal(session, spec):
            raise StorageProblem(f"{where}: {spec} is removed by clearpart first; leave it out of "
                                 "clearpart (--none, --list, or --drives without its disk)")
        raise StorageProblem(f"{where}: there is no {kind} {spec} "
                             f"(existing: {', '.join(_existing_names(session)) or 'none'})")
    for disk in device.disks:
        if disk.name in session.protected:
            raise StorageProblem(f"{where}: {spec} is on disk {disk.name}, which cannot be used: "
                                 f"{session.protected[disk.name]}")
        if disk.name not in session.selected:
            raise StorageProblem(f"{where}: {spec} is on disk {disk.name}, which is not selected "
                                 "(ignoredisk leaves it out)")
    return device


def _scheduled_for_removal(session: StorageSession, spec: str) -> bool:
    name = spec.removeprefix("/dev/")
    return any(a.is_destroy and a.is_device and a.device.name == name
               for a in session.blivet.devicetree.actions.find())


def _existing_names(session: StorageSession) -> list[str]:
    return [d.name for d in session.blivet.devices
            if d.exists and d.type in ("partition", "lvmvg", "lvmlv", "mdarray")]


def resize(session: StorageSession, device, size_mib: int | None, where: str) -> None:
    """--resize --size=N: shrink or grow the device and its filesystem together; refused
    when the filesystem cannot follow (shrinking the partition alone would lose data)."""
    if not size_mib or size_mib <= 0:
        raise StorageProblem(f"{where} --resize needs --size=MiB > 0")
    new_size = Size(f"{size_mib} MiB")
    fmt = device.format
    if fmt.type and fmt.exists and hasattr(fmt, "update_size_info"):
        try:  # sizes are read only for what is resized: it runs the filesystem's tools
            fmt.update_size_info()
        except Exception as exc:  # blivet's FSError: the filesystem needs a repair
            raise StorageProblem(f"{where} --resize: the {fmt.type} on {device.name} could not be "
                                 f"checked ({exc}); repair it (fsck) first") from None
    if fmt.type and fmt.exists and not fmt.resizable:
        if fmt.type == "xfs" and new_size < device.size:
            why = "cannot shrink (XFS only grows)"
        elif fmt.type in ("ext2", "ext3", "ext4", "ntfs", "btrfs"):
            why = "did not report its size and minimum size (its tools may be missing here)"
        else:
            why = "cannot be resized"
        raise StorageProblem(f"{where} --resize: {device.name} holds {fmt.type}, which {why}; "
                             "resize it elsewhere or reformat it")
    if fmt.type and fmt.exists and fmt.resizable:
        if fmt.min_size and new_size < fmt.min_size:
            raise StorageProblem(f"{where} --resize: {device.name} cannot shrink below "
                                 f"{fmt.min_size} (its data needs that much); asked {new_size}")
        if fmt.max_size and new_size > fmt.max_size:
            raise StorageProblem(f"{where} --resize: {fmt.type} on {device.name} grows to at most "
                                 f"{fmt.max_size}; asked {new_size}")
    if new_size == device.size:
        return
    try:
        session.blivet.resize_device(device, new_size)
    except ValueError as exc:
        raise StorageProblem(f"{where} --resize: {device.name}: {exc}") from None
    log.info("%s: resize %s from %s to %s", where, device.name, device.size, new_size)


def reuse(session: StorageSession, device, mountpoint: str, fstype: str, reformat: bool,
          fmt_args: dict, where: str) -> None:
    """Give an existing device its role: a new format, or its own one with a mount point."""
    mount = mountpoint if mountpoint.startswith("/") else None
    if reformat:
        if not fstype:
            raise StorageProblem(f"{where}: say which filesystem to make (--fstype)")
        session.blivet.format_device(device, get_format(fstype, mountpoint=mount, **fmt_args))
        log.info("%s: reformat %s as %s", where, device.name, fstype)
        return
    fmt = device.format
    if mountpoint == "swap" and fmt.type != "swap":
        raise StorageProblem(f"{where} --noformat: {device.name} holds {fmt.type or 'nothing'}, not swap")
    if mount:
        if not fmt.type or not getattr(fmt, "mountable", False):
            raise StorageProblem(f"{where} --noformat: {device.name} holds "
                                 f"{fmt.type or 'no filesystem'}, which cannot be mounted on {mount}; "
                                 "drop --noformat to make a new filesystem")
        if fstype and fstype != fmt.type:
            raise StorageProblem(f"{where} --noformat: {device.name} holds {fmt.type}, not {fstype}")
        fmt.mountpoint = mount
        if fmt_args.get("mountopts"):
            fmt.mountopts = fmt_args["mountopts"]
    log.info("%s: keep %s (%s) as it is%s", where, device.name, fmt.type,
             f", mounted on {mount}" if mount else "")


def reuse_encrypted(session: StorageSession, device, mountpoint: str, fstype: str,
                    luks_args: dict, fmt_args: dict, where: str):
    """--encrypted on a reused device: LUKS made on it, the new format inside LUKS;
    returns the LUKS mapping (what a pv.NN or raid.NN member is then)."""
    from blivet.devices import LUKSDevice

    if not luks_args.get("passphrase"):
        raise StorageProblem(f"{where} --encrypted needs --passphrase in a non-interactive install")
    reuse(session, device, "", "luks", True, luks_args, where)
    mount = mountpoint if mountpoint.startswith("/") else None
    luks = LUKSDevice(f"luks-{device.name}", parents=[device],
                      fmt=get_format(fstype, mountpoint=mount, **fmt_args))
    session.blivet.create_device(luks)
    return luks
