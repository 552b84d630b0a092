"""LUKS2's Argon2 memory cost against the machine's RAM, so a small machine can unlock
its own disk.

Argon2 (LUKS2's default key derivation) needs its memory cost in RAM every time the disk
is unlocked, at boot in the initramfs too. Planning gives every new LUKS2 format the cost
chosen for this machine unless the kickstart set one (storage.format_args,
`choose_luks2_memory`); this check reports the cost each format will ask cryptsetup for
and warns only when it is more than unlocking has room for at boot (`unlock_room`): a
kickstart's --pbkdf-memory above it, cryptsetup's default when --pbkdf-time or
--pbkdf-iterations came without --pbkdf-memory, or, on a machine too small for even that,
the floor this installer does not go below.

Anaconda's check (`verify_luks2_memory_requirements`, `luks2_min_ram` = 128 MiB) warns
about formats without pbkdf arguments, whose cost blivet and cryptsetup decide at format
time; here no new LUKS2 format is left without them, so that warning has no case left.
The RAM is the session's: MemTotal of the machine installing, which for --image and
--dry-run is the host's.
"""
from __future__ import annotations

from blivet.size import Size

from storage.format_args import (ARGON2_FLOOR, ARGON2_RECOMMENDED, BOOT_RESERVE,
                                 CRYPTSETUP_DEFAULT_COST, ChosenPBKDFArgs, new_luks2_devices,
                                 unlock_room)

from . import CheckReport


def memory_cost(fmt, total: Size) -> Size | None:
    """The Argon2 memory a new LUKS2 format asks for: its pbkdf arguments' (chosen for the
    machine or the kickstart's --pbkdf-memory), else cryptsetup's default, which
    cryptsetup lowers to half the RAM; None for pbkdf2 (no memory cost)."""
    args = fmt.pbkdf_args
    if args is not None and args.type == "pbkdf2":
        return None
    if args is not None and args.max_memory_kb:
        return Size(f"{args.max_memory_kb} KiB")
    return min(CRYPTSETUP_DEFAULT_COST, Size(int(total) // 2))


def _h(size: Size) -> str:
    return size.human_readable(max_places=1)


def _source(args) -> str:
    """Where a cost came from, as the warning names it."""
    if isinstance(args, ChosenPBKDFArgs):
        return f"the least this installer chooses, {_h(ARGON2_FLOOR)}"
    if args is not None and args.max_memory_kb:
        return "--pbkdf-memory"
    return "cryptsetup's default"


def check_luks2_memory(session, report: CheckReport) -> None:
    total = Size(session.memory)
    room = unlock_room(total)
    for device in new_luks2_devices(session):
        cost = memory_cost(device.format, total)
        if cost is None:
            continue
        if cost <= room:
            if isinstance(device.format.pbkdf_args, ChosenPBKDFArgs) and cost < ARGON2_RECOMMENDED:
                report.warning(
                    f"LUKS2 on {device.name}: Argon2's memory cost is {_h(cost)}, chosen so "
                    f"that this machine ({_h(total)} RAM) can format and unlock it; that is "
                    f"less than the {_h(ARGON2_RECOMMENDED)} RFC 9106 recommends, so the "
                    "passphrase is cheaper to guess: use a long passphrase, or give "
                    "--pbkdf-memory to choose")
            continue
        report.warning(
            f"LUKS2 on {device.name} needs {_h(cost)} of memory to unlock (Argon2's cost, "
            f"{_source(device.format.pbkdf_args)}), more than this machine can spare at boot "
            f"({_h(room)}: half of its {_h(total)} RAM, and no more than what leaves "
            f"{_h(BOOT_RESERVE)} for the kernel and initramfs): unlocking it at boot may fail; "
            f"use --pbkdf-memory={int(room.convert_to('KiB'))} or less, or --pbkdf=pbkdf2")
