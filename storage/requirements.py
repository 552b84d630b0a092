"""Packages the installed system needs for its own layout and boot loader.

A root on LVM needs lvm2 in the target (and in its initramfs), LUKS needs cryptsetup,
RAID mdadm, and so on; the boot loader needs its tools. The names are alternatives,
Fedora's first and Debian's after, so the same layout works with either kind of
repository. Plain data: storage never imports the payload.
"""
from __future__ import annotations

from dataclasses import dataclass

from .session import StorageSession


@dataclass
class Need:
    names: list[str]  # alternatives; the first a repository has is installed
    why: str
    required: bool = True  # False: helpful (initramfs hooks, thin tools), not fatal


#: format type -> the package holding its tools
FORMAT_TOOLS = {"xfs": "xfsprogs", "ext2": "e2fsprogs", "ext3": "e2fsprogs", "ext4": "e2fsprogs",
                "btrfs": "btrfs-progs", "vfat": "dosfstools", "efi": "dosfstools",
                "lvmpv": "lvm2", "luks": "cryptsetup", "mdmember": "mdadm"}

BIOS_GRUB = ["grub2-pc", "grub-pc-bin"]
UEFI_GRUB = ["grub2-efi-x64", "grub-efi-amd64-bin"]
GRUB_TOOLS = ["grub2-tools", "grub2-common"]


def _layout_needs(session: StorageSession) -> dict[str, str]:
    """Tools for every device the new system mounts or swaps on, and everything under it
    (the PV under an LV, the LUKS under a PV...). Works before and after execution alike:
    the payload runs after the layout is written, when every device `exists`."""
    used = [d for d in session.blivet.devices
            if getattr(d.format, "mountpoint", None) or d.format.type == "swap"]
    found: dict[str, str] = {}
    for device in used:
        mount = getattr(device.format, "mountpoint", None) or device.format.type
        for member in [device, *device.ancestors]:
            package = FORMAT_TOOLS.get(member.format.type)
            if package and package not in found:
                found[package] = f"{member.format.type} on {member.name} (for {mount})"
    return found


def system_needs(session: StorageSession) -> list[Need]:
    """Everything the new system needs to mount and boot what was planned."""
    # Without a boot loader the system is booted some other way: the tools are still
    # wanted, but their absence is a warning, not a stop.
    layout = _layout_needs(session)
    needs = [Need([package], f"the layout uses {why}", required=session.bootloader)
             for package, why in layout.items()]
    if "cryptsetup" in layout:
        needs.append(Need(["cryptsetup-initramfs"], "unlocking LUKS at boot with initramfs-tools",
                          required=False))
    if any(d.type == "lvmthinpool" for d in session.blivet.devices):
        needs.append(Need(["device-mapper-persistent-data", "thin-provisioning-tools"],
                          "LVM thin provisioning", required=False))
    if session.bootloader:
        if session.platform == "uefi":
            needs += [Need(UEFI_GRUB, "the UEFI boot loader"),
                      Need(["shim-x64"], "UEFI Secure Boot", required=False),
                      Need(["efibootmgr"], "the UEFI boot entry")]
        else:
            needs.append(Need(BIOS_GRUB, "the BIOS boot loader"))
        needs.append(Need(GRUB_TOOLS, "grub-install and grub-mkconfig"))
    return needs
