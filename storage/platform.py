"""The boot loader's own partitions: biosboot on GPT for BIOS, /boot/efi on UEFI."""
from __future__ import annotations

import logging

from .session import StorageSession
from .sizing import BIOSBOOT_SIZE, BOOT_SIZE, EFI_SIZE

log = logging.getLogger("anaconda.storage")


def boot_disk(session: StorageSession):
    """bootloader --boot-drive, else the first selected disk (Anaconda's default order)."""
    disks = session.disks
    chosen = [d for d in disks if d.name == session.boot_drive]
    return (chosen or disks or [None])[0]


def platform_requests(session: StorageSession, add_boot: bool = False, boot_fstype: str = "xfs") -> list:
    """Schedule the partitions the boot loader needs on the boot disk (reqpart)."""
    storage = session.blivet
    disk = boot_disk(session)
    created = []
    if session.platform == "uefi":
        if not any(getattr(d.format, "mountpoint", None) == "/boot/efi" for d in storage.devices):
            created.append(storage.new_partition(fmt_type="efi", size=EFI_SIZE, mountpoint="/boot/efi",
                                                 parents=[disk]))
    elif disk.format.type == "disklabel" and disk.format.label_type == "gpt":
        if not any(d.format.type == "biosboot" for d in storage.partitions if d.disk == disk):
            created.append(storage.new_partition(fmt_type="biosboot", size=BIOSBOOT_SIZE, parents=[disk]))
    if add_boot and not any(getattr(d.format, "mountpoint", None) == "/boot" for d in storage.devices):
        created.append(storage.new_partition(fmt_type=boot_fstype, size=BOOT_SIZE, mountpoint="/boot",
                                             parents=[disk]))
    for device in created:
        storage.create_device(device)
        log.info("Boot loader partition planned: %s", getattr(device.format, "mountpoint", None) or device.format.type)
    return created
