"""The format arguments of a kickstart request, the same for part, logvol, raid and btrfs:
the file system's `--label --fsoptions --mkfsoptions --fsprofile`, and for `--encrypted`
the LUKS format's `--luks-version --cipher --pbkdf --pbkdf-memory --pbkdf-time
--pbkdf-iterations` (key derivation settings are LUKS2's: for LUKS1 they are left out
with a warning, as in Anaconda)."""
from __future__ import annotations

import logging

log = logging.getLogger("anaconda.storage")


def fs_args(label: str = "", fsoptions: str = "", mkfsoptions: str = "", fsprofile: str = "") -> dict:
    """blivet's file system format arguments; `fsprofile` is mke2fs's -T (ext2/3/4 only,
    other file systems ignore it, as with Anaconda)."""
    args = {}
    if label:
        args["label"] = label
    if fsoptions:
        args["mountopts"] = fsoptions
    if mkfsoptions:
        args["create_options"] = mkfsoptions
    if fsprofile:
        args["fsprofile"] = fsprofile
    return args


def luks_extra(data, where: str, warnings: list[str] | None = None) -> dict:
    """--cipher and the --pbkdf settings of a pykickstart data object (missing attributes
    count as not given), as blivet's LUKS format arguments."""
    version = getattr(data, "luks_version", "") or "luks2"
    args = {}
    cipher = getattr(data, "cipher", "") or ""
    if cipher:
        args["cipher"] = cipher
    pbkdf = {"type": getattr(data, "pbkdf", "") or None,
             "max_memory_kb": getattr(data, "pbkdf_memory", 0) or 0,
             "time_ms": getattr(data, "pbkdf_time", 0) or 0,
             "iterations": getattr(data, "pbkdf_iterations", 0) or 0}
    if any(pbkdf.values()):
        if version != "luks2":
            text = f"{where}: --pbkdf settings apply to LUKS2 only; {version} gets cryptsetup's defaults"
            log.warning("%s", text)
            if warnings is not None and text not in warnings:
                warnings.append(text)
        else:
            from blivet.formats.luks import LUKS2PBKDFArgs

            args["pbkdf_args"] = LUKS2PBKDFArgs(**pbkdf)
    return args
