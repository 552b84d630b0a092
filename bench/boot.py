#!/usr/bin/env python3
"""Configuration and first-boot figures: the wall time of each configuration task of a
kickstart install of @^minimal-environment (LVM, BIOS) in a TCG guest, and the time
from the installed system's kernel start to the boot check's output.

Same install and check as tests/vm/test_boot_installed.py (case bios-lvm).

    .venv/bin/python bench/boot.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from image.boot.build import ensure_image  # noqa: E402
from image.testrepo.build import ensure_repo  # noqa: E402
from tests.vm.harness import Disk, DiskBoot, HttpServer, KernelBoot, run_vm  # noqa: E402
from tests.vm.served import install_tree  # noqa: E402
from tests.vm.test_boot_installed import CASES, CHECK, SYSTEM, _booted, task_times  # noqa: E402
from tests.vm.test_install import failed  # noqa: E402

CONFIG_TASKS = ("Writing fstab and crypttab", "Configuring the system", "Creating users",
                "Making the initramfs", "Installing the boot loader", "Saving the kickstart")


def main() -> int:
    case = CASES["bios-lvm"]
    image = ensure_image()
    with tempfile.TemporaryDirectory(prefix="bench-boot-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        www = install_tree(work / "www", image)
        (www / "repo").symlink_to(ensure_repo())
        (www / "ks.cfg").write_text(SYSTEM + case.storage + CHECK)
        disks = [Disk("target", "8G")]
        with HttpServer(www) as server:
            append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                      f"inst.repo={server.url_for_guest('repo/')} quiet")
            install = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append), disks,
                             workdir=work / "install", memory_mib=1536, timeout=1800, stop_on=failed)
        if "ANACONDA-EXIT: 0" not in install.console_text:
            print(install.summary())
            return 1
        booted = run_vm(DiskBoot(), disks, workdir=work / "boot", memory_mib=1024, timeout=900,
                        network=False)
    times = task_times(install.console_text)
    print(f"install in the guest (TCG): {install.wall_seconds:.0f} s wall")
    for title, seconds in times.items():
        mark = "  (configuration)" if title in CONFIG_TASKS else ""
        print(f"  {title:32s} {seconds:7.2f} s{mark}")
    config = sum(s for t, s in times.items() if t in CONFIG_TASKS)
    print(f"configuration phase: {config:.1f} s "
          f"({', '.join(t for t in CONFIG_TASKS if t in times)})")
    values = _booted(booted.console_text)
    if "uptime" not in values:
        print(booted.summary())
        return 1
    print(f"installed system: kernel start to the check's output {float(values['uptime']):.1f} s "
          f"(guest uptime); firmware to poweroff {booted.wall_seconds:.0f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
