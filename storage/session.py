"""The device tree the installer plans on: a blivet instance plus what is protected and
what was selected, for the machine's firmware and memory.

`scan()` reads the running system (udev, blivet's populator); `from_image_files()` makes
the same thing from sparse image files, which is how planning is tested without a VM
(blivet's DiskFile: parted works on files, nothing is written until execution).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from blivet import Blivet
from blivet.devices import DiskFile
from blivet.formats.disklabel import DiskLabel
from blivet.size import Size

log = logging.getLogger("anaconda.storage")

DEFAULT_LABEL = "gpt"  # as Anaconda on x86: GPT, with a biosboot partition for BIOS


@dataclass
class StorageSession:
    blivet: Blivet
    platform: str = "bios"  # or "uefi"
    memory: Size = field(default_factory=lambda: Size("2 GiB"))
    protected: dict[str, str] = field(default_factory=dict)  # disk name -> why
    selected: list[str] = field(default_factory=list)  # disk names the install may use

    @property
    def disks(self):
        return [d for d in self.blivet.disks if d.name in self.selected]

    def disk(self, spec: str):
        """A disk by name, /dev path, or /dev/disk/by-* link; None when unknown."""
        name = spec.removeprefix("/dev/")
        for disk in self.blivet.disks:
            if name in (disk.name, disk.path.removeprefix("/dev/")):
                return disk
        if spec.startswith("/dev/disk/") and os.path.exists(spec):
            target = os.path.basename(os.path.realpath(spec))
            return next((d for d in self.blivet.disks if d.name == target), None)
        return None


def detect_platform() -> str:
    return "uefi" if Path("/sys/firmware/efi").is_dir() else "bios"


def memory_total() -> Size:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return Size(f"{line.split()[1]} KiB")
    return Size("2 GiB")


#: The prefix of new volume group names (Anaconda uses the product's: "fedora").
PRODUCT = "system"


def _new_blivet() -> Blivet:
    DiskLabel.set_default_label_type(DEFAULT_LABEL)
    storage = Blivet()
    storage.short_product_name = PRODUCT
    return storage


def scan() -> StorageSession:
    """Populate the tree from the running system; every disk starts selected."""
    storage = _new_blivet()
    storage.reset()
    session = StorageSession(storage, detect_platform(), memory_total())
    session.selected = [d.name for d in storage.disks]
    log.info("Scanned %d disks: %s", len(storage.disks),
             ", ".join(f"{d.name} ({d.size})" for d in storage.disks))
    return session


def from_image_files(paths: list[Path], platform: str = "bios",
                     memory: Size | None = None) -> StorageSession:
    """A session over sparse image files standing in for disks (planning only)."""
    storage = _new_blivet()
    for path in paths:
        storage.devicetree._add_device(DiskFile(str(path)))
    session = StorageSession(storage, platform, memory or Size("2 GiB"))
    session.selected = [d.name for d in storage.disks]
    return session
