"""memory.log: a line every few seconds with what memory is doing during the install.

A line (sizes in MiB):
  12:00:05 avail=412 swap_disk=0/512 swap_zram=31/768 zram_ratio=2.84
           top=payload.worker[812]=96,anaconda[301]=58,... psi_mem=3/1 psi_io=40/12
(one line in the file)
`swap_*` is used/size from /proc/swaps (zRAM devices apart from the rest), `zram_ratio`
the compression ratio of what zRAM holds (- when nothing), `top` the five largest
processes by VmRSS, `psi_*` the kernel's pressure stall figures (some/full, percent of
the last 10 s) for memory and I/O, where the kernel has them. The file is 0600 like the
other logs and copied to the target.

The sampler also follows the install's task queue (`progress`, a queue listener): it
samples when a phase begins and ends and writes each phase's peaks at the end of the log,
after the installer's peak RSS (phases.py).
"""
from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import zram
from .disk_swap import swap_areas
from .levels import MiB, read_meminfo
from .oom import status_kib
from .phases import PHASES, PhasePeak, QueueEvent, phase_of

INTERVAL = 5.0
TOP = 5
PROC = Path("/proc")


def swap_use(proc: Path = PROC) -> dict[str, tuple[int, int]]:
    """{'disk': (used, size), 'zram': (used, size)} in KiB, from /proc/swaps."""
    use = {"disk": (0, 0), "zram": (0, 0)}
    for area in swap_areas(proc):
        kind = "zram" if area.is_zram else "disk"
        used, size = use[kind]
        use[kind] = (used + area.used_kib, size + area.size_kib)
    return use


def _name(pid_dir: Path, name: str) -> str:
    """The process name; for python, the module (-m X) or script it runs."""
    if not name.startswith("python"):
        return name
    try:
        argv = (pid_dir / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return name
    argv = [a.decode(errors="replace") for a in argv if a]
    if "-m" in argv[:-1]:
        return argv[argv.index("-m") + 1]
    return os.path.basename(argv[1]) if len(argv) > 1 else name


def top_rss(proc: Path = PROC, count: int = TOP) -> list[tuple[str, int, int]]:
    """The `count` largest processes: (name, pid, VmRSS in KiB), largest first."""
    found = []
    for pid_dir in proc.iterdir():
        if not pid_dir.name.isdigit():
            continue
        try:
            status = (pid_dir / "status").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmRSS" not in fields:  # kernel threads have none
            continue
        rss = int(fields["VmRSS"].split()[0])
        found.append((_name(pid_dir, fields.get("Name", "?").strip()), int(pid_dir.name), rss))
    found.sort(key=lambda item: -item[2])
    return found[:count]


@dataclass(frozen=True)
class Sample:
    """One look at /proc: what a memory.log line shows and what a phase keeps of it."""

    avail: int  # MemAvailable, bytes
    swap: dict[str, tuple[int, int]]  # swap_use()
    zram_ratio: float | None  # None: no zRAM swap
    top: list[tuple[str, int, int]]  # top_rss()
    pressure: dict[str, tuple[float, float]] = field(default_factory=dict)  # pressure()

    def line(self, now: float | None = None) -> str:
        top = ",".join(f"{name}[{pid}]={rss // 1024}" for name, pid, rss in self.top)
        disk, zswap = self.swap["disk"], self.swap["zram"]
        psi = "".join(f" psi_{kind}={some:.0f}/{full:.0f}" for kind, (some, full) in self.pressure.items())
        return (f"{time.strftime('%H:%M:%S', time.localtime(now))} avail={self.avail // MiB} "
                f"swap_disk={disk[0] // 1024}/{disk[1] // 1024} "
                f"swap_zram={zswap[0] // 1024}/{zswap[1] // 1024} "
                f"zram_ratio={'-' if self.zram_ratio is None else f'{self.zram_ratio:.2f}'} top={top}{psi}")


def pressure(proc: Path = PROC) -> dict[str, tuple[float, float]]:
    """{'mem': (some, full), 'io': (some, full)}: the kernel's pressure stall information,
    the share of the last 10 s in which some (or all) tasks waited for memory or I/O, in
    percent. It tells a stall from thrashing: MemAvailable alone cannot. Empty without PSI."""
    found = {}
    for kind, name in (("mem", "memory"), ("io", "io")):
        try:
            lines = (proc / "pressure" / name).read_text().splitlines()
        except OSError:
            continue
        values = {}
        for line in lines:
            words = line.split()
            fields = dict(word.split("=", 1) for word in words[1:] if "=" in word)
            if words and "avg10" in fields:
                values[words[0]] = float(fields["avg10"])
        found[kind] = (values.get("some", 0.0), values.get("full", 0.0))
    return found


def take_sample(proc: Path = PROC, sys_block: Path = zram.SYS_BLOCK) -> Sample:
    """Read /proc (and zRAM's sysfs) once; raises OSError, ValueError or KeyError on a
    tree it cannot read, which the sampler logs as a failed sample."""
    swaps = swap_use(proc)
    return Sample(read_meminfo(proc / "meminfo").available, swaps,
                  zram.ratio(sys_block) if swaps["zram"][1] else None, top_rss(proc), pressure(proc))


@dataclass
class PhaseStats:
    """The running peaks of one phase; a phase met again (configuration, around the
    initramfs and the boot loader) goes on adding to the same one."""

    name: str
    wall: float = 0.0  # seconds
    min_avail: int | None = None  # bytes; None: no sample yet
    swap_peak: int = 0  # KiB in use at once, zRAM and disk together
    zram_peak: int = 0  # KiB
    disk_peak: int = 0  # KiB
    top: tuple[str, int, int] | None = None  # (name, pid, VmRSS KiB)

    def add(self, sample: Sample) -> None:
        zram_used, disk_used = sample.swap["zram"][0], sample.swap["disk"][0]
        self.min_avail = sample.avail if self.min_avail is None else min(self.min_avail, sample.avail)
        self.swap_peak = max(self.swap_peak, zram_used + disk_used)
        self.zram_peak = max(self.zram_peak, zram_used)
        self.disk_peak = max(self.disk_peak, disk_used)
        if sample.top and (self.top is None or sample.top[0][2] > self.top[2]):
            self.top = sample.top[0]

    def peak(self) -> PhasePeak:
        sampled = self.min_avail is not None
        name, pid, rss = self.top if self.top else (None, None, None)
        return PhasePeak(self.name, self.min_avail // MiB if sampled else None,
                         self.swap_peak // 1024 if sampled else None,
                         self.zram_peak // 1024 if sampled else None,
                         self.disk_peak // 1024 if sampled else None,
                         name, pid, rss // 1024 if rss is not None else None, round(self.wall, 1))


def _clock() -> str:
    return time.strftime("%H:%M:%S")


class Sampler:
    """Appends a sample line to `path` every `interval` seconds on a daemon thread, and
    follows the install's phases (`progress`) to write their peaks when it stops."""

    def __init__(self, path: Path, interval: float = INTERVAL, proc: Path = PROC,
                 sys_block: Path = zram.SYS_BLOCK):
        self.path, self.interval, self.proc, self.sys_block = path, interval, proc, sys_block
        self._stop = threading.Event()
        self._lock = threading.Lock()  # one writer at a time
        # a sample and the phase it counts for change together: a tick never lands
        # between a phase's end and the next one's start
        self._sampling = threading.Lock()
        self._thread: threading.Thread | None = None
        self.samples = 0
        self._phases: dict[str, PhaseStats] = {}
        self._phase: PhaseStats | None = None  # the phase running now
        self._since = 0.0  # time.monotonic() when the running phase's stretch began
        self._title: str | None = None  # the task the queue reported last

    def write(self, line: str) -> None:
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)

    def _sample_locked(self) -> Sample | None:
        """A sample line, counted for the running phase; None when it failed."""
        try:
            sample = take_sample(self.proc, self.sys_block)
        except (OSError, ValueError, KeyError) as exc:  # never let the log stop an install
            self.write(f"{_clock()} sample failed: {exc}")
            return None
        self.write(sample.line())
        self.samples += 1
        if self._phase is not None:
            self._phase.add(sample)
        return sample

    def sample(self) -> None:
        with self._sampling:
            self._sample_locked()

    def event(self, text: str) -> None:
        """Something memory-relevant happened (a swap came on): say so and sample at once,
        so the log shows its effect without waiting for the next tick."""
        self.write(f"{_clock()} event: {text}")
        self.sample()

    def progress(self, event: QueueEvent) -> None:
        """A task queue listener (installer/tasks.py): a task of another phase begins, or
        the queue has run its last task. Called for every progress step, so it returns at
        once while the task stays the same."""
        try:
            if event.finished:
                self._switch(None, "the last task ended")
            elif event.task != self._title:
                self._title = event.task
                name = phase_of(event.task, after_packages="packages" in self._phases)
                self._switch(name, f"phase {name} begins ({event.task})")
        except OSError:  # the log must never stop an install
            pass

    def _switch(self, name: str | None, why: str) -> None:
        """End the running phase and begin `name` (None: none) with one sample, which
        counts for both: the 5 s ticks alone would miss a short phase's peak."""
        with self._sampling:
            if (self._phase.name if self._phase else None) == name:
                return
            self.write(f"{_clock()} event: {why}")
            sample = self._sample_locked()
            self._end_phase_locked()
            if name is not None:
                self._phase = self._phases.setdefault(name, PhaseStats(name))
                self._since = time.monotonic()
                if sample is not None:
                    self._phase.add(sample)

    def _end_phase_locked(self) -> None:
        if self._phase is not None:
            self._phase.wall += time.monotonic() - self._since
            self._phase = None

    def phase_peaks(self) -> list[PhasePeak]:
        """The phases that ran, in the order of PHASES (not of the install: configuration
        runs before and after the initramfs)."""
        return [self._phases[name].peak() for name in PHASES if name in self._phases]

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then one last sample (which ends a phase a failure left
        running), the installer's peak RSS and the line of each phase."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=10)
        self._thread = None
        with self._sampling:
            self._sample_locked()
            self._end_phase_locked()
        peak = status_kib("VmHWM", self.proc / "self")
        if peak is not None:
            self.write(f"{_clock()} installer peak RSS (VmHWM) {peak // 1024} MiB")
        for phase in self.phase_peaks():
            self.write(phase.line())


class EventHandler(logging.Handler):
    """Turns log records marked `extra={"memory_event": True}` into sampler events, so the
    storage layer can report swap activation without knowing about the memory log."""

    def __init__(self, sampler: Sampler):
        super().__init__(level=logging.INFO)
        self.sampler = sampler

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "memory_event", False):
            try:
                self.sampler.event(record.getMessage())
            except OSError:  # the log must never stop an install
                pass
