"""Running external commands, each one recorded in program.log.

Every command the installer runs goes through `run`, so a stranger reading program.log
sees argv, working root, exit code and output of each, in order. Input fed on stdin (for
instance a password for chpasswd) is never logged.
"""
from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from installer.logs import redact

log = logging.getLogger("anaconda.program")


@dataclass
class ProgramResult:
    argv: list[str]
    returncode: int
    output: str


def run(argv: Sequence[str], *, root: Path | None = None, stdin: str | None = None,
        env: dict[str, str] | None = None, cwd: Path | None = None,
        on_line: Callable[[str], None] | None = None,
        timeout: float | None = None) -> ProgramResult:
    """Run argv (chrooted into `root` when given); stdout and stderr merged, logged line by
    line. It runs in a process group of its own: after `timeout` seconds, or when the
    installer fails while it runs, the whole group is killed."""
    argv = [str(a) for a in argv]
    full = ["chroot", str(root), *argv] if root and str(root) != "/" else argv
    log.info("Running: %s%s", shlex.join(full), f" (in {cwd})" if cwd else "")
    merged_env = dict(os.environ, **(env or {}))
    try:
        proc = subprocess.Popen(
            full, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=merged_env, cwd=cwd,
            text=True, errors="replace", process_group=0)
    except OSError as exc:
        log.info("Could not start %s: %s", argv[0], exc)
        return ProgramResult(full, 127, str(exc))
    timer = threading.Timer(timeout, _expire, (proc, argv[0], timeout)) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    try:
        lines = _feed_and_read(proc, stdin, on_line)
        returncode = proc.wait()
    except BaseException:  # Ctrl-C or a failing on_line: the command does not outlive us
        log.info("Stopping %s (the installer is failing)", argv[0])
        _kill_group(proc)
        proc.wait()
        raise
    finally:
        if timer:
            timer.cancel()
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
    log.info("Exit code of %s: %d", argv[0], returncode)
    return ProgramResult(full, returncode, "\n".join(lines))


def _feed_and_read(proc: subprocess.Popen, stdin: str | None,
                   on_line: Callable[[str], None] | None) -> list[str]:
    if stdin is not None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass
    lines = []
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        log.info("  | %s", line)
        if on_line:
            on_line(redact(line))
    return lines


def _expire(proc: subprocess.Popen, name: str, timeout: float) -> None:
    """The timeout: killed even while its output is still open (a script waiting for
    input never closes it)."""
    if proc.poll() is None:
        log.info("Killing %s after %s s", name, timeout)
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """The command and whatever it started (each command is its own process group), so
    no leftover keeps the output pipe open or the target busy."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
