"""Once the target's swap exists: swap to the disk first, zRAM behind it.

zRAM keeps what it swaps out in RAM, compressed. Until the target's swap exists it is the
only swap there is; after that it competes with the install for RAM: at 192 MiB its peak
of 86 MiB of swapped pages held about 30 MiB of a 139 MiB machine through the package
phase (bench/memory.py, issue 19), RAM the DNF worker and rpm then lacked. A page swapped
to the disk costs no RAM. So on a machine running zRAM, every disk swap the storage step
activated (storage/execute.py, right after formatting it) is activated again with a
priority above zRAM's: new swap-outs go to the disk, and zRAM keeps only what it holds
until those pages are read back.

With the disk in front, the kernel's own defaults for a disk swap come back:
`vm.swappiness` 60 and `vm.page-cluster` 3 (zram.py set 180 and 0, right for swap in RAM
only). At 180 the kernel swaps the installer's and the DNF worker's pages out nine times
as readily as it drops page cache, and most of the page cache by then is the target's
freshly written files, which nothing reads again; at 60 it drops those first. Page-cluster
3 reads eight neighbouring swap slots per fault from the disk instead of one.

`inst.zswap=1` also turns on the kernel's zswap: a compressed cache in front of the disk
swap (up to 20% of RAM) that writes its oldest pages to the disk when full. It trades CPU
for disk I/O, which pays on slow disks; the memory bench measured both ways (README).
The target's own fstab is not touched: the priority is the installer's, for this boot.
"""
from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .zram import PRIORITY as ZRAM_PRIORITY, tune_vm

log = logging.getLogger("anaconda.memory")

PROC = Path("/proc")
ZSWAP_ENABLED = Path("/sys/module/zswap/parameters/enabled")
#: above zRAM's, so the disk swap takes new swap-outs
DISK_FIRST_PRIORITY = ZRAM_PRIORITY + 100
#: the kernel's defaults, for a disk swap (see above)
DISK_VM_TUNING = (("vm/swappiness", ("60",)), ("vm/page-cluster", ("3",)))

Runner = Callable[[list[str]], int]


@dataclass(frozen=True)
class SwapArea:
    path: str
    size_kib: int
    used_kib: int
    priority: int

    @property
    def is_zram(self) -> bool:
        return os.path.basename(self.path).startswith("zram")


def swap_areas(proc: Path = PROC) -> list[SwapArea]:
    areas = []
    try:
        lines = (proc / "swaps").read_text().splitlines()[1:]
    except OSError:
        return areas
    for line in lines:
        fields = line.split()
        if len(fields) >= 5:
            areas.append(SwapArea(fields[0].replace("\\040", " "), int(fields[2]), int(fields[3]),
                                  int(fields[4])))
    return areas


def _run(argv: list[str]) -> int:
    return subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def prefer_disk_swap(ours: list[str], zswap: bool, runner: Runner = _run, proc: Path = PROC,
                     zswap_enabled: Path = ZSWAP_ENABLED) -> list[str]:
    """Re-activate the swaps this install made (`ours`: device paths, symlinks resolved
    against /proc/swaps' names) at DISK_FIRST_PRIORITY, with the kernel's VM defaults for a
    disk swap; with `zswap`, turn zswap on. A swap the install did not make (a running
    system's own) is left as it is. Returns the swap paths moved in front of zRAM."""
    wanted = {os.path.realpath(path) for path in ours}
    moved = []
    for area in swap_areas(proc):
        if area.is_zram or area.priority >= DISK_FIRST_PRIORITY or os.path.realpath(area.path) not in wanted:
            continue
        # just activated by the storage step, so (nearly) empty: swapoff has little to read back
        if runner(["swapoff", area.path]) != 0:
            log.warning("Memory: swapoff %s failed; it stays behind zRAM", area.path)
            continue
        if runner(["swapon", "-p", str(DISK_FIRST_PRIORITY), area.path]) != 0:
            log.warning("Memory: swapon -p %d %s failed; trying it at its old priority",
                        DISK_FIRST_PRIORITY, area.path)
            runner(["swapon", area.path])
            continue
        moved.append(area.path)
        log.info("Memory: disk swap %s (%d MiB) now before zRAM (priority %d, was %d): swapped "
                 "pages leave RAM", area.path, area.size_kib // 1024, DISK_FIRST_PRIORITY,
                 area.priority, extra={"memory_event": True})
    if moved:
        tune_vm(proc / "sys", DISK_VM_TUNING, "Memory (the disk swap is first)")
    if zswap and moved:
        try:
            zswap_enabled.write_text("Y\n")
            log.info("Memory: zswap on (inst.zswap=1): a compressed cache in front of %s",
                     ", ".join(moved))
        except OSError as exc:
            log.warning("Memory: zswap not turned on (%s): this kernel lacks it",
                        exc.strerror or exc)
    return moved
