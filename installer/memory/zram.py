"""zRAM swap: compressed swap in RAM, for machines with less than 1 GiB.

Set up at the very start, before the kickstart is parsed and DNF runs, so the first
memory peak already has somewhere to go. The device is about the size of the RAM
(pages compress 2-3x, so it costs a third to a half of that when full), lz4 when the
kernel offers it (fastest) else lzo-rle (the kernel's default), one compression stream
per CPU, and swap priority 100: disk swaps made later get the kernel's negative default
priorities, so pages go to zRAM first.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .levels import LOW_MIB, MiB, MemInfo

log = logging.getLogger("anaconda.memory")

SYS_BLOCK = Path("/sys/block")
DEVICE = "zram0"
#: MemTotal below this turns zRAM on (the same line as low-memory level 1).
ZRAM_BELOW_MIB = LOW_MIB
PRIORITY = 100
PREFERRED = ("lz4", "lzo-rle")


@dataclass(frozen=True)
class ZramPlan:
    enabled: bool
    reason: str
    size: int = 0  # bytes
    algorithm: str = ""
    streams: int = 1


def wanted(info: MemInfo, forced: bool | None) -> tuple[bool, str]:
    if forced is not None:
        return forced, f"inst.zram={int(forced)}"
    if info.total < ZRAM_BELOW_MIB * MiB:
        return True, f"{info.total_mib} MiB of RAM is below {ZRAM_BELOW_MIB} MiB"
    return False, f"{info.total_mib} MiB of RAM is enough without it"


def choose_algorithm(offered: str) -> str:
    """From comp_algorithm's text (`lzo [lzo-rle] lz4 zstd`): lz4, else lzo-rle, else the current."""
    names = [word.strip("[]") for word in offered.split()]
    for name in PREFERRED:
        if name in names:
            return name
    current = [word.strip("[]") for word in offered.split() if word.startswith("[")]
    return current[0] if current else "lzo-rle"


def plan(info: MemInfo, forced: bool | None, sys_block: Path = SYS_BLOCK,
         cpus: int | None = None) -> ZramPlan:
    """What to set up; reads comp_algorithm when the device exists (zram loaded)."""
    enabled, reason = wanted(info, forced)
    if not enabled:
        return ZramPlan(False, reason)
    device = sys_block / DEVICE
    offered = _read(device / "comp_algorithm") or ""
    size = info.total // MiB * MiB
    return ZramPlan(True, reason, size=size, algorithm=choose_algorithm(offered),
                    streams=max(1, cpus or os.cpu_count() or 1))


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


Runner = Callable[[list[str]], int]


def _run(argv: list[str]) -> int:
    from installer.program import run

    return run(argv).returncode


def setup(zplan: ZramPlan, sys_block: Path = SYS_BLOCK, dev: Path = Path("/dev"),
          runner: Runner = _run, proc_sys: Path = Path("/proc/sys")) -> bool:
    """Configure zram0 and swap on it; any failure is logged and the install goes on."""
    device = sys_block / DEVICE
    if not device.exists():
        runner(["modprobe", "zram", "num_devices=1"])
    if not device.exists():
        log.warning("zRAM: no %s device (zram module missing?); going on without it", DEVICE)
        return False
    if (_read(device / "disksize") or "0") != "0":
        log.warning("zRAM: %s is already in use; left alone", DEVICE)
        return False
    try:
        (device / "comp_algorithm").write_text(zplan.algorithm)
        if (device / "max_comp_streams").exists():  # per-CPU streams are automatic since 4.7
            (device / "max_comp_streams").write_text(str(zplan.streams))
        (device / "disksize").write_text(str(zplan.size))
    except OSError as exc:
        log.warning("zRAM: configuring %s failed: %s; going on without it", DEVICE, exc)
        return False
    node = str(dev / DEVICE)
    if runner(["mkswap", node]) != 0 or runner(["swapon", "-p", str(PRIORITY), node]) != 0:
        log.warning("zRAM: mkswap/swapon on %s failed; going on without it", node)
        return False
    log.info("zRAM swap on %s: %d MiB, %s, %d stream(s), priority %d", node,
             zplan.size // MiB, zplan.algorithm, zplan.streams, PRIORITY)
    tune_vm(proc_sys)
    return True


#: With swap in RAM, swapping out anonymous memory is cheap and re-reading evicted code
#: and library pages from squashfs (decompressed again) or the CD is what thrashes: so
#: prefer swapping (swappiness above 100 needs Linux 5.8) and read no neighbours along
#: with a swapped-in page (page-cluster 0), as zRAM setups usually do.
VM_TUNING = (("vm/swappiness", ("180", "100")), ("vm/page-cluster", ("0",)))


def tune_vm(proc_sys: Path, tuning=VM_TUNING, who: str = "zRAM") -> dict[str, str]:
    """Apply `tuning` ((name, values to try in turn), ...); returns what was set, logged
    under `who`."""
    applied = {}
    for name, values in tuning:
        path = proc_sys / name
        before = _read(path)
        for value in values:
            try:
                path.write_text(value + "\n")
            except OSError:
                continue
            applied[name] = value
            log.info("%s: %s %s -> %s", who, name.replace("/", "."), before, value)
            break
        else:
            log.warning("%s: could not set %s (tried %s)", who, name.replace("/", "."), ", ".join(values))
    return applied


def mm_stat(sys_block: Path = SYS_BLOCK) -> tuple[int, int] | None:
    """(orig_data_size, compr_data_size) in bytes, or None without an active device."""
    text = _read(sys_block / DEVICE / "mm_stat")
    if not text:
        return None
    fields = text.split()
    return int(fields[0]), int(fields[1])


def ratio(sys_block: Path = SYS_BLOCK) -> float | None:
    """Compression ratio of what is stored in zram0 (orig/compr); None when empty."""
    stat = mm_stat(sys_block)
    if not stat or not stat[1]:
        return None
    return stat[0] / stat[1]
