"""`part`, `logvol`, `raid`, `btrfs`, `autopart`: the layout's requests, one at a time.

What can be seen without disks is checked here, so a wrong layout stops with exit 2 and
file:line before a disk is scanned: mount points (Anaconda keeps /etc, /usr/bin... on /),
file system types, sizes, LUKS versions, /boot where the boot loader can read it, and
tmpfs mounts. Names tying requests together are checked in `storage_refs`; whether the
layout fits on the disks stays the planner's question.
"""
from __future__ import annotations

from dataclasses import dataclass

from storage.planning.request import LUKS_VERSIONS
from storage.checker.mount_checks import ON_ROOT_ONLY, VIRTUAL

from . import storage_refs
from .findings import Findings, Where, where_each, where_of

#: File systems kickstart may ask for by --fstype (what blivet makes here).
FSTYPES = ("xfs", "ext4", "ext3", "ext2", "btrfs", "vfat", "efi", "swap", "biosboot",
           "prepboot", "tmpfs")
ROOT_FSTYPES = ("xfs", "ext4", "ext3", "ext2", "btrfs")
#: Roles of a request that has no mount point; --fstype is decided by the role.
ROLES = {"swap": "swap", "biosboot": "biosboot", "prepboot": "prepboot", "pv.": "lvmpv",
         "raid.": "mdmember", "btrfs.": "btrfs"}
NOT_MOUNTABLE = ("swap", "biosboot", "prepboot")


@dataclass
class Request:
    """One layout line: its command, mount point (or role), data object and place."""

    command: str  # part, logvol, raid, btrfs
    mount: str
    data: object
    where: Where

    @property
    def what(self) -> str:
        return f"{self.command} {self.mount}"

    @property
    def reuses(self) -> bool:
        """An existing device kept or reformatted: its size is not asked for."""
        data = self.data
        return bool(getattr(data, "onPart", "") or getattr(data, "preexist", False)
                    or not getattr(data, "format", True))


def requests(loaded) -> list[Request]:
    handler = loaded.handler
    found = []
    for command, items, names in (
            ("part", handler.partition.partitions, ("part", "partition")),
            ("logvol", handler.logvol.lvList, ("logvol",)),
            ("raid", handler.raid.raidList, ("raid",)),
            ("btrfs", handler.btrfs.btrfsList, ("btrfs",))):
        items = list(items)
        for data, where in zip(items, where_each(loaded, items, *names)):
            found.append(Request(command, data.mountpoint or "", data, where))
    return found


def role_of(mount: str) -> str | None:
    """The format a role name fixes (swap, lvmpv for pv.01...), None for a mount path."""
    for prefix, fstype in ROLES.items():
        if mount == prefix or (prefix.endswith(".") and mount.startswith(prefix) and len(mount) > len(prefix)):
            return fstype
    return None


def mount_problem(request: Request) -> str | None:
    mount = request.mount
    if role_of(mount) or mount.lower() == "none":
        return None
    if not mount.startswith("/"):
        return (f"{mount!r} is not a mount point: give an absolute path (/home), swap, "
                "biosboot, or pv.NN / raid.NN / btrfs.NN for a member")
    if any(c.isspace() or c in "\"'\\" for c in mount) or any(p in (".", "..") for p in mount.split("/")):
        return f"{mount!r} must be a plain path without spaces, quotes, . or .."
    clean = "/" + "/".join(p for p in mount.split("/") if p)
    if clean in ON_ROOT_ONLY or (clean + "/").startswith(VIRTUAL):
        return f"{clean} must stay on the / file system; leave this line out"
    return None


def fstype_problem(request: Request, found: Findings) -> None:
    """--fstype against the mount point or role; a role's own format wins (a warning)."""
    data, mount = request.data, request.mount
    fstype = (getattr(data, "fstype", "") or "").lower()
    role = role_of(mount)
    if not fstype:
        return
    if fstype not in FSTYPES:
        found.error(request.where, f"{request.what} --fstype={fstype}: not a file system this "
                    f"installer makes; use one of {', '.join(FSTYPES)}")
    elif role:
        if fstype != role:
            found.warn(request.where, f"{request.what} --fstype={fstype} is ignored: {mount} "
                       f"is always {role}")
    elif mount.lower() == "none":
        return
    elif fstype in NOT_MOUNTABLE:
        found.error(request.where, f"{request.what} --fstype={fstype}: {fstype} has no mount "
                    f"point; write `{request.command} {fstype} ...` for it, and give {mount} a "
                    "file system such as xfs or ext4")
    elif fstype == "efi" and mount != "/boot/efi":
        found.error(request.where, f"{request.what} --fstype=efi: the EFI system partition is "
                    "mounted on /boot/efi; use vfat for other mount points")
    elif mount == "/" and fstype not in ROOT_FSTYPES:
        found.error(request.where, f"{request.what} --fstype={fstype}: / needs a Linux file "
                    f"system: {', '.join(ROOT_FSTYPES)}")
    elif fstype == "tmpfs":
        tmpfs_problem(request, found)


def tmpfs_problem(request: Request, found: Findings) -> None:
    """Anaconda's `part /tmp --fstype=tmpfs --size=N`: a tmpfs fstab line, no partition."""
    data = request.data
    if request.command != "part":
        found.error(request.where, f"{request.what} --fstype=tmpfs: tmpfs lives in memory; "
                    f"write it as `part {request.mount} --fstype=tmpfs --size=MiB`")
    elif request.mount == "/" or request.mount.startswith("/boot"):
        found.error(request.where, f"{request.what} --fstype=tmpfs: {request.mount} must be "
                    "on a disk (tmpfs is empty at every boot)")
    else:
        extras = [name for name, value in (("--ondisk", data.disk), ("--onpart", data.onPart),
                                           ("--encrypted", data.encrypted), ("--grow", data.grow))
                  if value]
        if extras:
            found.error(request.where, f"{request.what} --fstype=tmpfs: {', '.join(extras)} "
                        "cannot apply to a tmpfs (it lives in memory); leave them out")


def size_problem(request: Request, found: Findings) -> None:
    data = request.data
    size = getattr(data, "size", None)
    if request.reuses and not getattr(data, "resize", False):
        return
    if size is not None and size <= 0:
        found.error(request.where, f"{request.what} --size={size}: give the size in MiB, more than 0")
    maxsize = getattr(data, "maxSizeMB", 0) or 0
    if maxsize and size and getattr(data, "grow", False) and maxsize < size:
        found.error(request.where, f"{request.what} --maxsize={maxsize} is below --size={size}; "
                    "--maxsize caps how far --grow goes")


def luks_problem(what: str, data, where: Where, found: Findings) -> None:
    version = getattr(data, "luks_version", "") or ""
    if version and version not in LUKS_VERSIONS:
        found.error(where, f"{what} --luks-version={version}: use {' or '.join(LUKS_VERSIONS)}")


def boot_problem(request: Request, found: Findings) -> None:
    """/boot where GRUB reads it: not encrypted, not a thin volume, RAID1 only."""
    if request.mount != "/boot":
        return
    data = request.data
    if getattr(data, "encrypted", False):
        found.error(request.where, f"{request.what} --encrypted: the boot loader cannot read an "
                    "encrypted /boot; leave /boot unencrypted")
    if getattr(data, "thin_volume", False):
        found.error(request.where, f"{request.what} --thin: the boot loader cannot read a thin "
                    "volume; make /boot a partition or a plain logical volume")
    level = (getattr(data, "level", "") or "").lower().replace("raid", "")
    if request.command == "raid" and level and level != "1":
        found.error(request.where, f"{request.what} --level={data.level}: only RAID1 can hold /boot")


def check_autopart(loaded, found: Findings) -> None:
    autopart = loaded.handler.autopart
    if not autopart.autopart:
        return
    where = where_of(loaded, "autopart")
    fstype = (autopart.fstype or "").lower()
    if fstype and fstype not in ROOT_FSTYPES:
        found.error(where, f"autopart --fstype={fstype}: / needs a Linux file system: "
                    f"{', '.join(ROOT_FSTYPES)}")
    luks_problem("autopart", autopart, where, found)


def check_storage(loaded, found: Findings) -> None:
    check_autopart(loaded, found)
    layout = requests(loaded)
    for request in layout:
        problem = mount_problem(request)
        if problem:
            found.error(request.where, f"{request.what}: {problem}")
            continue
        fstype_problem(request, found)
        size_problem(request, found)
        luks_problem(request.what, request.data, request.where, found)
        boot_problem(request, found)
    storage_refs.check_references(loaded, layout, found)
