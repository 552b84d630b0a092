"""Running a command and measuring its wall time and the peak RSS of its process tree."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass
class Measured:
    seconds: float
    peak_mib: float  # largest RSS of any process in the tree (ru_maxrss of waited children)
    stdout: str


def measured(argv: list[str], ok_codes: tuple[int, ...] = (0,), **kwargs) -> Measured:
    """Run argv in a fresh child of a fresh helper, so ru_maxrss belongs to this run alone."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the helper: run the command, report its tree's peak RSS, exit
        os.close(read)
        result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        os.write(write, f"{result.returncode}\n{peak}\n{result.stdout}\0{result.stderr}".encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read().decode()
    os.waitpid(pid, 0)
    seconds = time.perf_counter() - started
    code, peak, rest = data.split("\n", 2)
    out, err = rest.split("\0", 1)
    if int(code) not in ok_codes:
        raise SystemExit(f"{argv[0]} failed with {code}: {err[-2000:]}")
    return Measured(seconds, int(peak) / 1024, out)
