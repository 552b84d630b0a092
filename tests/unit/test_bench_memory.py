"""bench/memory.py: the search (the goal first, then the 1 GiB reference, doubling steps
away from the goal, then bisection to 16 MiB; an exit-7 failure stands for every smaller
size without a probe), a probe's wiring with qemu replaced (what each case installs and
boots, what is cached) and the table read from the cache."""
from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest

import bench.memory
from bench.memory import BENCH_CASES, REFERENCE_MIB, Case, bounds, main, memlog_phases, next_probe, probe
from installer.memory.phases import PhasePeak
from tests.vm.harness import VmResult, parse_results
from tests.vm.test_boot_installed import CASES, PASSPHRASE


@pytest.fixture(autouse=True)
def minimum_160(monkeypatch):
    """The figures below assume an installer minimum of 160 MiB, whatever the current one."""
    monkeypatch.setattr(bench.memory, "MINIMUM_MIB", 160)


#: an ISO case whose goal is 192 MiB: the search order below starts there
GOAL_192 = Case("a", "iso", "", 192)


def search(case: Case, works_from: int, overhead: int = 53) -> tuple[list[int], tuple[int, int]]:
    probes: dict[int, dict] = {}
    seen = []
    while (mib := next_probe(case, probes, 128, 768)) is not None:
        seen.append(mib)
        total = mib - overhead
        why = "" if mib >= works_from else \
            f"ANACONDA-EXIT: 7 (not enough memory: MemTotal {total} MiB)" if total < 160 else "Out of memory"
        probes[mib] = {"mib": mib, "ok": mib >= works_from, "why": why, "memtotal": total}
    return seen, bounds(probes, 128, 768)


@pytest.mark.parametrize("works_from, expected", [  # the 1 GiB reference right after the goal
    (300, [192, 1024, 224, 288, 416, 352, 320, 304]),  # 208 inferred from 192's exit 7
    (128, [192, 1024, 176, 144, 128]),
    (192, [192, 1024, 176]),
    (9999, [192, 1024, 224, 288, 416, 672, 768]),  # a failure at 1 GiB is no bound of the search
])
def test_search_order_and_result(works_from, expected):
    seen, (fail_max, ok_min) = search(GOAL_192, works_from)
    assert seen == expected
    assert ok_min - fail_max == 16
    assert len(set(seen)) == len(seen)


def test_exit_7_is_inferred_upwards():
    probes = {192: {"mib": 192, "ok": False, "why": "ANACONDA-EXIT: 7 (not enough memory: MemTotal 139 MiB)"}}
    assert bounds(probes, 128, 768) == (208, 784)  # 208 - 53 = 155 < 160: fails too


PEAKS = [PhasePeak("storage", 380, 8, 0, 8, "anaconda", 301, 40, 12.0),
         PhasePeak("packages", 41, 120, 100, 20, "payload.worker", 812, 96, 300.0),
         PhasePeak("initramfs", 30, 140, 120, 20, "xz", 950, 70, 90.0)]


def console(*lines: str) -> str:
    return "".join(f"{line}\r\n" for line in lines)


def test_memlog_phases_are_read_from_the_boot_console():
    text = console("[  OK  ] Started memlog-report.service", *(f"MEMLOG: {p.line()}" for p in PEAKS),
                   "BOOTED: hostname=booted.example.test", "MEMLOG: garbled [ 12.3] line")
    assert memlog_phases(text) == PEAKS


def test_case_e_encrypts_and_boots_in_the_install_ram():
    case = BENCH_CASES["e"]
    assert case.method == "iso" and case.goal == 192 and case.boot_in_install_ram
    assert "--encrypted" in CASES[case.layout].storage and CASES[case.layout].answers
    assert case.title == "ISO LUKS2+LVM, boots in the same RAM"
    assert all(c.layout == "bios-lvm" and not c.boot_in_install_ram for n, c in BENCH_CASES.items() if n != "e")


class FakeVms:
    """run_vm's stand-in: the install prints its RESULT: lines, the installed system its
    BOOTED: and MEMLOG: lines; every call is kept."""

    def __init__(self, tmp_path: Path):
        self.tmp_path, self.calls = tmp_path, []

    def __call__(self, boot, disks, **kwargs) -> VmResult:
        self.calls.append(kwargs)
        if len(self.calls) == 1:
            text = console("RESULT: memtotal=130", "RESULT: minavail=35", "RESULT: installerhwm=39 python3",
                           "ANACONDA-EXIT: 0")
        else:
            text = console("Please unlock disk vda3_crypt:", *(f"MEMLOG: {p.line()}" for p in PEAKS),
                           "BOOTED: memlog_peak=38", "BOOTED: memlog_minavail=30",
                           "BOOTED: hostname=booted.example.test")
        return VmResult("poweroff", 0, 600.0, text, parse_results(text), True, [],
                        self.tmp_path / "console.log")


@pytest.mark.parametrize("name, boot_mib", [("a", bench.memory.BOOT_MIB), ("e", 176)])
def test_a_probe_records_the_phases_and_boots_as_its_case_says(tmp_path, monkeypatch, name, boot_mib):
    monkeypatch.setenv("ANACONDA_CACHE", str(tmp_path / "cache"))
    vms = FakeVms(tmp_path)
    monkeypatch.setattr(bench.memory, "run_vm", vms)
    image = SimpleNamespace(iso=tmp_path / "iso-1/boot.iso", stage2=tmp_path / "install.img",
                            updates=tmp_path / "updates.img")
    record = probe(BENCH_CASES[name], 176, image, tmp_path / "repo", tmp_path / "work")
    assert record["ok"], record
    assert record["phases"] == [asdict(p) for p in PEAKS]
    assert (record["installer_hwm"], record["minavail"], record["memtotal"]) == (38, 30, 130)
    install, boot = vms.calls
    assert install["memory_mib"] == 176 and boot["memory_mib"] == boot_mib
    encrypted = name == "e"
    assert boot["answers"] == ([("Please unlock disk", PASSPHRASE)] if encrypted else [])
    ks = (tmp_path / "work/oemdrv/ks.cfg").read_text()
    assert ("--encrypted" in ks) == encrypted and "sed -n 's/^phase /MEMLOG: phase /p'" in ks


def write_cache(cache: Path, name: str, probes: dict[int, dict], age: float = 0.0) -> None:
    path = cache / "bench-memory" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({str(k): v for k, v in probes.items()}))
    os.utime(path, (1e9 - age, 1e9 - age))


def probe_record(mib: int, ok: bool, seconds: int = 0, phases: list[PhasePeak] = ()) -> dict:
    return {"mib": mib, "ok": ok, "why": "" if ok else "Out of memory (killed payload.worker)",
            "install_seconds": seconds, "installer_hwm": 38, "memtotal": mib - 46, "minavail": 30,
            "phases": [asdict(p) for p in phases]}


def test_table_on_an_empty_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANACONDA_CACHE", str(tmp_path))
    assert main(["--table"]) == 0
    out = capsys.readouterr().out
    assert "time vs 1024 MiB" in out and "e ISO LUKS2+LVM, boots in the same RAM" in out
    assert all(f"case {name}: no probes yet" in out for name in BENCH_CASES)


def test_table_reads_each_case_newest_file_with_time_and_phases(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANACONDA_CACHE", str(tmp_path))
    write_cache(tmp_path, "case-a-iso-old-repo-r.json", {192: probe_record(192, True, 100)}, age=60)
    at_1g = [PhasePeak("packages", 700, 0, 0, 0, "payload.worker", 80, 96, 120.0)]
    write_cache(tmp_path, "case-a-iso-new-repo-r.json", {
        160: probe_record(160, False), 176: probe_record(176, True, 1200, PEAKS),
        REFERENCE_MIB: probe_record(REFERENCE_MIB, True, 600, at_1g)})
    assert main(["--table", "--cases", "a"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("a ISO"))
    assert "| 176 MiB " in row and "| 160 MiB (Out of memory" in row and "2.0x (1200 s / 600 s)" in row
    assert "every cell bisected to 16 MiB" in out
    assert "case a at 176 MiB:" in out
    assert f"  {PEAKS[1].line()} (at 1024 MiB: 120.0 s)" in out
    assert f"  {PEAKS[0].line()}\n" in out  # storage: no phase line at 1 GiB to compare with
    assert "a: case-a-iso-new-repo-r.json" in out


def test_at_probes_each_case_once_at_that_ram_unless_cached(tmp_path, monkeypatch, capsys):
    """--at MIB: no search, one probe per case at exactly MIB; a cached one is kept.
    The boot image and the guest are what this test leaves out (hours under TCG): it
    checks which probes main asks for and what it caches."""
    monkeypatch.setenv("ANACONDA_CACHE", str(tmp_path))
    image = SimpleNamespace(iso=tmp_path / "iso-k" / "x.iso", initrd=tmp_path / "initrd-k" / "i",
                            stage2=tmp_path / "stage2-k" / "s", updates=tmp_path / "updates-k" / "u")
    monkeypatch.setattr(bench.memory, "ensure_image", lambda: image)
    monkeypatch.setattr(bench.memory, "ensure_repo", lambda: tmp_path / "repo-r")
    asked = []

    def fake_probe(case, mib, image, repo, work):
        asked.append((case.name, mib))
        return probe_record(mib, True, 500)

    monkeypatch.setattr(bench.memory, "probe", fake_probe)
    assert main(["--cases", "a,b", "--at", "176"]) == 0
    assert asked == [("a", 176), ("b", 176)]
    assert main(["--cases", "a,b", "--at", "176"]) == 0  # cached: nothing probed again
    assert asked == [("a", 176), ("b", 176)]
    cached = json.loads((tmp_path / "bench-memory" / "case-a-iso-k-repo-repo-r.json").read_text())
    assert list(cached) == ["176"]


def test_a_network_case_is_keyed_by_initrd_stage2_and_code_layer(tmp_path):
    from bench.memory import cache_file

    def image(code):
        return SimpleNamespace(iso=tmp_path / "iso-k" / "x.iso", initrd=tmp_path / "initrd-k" / "i",
                               stage2=tmp_path / "stage2-k" / "s", updates=tmp_path / f"updates-{code}" / "u")
    repo = tmp_path / "repo-r"
    assert cache_file(BENCH_CASES["b"], image("1"), repo) != cache_file(BENCH_CASES["b"], image("2"), repo)
    assert cache_file(BENCH_CASES["a"], image("1"), repo) == cache_file(BENCH_CASES["a"], image("2"), repo)
