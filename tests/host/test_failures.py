"""Every failure ends cleanly and says what happened: faults injected on the host.

Real faults where they can be had on demand (a really full filesystem on a loop device, a
really killed DNF worker, a real SIGINT, a bind mount that really fails); monkeypatching
only for what cannot happen here (blivet and libblockdev errors). Each test checks that
%onerror ran, the logs were kept, and nothing is left mounted, swapped on, looped or
running that the test did not set up itself.
"""
from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from installer.errors import PayloadError, StorageError

pytestmark = pytest.mark.host

ONERROR = "%onerror\necho onerror ran > {marker}\n%end\n"


@dataclass(frozen=True)
class SystemState:
    """What an install could leave behind: mounts, swaps, loop devices, our children."""

    mounts: frozenset[str]
    swaps: frozenset[str]
    loops: frozenset[str]
    children: frozenset[int]


def _children() -> frozenset[int]:
    me, found = os.getpid(), set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me:
            found.add(int(stat.parent.name))
    return frozenset(found)


def system_state() -> SystemState:
    mounts = frozenset(line.split()[1] for line in Path("/proc/mounts").read_text().splitlines())
    swaps = frozenset(line.split()[0] for line in Path("/proc/swaps").read_text().splitlines()[1:])
    listed = subprocess.run(["losetup", "-J", "-l"], capture_output=True, text=True).stdout
    loops = frozenset(d["name"] for d in json.loads(listed)["loopdevices"]) if listed.strip() else frozenset()
    return SystemState(mounts, swaps, loops, _children())


def worker_pids() -> list[int]:
    """Our DNF worker children, alive or zombie."""
    found = []
    for pid in _children():
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"payload.worker" in cmdline or state == "Z":
            found.append(pid)
    return found


@pytest.fixture
def loop_fs(tmp_path):
    """A 48 MiB ext4 (no reserved blocks) on a loop device, mounted; torn down even when
    the test fails. Yields the mount point."""
    image, mnt = tmp_path / "small.img", tmp_path / "mnt"
    subprocess.run(["truncate", "-s", "48M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-m", "0", str(image)], check=True)
    loop = subprocess.run(["losetup", "--find", "--show", str(image)], check=True,
                          capture_output=True, text=True).stdout.strip()
    mnt.mkdir()
    try:
        subprocess.run(["mount", loop, str(mnt)], check=True)
        try:
            yield mnt
        finally:
            below = [m for m in system_state().mounts if m.startswith(f"{mnt}/")]
            for mount in sorted(below, reverse=True):
                subprocess.run(["umount", "-l", mount])
            subprocess.run(["umount", str(mnt)], check=True)
    finally:
        subprocess.run(["losetup", "-d", loop], check=True)


def fill(mount: Path, leave: int) -> None:
    """Take all free space of the filesystem but about `leave` bytes; with 0, write until
    the kernel says ENOSPC."""
    stat = os.statvfs(mount)
    with open(mount / "filler", "wb") as handle:
        os.posix_fallocate(handle.fileno(), 0, stat.f_bavail * stat.f_frsize - max(leave, 2**20))
    if leave:
        return
    with open(mount / "filler-rest", "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


def assert_clean(before: SystemState, mnt: Path | None = None) -> None:
    after = system_state()
    assert after.mounts == before.mounts, after.mounts ^ before.mounts
    assert after.swaps == before.swaps and after.loops == before.loops
    assert after.children == before.children, "a child process was left behind"
    if mnt is not None:
        assert not [m for m in after.mounts if m.startswith(f"{mnt}/")]


# (a) a full filesystem, through the real program

def test_packages_overflowing_the_target_end_as_a_payload_error(anaconda, tmp_path, loop_fs):
    fill(loop_fs, 3 * 2**20)  # big-i alone is 6 MiB
    marker = tmp_path / "onerror-ran"
    ks = tmp_path / "ks.cfg"
    ks.write_text("lang en_US.UTF-8\ntimezone Etc/UTC --utc\nrootpw --lock\n"
                  "%packages\n@^test-environment\nbig-i\n%end\n" + ONERROR.format(marker=marker))
    before = system_state()
    result = anaconda("--cmdline", "--dirinstall", str(loop_fs / "root"), "--kickstart", str(ks))
    assert result.code == 4, result.text
    assert "payload error" in result.err and "more space" in result.err, result.err
    assert marker.read_text() == "onerror ran\n"
    story = (result.log_dir / "anaconda.log").read_text()
    assert "Installation failed" in story and "Task Installing packages failed" in story
    assert (result.log_dir / "packaging.log").stat().st_size > 0
    assert_clean(before, loop_fs)


def test_a_full_target_stops_the_install_naming_enospc(anaconda, tmp_path, loop_fs):
    """No room at all: the first write into the target (the payload's cache) fails."""
    fill(loop_fs, 0)
    marker = tmp_path / "onerror-ran"
    ks = tmp_path / "ks.cfg"
    ks.write_text("lang en_US.UTF-8\nrootpw --lock\n%packages\n@core\n%end\n" +
                  ONERROR.format(marker=marker))
    before = system_state()
    result = anaconda("--cmdline", "--dirinstall", str(loop_fs / "root"), "--kickstart", str(ks))
    assert result.code == 4, result.text
    assert "payload error" in result.err and "No space left on device" in result.err, result.err
    assert marker.exists() and "internal error" not in result.err
    story = (result.log_dir / "anaconda.log").read_text()
    assert "Could not copy logs to the target" in story  # kept in the log dir instead
    assert_clean(before, loop_fs)


def test_a_real_enospc_in_a_task_is_mapped_once(loop_fs):
    from installer.tasks import TaskQueue

    fill(loop_fs, 0)

    def write(progress):
        (loop_fs / "locale.conf").write_bytes(b"LANG=C\n" * 2**18)

    queue = TaskQueue(heartbeat=0)
    queue.add("Configuring the system", write, error=PayloadError)
    with pytest.raises(PayloadError) as caught:
        queue.run()
    # write(2) names no file, so neither can the message
    assert caught.value.message == "Configuring the system: No space left on device"


# (b) the DNF worker killed, a bad callback, Ctrl-C in the parent: in-process installs

class Frontend:
    """Records what the install says; `on_payload` runs on each payload progress event."""

    def __init__(self, on_payload=None):
        self.on_payload = on_payload
        self.events = []

    def progress(self, event):
        self.events.append(event)
        if self.on_payload and event.task == "Installing packages" and worker_pids():
            self.on_payload()

    def message(self, text):
        pass

    def warning(self, text):
        pass

    def error(self, error):
        pass

    def ask(self, question):
        return question.default


def install_run(tmp_path, small_repo, frontend, ks_text: str = "", disk=None):
    from installer.bootopts import parse_cmdline
    from installer.install import InstallRun
    from installer.kickstart.load import load
    from installer.kickstart.reader import Reader

    log_dir = tmp_path / "logs"
    log_dir.mkdir(exist_ok=True)
    ks = tmp_path / "ks.cfg"
    ks.write_text(ks_text or "lang en_US.UTF-8\nrootpw --lock\n%packages\n@^test-environment\n%end\n" +
                  ONERROR.format(marker=tmp_path / "onerror-ran"))
    loaded = load([str(ks)], reader=Reader(), log_dir=log_dir)
    options = parse_cmdline(f"inst.repo={small_repo.as_uri()}")
    return InstallRun(loaded=loaded, options=options, log_dir=log_dir,
                      target_root=tmp_path / "root", frontend=frontend, disk=disk)


def test_a_killed_worker_is_a_payload_error_and_leaves_nothing(tmp_path, small_repo):
    from installer.install import execute

    killed = []

    def kill_worker():
        if not killed:
            pid = worker_pids()[0]
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    before = system_state()
    run = install_run(tmp_path, small_repo, Frontend(kill_worker))
    with pytest.raises(PayloadError) as caught:
        execute(run, end_action=False)
    assert killed, "the worker was never seen"
    assert caught.value.exit_code == 4
    assert "the package installer process was killed by signal 9" in caught.value.message
    assert (tmp_path / "onerror-ran").exists()
    assert (tmp_path / "root/var/log/anaconda/ks-script-onerror-1.log").exists()
    assert not worker_pids()
    assert_clean(before)


@pytest.mark.parametrize("raised", [RuntimeError("a bug in a progress callback"), KeyboardInterrupt()])
def test_a_failing_parent_stops_and_reaps_the_worker(tmp_path, small_repo, raised):
    from installer.install import execute

    def fail():
        raise raised

    before = system_state()
    run = install_run(tmp_path, small_repo, Frontend(fail))
    with pytest.raises(type(raised)):
        execute(run, end_action=False)
    assert not worker_pids()
    assert (tmp_path / "onerror-ran").exists()
    assert (tmp_path / "root/var/log/anaconda/ks-script-onerror-1.log").exists()
    assert_clean(before)


def test_a_malformed_event_line_stops_the_worker(tmp_path, monkeypatch):
    """A "worker" that writes garbage on its event pipe and would then sleep for a minute:
    the installer reports a payload error at once and reaps it."""
    import time

    import payload.runner as runner
    from payload.events import PayloadFailure
    from payload.model import InstallRequest, PackageSelection

    fake = tmp_path / "fake-python"
    fake.write_text('#!/bin/bash\neval "echo this is not json >&$3"\nexec sleep 60\n')
    fake.chmod(0o755)
    monkeypatch.setattr(runner.sys, "executable", str(fake))
    request = InstallRequest(root=str(tmp_path / "root"), repos=[], selection=PackageSelection(),
                             cache_dir=str(tmp_path / "cache"), log_file=str(tmp_path / "p.log"))
    before, started = system_state(), time.monotonic()
    with pytest.raises(PayloadFailure) as caught:
        runner.run_worker(request, lambda event: None)
    assert caught.value.kind == "MalformedEvent"
    assert "malformed event 'this is not json'" in caught.value.message
    assert time.monotonic() - started < runner.TERM_GRACE
    assert_clean(before)


# (c) blivet and libblockdev errors while planning and executing a kickstart layout

def _lvm_error(*args, **kwargs):
    from gi.repository import BlockDev

    raise BlockDev.LVMError("Process reported exit code 5:   Volume group name is invalid")


def _loaded(tmp_path, text: str):
    from installer.kickstart.load import parse
    from installer.kickstart.reader import Reader

    ks = tmp_path / "layout.ks"
    ks.write_text(text)
    return ks, parse([(str(ks), text)], None, Reader())


@pytest.fixture
def blank_disk(tmp_path):
    from tests.unit.disk_images import blank_gpt

    return blank_gpt(tmp_path / "disk0")


LAYOUT = "lang en_US.UTF-8\nrootpw --lock\nzerombr\nclearpart --all --initlabel\n"


def test_a_libblockdev_error_while_planning_autopart_names_the_line(tmp_path, blank_disk, monkeypatch):
    from blivet.blivet import Blivet  # blivet.Blivet is a lazy proxy

    from installer.bootopts import parse_cmdline
    from installer.disks import plan_storage

    ks, loaded = _loaded(tmp_path, LAYOUT + "bootloader --location=none\nautopart --type=lvm\n")
    monkeypatch.setattr(Blivet, "new_vg", _lvm_error)
    with pytest.raises(StorageError) as caught:
        plan_storage(loaded.handler, parse_cmdline(""), [blank_disk], seen=loaded.commands_seen)
    assert caught.value.exit_code == 3
    assert caught.value.message == (f"{ks}:6: autopart (kickstart line 6): Process reported exit "
                                    "code 5: Volume group name is invalid")
    # without the loader's locations (a handler made in code) the line is still named
    with pytest.raises(StorageError, match=r"^autopart \(kickstart line 6\): Process reported"):
        plan_storage(loaded.handler, parse_cmdline(""), [blank_disk])


def test_a_blivet_error_in_an_explicit_layout_names_its_lines(tmp_path, blank_disk, monkeypatch):
    from blivet.blivet import Blivet  # blivet.Blivet is a lazy proxy
    from blivet.errors import DeviceError

    from installer.bootopts import parse_cmdline
    from installer.disks import plan_storage

    def broken(*args, **kwargs):
        raise DeviceError("new partition has no parents")

    ks, loaded = _loaded(tmp_path, LAYOUT + "bootloader --location=none\n"
                                            "part /boot --size=500\npart / --size=2000\n")
    monkeypatch.setattr(Blivet, "new_partition", broken)
    with pytest.raises(StorageError) as caught:
        plan_storage(loaded.handler, parse_cmdline(""), [blank_disk], seen=loaded.commands_seen)
    assert caught.value.message == (f"{ks}:6: the layout (part; kickstart lines 6, 7): "
                                    "new partition has no parents")


def test_a_libblockdev_error_while_writing_the_disks_is_a_storage_error(tmp_path, small_repo,
                                                                         blank_disk, monkeypatch):
    """Execution itself needs a VM (tests/vm); here blivet's do_it fails after one action, as
    a failing lvcreate would, and the install ends as a storage error with the cleanup done."""
    from installer.bootopts import parse_cmdline
    from installer.disks import plan_storage
    from installer.install import execute

    _, loaded = _loaded(tmp_path, LAYOUT + "bootloader --location=none\nautopart --type=lvm\n")
    disk = plan_storage(loaded.handler, parse_cmdline(""), [blank_disk], seen=loaded.commands_seen)

    def do_it(callbacks=None):
        callbacks.report_progress(SimpleNamespace(msg="Created disklabel on disk0"))
        _lvm_error()

    monkeypatch.setattr(disk.session.blivet, "do_it", do_it)
    before = system_state()
    run = install_run(tmp_path, small_repo, Frontend(), disk=disk)
    with pytest.raises(StorageError) as caught:
        execute(run, end_action=False)
    assert caught.value.exit_code == 3
    assert caught.value.message.startswith("writing the disks failed at action 1 of ")
    assert "(Created disklabel on disk0): Process reported exit code 5" in caught.value.message
    assert (tmp_path / "onerror-ran").exists()
    assert (tmp_path / "root/var/log/anaconda/ks-script-onerror-1.log").exists()
    assert_clean(before)


# (d) Ctrl-C during a task, through the real program

def test_an_interrupt_during_a_task_cleans_up_and_exits_130(anaconda, tmp_path):
    marker = tmp_path / "onerror-ran"
    ks = tmp_path / "ks.cfg"
    ks.write_text("lang en_US.UTF-8\nrootpw --lock\n%packages\n@core\n%end\n"
                  "%pre-install\nkill -INT $PPID\nsleep 1\n%end\n" + ONERROR.format(marker=marker))
    target = tmp_path / "root"
    before = system_state()
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks))
    assert result.code == 130, result.text
    assert "anaconda: interrupted" in result.err and "internal error" not in result.err
    assert marker.read_text() == "onerror ran\n"
    copied = target / "var/log/anaconda"
    assert "Installation failed: interrupted" in (copied / "anaconda.log").read_text()
    assert (copied / "ks-script-onerror-1.log").exists()
    assert "Installing packages" not in result.out  # stopped in the %pre-install task
    assert_clean(before)


# the target's kernel filesystems, mdadm.conf, source mount points

def test_a_failed_bind_mount_stops_naming_it_and_undoes_the_others(tmp_path, monkeypatch):
    import storage.target as target
    from storage.errors import StorageProblem

    monkeypatch.setattr(target, "BIND", ("dev", "no-such-dir-for-anaconda-test"))
    session = SimpleNamespace(blivet=SimpleNamespace(devices=[]))
    root = tmp_path / "sysroot"
    before = system_state()
    with pytest.raises(StorageProblem) as caught:
        target.mount_target(session, root)
    assert caught.value.message.startswith(
        f"cannot bind-mount /no-such-dir-for-anaconda-test into the target ({root}/no-such-dir")
    assert_clean(before)


def test_a_failed_mdadm_scan_stops_naming_it(tmp_path):
    """This host has no md: `mdadm --detail --scan` lists nothing, as when it fails."""
    import storage.target as target
    from storage.errors import StorageProblem

    session = SimpleNamespace(blivet=SimpleNamespace(devices=[], mdarrays=[object()]))
    with pytest.raises(StorageProblem, match=r"^writing mdadm.conf: `mdadm --detail --scan` "):
        target.write_config(session, tmp_path)
    assert not (tmp_path / "etc/mdadm.conf").exists()


def test_source_mounts_never_share_a_mount_point(tmp_path):
    from installer.sources import SourceMounts

    image = tmp_path / "source.img"
    subprocess.run(["truncate", "-s", "8M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", str(image)], check=True)
    before = system_state()
    base = tmp_path / "sources"
    first, second = SourceMounts(base), SourceMounts(base)
    try:
        with first:
            one = first._mount(str(image), "ro,loop")
            with second:
                two = second._mount(str(image), "ro,loop")
                assert one != two and one.parent == two.parent == base
            assert str(one) in system_state().mounts and not two.exists()
        assert not one.exists()
    finally:
        first.unmount_all()
        second.unmount_all()
    assert_clean(before)
