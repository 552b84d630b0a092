#!/usr/bin/env python3
"""Our payload vs the dnf CLI installing @^minimal-environment from the bundled test
repository into an empty directory: wall time ratio and peak RSS.

Ours is the real program, `anaconda --cmdline --dirinstall` with a kickstart that has only
%packages (so the time is the payload's plus a parse), its DNF work in the worker process.
The reference is `dnf --installroot DIR install @minimal-environment`. Both start each
run with an empty cache and an empty root; runs are paired and alternate who goes first.
Peak RSS: the largest process of each tree; for ours also the installer process alone.
"""
from __future__ import annotations

import re
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # not bench/, whose image.py would shadow the image package

from bench.measure import measured  # noqa: E402
from image.testrepo.build import ensure_repo  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ANACONDA = Path(sys.executable).parent / "anaconda"
KICKSTART = "%packages\n@^minimal-environment\n%end\n"


def ours(work: Path, url: str):
    ks = work / "bench.ks"
    ks.write_text(KICKSTART)
    result = measured([str(ANACONDA), "--boot-options", f"inst.repo={url}", "--logdir",
                       str(work / "logs"), "--cmdline", "--dirinstall", str(work / "ours"),
                       "--kickstart", str(ks)])
    log = (work / "logs/packaging.log").read_text()
    worker = float(re.search(r"DNF worker finished: exit 0, peak RSS ([\d.]+) MiB", log).group(1))
    installed = int(re.search(r"Transaction: (\d+) packages", log).group(1))
    return result, worker, installed


def theirs(work: Path, url: str):
    return measured(["dnf", "-y", "-q", f"--installroot={work / 'theirs'}",
                     f"--setopt=cachedir={work / 'cache'}", "--setopt=reposdir=/dev/null",
                     f"--repofrompath=t,{url}", "--repo=t", "--nogpgcheck", "--releasever=12",
                     "install", "@minimal-environment"])


def main() -> None:
    url = ensure_repo().as_uri()
    a, b, workers = [], [], []
    installed = 0
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        for run in range(RUNS):
            work = Path(tmp) / str(run)
            work.mkdir()
            if run % 2:
                b.append(theirs(work, url))
            result, worker, installed = ours(work, url)
            a.append(result)
            workers.append(worker)
            if not run % 2:
                b.append(theirs(work, url))
    med = statistics.median
    print(f"{RUNS} paired runs, medians; @^minimal-environment = {installed} packages")
    print(f"{'':40} {'wall s':>8} {'peak RSS MiB':>13}")
    print(f"{'ours: anaconda --dirinstall (tree)':40} {med(r.seconds for r in a):8.2f} "
          f"{med(r.peak_mib for r in a):13.1f}")
    print(f"{'  of which the DNF worker':40} {'':8} {med(workers):13.1f}")
    print(f"{'dnf CLI --installroot':40} {med(r.seconds for r in b):8.2f} "
          f"{med(r.peak_mib for r in b):13.1f}")
    ratio = med(r.seconds for r in a) / med(r.seconds for r in b)
    extra = med(r.peak_mib for r in a) - med(r.peak_mib for r in b)
    print(f"overhead ratio ours / dnf: {ratio:.3f} (goal <= 1.05); "
          f"peak RSS ours - dnf: {extra:+.1f} MiB (goal <= +10)")


if __name__ == "__main__":
    main()
