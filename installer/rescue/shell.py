"""The person's shell on the installer's console.

The installer runs from the image's init without a controlling terminal; a shell without
one has no job control and Ctrl-C would not reach what it runs. So on a terminal that is
not yet ours the shell gets it as its own (`setsid --ctty`), and `--wait` keeps rescue
waiting until the person leaves.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys

log = logging.getLogger("anaconda.rescue")

PROMPT = r"[anaconda rescue \w]# "


def shell_argv() -> list[str]:
    bash = shutil.which("bash")
    return [bash, "--norc", "--noprofile", "-i"] if bash else ["/bin/sh", "-i"]


def _our_terminal(fd: int) -> bool:
    try:
        os.tcgetpgrp(fd)  # only works on the calling process's controlling terminal
        return True
    except OSError:
        return False


def _reopen(terminal: str) -> None:
    """When the shell's session ends, the kernel hangs its terminal up for every file open
    on it, ours included (writes fail with EIO): open it anew for what rescue says next."""
    fd = os.open(terminal, os.O_RDWR | os.O_NOCTTY)
    for target in (0, 1, 2):
        os.dup2(fd, target)
    os.close(fd)


def run_shell() -> int:
    """Run the shell on stdin/stdout until the person exits it; its exit code."""
    argv = shell_argv()
    stdin = sys.stdin.fileno()
    terminal = os.ttyname(stdin) if os.isatty(stdin) else None
    own_session = bool(terminal and not _our_terminal(stdin) and shutil.which("setsid"))
    if own_session:
        argv = ["setsid", "--ctty", "--wait", *argv]
    env = dict(os.environ, PS1=PROMPT, HOME="/root" if os.path.isdir("/root") else "/")
    log.info("Starting the rescue shell: %s", " ".join(argv))
    sys.stdout.flush()
    sys.stderr.flush()
    code = subprocess.call(argv, env=env, cwd="/")
    log.info("The rescue shell ended (exit code %d)", code)
    if own_session:
        _reopen(terminal)
    return code
