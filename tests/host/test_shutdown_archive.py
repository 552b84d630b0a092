"""The shutdown environment the initrd keeps compressed in /run until shutdown: busybox
can unpack it, it holds what stage2-init pivots into, and it is much smaller packed."""
from __future__ import annotations

import os
import subprocess

import pytest

from image.boot.shutdownenv import BUSYBOX, HERE, build_archive

pytestmark = pytest.mark.host


def test_busybox_unpacks_the_archive(tmp_path):
    archive = tmp_path / "shutdown.cpio.xz"
    unpacked, packed = build_archive(tmp_path, archive)
    assert packed == archive.stat().st_size
    assert packed < unpacked / 2  # busybox is most of it and xz halves it at least
    dest = tmp_path / "unpacked"
    dest.mkdir()
    # the tools the guest uses: busybox's own xzcat and cpio
    subprocess.run(f"{BUSYBOX} xzcat {archive} | {BUSYBOX} cpio -idm --quiet", shell=True,
                   cwd=dest, check=True)
    assert os.access(dest / "shutdown", os.X_OK)
    assert (dest / "bin/busybox").read_bytes() == BUSYBOX.read_bytes()
    assert os.readlink(dest / "bin/sh") == "busybox"
    for mountpoint in ("dev", "proc", "sys", "run", "oldroot"):
        assert (dest / mountpoint).is_dir()
    assert not (tmp_path / "shutdown-tree").exists()


@pytest.mark.parametrize("script", ["shutdown", "init", "stage2-init"])
def test_boot_scripts_parse(script):
    subprocess.run([str(BUSYBOX), "sh", "-n", str(HERE / script)], check=True)
