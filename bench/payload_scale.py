#!/usr/bin/env python3
"""Metadata load plus depsolve on the synthetic 20,000-package repository, ours vs dnf.

Ours: the payload worker (payload/worker.py) in dry-run mode, asked for @scale-core,
exactly as `anaconda --dry-run` runs it. Reference: the dnf CLI resolving the same group
with --assumeno. Both start from an empty cache each run (metadata parsed from scratch).
Prints medians of N paired runs (default 5): wall time and peak RSS.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # not bench/, whose image.py would shadow the image package

from bench.measure import measured  # noqa: E402
from image.bigrepo.generate import ensure_bigrepo  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5

OURS = """
import sys
from payload.model import GroupRequest, InstallRequest, PackageSelection, RepoSpec
from payload.runner import run_worker
root, cache, url = sys.argv[1:4]
request = InstallRequest(root=root, cache_dir=cache, dry_run=True,
                         repos=[RepoSpec("big", baseurl=[url])],
                         selection=PackageSelection(groups=[GroupRequest("scale-core")], nocore=True))
count = run_worker(request, lambda event: None)
print(count)
"""


def main() -> None:
    big = ensure_bigrepo()
    url = big.as_uri()
    ours, theirs = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(RUNS):
            work = Path(tmp) / str(run)
            ours.append(measured([sys.executable, "-c", OURS, str(work / "a"), str(work / "ca"), url]))
            theirs.append(measured(
                ["dnf", "-q", "--assumeno", f"--installroot={work / 'b'}",
                 f"--setopt=cachedir={work / 'cb'}", "--setopt=reposdir=/dev/null",
                 f"--repofrompath=big,{url}", "--repo=big", "--nogpgcheck", "--releasever=1",
                 "group", "install", "scale-core"], ok_codes=(0, 1)))
    med = statistics.median
    resolved = ours[-1].stdout.strip()
    print(f"{RUNS} paired runs, medians; repository {big.name}: 20,000+ packages; "
          f"@scale-core resolves to {resolved} packages")
    print(f"{'':34} {'wall s':>8} {'peak RSS MiB':>13}")
    for name, runs in (("ours (payload worker, dry run)", ours), ("dnf CLI --assumeno", theirs)):
        print(f"{name:34} {med(r.seconds for r in runs):8.2f} {med(r.peak_mib for r in runs):13.1f}")
    print(f"{'ratio ours / dnf':34} {med(r.seconds for r in ours) / med(r.seconds for r in theirs):8.2f} "
          f"{med(r.peak_mib for r in ours) / med(r.peak_mib for r in theirs):13.2f}")


if __name__ == "__main__":
    main()
