#!/usr/bin/env python3
"""Start-up figures of the foundation, ours vs pykickstart's ksvalidator in the same run.

1. `anaconda --validate` on a generated 500-line kickstart vs `ksvalidator` on the same file;
2. process start to the first progress line of `anaconda --cmdline --dirinstall` (minimal.ks).
Medians of N paired runs (default 7), printed as a table.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def kickstart_500() -> str:
    """A realistic large kickstart: many users, repos, partitions, networks and scripts."""
    lines = ["lang en_US.UTF-8", "keyboard us", "timezone Etc/UTC --utc", "rootpw --lock",
             "zerombr", "clearpart --all --initlabel"]
    for i in range(40):
        lines.append(f"user --name=user{i} --groups=wheel,users --gecos='User {i}' --lock")
        lines.append(f"repo --name=extra{i} --baseurl=http://mirror.example.test/repo{i}/ --cost={i}")
        lines.append(f"network --device=eth{i} --bootproto=static --ip=10.0.{i}.2 "
                     f"--netmask=255.255.255.0 --gateway=10.0.{i}.1 --nameserver=10.0.0.1")
    lines.append("part /boot --size=1024 --fstype=xfs")
    lines.append("part pv.01 --size=1 --grow")
    lines.append("volgroup vg0 pv.01")
    for i in range(40):
        lines.append(f"logvol /srv/data{i} --vgname=vg0 --name=data{i} --size=512 --fstype=xfs")
    lines += ["%packages", "@^minimal-environment"] + [f"package-{i}" for i in range(100)] + ["%end"]
    while len(lines) < 496:
        lines += ["%post", "echo configuring", "%end"]
    return "\n".join(lines[:497] + ["%post", "true", "%end"]) + "\n"


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{argv} failed: {proc.stderr}")
    return time.perf_counter() - started


def first_progress_line(workdir: Path) -> float:
    argv = [str(BIN / "anaconda"), "--boot-options", "", "--logdir", str(workdir / "logs"),
            "--cmdline", "--dirinstall", str(workdir / "target"),
            "--kickstart", str(REPO / "data/ks/minimal.ks")]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    elapsed = None
    for line in proc.stdout:
        if elapsed is None and line.startswith("["):
            elapsed = time.perf_counter() - started
    proc.wait()
    if elapsed is None:
        sys.exit("no progress line seen")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        ks = work / "big.ks"
        ks.write_text(kickstart_500())
        ours, theirs, first = [], [], []
        for run in range(RUNS):
            ours.append(timed([str(BIN / "anaconda"), "--validate", str(ks)]))
            theirs.append(timed([str(BIN / "ksvalidator"), str(ks)]))
            first.append(first_progress_line(work / f"run{run}"))
        lines = len(ks.read_text().splitlines())
    med = statistics.median
    print(f"{RUNS} paired runs, medians (host: {sys.version.split()[0]})")
    print(f"{'measure':52} {'seconds':>8}")
    print(f"{f'anaconda --validate, {lines}-line kickstart':52} {med(ours):8.3f}")
    print(f"{f'ksvalidator, same file (reference)':52} {med(theirs):8.3f}")
    print(f"{'ratio ours / ksvalidator':52} {med(ours) / med(theirs):8.2f}")
    print(f"{'process start to first progress line (minimal.ks)':52} {med(first):8.3f}")


if __name__ == "__main__":
    main()
