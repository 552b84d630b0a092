"""`mount` and `snapshot` lines, checked before a disk is scanned.

`mount DEVICE MOUNTPOINT`: the mount point (as for part), the type of `--reformat=FSTYPE`
for that mount point, each mount point and device once, and no other layout command
beside it (pykickstart refuses most pairs; `btrfs` slips through, and Anaconda would then
ignore the btrfs lines). Whether the devices exist is the planner's question.

`snapshot --when=pre-install` with clearpart or zerombr is warned, as Anaconda does: they
may remove the volume the snapshot was just made of.
"""
from __future__ import annotations

from pykickstart.constants import CLEARPART_TYPE_ALL, SNAPSHOT_WHEN_PRE_INSTALL

from .findings import Findings, where_each
from .storage import FSTYPES, NOT_MOUNTABLE, ROOT_FSTYPES, Request, mount_problem

#: What --reformat may make (a tmpfs has no device).
REFORMAT_TYPES = tuple(f for f in FSTYPES if f != "tmpfs")


def _reformat_problem(mount: str, fstype: str) -> str | None:
    if fstype not in REFORMAT_TYPES:
        return f"--reformat={fstype}: not a format this installer makes; use one of {', '.join(REFORMAT_TYPES)}"
    if mount.lower() == "none":
        return None
    if fstype in NOT_MOUNTABLE:
        return f"--reformat={fstype}: {fstype} has no mount point; write `none` as the mount point"
    if fstype == "efi" and mount != "/boot/efi":
        return "--reformat=efi: the EFI system partition is mounted on /boot/efi; use vfat elsewhere"
    if mount == "/" and fstype not in ROOT_FSTYPES:
        return f"--reformat={fstype}: / needs a Linux file system: {', '.join(ROOT_FSTYPES)}"
    return None


def check_mount(loaded, found: Findings) -> None:
    handler = loaded.handler
    command = getattr(handler, "mount", None)
    items = list(command.mount_points) if command is not None else []
    if not items:
        return
    places = where_each(loaded, items, "mount")
    if handler.btrfs.btrfsList:
        found.error(places[0], "mount assigns existing devices and cannot be combined with btrfs "
                    "lines; use one way or the other")
    mounts: dict[str, object] = {}
    devices: dict[str, object] = {}
    for data, where in zip(items, places):
        what = f"mount {data.device} {data.mount_point}"
        problem = mount_problem(Request("mount", data.mount_point, data, where))
        if problem:
            found.error(where, f"{what}: {problem}")
            continue
        mount = data.mount_point
        if mount.lower() != "none":
            mount = "/" + "/".join(p for p in mount.split("/") if p)
            if mount in mounts:
                found.error(where, f"{what}: mount point {mount} is already used at {mounts[mount]}")
            mounts.setdefault(mount, where)
        device = data.device.removeprefix("/dev/")
        if device in devices:
            found.error(where, f"{what}: {data.device} is already assigned at {devices[device]}")
        devices.setdefault(device, where)
        fstype = (data.format or "").lower()
        if data.reformat and fstype:
            problem = _reformat_problem(mount, fstype)
            if problem:
                found.error(where, f"{what} {problem}")
        if mount.lower() == "none" and data.mount_opts:
            found.warn(where, f"{what} --mountoptions={data.mount_opts} is not applied: a device "
                       "without a mount point is not mounted (swap gets `defaults`)")


def check_snapshot(loaded, found: Findings) -> None:
    handler = loaded.handler
    command = getattr(handler, "snapshot", None)
    items = list(command.snapshotList) if command is not None else []
    clearpart = handler.clearpart
    risky = bool(clearpart.devices or clearpart.drives or clearpart.type == CLEARPART_TYPE_ALL
                 or handler.zerombr.zerombr)
    for data, where in zip(items, where_each(loaded, items, "snapshot")):
        if data.when == SNAPSHOT_WHEN_PRE_INSTALL and risky:
            found.warn(where, f"snapshot {data.origin} --name={data.name} --when=pre-install: "
                       "clearpart or zerombr may remove the volume group, and the snapshot with it")
