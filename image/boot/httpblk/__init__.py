"""httpblk: stage2 read on demand over HTTP range requests through the kernel's NBD
client (httpblk.c says how). Built here, statically (gcc and glibc's static library,
nothing else), for the initrd (image/boot/initrd.py) and for the host tests."""
from __future__ import annotations

import subprocess
from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "httpblk.c"
CFLAGS = ["-static", "-Os", "-s", "-Wall", "-Wextra", "-Werror"]


class HttpblkBuildError(RuntimeError):
    pass


def build(dest: Path) -> Path:
    """Compile httpblk.c into `dest` (a static binary); returns dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["gcc", *CFLAGS, "-o", str(dest), str(SOURCE)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise HttpblkBuildError(f"gcc could not build httpblk: {result.stderr.strip()[-1500:]}")
    return dest
