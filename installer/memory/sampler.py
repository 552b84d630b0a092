"""memory.log: a line every few seconds with what memory is doing during the install.

A line (sizes in MiB):
  12:00:05 avail=412 swap_disk=0/512 swap_zram=31/768 zram_ratio=2.84 top=payload.worker[812]=96,anaconda[301]=58,...
`swap_*` is used/size from /proc/swaps (zRAM devices apart from the rest), `zram_ratio`
the compression ratio of what zRAM holds (- when nothing), `top` the five largest
processes by VmRSS. The file is 0600 like the other logs and copied to the target.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from . import zram
from .levels import MiB, read_meminfo
from .oom import status_kib

INTERVAL = 5.0
TOP = 5
PROC = Path("/proc")


def swap_use(proc: Path = PROC) -> dict[str, tuple[int, int]]:
    """{'disk': (used, size), 'zram': (used, size)} in KiB, from /proc/swaps."""
    use = {"disk": (0, 0), "zram": (0, 0)}
    try:
        lines = (proc / "swaps").read_text().splitlines()[1:]
    except OSError:
        return use
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        kind = "zram" if os.path.basename(fields[0]).startswith("zram") else "disk"
        used, size = use[kind]
        use[kind] = (used + int(fields[3]), size + int(fields[2]))
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


def sample_line(proc: Path = PROC, sys_block: Path = zram.SYS_BLOCK, now: float | None = None) -> str:
    info = read_meminfo(proc / "meminfo")
    swaps = swap_use(proc)
    ratio = zram.ratio(sys_block) if swaps["zram"][1] else None
    top = ",".join(f"{name}[{pid}]={rss // 1024}" for name, pid, rss in top_rss(proc))
    return (f"{time.strftime('%H:%M:%S', time.localtime(now))} avail={info.available // MiB} "
            f"swap_disk={swaps['disk'][0] // 1024}/{swaps['disk'][1] // 1024} "
            f"swap_zram={swaps['zram'][0] // 1024}/{swaps['zram'][1] // 1024} "
            f"zram_ratio={'-' if ratio is None else f'{ratio:.2f}'} top={top}")


class Sampler:
    """Appends a sample line to `path` every `interval` seconds on a daemon thread."""

    def __init__(self, path: Path, interval: float = INTERVAL, proc: Path = PROC,
                 sys_block: Path = zram.SYS_BLOCK):
        self.path, self.interval, self.proc, self.sys_block = path, interval, proc, sys_block
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.samples = 0

    def write(self, line: str) -> None:
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)

    def sample(self) -> None:
        try:
            self.write(sample_line(self.proc, self.sys_block))
            self.samples += 1
        except (OSError, ValueError, KeyError) as exc:  # never let the log stop an install
            self.write(f"{time.strftime('%H:%M:%S')} sample failed: {exc}")

    def event(self, text: str) -> None:
        """Something memory-relevant happened (a swap came on): say so and sample at once,
        so the log shows its effect without waiting for the next tick."""
        self.write(f"{time.strftime('%H:%M:%S')} event: {text}")
        self.sample()

    def _loop(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread, then one last sample and the installer's peak RSS."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=10)
        self._thread = None
        self.sample()
        peak = status_kib("VmHWM", self.proc / "self")
        if peak is not None:
            self.write(f"{time.strftime('%H:%M:%S')} installer peak RSS (VmHWM) {peak // 1024} MiB")


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
