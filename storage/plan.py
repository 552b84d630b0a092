"""A planned layout: checks a user can act on, and the pending actions in words.

Nothing has been written while a plan exists; `describe_actions` is what --dry-run prints
and what the TUI shows before the user confirms.
"""
from __future__ import annotations

from .errors import StorageProblem
from .platform import boot_disk
from .session import StorageSession

#: What GRUB 2 reads /boot from (not thin LVs, not LUKS).
BOOT_DEVICE_TYPES = ("partition", "mdarray", "lvmlv", "btrfs volume", "btrfs subvolume")


def mountpoints(session: StorageSession) -> dict[str, object]:
    found = {}
    for device in session.blivet.devices:
        mount = getattr(device.format, "mountpoint", None)
        if mount:
            found[mount] = device
    return found


def validate(session: StorageSession) -> None:
    """The checks Anaconda makes before it writes: root, /boot readable by GRUB, the
    boot loader's partitions on the boot disk."""
    mounts = mountpoints(session)
    if "/" not in mounts:
        raise StorageProblem("the layout has no root filesystem (/): add `part /` or `logvol /`, "
                             "or use autopart")
    boot = mounts.get("/boot", mounts["/"])
    where = "/boot" if "/boot" in mounts else "/ (there is no /boot)"
    if any(d.type == "luks/dm-crypt" for d in [boot, *boot.ancestors]):
        raise StorageProblem(f"{where} is encrypted; the boot loader cannot read it: "
                             "add an unencrypted `part /boot`")
    if boot.type not in BOOT_DEVICE_TYPES:
        raise StorageProblem(f"{where} is on {boot.type} {boot.name}; the boot loader reads it only "
                             "from a partition, RAID1, a plain LVM volume or btrfs: add `part /boot`")
    if boot.type == "mdarray" and boot.level.name != "raid1":
        raise StorageProblem(f"{where} is on RAID level {boot.level.name}; only RAID1 can hold /boot")
    boot = boot_disk(session)
    if boot is None or not session.bootloader:
        return
    if session.platform == "uefi":
        if "/boot/efi" not in mounts:
            raise StorageProblem("UEFI needs an EFI system partition: add `reqpart` or "
                                 "`part /boot/efi --fstype=efi --size=600`")
    elif boot.format.type == "disklabel" and boot.format.label_type == "gpt":
        if not any(p.format.type == "biosboot" and p.disk == boot for p in session.blivet.partitions):
            raise StorageProblem(f"BIOS boot from GPT disk {boot.name} needs a biosboot partition "
                                 "on it: add `reqpart` or `part biosboot --size=1`")


def _describe_device(device) -> str:
    mount = getattr(device.format, "mountpoint", None)
    parts = [f"{device.type} {device.name}", str(device.size)]
    if device.format.type == "disklabel":
        parts.append(f"disklabel {device.format.label_type}")  # gpt or msdos
    elif device.format.type:
        parts.append(device.format.type)
    if mount:
        parts.append(f"on {mount}")
    return ", ".join(parts)


def describe_actions(session: StorageSession) -> list[str]:
    """One line per pending action, in the order they would run."""
    actions = session.blivet.devicetree.actions
    actions.prune()
    actions.sort()
    lines = []
    for index, action in enumerate(actions.find(), start=1):
        verb = "destroy" if action.is_destroy else "create" if action.is_create else \
            "resize" if action.is_resize else "configure"
        what = "format" if action.is_format else "device"
        target = action.format.type if action.is_format else action.device.type
        lines.append(f"{index:3d}. {verb} {what} {target}: {_describe_device(action.device)}")
    return lines
