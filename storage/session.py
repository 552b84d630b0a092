"""The device tree the installer plans on: a blivet instance plus what is protected and
what was selected, for the machine's firmware and memory.

`scan()` reads the running system (udev, blivet's populator); `from_image_files()` makes
the same thing from sparse image files, which is how planning is tested without a VM
(blivet's DiskFile: parted works on files, nothing is written until execution).
"""
from __future__ import annotations

import logging
import os
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import parted
from blivet import Blivet
from blivet.devices import DiskFile
from blivet.formats import get_format
from blivet.formats.disklabel import DiskLabel
from blivet.size import Size

from .blivet_adapter import add_existing_device, ImagePartition
from .luks_child import route_key_derivation

log = logging.getLogger("anaconda.storage")

DEFAULT_LABEL = "gpt"  # as Anaconda on x86: GPT, with a biosboot partition for BIOS


@dataclass
class StorageSession:
    blivet: Blivet
    platform: str = "bios"  # or "uefi"
    memory: Size = field(default_factory=lambda: Size("2 GiB"))
    protected: dict[str, str] = field(default_factory=dict)  # disk name -> why
    selected: list[str] = field(default_factory=list)  # disk names the install may use
    boot_drive: str = ""  # bootloader --boot-drive; empty: the first selected disk
    bootloader: bool = True  # False for bootloader --location=none: no boot partitions needed
    disklabel: str = DEFAULT_LABEL  # for new partition tables (inst.disklabel); clearpart --disklabel wins
    plan_only: bool = False  # a dry run: never executed, so missing tools are noted, not fatal
    warnings: list[str] = field(default_factory=list)  # for the user, said once planning is done
    snapshots: list = field(default_factory=list)  # storage.snapshots.SnapshotRequest, checked
    swaps_on: set[int] = field(default_factory=set)  # ids of swaps execution activated

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
    route_key_derivation()  # Argon2's memory in a child, not in the installer
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


def _probe(path: str, offset: int, size: int) -> dict[str, str]:
    """blkid on a byte range of an image file: the filesystem a partition holds."""
    out = subprocess.run(["blkid", "-p", "-o", "export", "-O", str(offset), "-S", str(size), path],
                         capture_output=True, text=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def _partition_uuids(path: str, label_type: str) -> dict[int, str]:
    """Partition number -> PARTUUID of an image file's table, as udev reports it for a
    real disk: GPT entries' unique GUIDs, or msdos' disk signature and number."""
    found: dict[int, str] = {}
    try:
        with open(path, "rb") as image:
            if label_type == "msdos":
                image.seek(440)
                signature = int.from_bytes(image.read(4), "little")
                return {n: f"{signature:08x}-{n:02x}" for n in range(1, 129)} if signature else {}
            image.seek(512)
            header = image.read(92)
            if header[:8] != b"EFI PART" or int.from_bytes(header[84:88], "little") < 128:
                return found
            start = int.from_bytes(header[72:80], "little")
            count = int.from_bytes(header[80:84], "little")
            size = int.from_bytes(header[84:88], "little")
            image.seek(start * 512)
            table = image.read(min(count, 256) * size)
    except OSError:
        return found
    for number in range(1, len(table) // size + 1):
        entry = table[(number - 1) * size:number * size]
        if entry[:16] != bytes(16):
            found[number] = str(uuid.UUID(bytes_le=entry[16:32]))
    return found


def _add_existing_layout(storage: Blivet, disk: DiskFile) -> None:
    """The partition table and filesystems already in an image file, as existing devices,
    so that clearpart, --onpart and the planner see what a scan would show."""
    try:
        label = get_format("disklabel", device=disk.path, exists=True)
    except Exception:  # no partition table: an empty disk
        label = None
    if label is None or not label.label_type:  # blivet makes an empty label of a blank file
        disk.format = get_format(None)
        return
    disk.format = label
    uuids = _partition_uuids(disk.path, label.label_type)
    for parted_part in disk.format.partitions:
        if parted_part.type & parted.PARTITION_EXTENDED:
            continue
        separator = "p" if disk.name[-1].isdigit() else ""  # as parted and the kernel name them
        part = ImagePartition(f"{disk.name}{separator}{parted_part.number}", os.path.dirname(disk.path),
                              exists=True, parents=[disk], uuid=uuids.get(parted_part.number))
        sector = parted_part.disk.device.sectorSize
        found = _probe(disk.path, parted_part.geometry.start * sector, parted_part.geometry.length * sector)
        if found.get("TYPE") and part.format.type is None:
            part.format = get_format(found["TYPE"], device=part.path, exists=True,
                                     uuid=found.get("UUID"), label=found.get("LABEL"))
        add_existing_device(storage, part)


def from_image_files(paths: list[Path], platform: str = "bios",
                     memory: Size | None = None) -> StorageSession:
    """A session over sparse image files standing in for disks (planning only); what the
    files already hold (partition table, partitions, filesystems) is read as existing."""
    storage = _new_blivet()
    for path in paths:
        disk = DiskFile(str(path))
        add_existing_device(storage, disk)
        _add_existing_layout(storage, disk)
    session = StorageSession(storage, platform, memory or Size("2 GiB"))
    session.selected = [d.name for d in storage.disks]
    return session
