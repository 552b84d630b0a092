#!/usr/bin/env python3
"""Boot image figures: part sizes, fresh and cached build time, and the guest's time from
kernel start to the installer's first output (PXE initrd with stage2 inside, TCG).

    .venv/bin/python bench/image.py [--cold]

--cold also builds everything into an empty cache directory (minutes: downloads the kernel,
runs mmdebstrap and mksquashfs) to time a fresh build.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # not bench/: this file is named image.py, like the package

from tests.vm.harness import Disk, HttpServer, KernelBoot, run_vm  # noqa: E402

BUILD = [sys.executable, str(REPO / "image/boot/build.py")]


def timed_build(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(BUILD, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def first_screen(image, work: Path) -> tuple[float, float]:
    """Seconds from the kernel's first line to stage2's start and to anaconda's first line."""
    seen: dict[str, float] = {}
    uptime: list[float] = []

    def watch(line: str) -> bool:
        now = time.monotonic()
        if "anaconda-lean: starting the installer" in line:
            seen.setdefault("stage2", now)
        elif "stage2" in seen and line.lstrip().startswith("anaconda") \
                and "anaconda-lean:" not in line:
            seen.setdefault("installer", now)  # the installer's own first line
        found = re.search(r"\(([\d.]+) s after kernel start\)", line)
        if found:
            uptime.append(float(found.group(1)))
        return "ANACONDA-EXIT" in line

    www = work / "www"
    www.mkdir()
    (www / "ks.cfg").write_text("lang en_US.UTF-8\nrootpw --lock\n")
    with HttpServer(www) as server:
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd, f"inst.ks={server.url_for_guest('ks.cfg')} quiet")
        run_vm(boot, [Disk("target", "1G")], workdir=work, timeout=300, stop_on=watch,
               progress_every=1000)
    return uptime[0], uptime[0] + seen["installer"] - seen["stage2"]


def main() -> None:
    env = dict(os.environ)
    cold = None
    if "--cold" in sys.argv:
        with tempfile.TemporaryDirectory(dir="/var/tmp") as cache:
            cold = timed_build(dict(env, ANACONDA_CACHE=cache))
    timed_build(env)  # make sure the normal cache is complete
    cached = timed_build(env)
    from image.boot.build import ensure_image

    image = ensure_image()
    mib = lambda p: p.stat().st_size / 2**20  # noqa: E731
    print(f"{'part':34} {'MiB':>8}")
    for name, path in (("kernel (vmlinuz)", image.vmlinuz), ("initrd (busybox, modules, init)", image.initrd),
                       ("stage2 (install.img, zstd squashfs)", image.stage2),
                       ("code layer (updates.img)", image.updates), ("ISO", image.iso)):
        print(f"{name:34} {mib(path):8.1f}")
    print(f"build: fresh {cold:.0f} s" if cold else "build: fresh not measured (--cold)", end="; ")
    print(f"cached {cached:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        stage2_start, installer = first_screen(image, Path(tmp))
    print(f"guest (TCG, 1 GiB, PXE initrd): kernel start to stage2 init {stage2_start:.1f} s, "
          f"to the installer's first line {installer:.1f} s")


if __name__ == "__main__":
    main()
