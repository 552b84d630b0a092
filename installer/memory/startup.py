"""The memory subsystem's part of the start and end of a run, in the order it must happen.

At start, before the kickstart is read and DNF runs: read MemTotal/MemAvailable, decide
the low-memory level, refuse below the minimum (exit 7; it depends on the level, which
decides whether a network boot's stage2 leaves RAM), tune the kernel for a small machine
(kernel_tuning.py), zRAM swap when it is wanted, lower the installer's OOM score and
start memory.log, which follows the install's task queue (`MemorySession.progress`). At
the end: stop the sampler, so its last line, the installer's peak RSS and the peaks of
each install phase are in the log before the logs are copied.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from . import disk_swap, kernel_tuning, levels, oom, zram
from .phases import QueueEvent
from .sampler import EventHandler, Sampler

log = logging.getLogger("anaconda.memory")
LOG_NAME = "memory.log"
#: Loggers whose records may carry memory events; storage's does not propagate to
#: "anaconda" (it has its own file), so it is named apart.
EVENT_LOGGERS = ("anaconda", "anaconda.storage")


@dataclass
class MemorySession:
    info: levels.MemInfo
    level: int
    zram_active: bool
    stage2_held: int = 0  # bytes of RAM holding stage2 (a network boot)
    sampler: Sampler | None = None
    events: EventHandler | None = None
    zswap: bool = False  # inst.zswap=1

    def disk_swap_ready(self, ours: list[str]) -> list[str]:
        """After the storage step: the swaps it made and activated (`ours`) in front of
        zRAM (disk_swap.py)."""
        return disk_swap.prefer_disk_swap(ours, self.zswap) if self.zram_active and ours else []

    @property
    def stage2_moves(self) -> bool:
        return stage2_moves(self.stage2_held, self.level)

    def progress(self, event: QueueEvent) -> None:
        """A listener for the install's task queue: memory.log's per-phase peaks."""
        if self.sampler is not None:
            self.sampler.progress(event)

    def stop(self) -> None:
        if self.events is not None:
            for name in EVENT_LOGGERS:
                logging.getLogger(name).removeHandler(self.events)
            self.events = None
        if self.sampler is not None:
            self.sampler.stop()
            self.sampler = None


def stage2_moves(held: int, level: int) -> bool:
    """A network boot's stage2 leaves RAM for the install (stage2_move.py) at a low level;
    one read on demand over HTTP moves to the target at any level (then the rest of the
    install does not depend on the server)."""
    from .stage2_move import read_on_demand
    return (bool(held) and level >= 1) or read_on_demand()


def enforce_minimum(info: levels.MemInfo, held: int, memcheck: bool, moves: bool = False) -> None:
    """Below the minimum: exit 7 at once, or with inst.memcheck=0 (Anaconda's switch, for
    people who know their install is smaller than ours) only a warning in the log."""
    try:
        levels.check_minimum(info, held=held, stage2_moves=moves)
    except levels.InsufficientMemoryError as exc:
        if memcheck:
            raise
        log.warning("inst.memcheck=0: going on although %s", exc)


def start(options, log_dir: Path, live_host: bool = False) -> MemorySession:
    """`live_host`: --dirinstall or --dry-run, on a running system whose swap is not ours:
    zRAM is then only set up when inst.zram=1 asks for it."""
    info = levels.read_meminfo()
    log.info("Memory: MemTotal %d MiB, MemAvailable %d MiB", info.total_mib, info.available_mib)
    held = 0 if live_host else levels.stage2_in_ram()
    level = levels.decide_level(info, options.lowmem)
    how = "inst.lowmem" if options.lowmem is not None else "from MemTotal"
    log.info("Low-memory level %d (%s, %s)", level, levels.LEVEL_NAMES[level], how)
    if held:
        log.info("Memory: stage2 holds %d MiB of RAM %s", held // levels.MiB,
                 "until the target is mounted (it then moves there)" if stage2_moves(held, level)
                 else "for the whole install")
    enforce_minimum(info, held, options.memcheck, stage2_moves(held, level))
    if level == 2:
        log.info("Level 2: the cmdline front end is used when nothing needs asking "
                 "(the only front end of this build)")
    if level >= 1 and not live_host:
        kernel_tuning.apply()
    zplan = zram.plan(info, options.zram)
    active = False
    if zplan.enabled and live_host and options.zram is None:
        log.info("zRAM: wanted (%s) but not set up on a directory install or dry run; "
                 "inst.zram=1 forces it", zplan.reason)
    elif zplan.enabled:
        log.info("zRAM: on (%s)", zplan.reason)
        active = zram.setup(zplan)
    else:
        log.info("zRAM: off (%s)", zplan.reason)
    oom.protect()
    sampler = Sampler(log_dir / LOG_NAME)
    sampler.write(f"{time.strftime('%H:%M:%S')} MemTotal={info.total_mib} "
                  f"MemAvailable={info.available_mib} level={level} zram="
                  + (f"{zplan.size // levels.MiB}MiB,{zplan.algorithm},{zplan.streams}streams"
                     if active else "off"))
    sampler.start()
    events = EventHandler(sampler)
    for name in EVENT_LOGGERS:
        logging.getLogger(name).addHandler(events)
    return MemorySession(info=info, level=level, zram_active=active, stage2_held=held,
                         sampler=sampler, events=events, zswap=bool(options.zswap))
