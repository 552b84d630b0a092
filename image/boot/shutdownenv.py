"""The shutdown environment, kept compressed until shutdown (issue 7: "compress the initrd
after boot").

busybox switch_root deletes the initramfs (on PXE, stage2's install.img stays, held by
its loop device; the kernel modules go on in stage2, zstd-compressed by the init). What
must survive until shutdown, to unmount stage2 itself before poweroff, is this small
tree: busybox and the `shutdown` script. It goes into the initrd as one xz cpio
(busybox's xzcat reads it), which the initrd's init copies to /run/initramfs/ and which
stage2-init unpacks into a tmpfs only at shutdown (adding stage2's dmsetup), like
dracut's /run/initramfs but compressed in the meantime.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static
SCRIPT = HERE / "shutdown"
ARCHIVE_NAME = "shutdown.cpio.xz"
DIRS = ("bin", "dev", "proc", "sys", "run", "oldroot", "tmp")


def tree(dest: Path) -> Path:
    """Lay out the unpacked shutdown environment in dest."""
    for d in DIRS:
        (dest / d).mkdir(parents=True, exist_ok=True)
    shutil.copy2(BUSYBOX, dest / "bin/busybox")
    for applet in ("sh", "cat", "awk", "tac"):
        (dest / "bin" / applet).symlink_to("busybox")
    shutil.copy2(SCRIPT, dest / "shutdown")
    (dest / "shutdown").chmod(0o755)
    return dest


def build_archive(work: Path, out: Path) -> tuple[int, int]:
    """Write the xz cpio to out (CRC32 checks: busybox's unxz reads those); returns
    (unpacked bytes, i.e. the cpio stream, archive bytes)."""
    root = tree(work / "shutdown-tree")
    cpio = subprocess.run("find . | sort | cpio -o -H newc -R 0:0 --quiet", shell=True,
                          cwd=root, stdout=subprocess.PIPE, check=True).stdout
    out.write_bytes(subprocess.run(["xz", "-9", "--check=crc32", "-T1"], input=cpio,
                                   stdout=subprocess.PIPE, check=True).stdout)
    shutil.rmtree(root)
    return len(cpio), out.stat().st_size
