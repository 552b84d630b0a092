"""Anaconda boot options the boot image applies, in one guest: the ISO `make image` builds
carries its MD5 (implantisomd5), and inst.mediacheck checks it with the initrd's own
checkisomd5 before stage2 is read from it; the kickstart comes from an OEMDRV disk found
by the init's wait (inst.wait_for_disks); inst.noshell leaves no shell after the
installer exits. The kickstart has no storage layout, so the installer stops (exit 3)."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from image.boot.build import ensure_image
from image.boot.iso import LABEL
from tests.vm.harness import Disk, KernelBoot, run_vm

pytestmark = pytest.mark.vm

KICKSTART = "cmdline\nlang en_US.UTF-8\nrootpw --lock\npoweroff\n"


def test_mediacheck_oemdrv_and_noshell(vm_workdir, tmp_path):
    image = ensure_image()
    medium = vm_workdir / "medium.iso"  # the ISO as a disk, as when it is written to a stick
    shutil.copyfile(image.iso, medium)
    (tmp_path / "oemdrv").mkdir()
    (tmp_path / "oemdrv/ks.cfg").write_text(KICKSTART)
    oemdrv = vm_workdir / "oemdrv.img"
    subprocess.run(["truncate", "-s", "16M", str(oemdrv)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-L", "OEMDRV", "-d", str(tmp_path / "oemdrv"), str(oemdrv)],
                   check=True)
    boot = KernelBoot(image.vmlinuz, image.initrd,
                      f"inst.stage2=hd:LABEL={LABEL} inst.mediacheck inst.noshell "
                      "inst.wait_for_disks=3 quiet")
    disks = [Disk("target", "2G"), Disk("medium", "1G", install_target=False, image=medium),
             Disk("oemdrv", "16M", install_target=False, image=oemdrv)]
    result = run_vm(boot, disks, workdir=vm_workdir, timeout=600, network=False,
                    stop_on=lambda line: "no shell (inst.noshell)" in line
                    or "EMERGENCY SHELL" in line or "a shell follows" in line)
    text = result.console_text
    assert "kickstart: hd:LABEL=OEMDRV:/ks.cfg" in text, result.summary()
    assert "(inst.mediacheck): reading the whole medium" in text, result.summary()
    assert "mediacheck: PASS:" in text and "is as it was made" in text, result.summary()
    assert "ANACONDA-EXIT: 3" in text, result.summary()
    assert "no shell (inst.noshell)" in text and "a shell follows" not in text, result.summary()
    assert result.untouched_disks_ok, result.disk_message
