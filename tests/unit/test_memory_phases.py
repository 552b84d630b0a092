"""memory.log's per-phase peaks: the install queue's titles mapped onto phases, a sample
where a phase begins and ends (a peak between two 5 s ticks is still seen), the final
lines after the peak RSS line, and the parser bench/memory.py reads them back with.
Everything on a fake /proc tree in tmp_path, the sampler's thread ticking once an hour."""
from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from installer.bootopts import parse_cmdline
from installer.disks import DiskInstall
from installer.errors import PayloadError
from installer.install import InstallRun, build_queue
from installer.kickstart.load import load
from installer.kickstart.reader import Reader
from installer.memory import phases, sampler
from installer.memory.phases import PhasePeak, phase_of, read_phase_peaks
from installer.memory.startup import MemorySession
from installer.memory.levels import MemInfo, MiB
from installer.tasks import TaskQueue
from spokes.cmdline import CmdlineFrontend

KS = """rootpw --lock
%pre-install
true
%end
%packages --nocore
base-a
%end
%post
true
%end
"""


def disk_install_titles(tmp_path: Path) -> list[str]:
    """The task titles of a disk install with a boot loader, %pre-install and %post."""
    ks = tmp_path / "ks.cfg"
    ks.write_text(KS)
    loaded = load([str(ks)], reader=Reader(), log_dir=tmp_path)
    run = InstallRun(loaded=loaded, options=parse_cmdline(""), log_dir=tmp_path,
                     target_root=tmp_path / "root", frontend=CmdlineFrontend(),
                     disk=DiskInstall(session=SimpleNamespace(bootloader=True)),
                     memory=MemorySession(info=MemInfo(300 * MiB, 200 * MiB), level=1,
                                          zram_active=True))
    return [task.title for task in build_queue(run).tasks]


def phases_in_order(titles: list[str]) -> list[str]:
    found: list[str] = []
    for title in titles:
        found.append(phase_of(title, after_packages="packages" in found))
    return found


def test_the_install_queue_titles_map_onto_the_five_phases(tmp_path):
    """A title renamed in installer/install.py would fall into the wrong phase: this
    reads the titles the real queue has."""
    titles = disk_install_titles(tmp_path)
    found = dict(zip(titles, phases_in_order(titles)))
    assert found == {
        "Writing the storage layout": "storage", "Running %pre-install scripts": "storage",
        "Installing packages": "packages", "Writing fstab and crypttab": "configuration",
        "Configuring the system": "configuration", "Creating users": "configuration",
        "Making the initramfs": "initramfs", "Installing the boot loader": "boot loader",
        "Saving the kickstart": "configuration", "Running %post scripts": "configuration"}
    assert set(found.values()) == set(phases.PHASES)


def test_a_live_image_is_the_packages_phase():
    assert phase_of("Installing the live image", after_packages=False) == "packages"
    assert phase_of("Preparing the target directory", after_packages=False) == "storage"


class FakeProc:
    """A /proc tree whose MemAvailable, swap use and processes a task changes while it runs."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir()
        (root / "self").mkdir()
        (root / "self/status").write_text("Name:\tanaconda\nVmHWM:\t  40960 kB\n")
        self.set(avail_mib=400)

    def set(self, avail_mib: int, zram_mib: int = 0, disk_mib: int = 0,
            procs: dict[int, tuple[str, int]] | None = None) -> None:
        (self.root / "meminfo").write_text(f"MemTotal:  {512 * 1024} kB\n"
                                           f"MemAvailable:  {avail_mib * 1024} kB\n")
        (self.root / "swaps").write_text(
            "Filename\tType\tSize\tUsed\tPriority\n"
            f"/dev/zram0\tpartition\t{256 * 1024}\t{zram_mib * 1024}\t100\n"
            f"/dev/vda3\tpartition\t{512 * 1024}\t{disk_mib * 1024}\t-2\n")
        for old in self.root.glob("[0-9]*"):
            (old / "status").unlink()
            old.rmdir()
        for pid, (name, rss_mib) in (procs or {301: ("anaconda", 40)}).items():
            (self.root / str(pid)).mkdir()
            (self.root / f"{pid}/status").write_text(f"Name:\t{name}\nVmRSS:\t  {rss_mib * 1024} kB\n")


class Clock:
    """The sampler's `time` module with a monotonic clock the tasks move on."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    strftime = staticmethod(time.strftime)
    localtime = staticmethod(time.localtime)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(sampler, "time", fake)
    return fake


def zram_sysfs(tmp_path: Path) -> Path:
    device = tmp_path / "block/zram0"
    device.mkdir(parents=True)
    (device / "mm_stat").write_text("  65011712 22937600 24576000 0 24576000 5 0 0 0\n")
    return tmp_path / "block"


Step = tuple[float, dict | None, dict | None]  # seconds, /proc at a tick, /proc left at the end


def run_queue(tmp_path: Path, proc: FakeProc, steps: dict[str, Step],
              fail_in: str | None = None) -> list[str]:
    """The disk install's titles as a queue, followed by a sampler as install.execute
    wires it; memory.log's lines. Task T (steps[T], else one second and /proc unchanged)
    moves the clock on; with a tick state, /proc shows it while the sampler ticks once
    mid-task (a transient peak, a worker that exits with its task); with a left state,
    /proc shows that from the task's end on (swap still in use, say)."""
    clock = sampler.time
    log = tmp_path / "memory.log"
    s = sampler.Sampler(log, interval=3600, proc=proc.root, sys_block=zram_sysfs(tmp_path))
    queue = TaskQueue(heartbeat=0)
    queue.listeners.append(s.progress)
    for title in disk_install_titles(tmp_path):
        def task(progress, title=title):
            seconds, tick, left = steps.get(title, (1.0, None, None))
            progress.step("half way", 0.5)  # a progress step of the same task: no sample
            if tick is not None:
                proc.set(**tick)
                s.sample()
            clock.now += seconds
            if title == fail_in:
                raise PayloadError("the mirror went away")
            if left is not None:
                proc.set(**left)
        queue.add(title, task)
    s.start()
    try:
        queue.run()
    except PayloadError:
        pass
    finally:
        s.stop()
    return log.read_text().splitlines()


def test_each_phase_ends_the_log_with_its_peak(tmp_path, clock):
    """The sample where a phase begins and ends counts for both: the swap the packages
    left in use shows in the configuration that follows, the tick's transient peaks only
    in their own phase."""
    proc = FakeProc(tmp_path / "proc")
    lines = run_queue(tmp_path, proc, {
        "Writing the storage layout": (12.0, dict(avail_mib=370), dict(avail_mib=390, disk_mib=8)),
        "Installing packages": (300.0, dict(avail_mib=41, zram_mib=100, disk_mib=20, procs={
            301: ("anaconda", 45), 812: ("payload.worker", 96), 900: ("rpm script", 3)}),
            dict(avail_mib=300, zram_mib=60, disk_mib=20, procs={301: ("anaconda", 45)})),
        "Configuring the system": (7.0, dict(avail_mib=250, procs={301: ("anaconda", 46)}), None),
        "Making the initramfs": (90.0, dict(avail_mib=30, zram_mib=120, disk_mib=20, procs={
            301: ("anaconda", 44), 950: ("xz [compress]", 70)}),
            dict(avail_mib=280, zram_mib=60, disk_mib=20)),
        "Installing the boot loader": (5.5, None, dict(avail_mib=270, zram_mib=60, disk_mib=20,
                                                       procs={301: ("anaconda", 45)})),
    })
    peak_line = next(i for i, line in enumerate(lines) if "installer peak RSS (VmHWM) 40 MiB" in line)
    assert lines[peak_line + 1:] == [
        "phase storage: min_avail=370 MiB swap_peak=8 MiB zram_peak=0 MiB disk_swap_peak=8 MiB "
        "top=anaconda[301]=40 MiB wall=13.0 s",
        "phase packages: min_avail=41 MiB swap_peak=120 MiB zram_peak=100 MiB disk_swap_peak=20 MiB "
        "top=payload.worker[812]=96 MiB wall=300.0 s",
        "phase initramfs: min_avail=30 MiB swap_peak=140 MiB zram_peak=120 MiB disk_swap_peak=20 MiB "
        "top=xz [compress][950]=70 MiB wall=90.0 s",
        "phase boot loader: min_avail=270 MiB swap_peak=80 MiB zram_peak=60 MiB disk_swap_peak=20 MiB "
        "top=anaconda[301]=45 MiB wall=5.5 s",
        # fstab, the system, users | initramfs, boot loader | the kickstart, %post
        "phase configuration: min_avail=250 MiB swap_peak=80 MiB zram_peak=60 MiB disk_swap_peak=20 MiB "
        "top=anaconda[301]=46 MiB wall=11.0 s",
    ]
    events = [line.split("event: ", 1)[1] for line in lines if " event: " in line]
    assert events == ["phase storage begins (Writing the storage layout)",
                      "phase packages begins (Installing packages)",
                      "phase configuration begins (Writing fstab and crypttab)",
                      "phase initramfs begins (Making the initramfs)",
                      "phase boot loader begins (Installing the boot loader)",
                      "phase configuration begins (Saving the kickstart)",
                      "the last task ended"]
    # the first tick, 6 phase changes and the end, 4 ticks in tasks, the last at stop
    assert len([line for line in lines if " avail=" in line]) == 1 + 7 + 4 + 1


def test_a_failure_ends_its_phase_when_the_sampler_stops(tmp_path, clock):
    proc = FakeProc(tmp_path / "proc")
    lines = run_queue(tmp_path, proc, {"Installing packages": (60.0, dict(avail_mib=25), None)},
                      fail_in="Installing packages")
    found = read_phase_peaks("\n".join(lines))
    assert [(p.name, p.min_avail_mib, p.wall_seconds) for p in found] == [
        ("storage", 400, 2.0), ("packages", 25, 60.0)]
    assert not any("the last task ended" in line for line in lines)


def test_the_log_cannot_stop_the_queue(tmp_path, clock):
    """memory.log's directory gone: the listener swallows the write error."""
    s = sampler.Sampler(tmp_path / "gone/memory.log", interval=3600, proc=tmp_path)
    s.progress(SimpleNamespace(task="Installing packages", finished=False))
    s.progress(SimpleNamespace(task="Installing packages", finished=True))


def test_only_the_queues_closing_event_is_finished():
    queue, events = TaskQueue(heartbeat=0), []
    queue.listeners.append(events.append)
    queue.add("Storage", lambda p: p.step("all", 1.0))
    queue.add("Packages", lambda p: p.step("all", 1.0))
    queue.run()
    assert [(e.task, e.message) for e in events if e.finished] == [("Packages", "done")]
    assert len(events) == 5


def test_memory_session_forwards_queue_events_to_its_sampler(tmp_path, clock):
    proc = FakeProc(tmp_path / "proc")
    s = sampler.Sampler(tmp_path / "memory.log", interval=3600, proc=proc.root,
                        sys_block=zram_sysfs(tmp_path))
    session = MemorySession(info=MemInfo(512 * MiB, 400 * MiB), level=1, zram_active=False,
                            sampler=s)
    s.start()
    session.progress(SimpleNamespace(task="Making the initramfs", finished=False))
    session.stop()
    session.progress(SimpleNamespace(task="Installing packages", finished=False))  # stopped: ignored
    assert [p.name for p in read_phase_peaks((tmp_path / "memory.log").read_text())] == ["storage"]


@pytest.mark.parametrize("peak", [
    PhasePeak("boot loader", 200, 0, 0, 0, "grub2-install", 77, 12, 5.5),
    PhasePeak("initramfs", 30, 120, 100, 20, "xz [compress][1]", 950, 70, 90.0),
    PhasePeak("storage", None, None, None, None, None, None, None, 0.3),
])
def test_a_phase_line_reads_back_as_written(peak):
    assert PhasePeak.parse(peak.line()) == peak
    assert read_phase_peaks(f"12:00:00 avail=3\n  {peak.line()}\r\n") == [peak]


@pytest.mark.parametrize("line", [
    "12:00:05 event: phase packages begins (Installing packages)",
    "phase packages: min_avail=41 MiB",
    "phase Packages: min_avail=41 MiB swap_peak=0 MiB zram_peak=0 MiB disk_swap_peak=0 MiB top=- wall=1.0 s",
    "12:00:05 installer peak RSS (VmHWM) 38 MiB",
])
def test_other_lines_are_not_phase_peaks(line):
    assert PhasePeak.parse(line) is None
