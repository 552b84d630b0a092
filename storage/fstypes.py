"""The format a kickstart request gets: the role names (swap, biosboot, pv.NN, raid.NN,
btrfs.NN, /boot/efi) decide it, else --fstype, else the default (xfs, as Anaconda)."""
from __future__ import annotations


def fstype_for(request_fstype: str, mountpoint: str, default: str) -> str:
    if mountpoint == "swap":
        return "swap"
    if mountpoint == "biosboot":
        return "biosboot"
    if mountpoint.startswith("pv."):
        return "lvmpv"
    if mountpoint.startswith("raid."):
        return "mdmember"
    if mountpoint.startswith("btrfs."):
        return "btrfs"
    if mountpoint == "/boot/efi":
        return request_fstype or "efi"
    return request_fstype or default
