#!/usr/bin/env python3
"""`make demo`: the README's main job. Builds what is missing (the bundled test
repository, the boot image), installs data/ks/minimal.ks into a qemu guest with an 8 GiB
disk from the repository served over http, and prints a summary: the disk layout,
packages installed, wall time and memory.

    .venv/bin/python tests/vm/demo.py [--memory MiB]
"""
from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[0] = str(REPO)

from image.boot.build import ensure_image  # noqa: E402
from image.testrepo.build import ensure_repo  # noqa: E402
from tests.vm.harness import Disk, HttpServer, KernelBoot, progress_of, run_vm  # noqa: E402
from tests.vm.test_install import failed  # noqa: E402

SUMMARY = r"""
%post --nochroot
exec > /dev/ttyS0 2>&1
lsblk -rno NAME,SIZE,TYPE,FSTYPE,MOUNTPOINT /dev/vda | sed 's/^/RESULT: layout /'
echo "RESULT: packages=$(chroot /mnt/sysroot rpm -qa | wc -l)"
echo "RESULT: used=$(df -h --output=used /mnt/sysroot | tail -1 | tr -d ' ')"
echo "RESULT: worker_rss=$(sed -n 's/.*DNF worker finished: exit [0-9]*, peak RSS \([0-9.]*\) MiB.*/\1/p' /tmp/packaging.log)"
echo "RESULT: memavailable_min_kib=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)"
echo "RESULT: SUCCESS"
%end
"""


def say(text: str) -> None:
    print(f"demo: {text}", file=sys.stderr, flush=True)


class StepPrinter:
    """Prints each new step of the installer's progress ("[ 42%] Installing packages: ...")
    the moment the console shows it; the harness's 30 s heartbeat repeats the newest line."""

    def __init__(self, out=sys.stderr) -> None:
        self.started = time.monotonic()
        self.task = ""
        self.out = out

    def __call__(self, line: str) -> None:
        progress = progress_of(line)
        if progress:
            task = progress.split("] ", 1)[1].split(":", 1)[0]
            if task != self.task:
                self.task = task
                print(f"demo: {time.monotonic() - self.started:5.0f} s  {progress[:140]}",
                      file=self.out, flush=True)


def demo_boot_options(server) -> str:
    """inst.cmdline: progress lines on the serial console instead of the kickstart's
    full-screen `text` progress, which a pipe read by this script cannot show."""
    return (f"inst.ks={server.url_for_guest('ks.cfg')} "
            f"inst.repo={server.url_for_guest('repo/')} inst.cmdline quiet")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory", type=int, default=1536, help="guest RAM in MiB")
    args = parser.parse_args()
    started = time.monotonic()
    say("bundled test repository (built on first use, minutes)")
    repo = ensure_repo()
    say("boot image (built on first use, minutes)")
    image = ensure_image()
    with tempfile.TemporaryDirectory(prefix="anaconda-demo-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        www = work / "www"
        www.mkdir()
        (www / "ks.cfg").write_text((REPO / "data/ks/minimal.ks").read_text() + SUMMARY)
        (www / "repo").symlink_to(repo)
        (work / "vm").mkdir()
        with HttpServer(www) as server:
            append = demo_boot_options(server)
            say(f"installing in a qemu guest (TCG, {args.memory} MiB): the console is in "
                f"{work / 'vm'}/console.log")
            result = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append), [Disk("target", "8G")],
                            workdir=work / "vm", memory_mib=args.memory, timeout=3600,
                            stop_on=failed, on_line=StepPrinter())
        values = result.values
        layout = [r.text.removeprefix("layout ") for r in result.results if r.text.startswith("layout ")]
    print("disk layout (vda):")
    for line in layout:
        print("  " + line)
    print(f"packages installed: {values.get('packages', '?')}, using {values.get('used', '?')}")
    print(f"wall time: {result.wall_seconds:.0f} s in the guest, {time.monotonic() - started:.0f} s in all")
    print(f"memory: guest {args.memory} MiB; DNF worker peak RSS {values.get('worker_rss', '?')} MiB; "
          f"MemAvailable at the end {int(values.get('memavailable_min_kib', 0)) // 1024} MiB")
    ok = result.succeeded and result.exit_state == "poweroff"
    print("result: " + ("installed" if ok else f"FAILED ({result.exit_state}); console tail:\n"
                                                 + "\n".join(result.console_text.splitlines()[-30:])))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
