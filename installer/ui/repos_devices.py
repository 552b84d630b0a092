"""The partitions an hd: source can be on: every block device with a file system on it.

lsblk names the devices (partitions, whole disks without a partition table, loop devices,
optical drives) and blkid probes each for its file system, since lsblk's own FSTYPE needs
udev, which a boot image or a container may not run. Only reading: nothing is mounted
here (the check mounts the chosen one read-only, installer/sources.py). With --image
(a dry run on image files) only the loop devices backing those files are looked at, so a
dry run never offers the host's own disks.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from installer import program

log = logging.getLogger("anaconda.tui")

#: Formats that hold no mountable file system (or need unlocking/assembling first).
NOT_MOUNTABLE = {"", "swap", "LVM2_member", "linux_raid_member", "crypto_LUKS", "zfs_member",
                 "ddf_raid_member", "isw_raid_member", "BitLocker"}


@dataclass(frozen=True)
class Partition:
    name: str  # the kernel's name, as `harddrive --partition=` takes it: sdb1, loop0p1
    path: str
    size: int  # bytes
    fstype: str
    label: str = ""
    mountpoint: str = ""

    def summary(self) -> str:
        words = [self.name, self.fstype, f"{self.size / (1 << 30):.1f} GiB"
                 if self.size >= 1 << 30 else f"{self.size >> 20} MiB"]
        words += [f"LABEL={self.label}"] if self.label else []
        words += [f"mounted at {self.mountpoint}"] if self.mountpoint else []
        return "  ".join(words)


def image_devices(images: Sequence[Path]) -> list[str]:
    """The loop devices attached to these image files (losetup -j)."""
    found = []
    for image in images:
        result = program.run(["losetup", "-j", str(Path(image).resolve())])
        found += [line.split(":", 1)[0] for line in result.output.splitlines()
                  if line.startswith("/dev/")]
    return found


def _probe(path: str) -> dict[str, str]:
    result = program.run(["blkid", "-p", "-o", "export", path])
    if result.returncode != 0:
        return {}
    return dict(line.split("=", 1) for line in result.output.splitlines() if "=" in line)


def _leaves(devices: list[dict]) -> list[dict]:
    """Devices without children: a partitioned disk holds no file system itself."""
    found = []
    for device in devices:
        children = device.get("children") or []
        found += _leaves(children) if children else [device]
    return found


def list_partitions(devices: Sequence[str] | None = None) -> list[Partition]:
    """Partitions with a mountable file system on `devices` (None: all of this machine's);
    an empty `devices` lists nothing."""
    if devices is not None and not devices:
        return []
    argv = ["lsblk", "-J", "-b", "-p", "-o", "NAME,TYPE,SIZE,MOUNTPOINT", *(devices or [])]
    result = program.run(argv)
    if result.returncode != 0:
        log.info("lsblk failed: %s", result.output.strip())
        return []
    text = result.output
    try:
        tree = json.loads(text[text.find("{"):]).get("blockdevices", [])
    except ValueError:
        log.info("lsblk said no JSON: %s", text.strip())
        return []
    found = []
    for device in _leaves(tree):
        if device.get("type") not in ("part", "disk", "loop", "rom") or not device.get("size"):
            continue
        probed = _probe(device["name"])
        fstype = probed.get("TYPE", "")
        if fstype in NOT_MOUNTABLE:
            continue
        found.append(Partition(Path(device["name"]).name, device["name"], int(device["size"]),
                               fstype, probed.get("LABEL", ""), device.get("mountpoint") or ""))
    return found
