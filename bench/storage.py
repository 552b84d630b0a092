#!/usr/bin/env python3
"""Storage figures: scan time in a guest with 1, 8 and 32 disks; planning time for autopart
on 8 disks (host, image files); execution time of an LVM autopart's storage phase (guest).

Disks are virtio-blk (vdX) where they fit; 32 need scsi-hd on one virtio-scsi controller
(sdX), because q35 runs out of PCI slots at one virtio-blk device per disk. 8 disks are
measured on both buses so the 32-disk figure can be compared with the virtio ones.

    .venv/bin/python bench/storage.py
"""
from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from blivet.size import Size  # noqa: E402

from image.boot.build import ensure_image  # noqa: E402
from installer.kickstart.load import parse  # noqa: E402
from installer.kickstart.reader import Reader  # noqa: E402
from storage.kickstart import apply_kickstart  # noqa: E402
from storage.session import from_image_files  # noqa: E402
from tests.repos.smallrepo import ensure_small_repo  # noqa: E402
from tests.vm.harness import Disk, HttpServer, KernelBoot, run_vm  # noqa: E402

SCAN_PRE = r"""%pre
exec > /dev/ttyS0 2>&1
python3 - <<'PY'
import time
started = time.monotonic()
from storage.session import scan
imported = time.monotonic()
session = scan()
print("RESULT: scan=%.2f import=%.2f disks=%d" % (time.monotonic() - imported, imported - started,
                                                  len(session.blivet.disks)))
PY
%end
"""

EXEC_KS = """lang en_US.UTF-8
rootpw --lock
zerombr
clearpart --all --initlabel
autopart --type=lvm
%packages --nocore
tool-j
%end
%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: $(grep -o 'Task Writing the storage layout done in [0-9.]* s' /tmp/anaconda.log)"
%end
poweroff
"""


def planning_time(runs: int = 5) -> float:
    handler = parse([("bench.ks", "clearpart --all --initlabel\nautopart --type=lvm\n")], None,
                    Reader()).handler
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for index in range(8):
            path = Path(tmp) / f"sd{chr(ord('a') + index)}"
            with open(path, "wb") as handle:
                handle.truncate(int(Size("20 GiB")))
            paths.append(path)
        for _ in range(runs):
            session = from_image_files(paths, memory=Size("2 GiB"))
            started = time.perf_counter()
            apply_kickstart(session, handler)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def guest(image, ks_text: str, disks: list[Disk], work: Path) -> dict[str, str]:
    www = work / "www"
    www.mkdir(parents=True)
    (www / "ks.cfg").write_text(ks_text)
    (www / "repo").symlink_to(ensure_small_repo())
    (work / "vm").mkdir()
    with HttpServer(www) as server:
        append = f"inst.ks={server.url_for_guest('ks.cfg')} inst.repo={server.url_for_guest('repo/')} quiet"
        result = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append), disks, workdir=work / "vm",
                        timeout=900, progress_every=1000, stop_on=lambda l: "ANACONDA-EXIT" in l)
    found = {}
    for match in re.finditer(r"RESULT: (.*)", result.console_text):
        found["line"] = found.get("line", "") + match.group(1).strip() + "; "
    return found


def main() -> None:
    image = ensure_image()
    print(f"autopart --type=lvm planning on 8 disks of 20 GiB (host, image files): "
          f"{planning_time():.2f} s (median of 5)")
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        for count, bus in ((1, "virtio"), (8, "virtio"), (8, "scsi"), (32, "scsi")):
            disks = [Disk(f"d{index}", "1G", bus=bus) for index in range(count)]
            out = guest(image, "lang en_US.UTF-8\n" + SCAN_PRE, disks,
                        Path(tmp) / f"scan{count}{bus}")
            label = "virtio-blk" if bus == "virtio" else "virtio-scsi"
            print(f"scan with {count:2d} disks ({label:11s}, guest, TCG): "
                  f"{out.get('line', 'no result')}")
        out = guest(image, EXEC_KS, [Disk("target", "8G")], Path(tmp) / "exec")
        print(f"LVM autopart storage phase (guest, TCG, 8 GiB): {out.get('line', 'no result')}")


if __name__ == "__main__":
    main()
