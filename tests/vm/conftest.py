"""Fixtures for the VM tier."""
from __future__ import annotations

import shutil

import pytest

BULKY = {".img", ".iso", ".fd", ".raw", ".qcow2", ".squashfs"}


@pytest.fixture
def scratch_dir(tmp_path):
    """A directory whose disk images, ISOs and firmware variable stores are deleted after
    the test, passed or failed (they are the bulk, up to gigabytes). Text logs
    (console.log, qemu.cmd, qemu.stderr) stay in pytest's tmp_path, which pytest prunes
    itself, so a failed run can still be read afterwards."""
    work = tmp_path / "vm"
    work.mkdir()
    yield work
    for path in work.rglob("*"):
        if path.is_file() and path.suffix in BULKY:
            path.unlink()


@pytest.fixture
def vm_workdir(scratch_dir):
    """The run directory for `run_vm` (skips when qemu is not installed)."""
    if not shutil.which("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 not installed")
    return scratch_dir
