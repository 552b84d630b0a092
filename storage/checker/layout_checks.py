"""The checks Anaconda makes before it writes: a root filesystem, /boot where GRUB can
read it, and the boot loader's partitions on the boot disk. Each check is independent: one
whose premise is missing (no root: nothing to say about /boot) reports nothing."""
from __future__ import annotations

from storage.plan import mountpoints
from storage.platform import boot_disk

from . import CheckReport

#: What GRUB 2 reads /boot from (not thin LVs, not LUKS).
BOOT_DEVICE_TYPES = ("partition", "mdarray", "lvmlv", "btrfs volume", "btrfs subvolume")


def check_root(session, report: CheckReport) -> None:
    if "/" not in mountpoints(session):
        report.error("the layout has no root filesystem (/): add `part /` or `logvol /`, "
                     "or use autopart")


def check_boot_device(session, report: CheckReport) -> None:
    mounts = mountpoints(session)
    if "/" not in mounts:
        return
    boot = mounts.get("/boot", mounts["/"])
    where = "/boot" if "/boot" in mounts else "/ (there is no /boot)"
    if any(d.type == "luks/dm-crypt" for d in [boot, *boot.ancestors]):
        report.error(f"{where} is encrypted; the boot loader cannot read it: "
                     "add an unencrypted `part /boot`")
    elif boot.type not in BOOT_DEVICE_TYPES:
        report.error(f"{where} is on {boot.type} {boot.name}; the boot loader reads it only "
                     "from a partition, RAID1, a plain LVM volume or btrfs: add `part /boot`")
    elif boot.type == "mdarray" and boot.level.name != "raid1":
        report.error(f"{where} is on RAID level {boot.level.name}; only RAID1 can hold /boot")


def check_efi(session, report: CheckReport) -> None:
    if session.platform != "uefi" or not session.bootloader or boot_disk(session) is None:
        return
    if "/boot/efi" not in mountpoints(session):
        report.error("UEFI needs an EFI system partition: add `reqpart` or "
                     "`part /boot/efi --fstype=efi --size=600`")


def check_biosboot(session, report: CheckReport) -> None:
    boot = boot_disk(session)
    if session.platform == "uefi" or not session.bootloader or boot is None:
        return
    if boot.format.type == "disklabel" and boot.format.label_type == "gpt":
        if not any(p.format.type == "biosboot" and p.disk == boot for p in session.blivet.partitions):
            report.error(f"BIOS boot from GPT disk {boot.name} needs a biosboot partition "
                         "on it: add `reqpart` or `part biosboot --size=1`")
