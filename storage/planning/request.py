"""What the user chose on the storage screens, as plain data.

The TUI edits a `LayoutRequest`; the planner renders it into kickstart storage commands
and plans those, so the request never touches blivet itself. Sizes are whole MiB, as in
kickstart. Field checks live in `storage.checker.request_checks`; this module only holds data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: How a mount point is made, in the words the storage screens use.
DEVICE_TYPES = ("partition", "lvm", "lvm thin", "raid", "btrfs")
#: autopart --type values, in the same order as Anaconda shows them.
SCHEMES = ("plain", "lvm", "thinp", "btrfs")
LUKS_VERSIONS = ("luks2", "luks1")
#: Mount points that are not directories: the swap area and GRUB's BIOS boot partition.
SPECIAL_MOUNTS = ("swap", "biosboot")
#: The volume group (or btrfs volume) a mount point joins when none is named.
DEFAULT_CONTAINER = "system"
#: Partition table types for new tables (`clearpart --disklabel`); "" is the default
#: (inst.disklabel, else gpt).
DISKLABELS = ("gpt", "msdos")
#: `LayoutRequest.boot_drive` for no boot loader at all (`bootloader --location=none`).
NO_BOOTLOADER = "none"


@dataclass
class Encryption:
    """One passphrase for every new encrypted device, as Anaconda's TUI asks it once."""
    passphrase: str = ""
    luks_version: str = "luks2"


@dataclass
class AutomaticLayout:
    """Anaconda's automatic partitioning (`autopart`)."""
    scheme: str = "lvm"  # one of SCHEMES
    encrypted: bool = False
    fstype: str = "xfs"


@dataclass
class MountRequest:
    """One mount point of a custom layout (`part`, `logvol`, `raid` or `btrfs`)."""
    mountpoint: str  # /, /home, swap, biosboot
    size: int  # MiB; for btrfs the room the mount point adds to its volume
    fstype: str = ""  # empty: the default for the mount point (xfs, swap, efi, biosboot)
    device_type: str = "partition"  # one of DEVICE_TYPES
    grow: bool = False  # take the free space left (shared among growing requests)
    max_size: int = 0  # MiB; 0: no limit when growing
    encrypted: bool = False
    raid_level: str = ""  # raid: raid0/1/4/5/6/10; btrfs: single/raid0/raid1/raid10
    volume_group: str = ""  # lvm, lvm thin: the volume group; btrfs: the volume's label
    reuse: str = ""  # an existing device instead of a new one: sda3, or VG/LV (old/data) for an LV
    reformat: bool = True  # False: keep the existing device's filesystem and data
    resize: int = 0  # MiB: a kept device resized (with its filesystem) to this; 0 keeps its size


@dataclass
class Reclaim:
    """What may go to make room: everything on the selected disks, or a list of
    partitions to delete (a disk name: its whole-disk content) and to shrink."""
    clear_all: bool = False
    delete: list[str] = field(default_factory=list)
    shrink: dict[str, int] = field(default_factory=dict)  # partition -> new size, MiB


@dataclass
class LayoutRequest:
    """Everything the storage screens decide; `automatic` None means a custom layout."""
    disks: list[str] = field(default_factory=list)
    reclaim: Reclaim = field(default_factory=Reclaim)
    automatic: AutomaticLayout | None = field(default_factory=AutomaticLayout)
    mounts: list[MountRequest] = field(default_factory=list)
    encryption: Encryption = field(default_factory=Encryption)
    boot_drive: str = ""  # a selected disk; "" the first one; NO_BOOTLOADER for none
    disklabel: str = ""  # one of DISKLABELS for new partition tables; "" the default

    def mount(self, mountpoint: str) -> MountRequest | None:
        return next((m for m in self.mounts if m.mountpoint == mountpoint), None)
