"""A dry run and --validate never act on the host: a kickstart's %pre runs confined
(installer/kickstart/confine.py) or not at all.

The %pre here does what real kickstarts do to a machine: writes /tmp files, makes a
directory in /, and writes to a disk. The disk is a loop device this test set up over its
own image file (standing in for a host disk); its bytes must be unchanged afterwards.
"""
from __future__ import annotations

import hashlib
import subprocess
import uuid
from pathlib import Path

import pytest

from installer.kickstart import confine
from installer.kickstart.load import load
from installer.kickstart.reader import Reader

pytestmark = pytest.mark.host

KS = """lang en_US.UTF-8
keyboard us
timezone Etc/UTC
rootpw --lock
zerombr
clearpart --all --initlabel
bootloader --location=none
%include /tmp/part-include-{tag}
%packages
app-d
%end
%pre
echo "autopart --type=plain --fstype=ext4 --nohome" > /tmp/part-include-{tag}
echo marker > /tmp/marker-{tag}
mkdir /dir-{tag}
test -b {loop} && echo "block device at {loop}" || echo "no block device at {loop}"
dd if=/dev/zero of={loop} bs=4096 count=64 conv=notrunc
wipefs -a {loop}
echo "disks seen: $(find /dev -type b | wc -l) $(lsblk -dn -o NAME | wc -l) $(ls /sys/block | wc -l) $(grep -c . /proc/partitions)"
echo "pre finished"
%end
%pre-install
echo marker > /tmp/pre-install-{tag}
%end
%post --nochroot
echo marker > /tmp/post-{tag}
%end
"""


@pytest.fixture
def loop_disk(tmp_path):
    """A loop device over a 4 MiB image of random bytes, set up and torn down here."""
    backing = tmp_path / "standin-disk.img"
    backing.write_bytes(bytes(range(256)) * 16384)
    device = subprocess.run(["losetup", "--find", "--show", str(backing)], check=True,
                            capture_output=True, text=True).stdout.strip()
    try:
        yield Path(device)
    finally:
        subprocess.run(["losetup", "-d", device], check=False)


def _digest(device: Path) -> str:
    with open(device, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def case(tmp_path, loop_disk):
    tag = uuid.uuid4().hex[:12]
    ks = tmp_path / "ks.cfg"
    ks.write_text(KS.format(tag=tag, loop=loop_disk))
    image = tmp_path / "disk0"
    subprocess.run(["truncate", "-s", "12G", str(image)], check=True)
    before = _digest(loop_disk)
    yield ks, image, tag
    assert not Path(f"/tmp/marker-{tag}").exists(), "the %pre wrote into the host's /tmp"
    assert not Path(f"/tmp/part-include-{tag}").exists(), "the %pre wrote into the host's /tmp"
    assert not Path(f"/dir-{tag}").exists(), "the %pre made a directory in the host's /"
    assert not Path(f"/tmp/pre-install-{tag}").exists(), "a dry run ran %pre-install"
    assert not Path(f"/tmp/post-{tag}").exists(), "a dry run ran %post"
    assert _digest(loop_disk) == before, "the %pre wrote to a host block device"


def test_dry_run_runs_pre_confined_and_plans_its_include(case, anaconda, loop_disk):
    ks, image, tag = case
    result = anaconda("--cmdline", "--dry-run", "--image", str(image), "--kickstart", str(ks))
    assert result.code == 0, result.text
    assert "create format ext4" in result.out and "on /" in result.out, result.out
    assert "Dry run: nothing was written." in result.out
    script_log = (result.log_dir / "ks-script-pre-1.log").read_text()
    assert "Read-only file system" in script_log  # mkdir / refused inside the sandbox
    assert "pre finished" in script_log
    assert f"no block device at {loop_disk}" in script_log  # dd wrote a file in a private /dev
    assert "disks seen: 0 0 0 0" in script_log  # nor their names in lsblk, sysfs or /proc
    assert "confined (dry run)" in (result.log_dir / "anaconda.log").read_text()
    kept = result.log_dir / f"dry-run-files/tmp/part-include-{tag}"  # what the plan read
    assert kept.read_text().startswith("autopart --type=plain")


def test_an_error_in_a_file_the_pre_wrote_names_the_kept_copy(anaconda, tmp_path):
    ks = tmp_path / "ks.cfg"
    tag = uuid.uuid4().hex[:12]
    ks.write_text(f"lang en_US.UTF-8\nrootpw --lock\n%include /tmp/inc-{tag}\n"
                  f"%pre\nprintf 'zerombr\\nignoredisk --only-use=\\n' > /tmp/inc-{tag}\n%end\n")
    image = tmp_path / "disk0"
    subprocess.run(["truncate", "-s", "12G", str(image)], check=True)
    result = anaconda("--cmdline", "--dry-run", "--image", str(image), "--kickstart", str(ks))
    assert result.code == 2, result.text
    kept = result.log_dir / f"dry-run-files/tmp/inc-{tag}"
    assert f"/tmp/inc-{tag}:2:" in result.err and f"kept as {kept}" in result.err
    assert "ignoredisk --only-use=" in kept.read_text()
    assert not Path(f"/tmp/inc-{tag}").exists()


def test_validate_runs_nothing_and_warns_of_the_include(case, anaconda):
    ks, _, tag = case
    result = anaconda("--validate", str(ks))
    assert result.code == 0, result.text
    assert f"{ks}:8" in result.err and f"/tmp/part-include-{tag}" in result.err
    assert "runs no %pre script" in result.err


def test_validate_still_refuses_a_missing_include_without_pre(anaconda, tmp_path):
    ks = tmp_path / "ks.cfg"
    ks.write_text("lang en_US.UTF-8\n%include /nonexistent/part.ks\n")
    result = anaconda("--validate", str(ks))
    assert result.code == 1
    assert f"{ks}:2" in result.err and "no such file" in result.err


def test_dry_run_without_bubblewrap_skips_pre_and_says_so(case, tmp_path, monkeypatch):
    ks, _, tag = case
    monkeypatch.setattr(confine.shutil, "which", lambda name: None)  # bwrap not installed
    loaded = load([str(ks)], reader=Reader(), log_dir=tmp_path / "logs", dry_run=True)
    skipped = [w for w in loaded.warnings if w.startswith("dry run: skipped")]
    assert skipped and f"{ks}:12: %pre" in skipped[0] and "bubblewrap) is not installed" in skipped[0]
    assert any(f"%include /tmp/part-include-{tag}: no such file" in w for w in loaded.warnings)
    assert not (tmp_path / "logs" / "ks-script-pre-1.log").exists()


def test_sandbox_maps_only_its_writable_directories(tmp_path):
    with confine.Sandbox.create() as sandbox:
        assert sandbox.host_path("/tmp/part-include") == sandbox.scratch / "tmp/part-include"
        assert sandbox.host_path("/run/x") == sandbox.scratch / "run/x"
        assert sandbox.host_path("/tmpfoo/x") is None
        assert sandbox.host_path("/etc/passwd") is None
        argv = sandbox.wrap(["/bin/sh", "/tmp/s"])
        assert argv[argv.index("--ro-bind") + 1:argv.index("--ro-bind") + 3] == ["/", "/"]
        assert "--share-net" not in argv and argv[-3:] == ["--", "/bin/sh", "/tmp/s"]
        scratch = sandbox.scratch
    assert not scratch.exists()
