"""The install's phases and the per-phase peaks memory.log ends with.

Why per phase: a 5 s curve shows that memory ran short, not which step needs the RAM,
and that is the question a small machine asks (the floors bench/memory.py found were set
by the initramfs step and by the package downloads). The sampler (sampler.py) follows the
task queue, maps each task's title onto one of five phases, samples when a phase begins
and ends (a short phase is measured even between two ticks) and, when it stops, writes
one line per phase that ran, in the order of PHASES (sizes in MiB, `-` when no sample
could be taken):

  phase packages: min_avail=41 MiB swap_peak=120 MiB zram_peak=100 MiB disk_swap_peak=20 MiB top=payload.worker[812]=96 MiB wall=312.4 s

`swap_peak` is the most swap in use at once, zRAM and disk together; `top` the largest
VmRSS of a single process at a sample; `wall` the phase's time, added up when it ran in
several stretches (configuration runs before and after the initramfs and boot loader).
`read_phase_peaks` reads the lines back (bench/memory.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

PHASES = ("storage", "packages", "initramfs", "boot loader", "configuration")
#: The tasks that install the software (installer/install.py); whatever runs before them
#: prepares the target and counts as storage.
PACKAGE_TASKS = ("Installing packages", "Installing the live image")
#: Tasks after the software with a phase of their own; every other one is configuration.
OWN_PHASE_TASKS = {"Making the initramfs": "initramfs", "Installing the boot loader": "boot loader"}


class QueueEvent(Protocol):
    """What the sampler reads of installer/tasks.py's ProgressEvent (this package imports
    only the standard library, so the type is described, not imported)."""

    task: str
    finished: bool


def phase_of(title: str, after_packages: bool) -> str:
    """The phase of the task titled `title`; `after_packages`: the packages phase has begun."""
    if title in PACKAGE_TASKS:
        return "packages"
    if not after_packages:
        return "storage"
    return OWN_PHASE_TASKS.get(title, "configuration")


@dataclass(frozen=True)
class PhasePeak:
    """One phase's line of memory.log. None: no sample succeeded in the phase (or, for
    the top process, no process was found)."""

    name: str
    min_avail_mib: int | None
    swap_peak_mib: int | None
    zram_peak_mib: int | None
    disk_swap_peak_mib: int | None
    top_name: str | None
    top_pid: int | None
    top_rss_mib: int | None
    wall_seconds: float

    def line(self) -> str:
        top = (f"{self.top_name}[{self.top_pid}]={self.top_rss_mib} MiB"
               if self.top_name is not None else "-")
        return (f"phase {self.name}: min_avail={_mib(self.min_avail_mib)} "
                f"swap_peak={_mib(self.swap_peak_mib)} zram_peak={_mib(self.zram_peak_mib)} "
                f"disk_swap_peak={_mib(self.disk_swap_peak_mib)} top={top} "
                f"wall={self.wall_seconds:.1f} s")

    @classmethod
    def parse(cls, line: str) -> PhasePeak | None:
        """The peak a `line()` wrote, or None for any other line."""
        found = LINE.match(line)
        if found is None:
            return None
        value = found.groupdict()
        return cls(value["name"], _int(value["avail"]), _int(value["swap"]), _int(value["zram"]),
                   _int(value["disk"]), value["top_name"], _int(value["top_pid"]),
                   _int(value["top_rss"]), float(value["wall"]))


def _mib(value: int | None) -> str:
    return "-" if value is None else f"{value} MiB"


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _size(name: str) -> str:
    return rf"(?:(?P<{name}>\d+) MiB|-)"


# the top process's name may hold anything (spaces, brackets): `[pid]=N MiB wall=` ends it
LINE = re.compile(
    rf"^phase (?P<name>[a-z ]+): min_avail={_size('avail')} swap_peak={_size('swap')} "
    rf"zram_peak={_size('zram')} disk_swap_peak={_size('disk')} "
    r"top=(?:(?P<top_name>.+)\[(?P<top_pid>\d+)\]=(?P<top_rss>\d+) MiB|-) "
    r"wall=(?P<wall>\d+(?:\.\d+)?) s$")


def read_phase_peaks(text: str) -> list[PhasePeak]:
    """The phase lines of a memory.log's text (other lines are skipped), in their order."""
    return [peak for line in text.splitlines() if (peak := PhasePeak.parse(line.strip()))]
