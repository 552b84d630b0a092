#!/usr/bin/env python3
"""The smallest RAM an install needs (issue 7's figures), found by bisecting qemu's -m.

A probe at M MiB: the kickstart install of @^minimal-environment with LVM autopart from
the bundled test repository (tests/vm/test_boot_installed.py, case bios-lvm) in a TCG
guest of M MiB, then the installed disk booted (512 MiB: the figure is the install's
RAM), which must print its BOOTED: hostname line. A probe fails at M when the install hits
the OOM killer, exits non-zero, panics or times out, or the installed system does not boot.

Cases:  a  stage2 on the ISO (kickstart on an OEMDRV disk, repository from its `url`)
        b  PXE: the small initrd (image.initrd) with inst.stage2=http://, stage2 read on
           demand by HTTP range requests (image/boot/httpblk) from a real nginx
           (tests/vm/nginx.py), not held in RAM (until session 8, b was the initrd that
           holds stage2, image.pxe_initrd: 224 MiB)
        c  a with inst.zram=0        d  b with inst.zram=0
        f  a with inst.zswap=1: once the target's swap is on (it then goes before zRAM in
           every case), zswap in front of it as well
        e  a on LUKS2 under LVM (`autopart --encrypted`, case bios-luks2), the installed
           system booted in the same M MiB, its passphrase typed on the serial console:
           unlocking (Argon2's memory cost) must fit in the RAM the install fitted in
Every case boots with inst.memcheck=0: the figure is what the install needs, not where
the installer's own minimum check (exit 7, installer/memory/levels.py) would refuse.

Besides the bisection, each case is probed once at REFERENCE_MIB (1 GiB): the table's
time column is the install's time at the smallest working RAM over its time there (the
goal: at most 2x). The installed system prints the per-phase peaks memory.log ends with
(installer/memory/phases.py) as MEMLOG: lines; the table prints them for the smallest
working RAM, with each phase's time at 1 GiB beside it.

Every probe is cached in ${ANACONDA_CACHE:-/var/cache/anaconda-lean}/bench-memory/, one
JSON file per case keyed by the boot image's and the repository's cache keys, so a rerun
resumes and never repeats a probe. Probes run one at a time.

    .venv/bin/python bench/memory.py [--cases a,b] [--low 128] [--high 768] [--max-probes N]
    .venv/bin/python bench/memory.py --cases a --at 176   # one probe at exactly 176 MiB
    .venv/bin/python bench/memory.py --table     # only the table, from each case's newest cache file
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from image.boot.build import ensure_image  # noqa: E402
from image.testrepo.build import ensure_repo  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.vm.harness import GUEST_HOST_IP, Disk, DiskBoot, IsoBoot, KernelBoot, run_vm  # noqa: E402
from tests.vm.nginx import Nginx  # noqa: E402
from tests.vm.served import install_tree  # noqa: E402
from tests.vm.test_boot_installed import (CASES, CHECK, SYSTEM, _booted, report_unit,  # noqa: E402
                                          task_times)
from tests.vm.test_install import failed  # noqa: E402
from installer.memory.levels import MINIMUM_MIB  # noqa: E402
from installer.memory.phases import PhasePeak, read_phase_peaks  # noqa: E402

STEP = 16
INSTALL_TIMEOUT = 2400
BOOT_TIMEOUT = 900
BOOT_MIB = 512
REFERENCE_MIB = 1024  # the time column's denominator
HOSTNAME = "booted.example.test"


@dataclass(frozen=True)
class Case:
    name: str
    method: str  # "iso" or "net" (stage2 over HTTP)
    extra: str  # boot options added
    goal: int
    layout: str = "bios-lvm"  # the storage of tests/vm/test_boot_installed.py's CASES
    boot_in_install_ram: bool = False  # else the installed system boots in BOOT_MIB
    note: str = ""  # what the title says besides the method and the boot options

    @property
    def title(self) -> str:
        return " ".join(part for part in ({"iso": "ISO", "net": "PXE"}[self.method], self.extra,
                                          self.note) if part)


#: see "Every case boots with inst.memcheck=0" above; not part of a case's title
NO_MEMCHECK = "inst.memcheck=0"
BENCH_CASES = {
    # issue 19's goals; c and d (zRAM off) share a's and b's, for the zRAM comparison
    "a": Case("a", "iso", "", 160),
    "b": Case("b", "net", "", 192, note="stage2 on demand over HTTP"),
    "c": Case("c", "iso", "inst.zram=0", 160),
    "d": Case("d", "net", "inst.zram=0", 192, note="stage2 on demand over HTTP"),
    "e": Case("e", "iso", "", 192, layout="bios-luks2", boot_in_install_ram=True,
              note="LUKS2+LVM, boots in the same RAM"),
    # zRAM, then the disk swap before it (a) against zswap in front of the disk swap too
    "f": Case("f", "iso", "inst.zswap=1", 160),
}

# %post --nochroot: what memory did during the install so far. The installer's own VmHWM
# is read from the process that runs the script (the peak-RSS line of memory.log is only
# written after %post, when the logs are saved). The installed system reports that line,
# and the per-phase peaks after it (MEMLOG: lines), from the log copied to the target, then
# every sample (MEMLOG-SAMPLE: lines), kept in the cached boot console log for a post-mortem.
MEMORY_POST = r"""%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: memtotal=$(awk '/^MemTotal:/ {print int($2/1024)}' /proc/meminfo)"
echo "RESULT: minavail=$(grep -o ' avail=[0-9]*' /tmp/memory.log | cut -d= -f2 | sort -n | head -n 1)"
echo "RESULT: samples=$(grep -c ' avail=' /tmp/memory.log)"
echo "RESULT: installerhwm=$(awk '/^VmHWM:/ {print int($2/1024)}' /proc/$PPID/status) $(cat /proc/$PPID/comm)"
echo "RESULT: workerpeak=$(grep -o 'DNF worker finished: .*peak RSS [0-9.]* MiB' /tmp/packaging.log /tmp/anaconda.log 2>/dev/null | grep -o 'peak RSS [0-9.]*' | tail -n 1 | cut -d' ' -f3)"
%end
%post
cat > /usr/local/sbin/memlog-report <<'EOF'
#!/bin/sh
exec > /dev/ttyS0 2>&1
f=/var/log/anaconda/memory.log
echo "BOOTED: memlog_peak=$(sed -n 's/.*installer peak RSS (VmHWM) \([0-9]*\) MiB.*/\1/p' $f | tail -n 1)"
echo "BOOTED: memlog_minavail=$(grep -o ' avail=[0-9]*' $f | cut -d= -f2 | sort -n | head -n 1)"
sed -n 's/^phase /MEMLOG: phase /p' $f
sed -n 's/^\([0-9:]* avail=.*\)/MEMLOG-SAMPLE: \1/p; s/^\([0-9:]* event: .*\)/MEMLOG-SAMPLE: \1/p' $f
EOF
chmod 755 /usr/local/sbin/memlog-report
""" + report_unit("memlog-report", "Report the installer's memory log on the serial console",
                  "/usr/local/sbin/memlog-report", ["After=local-fs.target", "Before=boot-check.service"]) \
    + "%end\n"


def cache_dir() -> Path:
    return Path(os.environ.get("ANACONDA_CACHE", "/var/cache/anaconda-lean")) / "bench-memory"


def cache_file(case: Case, image, repo: Path) -> Path:
    """Keyed by what the guest boots: the ISO holds everything; a network boot reads the
    initrd, stage2 and the code layer (updates.img), so all three name its file."""
    if case.method == "iso":
        boot = Path(image.iso).parent.name
    else:
        parts = "/".join(Path(p).parent.name for p in (image.initrd, image.stage2, image.updates))
        boot = "net-" + hashlib.sha256(parts.encode()).hexdigest()[:16]
    return cache_dir() / f"case-{case.name}-{boot}-repo-{repo.name}.json"


def load(path: Path) -> dict[int, dict]:
    try:
        return {int(k): v for k, v in json.loads(path.read_text()).items()}
    except (OSError, ValueError):
        return {}


def save(path: Path, probes: dict[int, dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({str(k): v for k, v in sorted(probes.items())}, indent=1) + "\n")
    tmp.replace(path)


def stop_install(line: str) -> bool:
    return failed(line) or "Out of memory" in line or "dropping to a shell in" in line


def out_of_memory(console: str) -> str | None:
    """What the kernel's OOM killer did, or None when it did nothing."""
    oom = re.search(r"Out of memory: Killed process \d+ \(([^)]*)\)", console)
    if oom or "Out of memory" in console:
        return f"Out of memory (killed {oom.group(1)})" if oom else "Out of memory"
    return None


def why_failed(result) -> str:
    console = result.console_text
    oom = out_of_memory(console)
    if oom:
        return oom
    code = re.search(r"ANACONDA-EXIT: (\d+)", console)
    if code and code.group(1) != "0":
        detail = ""
        if code.group(1) == "7":
            m = re.search(r"this machine has (\d+) MiB of RAM", console)
            detail = f" (not enough memory: MemTotal {m.group(1)} MiB)" if m else " (not enough memory)"
        return f"ANACONDA-EXIT: {code.group(1)}{detail}"
    err = re.search(r"anaconda-(?:init|lean): ERROR: (.*)", console)
    if err:
        return f"initrd: {err.group(1).strip()[:80]}"
    panic = re.search(r"Kernel panic[^\n]*", console)
    if panic:
        return panic.group(0).strip()[:100]
    if result.exit_state == "timeout":
        return f"timeout after {result.wall_seconds:.0f} s"
    return f"{result.exit_state}, no ANACONDA-EXIT: 0"


def memlog_phases(console: str) -> list[PhasePeak]:
    """The per-phase peaks the installed system printed from its memory.log."""
    return read_phase_peaks("\n".join(line.split("MEMLOG: ", 1)[1]
                                       for line in console.splitlines() if "MEMLOG: " in line))


def _int(value) -> int | None:
    try:
        return int(str(value).split()[0])
    except (ValueError, IndexError):
        return None


def probe(case: Case, mib: int, image, repo: Path, work: Path) -> dict:
    """One install at `mib` MiB and a boot of its disk: the record cached for (case, mib)."""
    www = install_tree(work / "www", image)
    (www / "repo").symlink_to(repo)
    layout = CASES[case.layout]
    ks = SYSTEM + layout.storage + MEMORY_POST + CHECK
    disks = [Disk("target", "8G")]
    started = time.time()
    (www / "ks.cfg").write_text(ks)
    port = free_port()
    with Nginx(www, work / "nginx", [port], {}):  # a real server: it answers Range requests
        base = f"http://{GUEST_HOST_IP}:{port}"
        repo_url = f"{base}/repo/"
        if case.method == "iso":
            ks_dir = work / "oemdrv"
            ks_dir.mkdir()
            (ks_dir / "ks.cfg").write_text(f"url --url={repo_url}\n" + ks)
            oemdrv = work / "oemdrv.img"
            subprocess.run(["truncate", "-s", "16M", str(oemdrv)], check=True)
            subprocess.run(["mkfs.ext4", "-q", "-L", "OEMDRV", "-d", str(ks_dir), str(oemdrv)], check=True)
            boot = IsoBoot(image.iso, f"{case.extra} {NO_MEMCHECK}".strip())
            disks.append(Disk("oemdrv", "16M", install_target=False, image=oemdrv))
        else:
            append = (f"inst.stage2={base}/ inst.ks={base}/ks.cfg inst.repo={repo_url} quiet "
                      f"{case.extra} {NO_MEMCHECK}").strip()
            boot = KernelBoot(image.vmlinuz, image.initrd, append)
        install = run_vm(boot, disks, workdir=work / "install", memory_mib=mib,
                         timeout=INSTALL_TIMEOUT, stop_on=stop_install, name=f"{case.name}@{mib}")
    values = install.values
    consoles = cache_dir() / "consoles"
    consoles.mkdir(parents=True, exist_ok=True)
    stem = f"{cache_file(case, image, repo).stem}-{mib}"
    (consoles / f"{stem}-install.log").write_text(install.console_text)
    record = {"mib": mib, "when": time.strftime("%Y-%m-%d %H:%M:%S"),
              "install_seconds": round(install.wall_seconds), "exit_state": install.exit_state,
              "memtotal": _int(values.get("memtotal")), "minavail": _int(values.get("minavail")),
              "installer_hwm": _int(values.get("installerhwm")),
              "worker_peak": values.get("workerpeak") or None,
              "tasks": task_times(install.console_text)}
    if "ANACONDA-EXIT: 0" not in install.console_text or install.exit_state != "poweroff":
        record.update(ok=False, why=why_failed(install))
        record["console"] = str(consoles / f"{stem}-install.log")
        return record
    booted = run_vm(DiskBoot(), disks, workdir=work / "boot",
                    memory_mib=mib if case.boot_in_install_ram else BOOT_MIB,
                    timeout=BOOT_TIMEOUT, network=False, name=f"{case.name}@{mib}-boot",
                    answers=layout.answers)
    (consoles / f"{stem}-boot.log").write_text(booted.console_text)
    seen = _booted(booted.console_text)
    record["boot_seconds"] = round(booted.wall_seconds)
    record["phases"] = [asdict(peak) for peak in memlog_phases(booted.console_text)]
    # the memory log's own last line (written after %post) beats %post's reading of VmHWM
    record["installer_hwm_post"] = record["installer_hwm"]
    record["installer_hwm"] = _int(seen.get("memlog_peak")) or record["installer_hwm"]
    final_min = _int(seen.get("memlog_minavail"))
    if final_min is not None:
        record["minavail"] = min(final_min, record["minavail"] or final_min)
    if seen.get("hostname") != HOSTNAME:
        # case e boots in the install's RAM: unlocking LUKS2 may be what runs out
        record.update(ok=False, why=f"installed system did not boot ({booted.exit_state}, "
                                    f"{out_of_memory(booted.console_text) or 'no BOOTED: hostname line'})")
        return record
    record.update(ok=True, why="")
    record["total_seconds"] = round(time.time() - started)
    return record


def implied_fail(record: dict) -> int:
    """The largest M a failure stands for. Exit 7 (MemTotal below the installer's minimum)
    at M with MemTotal T means every M' with M' - (M - T) < MINIMUM_MIB fails the same way,
    without probing it: the kernel's and firmware's share (M - T) does not shrink with M."""
    mib, total = record["mib"], record.get("memtotal")
    found = re.search(r"MemTotal (\d+) MiB", record["why"])
    total = total or (int(found.group(1)) if found else None)
    if record["why"].startswith("ANACONDA-EXIT: 7") and total:
        return max(mib, (MINIMUM_MIB + (mib - total) - 1) // STEP * STEP)
    return mib


def in_range(probes: dict[int, dict], low: int, high: int) -> dict[int, dict]:
    """The probes the search counts: the 1 GiB reference above --high is only a time."""
    return {m: r for m, r in probes.items() if low <= m <= high}


def bounds(probes: dict[int, dict], low: int, high: int) -> tuple[int, int]:
    """(largest failing M, smallest working M); low-STEP and high+STEP stand for 'assumed'."""
    probes = in_range(probes, low, high)
    works = [m for m, r in probes.items() if r["ok"]]
    ok_min = min(works, default=high + STEP)
    fails = [min(implied_fail(r), ok_min - STEP) for m, r in probes.items() if not r["ok"] and m < ok_min]
    fail_max = max(fails, default=low - STEP)
    return fail_max, ok_min


def next_probe(case: Case, probes: dict[int, dict], low: int, high: int) -> int | None:
    """The goal first, then the 1 GiB reference (the time column needs it whatever the
    search finds); then, while only one side is known, steps away from the goal that
    double (16, 32, 64... MiB: the answer is expected near it); then bisection."""
    if case.goal not in probes and low <= case.goal <= high:
        return case.goal
    if REFERENCE_MIB not in probes:
        return REFERENCE_MIB
    fail_max, ok_min = bounds(probes, low, high)
    if ok_min - fail_max <= STEP:
        return None
    tried = sorted(in_range(probes, low, high))
    if ok_min > high:  # nothing works yet: gallop up from the failure
        below = [m for m in tried if m < fail_max]
        gap = max(STEP, 2 * (fail_max - below[-1])) if below and fail_max in probes else STEP
        mid = fail_max + gap
    elif fail_max < low:  # nothing fails yet: gallop down from the success
        above = [m for m in tried if m > ok_min]
        mid = ok_min - (max(STEP, 2 * (above[0] - ok_min)) if above else STEP)
    else:
        mid = (fail_max + ok_min) // 2 // STEP * STEP
    mid = min(max(mid, fail_max + STEP), ok_min - STEP)
    return mid if mid not in probes else None


def time_ratio(best: dict | None, reference: dict | None) -> str:
    """The install's time at the smallest working RAM over its time at 1 GiB."""
    if not (best and reference and reference["ok"] and reference.get("install_seconds")):
        return "-"
    return (f"{best['install_seconds'] / reference['install_seconds']:.1f}x "
            f"({best['install_seconds']} s / {reference['install_seconds']} s)")


def phase_report(case: Case, best: dict | None, reference: dict | None) -> list[str]:
    """memory.log's per-phase peaks at the smallest working RAM, each phase's time at
    1 GiB beside it: which phase needs the RAM, which one slows down without it."""
    if not best or not best.get("phases"):
        return []
    at_reference = {p["name"]: p["wall_seconds"] for p in (reference or {}).get("phases", [])}
    lines = [f"case {case.name} at {best['mib']} MiB:"]
    for peak in (PhasePeak(**p) for p in best["phases"]):
        beside = (f" (at {REFERENCE_MIB} MiB: {at_reference[peak.name]:.1f} s)"
                  if peak.name in at_reference else "")
        lines.append(f"  {peak.line()}{beside}")
    return lines


def newest_cache_file(case: Case) -> Path | None:
    """The case's most recently written cache file, whatever image and repository it was
    measured with: --table needs neither built."""
    found = sorted(cache_dir().glob(f"case-{case.name}-*.json"), key=lambda p: p.stat().st_mtime)
    return found[-1] if found else None


def table(cases: list[Case], files: dict[str, Path | None], low: int, high: int) -> str:
    """The table of `cases`, each from its cache file in `files` (None: nothing cached)."""
    head = ("case", "smallest RAM that works", "largest that fails", "goal",
            "installer peak RSS", "peak MemTotal-MemAvailable", f"time vs {REFERENCE_MIB} MiB")
    rows, notes, phases = [], [], []
    for case in cases:
        path = files.get(case.name)
        probes = load(path) if path else {}
        fail_max, ok_min = bounds(probes, low, high)
        searched = in_range(probes, low, high)
        works = f"{ok_min} MiB" if ok_min <= high else f"> {high} MiB?" if searched else "-"
        cause = next((r for m, r in sorted(searched.items()) if not r["ok"] and implied_fail(r) >= fail_max),
                     None)
        fails = (f"{fail_max} MiB ({cause['why']}"
                 + ("" if cause["mib"] == fail_max else f"; inferred from {cause['mib']} MiB") + ")"
                 if cause else f"< {low} MiB?" if searched else "-")
        goal = f"{'ISO' if case.method == 'iso' else 'PXE'} <= {case.goal}: " + (
            "met" if ok_min <= case.goal else "not met" if case.goal in probes or fail_max >= case.goal
            else "?")
        best = probes.get(ok_min) if ok_min <= high else None
        rss = f"{best['installer_hwm']} MiB" if best and best.get("installer_hwm") else "-"
        used = (f"{best['memtotal'] - best['minavail']} MiB (MemTotal {best['memtotal']})"
                if best and best.get("memtotal") and best.get("minavail") is not None else "-")
        reference = probes.get(REFERENCE_MIB)
        rows.append((f"{case.name} {case.title}", works, fails, goal, rss, used,
                     time_ratio(best, reference)))
        phases += phase_report(case, best, reference)
        if not probes:
            notes.append(f"case {case.name}: no probes yet")
        elif ok_min - fail_max > STEP:
            notes.append(f"case {case.name}: not yet bisected to {STEP} MiB "
                         f"(works at {works}, fails at {fails.split(' (')[0]}); probes: "
                         + ", ".join(f"{m}:{'ok' if r['ok'] else 'fail'}" for m, r in sorted(probes.items())))
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [" | ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in [head, *rows]]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    lines += ["", *notes] if notes else ["", f"every cell bisected to {STEP} MiB"]
    if phases:
        lines += ["", "memory.log's peaks per phase at the smallest working RAM:", *phases]
    sources = ", ".join(f"{name}: {path.name if path else '-'}" for name, path in files.items())
    return "\n".join(lines + ["", f"cache {cache_dir()}: {sources}"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(BENCH_CASES),
                        help=f"comma-separated of {','.join(BENCH_CASES)}")
    parser.add_argument("--low", type=int, default=128, help="lowest RAM in MiB (default 128)")
    parser.add_argument("--high", type=int, default=768, help="highest RAM in MiB (default 768)")
    parser.add_argument("--max-probes", type=int, default=None, help="stop after N new probes")
    parser.add_argument("--at", type=int, default=None, metavar="MIB",
                        help="probe each case once at exactly MIB (unless cached), no search")
    parser.add_argument("--table", action="store_true",
                        help="print the table from each case's newest cache file only")
    args = parser.parse_args(argv)
    names = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = [n for n in names if n not in BENCH_CASES]
    if unknown:
        parser.error(f"unknown case(s) {unknown}: choose from {','.join(BENCH_CASES)}")
    if args.low % STEP or args.high % STEP or args.low >= args.high:
        parser.error(f"--low and --high: multiples of {STEP}, low < high")
    cases = [BENCH_CASES[n] for n in names]
    if args.table:
        print(table(cases, {c.name: newest_cache_file(c) for c in cases}, args.low, args.high))
        return 0
    image, repo = ensure_image(), ensure_repo()
    done = 0
    # round-robin: each case gets its goal probe first, then bisection steps in turn
    while args.max_probes is None or done < args.max_probes:
        progressed = False
        for case in cases:
            if args.max_probes is not None and done >= args.max_probes:
                break
            path = cache_file(case, image, repo)
            probes = load(path)
            mib = next_probe(case, probes, args.low, args.high) if args.at is None else \
                (None if args.at in probes else args.at)
            if mib is None:
                continue
            # the image cache keeps two builds per part: another build meanwhile may have
            # evicted ours; the same inputs rebuild it under the same key
            image = ensure_image()
            print(f"probe: case {case.name} ({case.title}) at {mib} MiB", file=sys.stderr, flush=True)
            with tempfile.TemporaryDirectory(prefix=f"bench-memory-{case.name}-{mib}-", dir="/var/tmp") as tmp:
                record = probe(case, mib, image, repo, Path(tmp))
            probes = load(path)  # another run may have added probes meanwhile
            probes[mib] = record
            save(path, probes)
            print(f"probe: case {case.name} at {mib} MiB: {'works' if record['ok'] else 'fails: ' + record['why']}"
                  f" (install {record['install_seconds']} s)", file=sys.stderr, flush=True)
            done += 1
            progressed = True
        if not progressed or args.at is not None:
            break
    print(table(cases, {c.name: cache_file(c, image, repo) for c in cases}, args.low, args.high))
    return 0


if __name__ == "__main__":
    sys.exit(main())
