"""Checks on the fields of a layout request that are not mount points (disks, encryption,
the automatic layout), and the error type and capabilities all field checks share.

Every problem names the field the user has to change and says what would be accepted,
so the TUI can put the message next to that field. The checks only look at the request
and at what this machine can make (`Capabilities`); whether the layout fits on the disks
is the planner's question. Mount points are checked in `storage.checker.mount_checks`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from storage.errors import StorageProblem
from storage.planning.request import (DISKLABELS, LUKS_VERSIONS, NO_BOOTLOADER, SCHEMES, AutomaticLayout,
                                      Encryption, LayoutRequest)

LINUX_FILESYSTEMS = ("xfs", "ext4", "ext3", "ext2")


class RequestProblem(StorageProblem):
    """A field of the request that cannot be accepted; `field` says which one."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name


@dataclass(frozen=True)
class Capabilities:
    """What blivet can make on this machine, and the disks on it."""
    fstypes: tuple[str, ...]  # filesystems (and swap, efi, biosboot) it can create
    min_sizes: dict[str, int] = field(default_factory=dict)  # fstype -> MiB
    unavailable: dict[str, str] = field(default_factory=dict)  # device type -> why not
    disks: dict[str, str] = field(default_factory=dict)  # disk name -> why protected, or ""


def check_disks(names: list[str], caps: Capabilities) -> list[str]:
    if not names:
        raise RequestProblem("disks", "select at least one disk to install to")
    for name in names:
        if name not in caps.disks:
            raise RequestProblem("disks", f"there is no disk {name} (disks: {', '.join(caps.disks) or 'none'})")
        if caps.disks[name]:
            raise RequestProblem("disks", f"{name} cannot be used: {caps.disks[name]}")
    if len(set(names)) != len(names):
        raise RequestProblem("disks", "a disk is selected twice")
    return list(names)


def check_encryption(encryption: Encryption) -> Encryption:
    if encryption.luks_version not in LUKS_VERSIONS:
        raise RequestProblem("LUKS version", f"{encryption.luks_version} is not one of "
                             f"{', '.join(LUKS_VERSIONS)}")
    if encryption.passphrase and len(encryption.passphrase) < 8:
        raise RequestProblem("passphrase", "use at least 8 characters")
    return encryption


def check_encrypted(encrypted: bool, encryption: Encryption, caps: Capabilities) -> None:
    if encrypted and "encryption" in caps.unavailable:
        raise RequestProblem("encrypted", f"encryption cannot be made here: {caps.unavailable['encryption']}")
    if encrypted and not encryption.passphrase:
        raise RequestProblem("encrypted", "set the encryption passphrase first")


def check_automatic(auto: AutomaticLayout, request: LayoutRequest, caps: Capabilities) -> AutomaticLayout:
    if auto.scheme not in SCHEMES:
        raise RequestProblem("scheme", f"{auto.scheme} is not one of {', '.join(SCHEMES)}")
    needs = {"lvm": "lvm", "thinp": "lvm thin", "btrfs": "btrfs"}.get(auto.scheme)
    if needs in caps.unavailable:
        raise RequestProblem("scheme", f"{auto.scheme} cannot be made here: {caps.unavailable[needs]}")
    if auto.fstype == "btrfs":
        raise RequestProblem("file system", "for btrfs choose the btrfs scheme")
    if auto.fstype not in LINUX_FILESYSTEMS or auto.fstype not in caps.fstypes:
        usable = [f for f in LINUX_FILESYSTEMS if f in caps.fstypes]
        raise RequestProblem("file system", f"{auto.fstype} cannot hold / here; choose one of {', '.join(usable)}")
    check_encrypted(auto.encrypted, request.encryption, caps)
    return auto


def check_boot_drive(name: str, request: LayoutRequest) -> str:
    """"" (the first selected disk), NO_BOOTLOADER, or a selected disk."""
    name = name.strip().removeprefix("/dev/")
    if name in ("", NO_BOOTLOADER) or name in request.disks:
        return name
    raise RequestProblem("boot loader", f"{name} is not a selected disk; choose one of "
                         f"{', '.join(request.disks) or 'the selected disks'}, or none")


def check_disklabel(label: str) -> str:
    if label in ("", *DISKLABELS):
        return label
    raise RequestProblem("partition table", f"{label} is not one of {', '.join(DISKLABELS)}")
