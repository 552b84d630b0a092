"""The installer's side of the payload: start the worker, relay its progress, map errors.

The worker's death (OOM killer, signal) is reported as such, with the log to read.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable

from .events import PayloadEvent
from .model import InstallRequest

RPM_DBPATH = "/var/lib/rpm"  # the target's rpm database (Debian's rpm defaults to ~/.rpmdb)


def rpm_macros(request: InstallRequest) -> str:
    """Macros the worker's rpm must see from its start: libdnf re-reads rpm's
    configuration, so they go in the worker's own ~/.rpmmacros, not through addMacro."""
    lines = [f"%_dbpath {RPM_DBPATH}"]
    if request.selection.inst_langs is not None:
        lines.append(f"%_install_langs {request.selection.inst_langs or 'all'}")
    return "\n".join(lines) + "\n"

log = logging.getLogger("anaconda.payload")


class PayloadRunError(Exception):
    """The payload failed; `kind` is the worker's classification, `message` says why."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


def _log_output(stream) -> None:
    for line in stream:
        log.info("rpm: %s", line.rstrip("\n"))


def run_worker(request: InstallRequest, on_event: Callable[[PayloadEvent], None]) -> int:
    """Run one payload request to the end; returns the number of packages installed."""
    home = tempfile.mkdtemp(prefix="anaconda-dnf-home-")
    Path(home, ".rpmmacros").write_text(rpm_macros(request))
    try:
        return _run(request, on_event, home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run(request: InstallRequest, on_event: Callable[[PayloadEvent], None], home: str) -> int:
    read_fd, write_fd = os.pipe()
    env = dict(os.environ, PYTHONUNBUFFERED="1", HOME=home)
    proc = subprocess.Popen([sys.executable, "-m", "payload.worker", str(write_fd)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, pass_fds=(write_fd,), env=env, text=True)
    os.close(write_fd)
    output = threading.Thread(target=_log_output, args=(proc.stdout,), daemon=True)
    output.start()
    assert proc.stdin is not None
    proc.stdin.write(request.to_json())
    proc.stdin.close()
    final: PayloadEvent | None = None
    with os.fdopen(read_fd) as events:
        for line in events:
            event = PayloadEvent.from_line(line)
            if event.kind in ("error", "done"):
                final = event
            else:
                on_event(event)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    log.info("DNF worker finished: exit %d, peak RSS %.1f MiB, %.1f s CPU", code,
             usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
    output.join(timeout=5)
    if final is not None and final.kind == "error":
        raise PayloadRunError(final.error, final.message)
    if code != 0 or final is None:
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        raise PayloadRunError("WorkerDied", f"the package installer process {how} before "
                              "finishing (out of memory?); see packaging.log")
    return final.count
