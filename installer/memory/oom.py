"""The installer's own standing with the OOM killer, and its peak memory.

The installer process holds the story of the install (which disks were written, the
logs, the %onerror scripts, the final report). When memory runs out the kernel should
kill the DNF worker child first: its death is reported as a payload error, with logs,
while a killed installer leaves a half-written disk and nothing saying why. So the
installer lowers its score to OOM_SCORE_ADJ and the worker puts its own back to 0
(payload/worker.py), a child inheriting the parent's value otherwise.
"""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger("anaconda.memory")

OOM_SCORE_ADJ = -500  # -1000 would make it unkillable; -500 only puts it behind the rest
SELF = Path("/proc/self")


def protect(proc_self: Path = SELF, value: int = OOM_SCORE_ADJ) -> bool:
    try:
        (proc_self / "oom_score_adj").write_text(f"{value}\n")
    except OSError as exc:  # not root: lowering the score needs CAP_SYS_RESOURCE
        log.info("oom_score_adj not changed (%s)", exc)
        return False
    log.info("oom_score_adj of the installer set to %d (the DNF worker goes first)", value)
    return True


def status_kib(field: str, proc_self: Path = SELF) -> int | None:
    """A `kB` field of /proc/PID/status (VmRSS, VmHWM), or None."""
    try:
        for line in (proc_self / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None
