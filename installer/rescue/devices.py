"""The block devices rescue mode looks at, and what each one holds.

Only the disks it is given are looked at (on the installer image every disk the kernel
lists; in tests the loop devices a test made) and what gets built on them (md arrays,
opened LUKS, LVs). What a device holds comes from `blkid -p`, which reads the device
itself rather than a cache that may be stale after an unlock; nothing here writes.
"""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from installer import program

log = logging.getLogger("anaconda.rescue")

LUKS = "crypto_LUKS"
LVM_PV = "LVM2_member"
MD_MEMBER = "linux_raid_member"
#: File systems a Linux root may be on (the installer's own rule for `/`).
ROOT_FSTYPES = ("ext4", "ext3", "ext2", "xfs", "btrfs")
#: Kernel names that are never disks to rescue: RAM and zRAM disks, loop devices (the
#: installer's own images), optical drives, floppies, and what is built on disks (found
#: through their members instead).
NOT_DISKS = ("loop", "ram", "zram", "sr", "fd", "dm-", "md", "nbd")
SYS_BLOCK = Path("/sys/class/block")

Runner = Callable[..., program.ProgramResult]


@dataclass(frozen=True)
class Device:
    """A block device and the signature blkid found on it (`fstype` "" when none)."""

    path: str
    fstype: str = ""
    uuid: str = ""
    label: str = ""
    partuuid: str = ""
    partlabel: str = ""
    size: int = 0  # bytes
    #: other paths that name the same device (an LV is /dev/VG/LV and /dev/mapper/VG-LV)
    aliases: tuple[str, ...] = ()

    @property
    def kernel_name(self) -> str:
        """vda2, dm-3, md127: the name under /sys/class/block."""
        return os.path.basename(os.path.realpath(self.path))

    def describe(self) -> str:
        """"/dev/vda2 (crypto_LUKS, 7.5 GiB)", for prompts and messages."""
        what = [w for w in (self.fstype, self.label and f"label {self.label}",
                            self.size and human_size(self.size)) if w]
        return f"{self.path} ({', '.join(what)})" if what else self.path

    def matches(self, spec: str) -> bool:
        """Does an fstab or crypttab spec (UUID=, LABEL=, PARTUUID=, PARTLABEL=, a /dev
        path or /dev/disk/by-* link) name this device?"""
        tag, sep, value = spec.partition("=")
        if sep and tag in ("UUID", "LABEL", "PARTUUID", "PARTLABEL"):
            value = value.strip('"')
            return bool(value) and getattr(self, tag.lower()).lower() == value.lower()
        by = {"/dev/disk/by-uuid/": self.uuid, "/dev/disk/by-label/": self.label,
              "/dev/disk/by-partuuid/": self.partuuid, "/dev/disk/by-partlabel/": self.partlabel}
        for prefix, own in by.items():
            if spec.startswith(prefix):
                return bool(own) and own.lower() == spec[len(prefix):].lower()
        if spec in (self.path, *self.aliases):
            return True
        return spec.startswith("/dev/") and os.path.exists(spec) and \
            os.path.realpath(spec) == os.path.realpath(self.path)


def human_size(size: int) -> str:
    for unit, factor in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def sys_dir(path: str) -> Path:
    return SYS_BLOCK / os.path.basename(os.path.realpath(path))


def size_of(path: str) -> int:
    try:
        return int((sys_dir(path) / "size").read_text()) * 512
    except (OSError, ValueError):
        return 0


def probe(path: str, aliases: tuple[str, ...] = (), run: Runner = program.run) -> Device:
    """What `path` holds, read from the device by blkid's low-level probe (exit 2: no
    signature found, which is an answer too)."""
    result = run(["blkid", "-p", "-o", "export", path])
    values: dict[str, str] = {}
    if result.returncode == 0:
        for line in result.output.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    elif result.returncode != 2:
        log.warning("blkid could not read %s (exit %d): %s", path, result.returncode,
                    result.output.strip())
    return Device(path=path, fstype=values.get("TYPE", ""), uuid=values.get("UUID", ""),
                  label=values.get("LABEL", ""), partuuid=values.get("PART_ENTRY_UUID", ""),
                  partlabel=values.get("PART_ENTRY_NAME", ""), size=size_of(path),
                  aliases=aliases)


def partitions(disk: str) -> list[str]:
    """The partitions of `disk` as /dev paths, in partition-number order (sysfs knows them
    as soon as the kernel read the table)."""
    base = sys_dir(disk)
    found = []
    try:
        for child in base.iterdir():
            number = child / "partition"
            if number.is_file():
                found.append((int(number.read_text()), f"/dev/{child.name}"))
    except OSError:
        return []
    return [path for _, path in sorted(found)]


def default_disks(sys_block: Path = Path("/sys/block")) -> list[str]:
    """Every disk the kernel lists, as /dev paths (what the installer image rescues)."""
    names = sorted(p.name for p in sys_block.iterdir()) if sys_block.is_dir() else []
    return [f"/dev/{name}" for name in names if not name.startswith(NOT_DISKS)]


def holders(path: str) -> list[str]:
    """Kernel names of the devices built on `path` (an open LUKS mapping, a running md)."""
    try:
        return sorted(p.name for p in (sys_dir(path) / "holders").iterdir())
    except OSError:
        return []


def mounted_sources(mounts: Path = Path("/proc/self/mounts")) -> dict[str, str]:
    """Real device path -> where it is mounted; a device the running system uses is left
    alone (the installer's own medium, a host's root)."""
    found: dict[str, str] = {}
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0].startswith("/dev/"):
            found.setdefault(os.path.realpath(fields[0]), fields[1])
    return found


def wait_for(path: str, timeout: float = 10.0) -> bool:
    """A device node made by the kernel (devtmpfs) or udev may lag its command a little."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
