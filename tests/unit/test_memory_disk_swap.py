"""Once the target's swap is on, it goes before zRAM (installer/memory/disk_swap.py)."""
from __future__ import annotations

import logging

from installer.memory.disk_swap import DISK_FIRST_PRIORITY, prefer_disk_swap, swap_areas

SWAPS = ("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
         "/dev/zram0                              partition\t110592\t\t65536\t\t100\n"
         "/dev/dm-1                               partition\t838652\t\t0\t\t-2\n")


def _proc(tmp_path, text=SWAPS):
    (tmp_path / "swaps").write_text(text)
    (tmp_path / "sys/vm").mkdir(parents=True, exist_ok=True)
    (tmp_path / "sys/vm/swappiness").write_text("180\n")
    (tmp_path / "sys/vm/page-cluster").write_text("0\n")
    return tmp_path


def test_swap_areas_are_read_with_their_priorities(tmp_path):
    areas = swap_areas(_proc(tmp_path))
    assert [(a.path, a.size_kib, a.used_kib, a.priority, a.is_zram) for a in areas] == [
        ("/dev/zram0", 110592, 65536, 100, True), ("/dev/dm-1", 838652, 0, -2, False)]


def test_the_disk_swap_is_reactivated_before_zram(tmp_path, caplog):
    calls = []
    zswap = tmp_path / "enabled"
    zswap.write_text("N\n")
    with caplog.at_level(logging.INFO, logger="anaconda.memory"):
        moved = prefer_disk_swap(["/dev/dm-1"], False, lambda argv: calls.append(argv) or 0,
                                 _proc(tmp_path), zswap)
    assert moved == ["/dev/dm-1"]
    assert calls == [["swapoff", "/dev/dm-1"], ["swapon", "-p", str(DISK_FIRST_PRIORITY), "/dev/dm-1"]]
    assert DISK_FIRST_PRIORITY > 100
    assert zswap.read_text() == "N\n"  # not asked for
    assert "disk swap /dev/dm-1 (818 MiB) now before zRAM (priority 200, was -2)" in caplog.text
    assert (tmp_path / "sys/vm/swappiness").read_text() == "60\n"  # the kernel's defaults
    assert (tmp_path / "sys/vm/page-cluster").read_text() == "3\n"


def test_zswap_is_turned_on_when_asked(tmp_path):
    zswap = tmp_path / "enabled"
    zswap.write_text("N\n")
    prefer_disk_swap(["/dev/dm-1"], True, lambda argv: 0, _proc(tmp_path), zswap)
    assert zswap.read_text() == "Y\n"


def test_a_failed_swapoff_leaves_the_swap_as_it_was(tmp_path, caplog):
    calls = []
    zswap = tmp_path / "enabled"
    zswap.write_text("N\n")
    moved = prefer_disk_swap(["/dev/dm-1"], True,
                             lambda argv: calls.append(argv) or (1 if argv[0] == "swapoff" else 0),
                             _proc(tmp_path), zswap)
    assert moved == [] and calls == [["swapoff", "/dev/dm-1"]]
    assert zswap.read_text() == "N\n"
    assert (tmp_path / "sys/vm/swappiness").read_text() == "180\n"  # zRAM's, still first
    assert "swapoff /dev/dm-1 failed; it stays behind zRAM" in caplog.text


def test_a_failed_swapon_brings_the_swap_back_at_its_old_priority(tmp_path, caplog):
    calls = []
    moved = prefer_disk_swap(["/dev/dm-1"], False,
                             lambda argv: calls.append(argv) or (1 if "-p" in argv else 0),
                             _proc(tmp_path), tmp_path / "enabled")
    assert moved == []
    assert calls[-1] == ["swapon", "/dev/dm-1"]
    assert "trying it at its old priority" in caplog.text


def test_nothing_to_do_without_a_disk_swap_or_once_done(tmp_path):
    only_zram = SWAPS.splitlines()[0] + "\n" + SWAPS.splitlines()[1] + "\n"
    never = lambda argv: 1 / 0  # noqa: E731 - no swapoff/swapon may run
    assert prefer_disk_swap(["/dev/dm-1"], False, never, _proc(tmp_path, only_zram), tmp_path / "e") == []
    done = SWAPS.replace("\t-2\n", f"\t{DISK_FIRST_PRIORITY}\n")
    assert prefer_disk_swap(["/dev/dm-1"], False, never, _proc(tmp_path, done), tmp_path / "e") == []


def test_a_swap_the_install_did_not_make_is_left_alone(tmp_path):
    """A running system's own swap (a disk install from it with inst.zram=1) keeps its place."""
    never = lambda argv: 1 / 0  # noqa: E731
    assert prefer_disk_swap(["/dev/vdb2"], False, never, _proc(tmp_path), tmp_path / "e") == []
