"""The memory subsystem in a real `--dirinstall` run on the host: memory.log written
through the install (0600), ending with the per-phase peaks, and copied to the target,
the decisions in anaconda.log.
zRAM is never set up on the host: a directory install leaves the host's swap alone."""
from __future__ import annotations

import re
import stat
from pathlib import Path

from installer.memory.phases import read_phase_peaks
from tests.conftest import REPO

MINIMAL = REPO / "tests/data/small.ks"


def test_memory_log_through_a_dirinstall(anaconda, tmp_path):
    swaps_before = Path("/proc/swaps").read_text()
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(MINIMAL),
                      boot="inst.lowmem=2")
    assert result.code == 0, result.text
    assert Path("/proc/swaps").read_text() == swaps_before
    story = (result.log_dir / "anaconda.log").read_text()
    assert re.search(r"Memory: MemTotal \d+ MiB, MemAvailable \d+ MiB", story)
    assert "Low-memory level 2 (very low, inst.lowmem)" in story
    assert "zRAM: off" in story
    # set, or refused where the container lacks CAP_SYS_RESOURCE: either way it is said
    assert re.search(r"oom_score_adj (of the installer set to -500|not changed)", story)
    copied = target / "var/log/anaconda/memory.log"
    assert stat.S_IMODE(copied.stat().st_mode) == 0o600
    assert stat.S_IMODE((result.log_dir / "memory.log").stat().st_mode) == 0o600
    lines = copied.read_text().splitlines()
    assert re.match(r"\d\d:\d\d:\d\d MemTotal=\d+ MemAvailable=\d+ level=2 zram=off$", lines[0])
    samples = [l for l in lines if " avail=" in l]
    assert len(samples) >= 2, lines
    assert all(re.search(r" swap_disk=\d+/\d+ swap_zram=\d+/\d+ zram_ratio=\S+ top=\S+\[\d+\]=\d+", l)
               for l in samples), samples
    peak = next(i for i, line in enumerate(lines)
                if re.search(r"installer peak RSS \(VmHWM\) \d+ MiB$", line))
    # then one line per install phase that ran (a directory install has no initramfs
    # nor boot loader); preparing the directory counts as storage
    phases = read_phase_peaks("\n".join(lines[peak + 1:]))
    assert [p.name for p in phases] == ["storage", "packages", "configuration"], lines[peak:]
    assert len(lines) == peak + 1 + len(phases)
    assert all(p.min_avail_mib and p.top_rss_mib for p in phases), phases
