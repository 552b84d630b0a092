"""Kernel memory settings for a small machine (low-memory level 1 and 2).

Seen in a 192 MiB guest (bench/memory.py with a console monitor): the initramfs step
stalled for minutes with "soft lockup" warnings from the installer and from kcompactd,
the kernel compacting memory to make huge pages while everything else waited. Debian's
kernel enables transparent huge pages for every process ("always"), which on a machine
this small buys nothing and costs compaction; its multi-generational LRU (MGLRU), which
picks what to evict far better under pressure, is built in but off. So below 1 GiB:

- transparent huge pages: never (no khugepaged, no huge-page faults to compact for);
- proactive compaction off (vm.compaction_proactiveness 0);
- MGLRU on, where the kernel has it.

Each setting is tried on its own; one the kernel lacks is logged and skipped. Only the
boot image's kernel is tuned: a --dirinstall or dry run on a running system is left alone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("anaconda.memory")

SYS_MM = Path("/sys/kernel/mm")
PROC_SYS = Path("/proc/sys")


@dataclass(frozen=True)
class Setting:
    path: str  # relative to its root
    value: str
    why: str
    under_sys: bool = True  # /sys/kernel/mm, else /proc/sys


SETTINGS = (
    Setting("transparent_hugepage/enabled", "never", "no huge pages to compact memory for"),
    Setting("transparent_hugepage/defrag", "never", "no direct compaction for huge pages"),
    Setting("vm/compaction_proactiveness", "0", "no background compaction", under_sys=False),
    Setting("lru_gen/enabled", "y", "the multi-generational LRU evicts better under pressure"),
)


def current(path: Path) -> str:
    """The value as the kernel shows it: for a choice, the bracketed one."""
    text = path.read_text().strip()
    if "[" in text and "]" in text:
        return text[text.index("[") + 1:text.index("]")]
    return text


def apply(sys_mm: Path = SYS_MM, proc_sys: Path = PROC_SYS) -> dict[str, str]:
    """Apply SETTINGS; returns {path: value} of those the kernel took."""
    applied = {}
    for setting in SETTINGS:
        path = (sys_mm if setting.under_sys else proc_sys) / setting.path
        try:
            before = current(path)
            path.write_text(setting.value + "\n")
            after = current(path)
        except OSError as exc:
            log.info("Memory: %s not set (%s): this kernel lacks it", path, exc.strerror or exc)
            continue
        applied[str(path)] = after
        log.info("Memory: %s %s -> %s (%s)", path, before, after, setting.why)
    return applied
