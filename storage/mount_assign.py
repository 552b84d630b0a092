"""Kickstart's `mount DEVICE MOUNTPOINT [--reformat[=FSTYPE]] [--mkfsoptions] [--mountoptions]`:
Anaconda's mount point assignment. The devices exist already (made by `%pre`, an earlier
system or another tool); the kickstart only says where each is mounted and which ones get
a new filesystem. Nothing else of the layout is made, so the boot loader's partitions
must exist too.

DEVICE is a name or path (`vda2`, `/dev/vda2`, `/dev/mapper/vg-lv`, `/dev/disk/by-*`),
`LABEL=`, `UUID=`, `PARTUUID=` or `PARTLABEL=`. MOUNTPOINT `none` means: reformat only
(or, for swap, use it). Without `--reformat` the data is kept; `--reformat` alone makes a
new filesystem of the type the device holds, `--reformat=FSTYPE` one of that type.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from blivet.formats import get_format
from blivet.formats.fs import FS

from .errors import StorageProblem
from .existing import find_existing
from .session import StorageSession

log = logging.getLogger("anaconda.storage")

#: File systems `/` may be (the kickstart checks say the same for new ones).
ROOT_FSTYPES = ("xfs", "ext4", "ext3", "ext2", "btrfs")
#: Where Anaconda recommends a new file system when an old one is reused.
REFORMAT_ADVISED = ("/boot", "/var", "/tmp", "/usr")
REFORMAT_KEPT = ("/home", "/usr/local", "/opt", "/var/www")
#: Devices that hold other devices: a mount names one of those instead.
CONTAINERS = {"lvmvg": "a volume group: name one of its logical volumes",
              "lvmthinpool": "a thin pool: name one of its thin volumes",
              "btrfs volume": None}


@dataclass
class MountAssignment:
    device: str
    mountpoint: str  # /path, or "none"
    reformat: bool = False
    fstype: str = ""  # --reformat=FSTYPE; empty: the type the device holds
    mkfsoptions: str = ""
    mountoptions: str = ""
    lineno: int | None = None

    @property
    def where(self) -> str:
        return f"mount {self.device} {self.mountpoint}"

    @property
    def mount(self) -> str | None:
        return None if self.mountpoint.lower() == "none" else self.mountpoint

    def problem(self, text: str) -> StorageProblem:
        return StorageProblem(f"{self.where}: {text}", "mount", self.lineno)


def _by_partition_id(session: StorageSession, spec: str):
    """PARTUUID= and PARTLABEL= (blivet resolves only UUID= and LABEL=)."""
    key, _, value = spec.partition("=")
    value = value.strip("\"'")
    for part in session.blivet.partitions:
        if key == "PARTUUID" and (part.uuid or "").lower() == value.lower():
            return part
        parted_part = getattr(part, "parted_partition", None)
        if key == "PARTLABEL" and parted_part is not None and _gpt_name(parted_part) == value:
            return part
    return None


def _gpt_name(parted_part) -> str | None:
    try:
        return parted_part.name
    except Exception:  # msdos tables have no names; pyparted raises
        return None


def _mountable(fmt) -> bool:
    """A file system a mount point can hold, wherever the plan is made (blivet's own
    `mountable` asks whether this host's kernel could mount it now)."""
    return isinstance(fmt, FS) and fmt.type is not None


def find_device(session: StorageSession, request: MountAssignment):
    spec = request.device
    if spec.upper().startswith(("PARTUUID=", "PARTLABEL=")):
        spec = spec.split("=", 1)[0].upper() + "=" + spec.split("=", 1)[1]
        device = _by_partition_id(session, spec)
        if device is None:
            raise request.problem(f"no partition has {spec}")
        spec = device.name
    try:
        return find_existing(session, spec, request.where)
    except StorageProblem as exc:
        raise StorageProblem(exc.message, "mount", request.lineno) from None


def _check_device(request: MountAssignment, device) -> None:
    if device.type in CONTAINERS and CONTAINERS[device.type]:
        raise request.problem(f"{device.name} is {CONTAINERS[device.type]}")
    if device.is_disk and device.format.type == "disklabel":
        raise request.problem(f"{device.name} is a disk with a partition table; name one of "
                              f"its partitions ({', '.join(c.name for c in device.children) or 'it has none'})")
    users = [c for c in device.children if c.exists]
    if request.reformat and users:
        raise request.problem(f"{device.name} holds {device.format.type}, in use by "
                              f"{', '.join(f'{c.type} {c.name}' for c in users)}; a new "
                              "file system on it would destroy that")
    if device.format.type == "luks" and not request.reformat:
        raise request.problem(f"{device.name} is encrypted (LUKS); `mount` cannot unlock it: "
                              "name the unlocked device, or use part/logvol --encrypted")


def _reformat(session: StorageSession, request: MountAssignment, device) -> None:
    fstype = request.fstype or device.format.type
    if not fstype:
        raise request.problem(f"{device.name} holds nothing to make again; give the new type "
                              "as --reformat=FSTYPE")
    if device.type in ("btrfs volume", "btrfs subvolume"):
        raise request.problem(f"{device.name} is a {device.type}; a new btrfs is not made over an "
                              "existing one here: mount it without --reformat, or reformat its "
                              "partitions")
    mount = request.mount
    if mount == "/boot/efi" and fstype == "vfat":
        fstype = "efi"
    args = {}
    if request.mkfsoptions:
        args["create_options"] = request.mkfsoptions
    if request.mountoptions:
        args["mountopts"] = request.mountoptions
    fmt = get_format(fstype, **args)
    if fmt.type != fstype:
        raise request.problem(f"--reformat={fstype}: not a format this installer makes")
    if mount:
        if not _mountable(fmt):
            raise request.problem(f"{fstype} cannot be mounted on {mount}; use `none` as the mount point")
        fmt.mountpoint = mount
    session.blivet.format_device(device, fmt)
    log.info("%s: %s gets a new %s", request.where, device.name, fstype)


def _keep(session: StorageSession, request: MountAssignment, device) -> None:
    fmt, mount = device.format, request.mount
    if mount is None:
        if fmt.type != "swap":
            session.warnings.append(f"{request.where} (kickstart line {request.lineno}): nothing "
                                    f"to do: neither a mount point nor --reformat")
        return
    if not _mountable(fmt):
        raise request.problem(f"{device.name} holds {fmt.type or 'no file system'}, which cannot "
                              f"be mounted on {mount}; add --reformat=FSTYPE to make one")
    fmt.mountpoint = mount
    if request.mountoptions:
        fmt.mountopts = request.mountoptions
    if mount.startswith(REFORMAT_ADVISED) and not mount.startswith(REFORMAT_KEPT):
        session.warnings.append(f"{request.where} (kickstart line {request.lineno}): {mount} keeps "
                                f"its old {fmt.type}; a new file system (--reformat) is recommended")
    log.info("%s: %s keeps its %s and data", request.where, device.name, fmt.type)


def plan_mounts(session: StorageSession, requests: list[MountAssignment]) -> None:
    """Assign each request's device after clearpart; all checks before anything is done."""
    mounts: dict[str, MountAssignment] = {}
    devices: dict[str, MountAssignment] = {}
    for request in requests:
        device = find_device(session, request)
        _check_device(request, device)
        if device.name in devices:
            raise request.problem(f"{device.name} is already assigned by "
                                  f"{devices[device.name].where} (kickstart line {devices[device.name].lineno})")
        devices[device.name] = request
        mount = request.mount
        if mount:
            if mount in mounts:
                raise request.problem(f"mount point {mount} is already used by {mounts[mount].where}")
            mounts[mount] = request
        if request.reformat:
            _reformat(session, request, device)
        else:
            _keep(session, request, device)
        if mount == "/" and device.format.type not in ROOT_FSTYPES:
            raise request.problem(f"/ needs a Linux file system ({', '.join(ROOT_FSTYPES)}); "
                                  f"{device.name} {'would hold' if request.reformat else 'holds'} "
                                  f"{device.format.type}")
