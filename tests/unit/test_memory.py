"""The memory subsystem on fake /proc and /sys trees: levels, the minimum, zRAM planning
and setup, the sampler's lines. Nothing here touches the real zram device or swap."""
from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from installer.errors import InsufficientMemoryError
from installer.memory import levels, oom, sampler, zram
from installer.memory.levels import MemInfo, MiB


def meminfo(tmp_path: Path, total_mib: int, avail_mib: int | None = None) -> Path:
    path = tmp_path / "meminfo"
    avail = total_mib * 3 // 4 if avail_mib is None else avail_mib
    path.write_text(f"MemTotal:       {total_mib * 1024} kB\nMemFree:        1000 kB\n"
                    f"MemAvailable:   {avail * 1024} kB\nBuffers:        0 kB\n")
    return path


def test_read_meminfo(tmp_path):
    info = levels.read_meminfo(meminfo(tmp_path, 768, 600))
    assert info == MemInfo(768 * MiB, 600 * MiB)
    assert (info.total_mib, info.available_mib) == (768, 600)


@pytest.mark.parametrize("total, forced, level", [
    (8192, None, 0), (1024, None, 0), (1023, None, 1), (768, None, 1), (512, None, 1),
    (511, None, 2), (200, None, 2), (8192, 2, 2), (300, 0, 0), (768, 1, 1)])
def test_level(tmp_path, total, forced, level):
    assert levels.decide_level(levels.read_meminfo(meminfo(tmp_path, total)), forced) == level


def test_minimum_refuses_with_what_is_present_and_needed(tmp_path):
    short = levels.MINIMUM_MIB - 1
    info = levels.read_meminfo(meminfo(tmp_path, short, 80))
    with pytest.raises(InsufficientMemoryError) as err:
        levels.check_minimum(info)
    assert err.value.exit_code == 7
    assert f"{short} MiB" in err.value.message and f"at least {levels.MINIMUM_MIB} MiB" in err.value.message
    levels.check_minimum(levels.read_meminfo(meminfo(tmp_path, levels.MINIMUM_MIB)))


def test_memcheck_0_only_warns_below_the_minimum(tmp_path, caplog):
    from installer.bootopts import parse_cmdline
    from installer.memory.startup import enforce_minimum

    short = levels.read_meminfo(meminfo(tmp_path, levels.MINIMUM_MIB - 20))
    options = parse_cmdline("inst.memcheck=0")
    assert options.memcheck is False and parse_cmdline("").memcheck is True
    enforce_minimum(short, 0, options.memcheck)
    assert any("inst.memcheck=0: going on although" in r.getMessage() and r.levelname == "WARNING"
               for r in caplog.records)
    with pytest.raises(InsufficientMemoryError):
        enforce_minimum(short, 0, True)
    enforce_minimum(levels.read_meminfo(meminfo(tmp_path, levels.MINIMUM_MIB)), 0, True)


def sysfs(tmp_path: Path, offered: str = "lzo [lzo-rle] lz4 lz4hc zstd", streams: bool = True) -> Path:
    device = tmp_path / "block/zram0"
    device.mkdir(parents=True)
    (device / "comp_algorithm").write_text(offered + "\n")
    (device / "disksize").write_text("0\n")
    if streams:
        (device / "max_comp_streams").write_text("1\n")
    return tmp_path / "block"


@pytest.mark.parametrize("offered, chosen", [
    ("lzo [lzo-rle] lz4 lz4hc zstd", "lz4"), ("lzo [lzo-rle] zstd", "lzo-rle"),
    ("[lz4] zstd", "lz4"), ("[zstd] lzo", "zstd")])
def test_algorithm(offered, chosen):
    assert zram.choose_algorithm(offered) == chosen


def test_zram_when_below_1_gib_or_forced(tmp_path):
    block = sysfs(tmp_path, "lzo [lzo-rle]")
    small = MemInfo(768 * MiB + 12345, 500 * MiB)
    plan = zram.plan(small, None, block, cpus=2)
    assert plan.enabled and plan.size == 768 * MiB and plan.algorithm == "lzo-rle" and plan.streams == 2
    assert not zram.plan(small, False, block).enabled
    big = MemInfo(4096 * MiB, 3000 * MiB)
    assert not zram.plan(big, None, block).enabled
    assert zram.plan(big, True, block).enabled


def test_zram_setup_writes_sysfs_then_mkswap_and_swapon(tmp_path):
    block = sysfs(tmp_path)
    ran = []
    plan = zram.plan(MemInfo(512 * MiB, 400 * MiB), None, block, cpus=3)
    proc_sys = tmp_path / "sys"
    (proc_sys / "vm").mkdir(parents=True)
    (proc_sys / "vm/swappiness").write_text("60\n")
    (proc_sys / "vm/page-cluster").write_text("3\n")
    assert zram.setup(plan, block, Path("/dev"), runner=lambda argv: ran.append(argv) or 0,
                      proc_sys=proc_sys)
    assert (proc_sys / "vm/swappiness").read_text() == "180\n"  # swap in RAM is cheap
    assert (proc_sys / "vm/page-cluster").read_text() == "0\n"
    device = block / "zram0"
    assert (device / "comp_algorithm").read_text() == "lz4"
    assert (device / "max_comp_streams").read_text() == "3"
    assert (device / "disksize").read_text() == str(512 * MiB)
    assert ran == [["mkswap", "/dev/zram0"], ["swapon", "-p", "100", "/dev/zram0"]]


def test_zram_in_use_or_missing_is_left_alone(tmp_path):
    block = sysfs(tmp_path)
    (block / "zram0/disksize").write_text("1073741824\n")
    ran = []
    plan = zram.plan(MemInfo(512 * MiB, 400 * MiB), True, block)
    assert not zram.setup(plan, block, runner=lambda argv: ran.append(argv) or 0)
    assert ran == []
    empty = tmp_path / "none"
    empty.mkdir()
    assert not zram.setup(plan, empty, runner=lambda argv: ran.append(argv) or 0)
    assert ran == [["modprobe", "zram", "num_devices=1"]]


def fake_proc(tmp_path: Path) -> Path:
    proc = tmp_path / "proc"
    proc.mkdir()
    meminfo(proc, 768, 412).rename(proc / "meminfo")
    (proc / "swaps").write_text(
        "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
        "/dev/zram0                              partition\t786428\t\t31744\t\t100\n"
        "/dev/vda3                               partition\t524284\t\t2048\t\t-2\n")
    procs = {1: ("init", 2000, b"/sbin/init\0"), 301: ("anaconda", 60000, b"/usr/bin/python3\0/usr/bin/anaconda\0"),
             812: ("python3", 98304, b"python3\0-m\0payload.worker\0005\0"),
             5: ("kworker/0:1", None, b""), 40: ("sh", 900, b"sh\0"), 41: ("udevd", 3000, b"udevd\0"),
             42: ("tmux", 4000, b"tmux\0")}
    for pid, (name, rss, cmdline) in procs.items():
        d = proc / str(pid)
        d.mkdir()
        (d / "status").write_text(f"Name:\t{name}\nState:\tS\n" + (f"VmRSS:\t  {rss} kB\n" if rss else ""))
        (d / "cmdline").write_bytes(cmdline)
    (proc / "self").mkdir()
    (proc / "self/status").write_text("Name:\tanaconda\nVmHWM:\t  123904 kB\nVmRSS:\t  60000 kB\n")
    return proc


def test_sample_line(tmp_path):
    proc = fake_proc(tmp_path)
    block = sysfs(tmp_path)
    (block / "zram0/mm_stat").write_text("  65011712 22937600 24576000 0 24576000 5 0 0 0\n")
    line = sampler.take_sample(proc, block).line(now=0)
    assert re.match(r"^\d\d:\d\d:\d\d avail=412 swap_disk=2/511 swap_zram=31/767 zram_ratio=2.83 "
                    r"top=payload\.worker\[812\]=96,anaconda\[301\]=58,tmux\[42\]=3,udevd\[41\]=2,"
                    r"init\[1\]=1$", line), line


def test_sample_line_ends_with_the_pressure_stall_figures(tmp_path):
    proc = fake_proc(tmp_path)
    (proc / "pressure").mkdir()
    (proc / "pressure/memory").write_text("some avg10=12.41 avg60=3.00 avg300=1.00 total=123\n"
                                          "full avg10=5.02 avg60=1.00 avg300=0.20 total=45\n")
    (proc / "pressure/io").write_text("some avg10=40.00 avg60=20.00 avg300=5.00 total=999\n"
                                      "full avg10=31.60 avg60=10.00 avg300=2.00 total=888\n")
    line = sampler.take_sample(proc, sysfs(tmp_path)).line(now=0)
    assert line.endswith(",init[1]=1 psi_mem=12/5 psi_io=40/32"), line


def test_sample_line_without_zram_swap(tmp_path):
    proc = fake_proc(tmp_path)
    (proc / "swaps").write_text("Filename\tType\tSize\tUsed\tPriority\n")
    line = sampler.take_sample(proc, sysfs(tmp_path)).line(now=0)
    assert "swap_disk=0/0 swap_zram=0/0 zram_ratio=- " in line


def test_sampler_writes_private_log_and_peak(tmp_path):
    proc = fake_proc(tmp_path)
    path = tmp_path / "memory.log"
    s = sampler.Sampler(path, interval=0.05, proc=proc, sys_block=sysfs(tmp_path))
    s.start()
    import time
    time.sleep(0.2)
    s.stop()
    s.stop()  # a second stop is harmless
    lines = path.read_text().splitlines()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len([l for l in lines if " avail=412 " in l]) >= 3
    assert lines[-1].endswith("installer peak RSS (VmHWM) 121 MiB")


def test_oom_protect_and_status(tmp_path):
    proc_self = tmp_path / "self"
    proc_self.mkdir()
    assert oom.protect(proc_self)
    assert (proc_self / "oom_score_adj").read_text() == "-500\n"
    (proc_self / "status").write_text("VmHWM:\t 2048 kB\n")
    assert oom.status_kib("VmHWM", proc_self) == 2048
    assert oom.status_kib("VmRSS", proc_self) is None
    assert not oom.protect(tmp_path / "missing")


def test_storage_swap_event_samples_at_once(tmp_path):
    """A storage log record marked memory_event writes an event line and a sample right
    after it, through the non-propagating storage logger, as startup wires it."""
    import logging

    proc = fake_proc(tmp_path)
    path = tmp_path / "memory.log"
    s = sampler.Sampler(path, interval=3600, proc=proc, sys_block=sysfs(tmp_path))
    handler = sampler.EventHandler(s)
    storage_log = logging.getLogger("anaconda.storage")
    storage_log.addHandler(handler)
    old_level = storage_log.level
    storage_log.setLevel(logging.INFO)
    try:
        storage_log.info("Swap activated on %s right after it was formatted", "/dev/vda2",
                         extra={"memory_event": True})
        storage_log.info("Storage: Creating swap on /dev/vda2")  # not an event
    finally:
        storage_log.removeHandler(handler)
        storage_log.setLevel(old_level)
    lines = path.read_text().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].endswith("event: Swap activated on /dev/vda2 right after it was formatted")
    assert " swap_disk=2/511 " in lines[1]


def test_vm_tuning_falls_back_when_the_kernel_refuses(tmp_path):
    """A kernel before 5.8 refuses swappiness above 100: the next value is taken."""
    proc_sys = tmp_path / "sys"
    (proc_sys / "vm").mkdir(parents=True)
    (proc_sys / "vm/page-cluster").write_text("3\n")
    (proc_sys / "vm/swappiness").mkdir()  # writing it fails like EINVAL would
    assert zram.tune_vm(proc_sys) == {"vm/page-cluster": "0"}


def test_stage2_held_in_ram_counts_against_the_minimum(tmp_path):
    """A network boot keeps stage2 in RAM: what is left must reach the minimum, and the
    message says where the RAM went and how much more is needed."""
    held_file = tmp_path / "stage2-in-ram"
    held_file.write_text(f"{64 * MiB}\n")
    held = levels.stage2_in_ram(held_file)
    assert held == 64 * MiB
    assert levels.stage2_in_ram(tmp_path / "absent") == 0
    enough = levels.MINIMUM_MIB + 64
    levels.check_minimum(levels.read_meminfo(meminfo(tmp_path, enough)), held=held)
    with pytest.raises(InsufficientMemoryError) as err:
        levels.check_minimum(levels.read_meminfo(meminfo(tmp_path, enough - 10)), held=held)
    assert "64 MiB of which hold the installer's runtime" in err.value.message
    assert "for the whole install" in err.value.message
    assert "give the machine 10 MiB more" in err.value.message


def test_stage2_that_moves_to_the_target_counts_only_for_the_early_part(tmp_path):
    """At a low-memory level stage2 leaves RAM once the target is mounted: the machine
    needs stage2 plus EARLY_MIB, or the minimum, whichever is more."""
    held = 50 * MiB
    needed = max(levels.MINIMUM_MIB, 50 + levels.EARLY_MIB)
    assert levels.required_mib(held, stage2_moves=True) == needed
    assert levels.required_mib(held, stage2_moves=False) == levels.MINIMUM_MIB + 50
    assert levels.required_mib(0, stage2_moves=True) == levels.MINIMUM_MIB
    assert levels.required_mib(50 * MiB + 1, stage2_moves=True) == needed + 1  # rounded up
    levels.check_minimum(levels.read_meminfo(meminfo(tmp_path, needed)), held=held, stage2_moves=True)
    with pytest.raises(InsufficientMemoryError) as err:
        levels.check_minimum(levels.read_meminfo(meminfo(tmp_path, needed - 4)), held=held,
                             stage2_moves=True)
    assert "until the target disk is mounted" in err.value.message
    assert f"needs {needed} MiB in all: give the machine 4 MiB more" in err.value.message


@pytest.mark.parametrize("held, level, moves", [(50 * MiB, 1, True), (50 * MiB, 2, True),
                                                 (50 * MiB, 0, False), (0, 2, False)])
def test_stage2_moves_at_a_low_level_only(held, level, moves):
    from installer.memory.startup import MemorySession, stage2_moves

    assert stage2_moves(held, level) is moves
    session = MemorySession(info=MemInfo(300 * MiB, 200 * MiB), level=level, zram_active=False,
                            stage2_held=held)
    assert session.stage2_moves is moves


def test_kernel_tuning_for_a_small_machine(tmp_path):
    from installer.memory import kernel_tuning

    sys_mm, proc_sys = tmp_path / "mm", tmp_path / "sys"
    (sys_mm / "transparent_hugepage").mkdir(parents=True)
    (sys_mm / "transparent_hugepage/enabled").write_text("[always] madvise never\n")
    (sys_mm / "transparent_hugepage/defrag").write_text("always defer defer+madvise [madvise] never\n")
    (proc_sys / "vm").mkdir(parents=True)
    (proc_sys / "vm/compaction_proactiveness").write_text("20\n")
    # no lru_gen directory: a kernel without MGLRU is skipped, not an error
    applied = kernel_tuning.apply(sys_mm, proc_sys)
    assert applied == {str(sys_mm / "transparent_hugepage/enabled"): "never",
                       str(sys_mm / "transparent_hugepage/defrag"): "never",
                       str(proc_sys / "vm/compaction_proactiveness"): "0"}
    assert kernel_tuning.current(sys_mm / "transparent_hugepage/defrag") == "never"
    assert kernel_tuning.current(tmp_path / "mm/transparent_hugepage/enabled") == "never"
