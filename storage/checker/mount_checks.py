"""Checks on one mount point of a custom layout, field by field, in the order the TUI
shows the fields; the first wrong field is reported with what would be accepted. Defaults
(file system, volume group, RAID level) are filled in on the way, so the planner renders
only checked, complete requests.
"""
from __future__ import annotations

import re
from dataclasses import replace

from storage.planning.request import DEFAULT_CONTAINER, DEVICE_TYPES, SPECIAL_MOUNTS, Encryption, LayoutRequest, MountRequest
from storage.checker.request_checks import Capabilities, RequestProblem, check_encrypted

#: RAID levels and the disks each needs (mdadm; btrfs's data profiles).
MD_LEVELS = {"raid0": 2, "raid1": 2, "raid4": 3, "raid5": 3, "raid6": 4, "raid10": 4}
BTRFS_LEVELS = {"single": 1, "raid0": 2, "raid1": 2, "raid10": 4}
#: Directories that must stay on the root filesystem (Anaconda's list) or are virtual.
ON_ROOT_ONLY = ("/bin", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin",
                "/sys", "/mnt", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64")
VIRTUAL = ("/dev/", "/proc/", "/sys/", "/run/")
#: The boot loader reads these before any passphrase can be asked.
UNENCRYPTED = ("/boot", "/boot/efi", "biosboot")
_NAME = re.compile(r"[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}")


def default_fstype(mountpoint: str, device_type: str, caps: Capabilities) -> str:
    if mountpoint in SPECIAL_MOUNTS:
        return mountpoint
    if mountpoint == "/boot/efi":
        return "efi"
    if device_type == "btrfs":
        return "btrfs"
    return next((f for f in ("xfs", "ext4") if f in caps.fstypes), "xfs")


def normal_level(level: str) -> str:
    """"1", "RAID1" and "raid1" are one level; btrfs's "single" stays as it is."""
    level = level.strip().lower()
    return f"raid{level}" if level.isdigit() else level


def check_mountpoint(mountpoint: str, others: list[MountRequest]) -> str:
    """The mount point, tidied (/home/ is /home); unique among `others`."""
    mount = mountpoint.strip()
    if not mount:
        raise RequestProblem("mount point", "give one: a path such as /home, or swap or biosboot")
    if mount not in SPECIAL_MOUNTS:
        if not mount.startswith("/"):
            raise RequestProblem("mount point", f"{mount} must start with / (or be swap or biosboot)")
        if any(c.isspace() or c in "\"'\\" for c in mount):
            raise RequestProblem("mount point", f"{mount!r} must not contain spaces, quotes or backslashes")
        parts = [p for p in mount.split("/") if p]
        if any(p in (".", "..") for p in parts):
            raise RequestProblem("mount point", f"{mount} must not contain . or .. parts")
        mount = "/" + "/".join(parts)
        if mount in ON_ROOT_ONLY or (mount + "/").startswith(VIRTUAL):
            raise RequestProblem("mount point", f"{mount} must stay on the / file system; leave it out")
    if any(m.mountpoint == mount for m in others):
        raise RequestProblem("mount point", f"{mount} is already in the layout; edit that one instead")
    return mount


def _check_device_type(mount: str, device_type: str, caps: Capabilities) -> None:
    if device_type not in DEVICE_TYPES:
        raise RequestProblem("device type", f"{device_type} is not one of {', '.join(DEVICE_TYPES)}")
    if device_type in caps.unavailable:
        raise RequestProblem("device type", f"{device_type} cannot be made here: {caps.unavailable[device_type]}")
    if mount in ("biosboot", "/boot/efi") and device_type != "partition":
        raise RequestProblem("device type", f"{mount} must be a partition")
    if mount == "swap" and device_type == "btrfs":
        raise RequestProblem("device type", "swap cannot live on btrfs; choose partition, lvm or raid")


def _check_fstype(mount: str, device_type: str, fstype: str, caps: Capabilities, made: bool = True) -> None:
    if made and fstype not in caps.fstypes:
        choices = [f for f in caps.fstypes if f not in ("swap", "biosboot", "efi")]
        raise RequestProblem("file system", f"{fstype} cannot be made here; choose one of {', '.join(choices)}")
    for special in ("swap", "biosboot"):
        if mount == special and fstype != special:
            raise RequestProblem("file system", f"the {special} mount point holds {special}; "
                                 f"choose {special} or leave the file system empty")
        if fstype == special and mount != special:
            raise RequestProblem("file system", f"{special} has no mount point: use the mount point "
                                 f"{special} instead of {mount}")
    if fstype == "efi" and mount != "/boot/efi":
        raise RequestProblem("file system", f"efi is for /boot/efi only; choose another for {mount}")
    if device_type == "btrfs" and fstype != "btrfs":
        raise RequestProblem("file system", f"a btrfs mount point holds btrfs; for {fstype} "
                             "choose device type partition, lvm or raid")
    if fstype == "btrfs" and device_type != "btrfs":
        raise RequestProblem("file system", "btrfs is made with device type btrfs; choose that device type")


def _check_sizes(mount: MountRequest, fstype: str, caps: Capabilities) -> None:
    if not isinstance(mount.size, int) or isinstance(mount.size, bool) or mount.size <= 0:
        raise RequestProblem("size", f"{mount.size} MiB is not a size; give a whole number of MiB above 0")
    least = caps.min_sizes.get(fstype, 0) if mount.reformat else 0
    if mount.device_type != "btrfs" and mount.size < least:
        raise RequestProblem("size", f"{fstype} needs at least {least} MiB; {mount.size} MiB is too small")
    if not isinstance(mount.max_size, int) or mount.max_size < 0 or 0 < mount.max_size < mount.size:
        raise RequestProblem("maximum size", f"{mount.max_size} MiB is below the size {mount.size} MiB; "
                             "raise it, or give 0 for no limit")


def _kind(device_type: str) -> str:
    return "btrfs volume" if device_type == "btrfs" else "volume group"


def _siblings(others: list[MountRequest], device_type: str, name: str) -> list[MountRequest]:
    kind = _kind(device_type)
    return [m for m in others if m.device_type in ("lvm", "lvm thin", "btrfs")
            and _kind(m.device_type) == kind and m.volume_group == name]


def _check_container(mount: MountRequest, others: list[MountRequest], caps_taken: set[str]) -> str:
    """The volume group (lvm) or volume label (btrfs) the mount point joins."""
    if mount.device_type not in ("lvm", "lvm thin", "btrfs"):
        if mount.volume_group.strip():
            raise RequestProblem("volume group", "only lvm, lvm thin and btrfs mount points join one; "
                                 f"leave it empty for {mount.device_type}")
        return ""
    kind = _kind(mount.device_type)
    other_kind = {m.volume_group for m in others if m.device_type in ("lvm", "lvm thin", "btrfs")
                  and _kind(m.device_type) != kind}
    name = mount.volume_group.strip()
    if not name:
        candidates = [DEFAULT_CONTAINER] + [f"{DEFAULT_CONTAINER}{n:02d}" for n in range(100)]
        name = next(c for c in candidates if c not in other_kind and c not in caps_taken)
    if not _NAME.fullmatch(name) or name in (".", ".."):
        raise RequestProblem("volume group", f"{name!r} is not a usable name; use letters, digits and "
                             "+ _ . - (not starting with -), at most 127")
    if name in other_kind:
        user = next(m.mountpoint for m in others if m.volume_group == name)
        other = "btrfs volume" if kind == "volume group" else "volume group"
        raise RequestProblem("volume group", f"{name} is already a {other} (used by {user}); choose another name")
    return name


def _check_level(mount: MountRequest, siblings: list[MountRequest], disks: int) -> str:
    level = normal_level(mount.raid_level)
    if mount.device_type == "raid":
        levels = MD_LEVELS
        if not level:
            raise RequestProblem("RAID level", f"choose one: {', '.join(MD_LEVELS)}")
    elif mount.device_type == "btrfs":
        levels = BTRFS_LEVELS
        set_by = next((m for m in siblings if m.raid_level), None)
        if set_by and level and level != set_by.raid_level:
            raise RequestProblem("RAID level", f"btrfs volume {mount.volume_group} already uses "
                                 f"{set_by.raid_level} (set by {set_by.mountpoint}); use the same "
                                 "level or another volume")
        level = level or (set_by.raid_level if set_by else "single")
    else:
        if level:
            raise RequestProblem("RAID level", "only raid and btrfs mount points have one; leave it "
                                 f"empty for {mount.device_type}")
        return ""
    if level not in levels:
        raise RequestProblem("RAID level", f"{mount.raid_level} is not one of {', '.join(levels)}")
    if disks < levels[level]:
        raise RequestProblem("RAID level", f"{level} needs at least {levels[level]} disks and "
                             f"{disks} {'is' if disks == 1 else 'are'} selected: select more disks "
                             "or choose another level")
    return level


def _check_encrypted_mount(mount: MountRequest, siblings: list[MountRequest], encryption: Encryption,
                           caps: Capabilities) -> None:
    if not mount.encrypted:
        pass
    elif mount.mountpoint in UNENCRYPTED:
        raise RequestProblem("encrypted", f"{mount.mountpoint} must stay unencrypted: the boot loader "
                             "reads it before a passphrase can be typed")
    else:
        check_encrypted(True, encryption, caps)
    differing = next((m for m in siblings if m.encrypted != mount.encrypted), None)
    if differing:
        kind = _kind(mount.device_type)
        raise RequestProblem("encrypted", f"{kind} {mount.volume_group} is encrypted as a whole, and "
                             f"{differing.mountpoint} in it is {'' if differing.encrypted else 'not '}"
                             f"encrypted: set both alike or put {mount.mountpoint} in another {kind}")


def check_mount(mount: MountRequest, request: LayoutRequest, caps: Capabilities,
                replacing: str | None = None, taken: set[str] = frozenset()) -> MountRequest:
    """The mount request with its defaults filled in, or the first field that is wrong.

    `replacing` is the mount point being edited (it does not clash with itself); `taken`
    holds names of volume groups already on the disks, which a default name avoids."""
    others = [m for m in request.mounts if replacing is None or m.mountpoint != replacing]
    mountpoint = check_mountpoint(mount.mountpoint, others)
    _check_device_type(mountpoint, mount.device_type, caps)
    fstype = mount.fstype.strip() or default_fstype(mountpoint, mount.device_type, caps)
    _check_fstype(mountpoint, mount.device_type, fstype, caps, made=mount.reformat)
    _check_sizes(mount, fstype, caps)
    name = _check_container(mount, others, set(taken))
    siblings = _siblings(others, mount.device_type, name) if name else []
    checked = replace(mount, mountpoint=mountpoint, fstype=fstype, volume_group=name)
    level = _check_level(checked, siblings, len(request.disks))
    _check_encrypted_mount(checked, siblings, request.encryption, caps)
    return replace(checked, raid_level=level)
