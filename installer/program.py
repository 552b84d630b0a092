"""Running external commands, each one recorded in program.log.

Every command the installer runs goes through `run`, so a stranger reading program.log
sees argv, working root, exit code and output of each, in order. Input fed on stdin (for
instance a password for chpasswd) is never logged.
"""
from __future__ import annotations

import logging
import os
import shlex
import subprocess
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
    """Run argv (chrooted into `root` when given); stdout and stderr merged, logged line by line."""
    argv = [str(a) for a in argv]
    full = ["chroot", str(root), *argv] if root and str(root) != "/" else argv
    log.info("Running: %s%s", shlex.join(full), f" (in {cwd})" if cwd else "")
    merged_env = dict(os.environ, **(env or {}))
    try:
        proc = subprocess.Popen(
            full, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=merged_env, cwd=cwd,
            text=True, errors="replace")
    except OSError as exc:
        log.info("Could not start %s: %s", argv[0], exc)
        return ProgramResult(full, 127, str(exc))
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
    try:
        returncode = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        returncode = proc.wait()
        log.info("Killed %s after %s s", argv[0], timeout)
    log.info("Exit code of %s: %d", argv[0], returncode)
    return ProgramResult(full, returncode, "\n".join(lines))
