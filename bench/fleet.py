#!/usr/bin/env python3
"""Many machines, one plain web server: N guests (default 1, 2 and 4) network-boot at once
through iPXE from one nginx (Debian's nginx on loopback, tests/vm/nginx.py) that
serves the PXE files, stage2, the small test repository and a kickstart per MAC; each
installs the storage-only kickstart that names its host, and reports the host name back.

Printed per round: each machine's wall time (power-on to power-off), requests and bytes
served to it by kind (boot = kernel + initrd, stage2, repository, kickstart), nginx's CPU
time, and whether each machine installed what its own kickstart said. Then, from the mean
bytes per install, the server-side traffic and the time the server's link needs for 10,
100 and 1000 machines (the README's table).

    .venv/bin/python bench/fleet.py [--sizes 1,2,4] [--keep DIR]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from image.boot.build import ensure_image  # noqa: E402
from tests.repos.smallrepo import ensure_small_repo  # noqa: E402
from tests.vm.fleet import KINDS, boot_fleet, installed, machines, make_site, traffic  # noqa: E402

MB = 1e6
LINKS = {"1 Gb/s": 1e9, "10 Gb/s": 10e9, "25 Gb/s": 25e9}
FLEETS = (10, 100, 1000)


def run_round(count: int, image, repo: Path, work: Path) -> dict[str, int]:
    """One round of `count` machines; prints its table; returns bytes per kind (mean)."""
    fleet = machines(count)
    site = make_site(work, image, repo, fleet)
    started = time.monotonic()
    with site.nginx:
        results = boot_fleet(site, fleet)
        cpu = site.nginx.cpu_seconds()
    wall = time.monotonic() - started
    print(f"\n== {count} machine{'s' if count > 1 else ''} at once: {wall:.0f} s until the last "
          f"powered off; nginx CPU {cpu:.2f} s")
    header = "  ".join(f"{kind:>10}" for kind in KINDS)
    print(f"{'machine':8} {'wall s':>7} {'requests':>8}  {header}  host name as installed")
    totals = {kind: 0 for kind in KINDS}
    failures = 0
    for machine in fleet:
        result = results[machine.name]
        served = traffic(site.served_to(machine))
        requests = sum(n for n, _ in served.values())
        cells = "  ".join(f"{_size(served[kind][1]):>10}" for kind in KINDS)
        got = result.values.get("hostname", "-")
        ok = result.succeeded and got == machine.hostname and installed(result) == {"tool-j"}
        failures += not ok
        print(f"{machine.name:8} {result.wall_seconds:7.0f} {requests:8d}  {cells}  "
              f"{got} {'ok' if ok else 'WRONG: ' + result.exit_state}")
        for kind in KINDS:
            totals[kind] += served[kind][1]
    sent = sum(sum(b for _, b in traffic(site.served_to(m)).values()) for m in fleet)
    print(f"served {_size(sent)} in all, {sent / MB / wall:.1f} MB/s averaged over the round")
    if failures:
        print(f"{failures} machine(s) did not install what their kickstart said; "
              f"consoles under {work / 'vm'}")
    return {kind: totals[kind] // count for kind in KINDS} | {"failed": failures}


def demo_download_bytes() -> tuple[int, int]:
    """(packages, bytes) DNF downloads for `make demo`'s kickstart (@^minimal-environment
    from the bundled test repository): the repository part of a real install."""
    import dnf

    from image.testrepo.build import ensure_repo

    with tempfile.TemporaryDirectory(prefix="bench-fleet-dnf-") as scratch:
        base = dnf.Base()
        base.conf.installroot = f"{scratch}/root"
        base.conf.cachedir = f"{scratch}/cache"
        base.conf.reposdir = []
        base.conf.releasever = "12"
        base.repos.add_new_repo("demo", base.conf, baseurl=[ensure_repo().as_uri()])
        base.fill_sack(load_system_repo=False)
        base.read_comps()
        base.environment_install(base.comps.environment_by_pattern("minimal-environment").id,
                                 ("mandatory", "default"))
        base.resolve()
        packages = base.transaction.install_set
        total = sum(pkg.downloadsize for pkg in packages)
        base.close()
    return len(packages), total


def projection(per_install: dict[str, int], title: str) -> None:
    """Server bytes and link time for fleets of 10, 100, 1000: bytes x machines / link
    speed, the floor when every machine fetches everything from this one server."""
    each = sum(per_install[kind] for kind in KINDS)
    print(f"\n{title}: {_size(each)} per install from the server (boot "
          f"{_size(per_install['boot'])}, stage2 {_size(per_install['stage2'])}, repository "
          f"{_size(per_install['repository'])}, kickstart {_size(per_install['kickstart'])})")
    links = "".join(f" | {name:>9}" for name in LINKS)
    print(f"\n| machines | server sends{links} |")
    print("| ---: | ---: |" + " ---: |" * len(LINKS))
    for fleet in FLEETS:
        total = each * fleet
        times = "".join(f" | {_duration(total * 8 / speed):>9}" for speed in LINKS.values())
        print(f"| {fleet} | {total / 1e9:.2f} GB{times} |")


def _size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "<1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,4", help="machines per round (default 1,2,4)")
    parser.add_argument("--keep", type=Path, help="keep the run directories (consoles, "
                        "nginx logs) under this directory")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    image = ensure_image()
    repo = ensure_small_repo()
    base = Path(tempfile.mkdtemp(prefix="bench-fleet-", dir=args.keep or "/var/tmp"))
    per_install: dict[str, int] = {}
    failed = 0
    try:
        for count in sizes:
            figures = run_round(count, image, repo, base / f"{count}")
            failed += figures.pop("failed")
            per_install = figures  # the largest round's means, for the projection
        projection(per_install, "as measured (the storage-only install)")
        count, demo = demo_download_bytes()
        projection(per_install | {"repository": demo},
                   f"with make demo's package set instead ({count} packages, DNF's download sizes)")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"\nrun directories kept in {base}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
