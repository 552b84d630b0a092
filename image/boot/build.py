"""Build (or reuse) the boot image; print the paths of its parts as the last stdout line.

    .venv/bin/python image/boot/build.py

Parts, each cached under ${ANACONDA_CACHE:-/var/cache/anaconda-lean}/image by a hash
of what it is built from: the kernel, initrd.img, install.img (stage2, minutes),
updates.img (the code layer, seconds), the PXE initrd with stage2 inside, the ISO, and
pxe-root/: the files to serve over TFTP and HTTP for a network boot (image/boot/pxe_root.py;
README "Setting up a PXE server"), whose path is also printed on stderr.
"""
from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from image.boot.cache import log  # noqa: E402
from image.boot.initrd import ensure_initrd  # noqa: E402
from image.boot.iso import LABEL, ensure_iso, ensure_pxe_initrd  # noqa: E402
from image.boot.kernel import ensure_kernel  # noqa: E402
from image.boot.pxe_root import ensure_pxe_root  # noqa: E402
from image.boot.stage2 import ensure_stage2  # noqa: E402
from image.boot.updates import ensure_updates  # noqa: E402


@dataclass
class BootImage:
    kernel_version: str
    vmlinuz: Path
    initrd: Path  # busybox + modules + init
    stage2: Path  # install.img
    updates: Path  # updates.img, the code layer
    pxe_initrd: Path  # initrd with stage2 and updates inside
    iso: Path
    iso_label: str = LABEL
    pxe_root: Path | None = None  # TFTP/HTTP root: boot.ipxe, vmlinuz, initrd.img, images/


def ensure_image() -> BootImage:
    started = time.monotonic()
    kernel = ensure_kernel()
    initrd = ensure_initrd(kernel)
    stage2 = ensure_stage2()
    updates = ensure_updates()
    image = BootImage(kernel.version, kernel.vmlinuz, initrd, stage2, updates,
                      ensure_pxe_initrd(initrd, stage2, updates),
                      ensure_iso(kernel.vmlinuz, initrd, stage2, updates),
                      pxe_root=ensure_pxe_root(kernel.vmlinuz, initrd, stage2, updates))
    log(f"PXE server files (TFTP and HTTP root): {image.pxe_root}")
    log(f"ready in {time.monotonic() - started:.1f} s")
    return image


if __name__ == "__main__":
    print(json.dumps({k: str(v) for k, v in asdict(ensure_image()).items()}))
