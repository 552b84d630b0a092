"""LUKS2's Argon2 memory cost against the machine's RAM, so a small machine can unlock
its own disk.

Argon2 (LUKS2's default key derivation) needs its memory cost in RAM every time the disk
is unlocked, at boot in the initramfs too. cryptsetup's default cost is 1 GiB, lowered to
half the physical RAM on a smaller machine; `--pbkdf-memory` sets it explicitly and is
taken as given. Anaconda warns when less than 128 MiB is available for LUKS2 (its
`luks2_min_ram`). The RAM is the session's: MemTotal of the machine installing, which for
--image and --dry-run is the host's.
"""
from __future__ import annotations

from blivet.size import Size

from . import CheckReport

#: cryptsetup's default Argon2 memory cost (DEFAULT_LUKS2_MEMORY_KB).
CRYPTSETUP_DEFAULT_COST = Size("1 GiB")
#: Anaconda's luks2_min_ram: below it LUKS2 formatting (and unlocking) may fail.
LUKS2_MIN_RAM = Size("128 MiB")


def spare_memory(total: Size) -> Size:
    """What unlocking may take: half the RAM, cryptsetup's own limit for its default."""
    return Size(int(total) // 2)


def memory_cost(fmt, total: Size) -> Size | None:
    """The Argon2 memory a new LUKS2 format needs to unlock; None for pbkdf2 (no cost)."""
    args = getattr(fmt, "pbkdf_args", None)
    if args is not None and args.type == "pbkdf2":
        return None
    if args is not None and args.max_memory_kb:
        return Size(f"{args.max_memory_kb} KiB")
    return min(CRYPTSETUP_DEFAULT_COST, spare_memory(total))


def _h(size: Size) -> str:
    return size.human_readable(max_places=1)


def _new_luks2(session) -> list:
    return [d for d in session.blivet.devices
            if d.format.type == "luks" and not d.format.exists
            and getattr(d.format, "luks_version", "luks2") == "luks2"]


def check_luks2_memory(session, report: CheckReport) -> None:
    total = Size(session.memory)
    spare = spare_memory(total)
    for device in _new_luks2(session):
        cost = memory_cost(device.format, total)
        if cost is None:
            continue
        if cost > spare:
            report.warning(
                f"LUKS2 on {device.name} needs {_h(cost)} of memory to unlock (Argon2's cost, "
                f"--pbkdf-memory), more than this machine can spare ({_h(spare)}, half of its "
                f"{_h(total)} RAM): unlocking it at boot may fail; use --pbkdf-memory="
                f"{int(spare.convert_to('KiB'))} or less, or --pbkdf=pbkdf2")
        elif cost < LUKS2_MIN_RAM:
            report.warning(
                f"LUKS2 on {device.name}: this machine has {_h(total)} of RAM, so Argon2 may use "
                f"only {_h(cost)}, less than the {_h(LUKS2_MIN_RAM)} LUKS2 needs (Anaconda's "
                "luks2_min_ram): formatting or unlocking may fail; use --pbkdf=pbkdf2 or "
                "--luks-version=luks1")
