"""How much memory the machine has, the low-memory level, and the minimum to start at all.

The levels follow debian-installer's lowmem levels: 0 runs everything, 1 ("low") drops
what is merely convenient (translations, extra language data, caches kept for speed),
2 ("very low") also drops the interactive front end when nothing has to be asked.
debian-installer derives its thresholds from the size of its own image; ours come from
what the installer needs (DESIGN.md "Memory subsystem": all the big imports at once peak
at about 102 MB, `import dnf` alone at 48 MB, plus the stage2 tmpfs overlay and the
kernel's own share), so they are figures of this project, to be replaced by measured ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from installer.errors import InsufficientMemoryError

MiB = 1024 * 1024
MEMINFO = Path("/proc/meminfo")

#: MemTotal below this: refuse to start (exit 7). Measured by bench/memory.py on the ISO,
#: @^minimal-environment with LVM autopart: qemu -m 160 (MemTotal 107 MiB) installs in
#: 729 s and boots (issue 19: stage2 in zstd blocks, the target's swap before zRAM); a few
#: MiB of slack for kernels that keep a little more for themselves.
MINIMUM_MIB = 104
#: On a network boot at a low-memory level stage2 leaves RAM once the target is mounted
#: (stage2_move.py); until then the installer needs this much MemTotal besides it. The
#: part before the move (kickstart, scan, storage) is the lighter one, so this stays below
#: MINIMUM_MIB: in bench/memory.py case b at 192 MiB (stage2 not in RAM) the storage phase
#: used at most 84 MiB of the 139 MiB MemTotal; 96 leaves 12 MiB of slack. (The figure
#: measured before issue 19, 120, was above today's whole-install minimum.)
EARLY_MIB = 96
#: MemTotal below this is level 2 "very low": the installer and the DNF worker together
#: peak near 150 MB, which leaves no room for anything optional.
VERY_LOW_MIB = 512
#: MemTotal below this is level 1 "low"; also where zRAM swap starts (zram.py).
LOW_MIB = 1024

LEVEL_NAMES = {0: "normal", 1: "low", 2: "very low"}


@dataclass(frozen=True)
class MemInfo:
    total: int  # bytes
    available: int  # bytes

    @property
    def total_mib(self) -> int:
        return self.total // MiB

    @property
    def available_mib(self) -> int:
        return self.available // MiB


def read_meminfo(path: Path = MEMINFO) -> MemInfo:
    """MemTotal and MemAvailable in bytes (the file gives kB)."""
    values: dict[str, int] = {}
    for line in path.read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("MemTotal", "MemAvailable", "MemFree"):
            values[name] = int(rest.split()[0]) * 1024
    total = values["MemTotal"]
    return MemInfo(total=total, available=values.get("MemAvailable", values.get("MemFree", total)))


def decide_level(info: MemInfo, forced: int | None = None) -> int:
    """0 normal, 1 low, 2 very low, from MemTotal; `inst.lowmem=N` wins when given."""
    if forced is not None:
        return forced
    if info.total < VERY_LOW_MIB * MiB:
        return 2
    if info.total < LOW_MIB * MiB:
        return 1
    return 0


#: Written by the boot image's init when stage2 stays in RAM (PXE: inside the initrd, or
#: fetched over http): its size in bytes. That RAM is never given back during the install.
STAGE2_IN_RAM = Path("/run/anaconda-lean/stage2-in-ram")


def stage2_in_ram(path: Path = STAGE2_IN_RAM) -> int:
    """Bytes of RAM the installer's own runtime holds (0 when read in place, e.g. an ISO)."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def mib_rounded_up(size: int) -> int:
    return -(-size // MiB)


def required_mib(held: int, stage2_moves: bool, minimum_mib: int = MINIMUM_MIB) -> int:
    """The MemTotal an install needs. `held`: bytes of RAM holding stage2 (network boot);
    `stage2_moves`: it leaves RAM once the target is mounted (a low-memory level), so
    it only counts for the early part of the install."""
    if not held:
        return minimum_mib
    if stage2_moves:
        return max(minimum_mib, mib_rounded_up(held) + EARLY_MIB)
    return minimum_mib + mib_rounded_up(held)


def check_minimum(info: MemInfo, minimum_mib: int = MINIMUM_MIB, held: int = 0,
                  stage2_moves: bool = False) -> None:
    """Stop at once, before anything heavy, when there is too little RAM to finish."""
    needed = required_mib(held, stage2_moves, minimum_mib)
    if info.total >= needed * MiB:
        return
    if held:
        until = ("until the target disk is mounted and it can move there" if stage2_moves
                 else "for the whole install")
        raise InsufficientMemoryError(
            f"this machine has {info.total_mib} MiB of RAM ({info.available_mib} MiB available), "
            f"{mib_rounded_up(held)} MiB of which hold the installer's runtime (stage2, loaded over "
            f"the network) {until}; the installer needs {needed} MiB in all: give the machine "
            f"{needed - info.total_mib} MiB more, or boot the ISO, which reads stage2 in place")
    raise InsufficientMemoryError(
        f"this machine has {info.total_mib} MiB of RAM ({info.available_mib} MiB available); "
        f"the installer needs at least {minimum_mib} MiB: give the machine more memory")
