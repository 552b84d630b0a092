"""The boot image in qemu: each way to boot reaches the installer with the kickstart, and
a broken kickstart URL or a missing stage2 gives a clear message and a shell in time.

The kickstart here has no storage commands, so each run stops with that storage error
(its `cmdline` command says nothing may be asked): the point is the boot chain. Installs that write disks are in test_install.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from image.boot.build import ensure_image
from tests.vm.served import install_tree
from tests.vm.harness import Disk, HttpServer, IsoBoot, KernelBoot, run_vm

pytestmark = pytest.mark.vm

KICKSTART = "cmdline\nlang en_US.UTF-8\nrootpw --lock\npoweroff\n"
STARTED = "anaconda-lean: starting the installer"


@pytest.fixture(scope="module")
def image():
    return ensure_image()


@pytest.fixture
def served(tmp_path, image):
    """An http server on 127.0.0.1 with the kickstart and stage2 (reached as 10.0.2.2)."""
    www = install_tree(tmp_path / "www", image)
    (www / "ks.cfg").write_text(KICKSTART)
    with HttpServer(www) as server:
        yield server


def reached_installer(result) -> None:
    text = result.console_text
    assert STARTED in text, result.summary()
    assert "anaconda-init: kickstart saved in /run/install/ks.cfg" in text, result.summary()
    # the installer read the fetched kickstart: it has no storage layout, so it stops there
    assert "the kickstart has no storage layout" in text, result.summary()
    assert "ANACONDA-EXIT: 3" in text, result.summary()


def stop_at_exit(line: str) -> bool:
    return "ANACONDA-EXIT:" in line or "EMERGENCY SHELL" in line


def test_pxe_initrd_with_stage2_inside(image, served, vm_workdir):
    boot = KernelBoot(image.vmlinuz, image.pxe_initrd,
                      f"inst.ks={served.url_for_guest('ks.cfg')} quiet")
    result = run_vm(boot, [Disk("target", "2G")], workdir=vm_workdir, timeout=300,
                    stop_on=stop_at_exit)
    reached_installer(result)
    assert "stage2: inside the initrd" in result.console_text


def test_pxe_stage2_over_http(image, served, vm_workdir):
    boot = KernelBoot(image.vmlinuz, image.initrd,
                      f"inst.stage2={served.url_for_guest()} inst.ks={served.url_for_guest('ks.cfg')} quiet")
    result = run_vm(boot, [Disk("target", "2G")], workdir=vm_workdir, timeout=300,
                    stop_on=stop_at_exit)
    reached_installer(result)
    assert "copied to RAM (compressed" in result.console_text
    assert ("GET", "/images/install.img", 200) in served.requests


def test_iso_boot_with_oemdrv_kickstart(image, vm_workdir, tmp_path):
    """isolinux boots the ISO; stage2 is found by label; the kickstart on a disk
    labelled OEMDRV is picked up without any boot option, as Anaconda does."""
    import subprocess

    oemdrv = vm_workdir / "oemdrv.img"
    subprocess.run(["truncate", "-s", "16M", str(oemdrv)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-L", "OEMDRV", "-d", str(_ks_dir(tmp_path)), str(oemdrv)],
                   check=True)
    disks = [Disk("target", "2G"), Disk("oemdrv", "16M", install_target=False, image=oemdrv)]
    result = run_vm(IsoBoot(image.iso), disks, workdir=vm_workdir, timeout=300, stop_on=stop_at_exit)
    reached_installer(result)
    assert "kickstart: hd:LABEL=OEMDRV:/ks.cfg" in result.console_text
    assert "stage2: /run/install/repo/images/install.img" in result.console_text
    assert result.untouched_disks_ok, result.disk_message


def _ks_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "oemdrv"
    directory.mkdir()
    (directory / "ks.cfg").write_text(KICKSTART)
    return directory


@pytest.mark.parametrize("append, message", [
    ("inst.ks=http://10.0.2.2:9/missing.ks", "ERROR: cannot fetch the kickstart http://10.0.2.2:9/missing.ks"),
    ("inst.stage2=hd:LABEL=NO-SUCH-DISC", "ERROR: inst.stage2=hd:LABEL=NO-SUCH-DISC: no device LABEL=NO-SUCH-DISC"),
])
def test_failures_give_a_message_and_a_shell(image, vm_workdir, append, message):
    boot = KernelBoot(image.vmlinuz, image.initrd, f"{append} inst.shell_timeout=2 quiet")
    result = run_vm(boot, [], workdir=vm_workdir, timeout=180,
                    stop_on=lambda line: "EMERGENCY SHELL" in line)
    assert message in result.console_text, result.summary()
    assert "dropping to a shell in 2s" in result.console_text
    assert "EMERGENCY SHELL" in result.console_text
    assert result.exit_state == "stopped" and result.wall_seconds < 120
