"""The installer's side of the payload: start the worker, relay its progress, map errors.

The worker's error event, its death (OOM killer, signal) or a line from it that is no
event is raised as the payload's one error type, `PayloadFailure` (events.py), with the
log to read. The worker never outlives a failure on this side (an exception in a progress
callback, Ctrl-C): it is stopped and reaped. A caller that may cancel the work (the UI's
background jobs) registers the worker process through `on_start` and may terminate it;
the worker is reaped here either way.
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

from .events import PayloadEvent, PayloadFailure
from .model import InstallRequest
from .remotelog import inherited_fds

RPM_DBPATH = "/var/lib/rpm"  # the target's rpm database (Debian's rpm defaults to ~/.rpmdb)


def rpm_macros(request: InstallRequest) -> str:
    """Macros the worker's rpm must see from its start: libdnf re-reads rpm's
    configuration, so they go in the worker's own ~/.rpmmacros, not through addMacro."""
    lines = [f"%_dbpath {RPM_DBPATH}"]
    if request.selection.inst_langs is not None:
        lines.append(f"%_install_langs {request.selection.inst_langs or 'all'}")
    return "\n".join(lines) + "\n"

log = logging.getLogger("anaconda.payload")


def _log_output(stream) -> None:
    for line in stream:
        log.info("rpm: %s", line.rstrip("\n"))


OnStart = Callable[[subprocess.Popen], None]


def run_worker(request: InstallRequest, on_event: Callable[[PayloadEvent], None],
               on_start: OnStart | None = None) -> int:
    """Run one payload request to the end; returns the number of packages installed.
    `on_start(popen)` is told the worker process as soon as it runs (to cancel it: a
    terminated worker ends this call with PayloadFailure "WorkerDied")."""
    home = tempfile.mkdtemp(prefix="anaconda-dnf-home-")
    Path(home, ".rpmmacros").write_text(rpm_macros(request))
    try:
        return _run(request, on_event, home, on_start)
    finally:
        shutil.rmtree(home, ignore_errors=True)


#: Seconds the worker gets to exit after SIGTERM before it is killed.
TERM_GRACE = 10.0


def _run(request: InstallRequest, on_event: Callable[[PayloadEvent], None], home: str,
         on_start: OnStart | None) -> int:
    read_fd, write_fd = os.pipe()
    env = dict(os.environ, PYTHONUNBUFFERED="1", HOME=home)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "payload.worker", str(write_fd)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=env, text=True,
                                pass_fds=(write_fd, *inherited_fds(request.remote_logs)))
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    output = threading.Thread(target=_log_output, args=(proc.stdout,), daemon=True)
    output.start()
    try:
        if on_start is not None:
            on_start(proc)
        final = _talk(proc, read_fd, request, on_event)
        code = _reap(proc)
    finally:
        if proc.returncode is None:  # the parent failed (on_event raised, Ctrl-C, ...)
            _stop(proc)
        output.join(timeout=5)
        if not output.is_alive() and proc.stdout is not None:
            proc.stdout.close()
    if final is not None and final.kind == "error":
        raise PayloadFailure(final.error, final.message)
    if code != 0 or final is None:
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        raise PayloadFailure("WorkerDied", f"the package installer process {how} before "
                              "finishing (out of memory?); see packaging.log")
    return final.count


def _talk(proc: subprocess.Popen, read_fd: int, request: InstallRequest,
          on_event: Callable[[PayloadEvent], None]) -> PayloadEvent | None:
    """Send the request, relay the events; returns the final one (done or error), None
    when the worker died first. A line that is no event stops the worker (finally)."""
    with os.fdopen(read_fd) as events:
        assert proc.stdin is not None
        try:
            proc.stdin.write(request.to_json())
            proc.stdin.close()
        except BrokenPipeError:  # died at once: its exit status says how
            log.error("The DNF worker did not read its request")
            return None
        final: PayloadEvent | None = None
        for line in events:
            event = PayloadEvent.from_line(line)  # MalformedEvent stops the worker
            if event.kind in ("error", "done"):
                final = event
            else:
                on_event(event)
        return final


def _reap(proc: subprocess.Popen) -> int:
    """Wait for the worker and log what it cost (its peak RSS is the payload's memory)."""
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:  # reaped by whoever cancelled it (Popen.wait, its lock held)
        proc.wait()
        log.info("DNF worker finished: exit %d (stopped by its caller)", proc.returncode)
        return proc.returncode
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    log.info("DNF worker finished: exit %d, peak RSS %.1f MiB, %.1f s CPU", code,
             usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)
    return code


def _stop(proc: subprocess.Popen) -> None:
    """Whatever went wrong in the installer, the worker does not outlive it: SIGTERM, then
    SIGKILL after TERM_GRACE seconds, then reaped, so no zombie and no orphan holds the
    target's rpm database."""
    log.error("Stopping the DNF worker (pid %d)", proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout=TERM_GRACE)
    except subprocess.TimeoutExpired:
        log.error("The DNF worker ignored SIGTERM for %.0f s; killing it", TERM_GRACE)
        proc.kill()
        proc.wait()
    except KeyboardInterrupt:  # a second Ctrl-C: do not wait, but still reap
        proc.kill()
        proc.wait()
        raise
