"""`--dry-run --image FILE`: the real program plans a disk install on an image file and
prints the storage actions and the package transaction, writing nothing (the host has no
disk that could be planned on: see test_storage_host.py)."""
from __future__ import annotations

import subprocess

import pytest

from tests.vm.harness import disk_digest

pytestmark = pytest.mark.host

KS = """lang en_US.UTF-8
rootpw --lock
zerombr
clearpart --all --initlabel
autopart --type=lvm --nohome
{bootloader}
%packages
@tools
%end
"""


def _sha(path) -> str:
    return disk_digest(path)  # sparse-aware: reads only the data of a 20 GiB file


@pytest.fixture
def image(tmp_path):
    """A 20 GiB sparse image holding an old GPT with one ext4 partition (autopart clears it)."""
    path = tmp_path / "disk0"
    subprocess.run(["truncate", "-s", "20G", str(path)], check=True)
    subprocess.run(["parted", "-s", str(path), "mklabel", "gpt", "mkpart", "old", "1MiB", "101MiB"], check=True)
    return path


def test_dry_run_prints_the_plan_and_writes_nothing(anaconda, tmp_path, image):
    ks = tmp_path / "ks.cfg"
    ks.write_text(KS.format(bootloader="bootloader --location=none"))
    before = _sha(image)
    result = anaconda("--cmdline", "--dry-run", "--image", str(image), "--kickstart", str(ks))
    assert result.code == 0, result.text
    out = result.out
    assert "Target: disks disk0, mounted at /mnt/sysroot" in out
    assert "Storage actions:" in out
    for expected in ("destroy device partition: partition disk0p1", "create format disklabel",
                     "create device lvmvg", "create format xfs", "on /boot", "on /",
                     "create format swap"):
        assert expected in out, f"{expected!r} missing from:\n{out}"
    assert "Package transaction: 6 packages to install" in out  # extra-f: recommended by app-c
    assert "    app-d-1.0-1.noarch" in out
    assert "Installing the boot loader" not in out and "Making the initramfs" in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert _sha(image) == before


def test_dry_run_reports_the_packages_the_layout_needs(anaconda, tmp_path, image):
    ks = tmp_path / "ks.cfg"
    ks.write_text(KS.format(bootloader="bootloader --timeout=1"))
    result = anaconda("--cmdline", "--dry-run", "--image", str(image), "--kickstart", str(ks))
    assert result.code == 4, result.text
    message = result.err
    assert "would not boot without packages no repository has" in message
    assert "lvm2 (the layout uses lvmpv on" in message and "grub2-pc or grub-pc-bin" in message


def test_image_needs_dry_run(anaconda, tmp_path, image):
    ks = tmp_path / "ks.cfg"
    ks.write_text(KS.format(bootloader=""))
    result = anaconda("--cmdline", "--image", str(image), "--kickstart", str(ks))
    assert result.code == 2 and "--image plans on disk image files and works with --dry-run only" in result.err
    result = anaconda("--cmdline", "--dry-run", "--image", str(tmp_path / "nope"), "--kickstart", str(ks))
    assert result.code == 3 and "--image" in result.err and "no such file" in result.err
