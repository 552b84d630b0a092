"""The format arguments of a kickstart request, the same for part, logvol, raid and btrfs:
the file system's `--label --fsoptions --mkfsoptions --fsprofile`, and for `--encrypted`
the LUKS format's `--luks-version --cipher --pbkdf --pbkdf-memory --pbkdf-time
--pbkdf-iterations` (key derivation settings are LUKS2's: for LUKS1 they are left out
with a warning, as in Anaconda); and LUKS2's Argon2 memory cost chosen for the machine
when the kickstart gives none (`choose_luks2_memory`).

Why choose it: Argon2 needs its whole memory cost in RAM every time the disk is unlocked,
and the installed system unlocks its root in its initramfs, with no swap yet, on the same
RAM the install ran in. Left alone, blivet 3.7 (`LUKS._create`,
`crypto.calculate_luks2_max_memory`) raises the cost to 128 MiB whenever less than 128 MiB
is free at format time, and otherwise leaves cryptsetup's default: 1 GiB, lowered to half
the physical RAM (`adjusted_phys_memory` in libcryptsetup's utils_pbkdf.c). On a 192 MiB
machine either way about half the RAM goes to Argon2 at boot, beside a kernel and an
unpacked initramfs that need most of the other half.

Anaconda does not choose a cost: its `get_pbkdf_args` passes the kickstart's --pbkdf*
settings and otherwise none (blivet and cryptsetup decide as above), and its storage
checker (`verify_luks2_memory_requirements`) warns when less than `luks2_min_ram` (128 MiB)
is available, for formats without pbkdf arguments only. Here every new LUKS2 format whose
kickstart gave no --pbkdf-memory, --pbkdf-time or --pbkdf-iterations gets
`chosen_memory_cost(MemTotal)` (see there for the numbers); --pbkdf alone keeps its type
and gets the chosen cost too. Whatever the kickstart gave is passed as given, as in
Anaconda: any of those three means its author took the key derivation's cost in hand.
"""
from __future__ import annotations

import logging

from blivet.formats.luks import LUKS2PBKDFArgs
from blivet.size import ROUND_DOWN, Size

log = logging.getLogger("anaconda.storage")

#: cryptsetup's default Argon2 memory cost (DEFAULT_LUKS2_MEMORY_KB).
CRYPTSETUP_DEFAULT_COST = Size("1 GiB")
#: What the installed system needs beside Argon2 when its initramfs unlocks the root: the
#: kernel's own allocations (slab, page tables, buffers; 15-20 MiB on a small guest), the
#: unpacked initramfs (initramfs-tools with MODULES=list: 6 MiB packed, about 20 MiB in
#: RAM; dracut's hostonly image with systemd: 40-60 MiB) and the processes running then
#: (udev, cryptsetup, systemd and journald with dracut: 10-30 MiB). 96 MiB covers dracut's
#: case and leaves initramfs-tools' twice what it needs. MemTotal already excludes the
#: kernel's code and reserved memory.
BOOT_RESERVE = Size("96 MiB")
#: RFC 9106 (section 4) recommends Argon2id with 64 MiB "if much less memory is
#: available" than its first choice of 2 GiB; a chosen cost below it is warned about
#: (storage.checker.luks_memory).
ARGON2_RECOMMENDED = Size("64 MiB")
#: The least cost this installer chooses, even when less would fit. Not 64 MiB: Argon2
#: runs at format time in the installer's own process (libblockdev calls libcryptsetup),
#: and measured on a 192 MiB guest (MemTotal 140 MiB, bench/memory.py case e) a 64 MiB
#: cost had the installer killed by the OOM killer while formatting. cryptsetup accepts
#: down to 32 KiB; 32 MiB keeps a memory-hard derivation on the smallest machines.
ARGON2_FLOOR = Size("32 MiB")


class ChosenPBKDFArgs(LUKS2PBKDFArgs):
    """Argon2 settings whose memory cost this installer chose (the kickstart gave none),
    so the checker can tell a chosen cost from the kickstart's --pbkdf-memory."""


def unlock_room(total: Size) -> Size:
    """The most Argon2 may take when the installed system unlocks its disk with `total`
    RAM (MemTotal): half the RAM, cryptsetup's own limit at format time, and never more
    than what the kernel and initramfs leave (BOOT_RESERVE)."""
    return Size(min(int(total) // 2, max(int(total) - int(BOOT_RESERVE), 0)))


def chosen_memory_cost(total: Size) -> Size:
    """The Argon2 memory cost for a machine with `total` RAM (MemTotal) when the kickstart
    gives none: all the room unlocking has (unlock_room), at most cryptsetup's 1 GiB
    default and at least ARGON2_FLOOR, in whole MiB. From 192 MiB of MemTotal up this is
    what cryptsetup would use by itself (1 GiB or half the RAM); below, the boot reserve
    lowers it (MemTotal 165 MiB: 69 MiB instead of the 82 MiB cryptsetup would take;
    a qemu guest of -m 192 booting the installer has MemTotal 139.8 MiB: 43 MiB), down
    to the floor. The cost is a maximum: on a CPU too slow
    to finish even Argon2's fewest passes within cryptsetup's time target (2 s), its
    benchmark lowers it further, never raises it."""
    room = unlock_room(total).round_to_nearest(Size("1 MiB"), ROUND_DOWN)
    return min(CRYPTSETUP_DEFAULT_COST, max(ARGON2_FLOOR, room))


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
            args["pbkdf_args"] = LUKS2PBKDFArgs(**pbkdf)
    return args


def new_luks2_devices(session) -> list:
    """Devices that get a new LUKS2 format in this plan."""
    return [d for d in session.blivet.devices
            if d.format.type == "luks" and not d.format.exists and d.format.luks_version == "luks2"]


def _mapping_name(device) -> str:
    """The name the unlocked device has (luks-sda2), as a person sees it in the plan."""
    return device.children[0].name if device.children else device.name


def _kdf_name(args: LUKS2PBKDFArgs | None) -> str:
    """The key derivation as a person reads it: Argon2id (cryptsetup's default for
    LUKS2), Argon2i, PBKDF2."""
    kdf = args.type if args is not None and args.type else "argon2id"
    return kdf.upper() if kdf == "pbkdf2" else kdf.capitalize()


def _given(args: LUKS2PBKDFArgs) -> str:
    """The kickstart's --pbkdf* options behind `args`, for the log."""
    return " ".join(f"--{name}={value}" for name, value in (
        ("pbkdf", args.type), ("pbkdf-memory", args.max_memory_kb),
        ("pbkdf-time", args.time_ms), ("pbkdf-iterations", args.iterations)) if value)


def choose_luks2_memory(session) -> None:
    """Give every new LUKS2 format whose kickstart set no cost (no --pbkdf-memory,
    --pbkdf-time or --pbkdf-iterations, and not --pbkdf=pbkdf2) the Argon2 memory cost
    chosen for this machine's RAM, and log each format's cost and where it came from."""
    total = Size(session.memory)
    for device in new_luks2_devices(session):
        args = device.format.pbkdf_args
        name = _mapping_name(device)
        if args is not None and (args.type == "pbkdf2" or args.max_memory_kb or args.time_ms
                                 or args.iterations):
            log.info("%s: %s settings as the kickstart gave them (%s)", name, _kdf_name(args),
                     _given(args))
            continue
        cost = chosen_memory_cost(total)
        device.format.pbkdf_args = ChosenPBKDFArgs(
            type=args.type if args is not None else None,
            max_memory_kb=int(cost.convert_to("KiB")))
        log.info("%s: %s memory %s (RAM %s; kickstart gave %s)", name, _kdf_name(args),
                 cost.human_readable(max_places=1), total.human_readable(max_places=1),
                 _given(args) + " only" if args is not None else "none")
