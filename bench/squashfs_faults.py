#!/usr/bin/env python3
"""What one cold page read of stage2 costs, per squashfs compression and block size.

On a small machine the installer's code (Python modules, shared libraries) is evicted
from the page cache and read back from stage2 again and again; every such read
decompresses the whole squashfs block the page lies in. This unpacks the current
install.img once, packs it the ways below, mounts each through a loop device and reads
the same 3000 random 4 KiB pages (weighted by file size, as faults are) with the page
cache dropped first. All variants run in one go, so their ratios hold on a noisy machine.

    .venv/bin/python bench/squashfs_faults.py        (root: mount, drop_caches)
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from image.boot.stage2 import ensure_stage2  # noqa: E402

VARIANTS = {
    "xz 1M (until issue 19)": ["-comp", "xz", "-Xbcj", "x86", "-b", "1M"],
    "xz 128K": ["-comp", "xz", "-Xbcj", "x86", "-b", "128K"],
    "zstd-19 128K (install.img)": ["-comp", "zstd", "-Xcompression-level", "19", "-b", "128K"],
    "zstd-19 64K": ["-comp", "zstd", "-Xcompression-level", "19", "-b", "64K"],
    "lz4hc 64K": ["-comp", "lz4", "-Xhc", "-b", "64K"],
}
READS = 3000


def pages(root: Path, count: int) -> list[tuple[Path, int]]:
    files = [(p, p.stat().st_size) for p in root.rglob("*")
             if p.is_file() and not p.is_symlink() and p.stat().st_size > 4096]
    rng = random.Random(19)
    chosen = rng.choices(files, weights=[size for _, size in files], k=count)
    return [(path, rng.randrange(0, size - 1) & ~4095) for path, size in chosen]


def cold_reads(mountpoint: Path, picks: list[tuple[Path, int]], tree: Path) -> float:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    start = time.monotonic()
    for path, offset in picks:
        with open(mountpoint / path.relative_to(tree), "rb") as handle:
            handle.seek(offset)
            handle.read(4096)
    return time.monotonic() - start


def main() -> None:
    if os.geteuid() != 0:
        sys.exit("bench/squashfs_faults.py needs root (loop mounts, drop_caches)")
    stage2 = ensure_stage2()
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        tree = work / "tree"
        subprocess.run(["unsquashfs", "-q", "-n", "-d", str(tree), str(stage2)], check=True,
                       stdout=subprocess.DEVNULL)
        picks = pages(tree, READS)
        print(f"stage2 {stage2} unpacked; {READS} random cold 4 KiB reads per variant")
        print(f"{'variant':28} {'MB':>6} {'pack s':>7} {'reads s':>8} {'ms/read':>8}")
        for name, options in VARIANTS.items():
            image = work / "variant.img"
            start = time.monotonic()
            subprocess.run(["mksquashfs", str(tree), str(image), *options, "-noappend", "-quiet",
                            "-no-progress", "-processors", str(os.cpu_count() or 1)],
                           check=True, stdout=subprocess.DEVNULL)
            packed = time.monotonic() - start
            mountpoint = work / "mnt"
            mountpoint.mkdir(exist_ok=True)
            subprocess.run(["mount", "-o", "loop,ro", str(image), str(mountpoint)], check=True)
            try:
                seconds = cold_reads(mountpoint, picks, tree)
            finally:
                subprocess.run(["umount", str(mountpoint)], check=True)
            print(f"{name:28} {image.stat().st_size / 1e6:6.1f} {packed:7.1f} {seconds:8.2f} "
                  f"{seconds * 1000 / READS:8.2f}", flush=True)
            image.unlink()


if __name__ == "__main__":
    main()
