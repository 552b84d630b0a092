#!/usr/bin/env python3
"""The TUI's figures (issue 8): process start to the hub drawn, and the slowest
key-to-redraw on the language and destination spokes.

1. Start to hub: `anaconda --dry-run --image DISK` in an 80x24 tmux pane (the real program,
   real terminal), timed from the spawn until "INSTALLATION SUMMARY" is on the pane; also
   the installer's own log line "hub built N s after process start". Median of --runs.
2. The installer's RSS and peak RSS once every spoke has loaded (host).
3. Key to redraw: the real spokes in-process (language with langtable's 212 languages,
   destination on four 20 GiB image files), each key handled and the screen rendered at
   80x24 as urwid's main loop does; the slowest and the median per spoke.

    .venv/bin/python bench/tui.py [--runs 5]
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)

from image.testrepo.build import ensure_repo  # noqa: E402
from installer.bootopts import parse_cmdline  # noqa: E402
from installer.ui.session import new_session  # noqa: E402
from spokes.tui.app import TuiApp  # noqa: E402
from spokes.tui.destination import DestinationSpoke  # noqa: E402
from spokes.tui.hub import Hub  # noqa: E402
from spokes.tui.language import LanguageSpoke  # noqa: E402
from tests.host.tmux import Tmux  # noqa: E402

SIZE = (80, 24)


def start_to_hub(work: Path, repo: Path, runs: int) -> tuple[list[float], list[float]]:
    disk = work / "disk0.img"
    subprocess.run(["truncate", "-s", "20G", str(disk)], check=True)
    walls, logged = [], []
    for run in range(runs):
        logs = work / f"logs-{run}"
        argv = [str(REPO / ".venv/bin/anaconda"), "--dry-run", "--image", str(disk),
                "--logdir", str(logs), "--repo", f"file://{repo}"]
        started = time.monotonic()
        with Tmux(argv, cwd=work, env={"TERM": "xterm-256color"}) as pane:
            while "INSTALLATION SUMMARY" not in pane.screen():
                if time.monotonic() - started > 60:
                    raise SystemExit(f"no hub after 60 s:\n{pane.screen()}")
                time.sleep(0.01)
            walls.append(time.monotonic() - started)
            time.sleep(0.5)
        found = re.search(r"hub built ([0-9.]+) s after process start",
                          (logs / "anaconda.log").read_text())
        if found:
            logged.append(float(found.group(1)))
    return walls, logged


def hub_memory(work: Path, repo: Path) -> tuple[int, int]:
    """(VmRSS, VmHWM) in MiB of the installer once every spoke is ready: what the TUI and
    its background work cost the process (langtable and DNF run in children)."""
    disk = work / "disk0.img"
    argv = [str(REPO / ".venv/bin/anaconda"), "--dry-run", "--image", str(disk),
            "--logdir", str(work / "logs-rss"), "--repo", f"file://{repo}"]
    with Tmux(argv, cwd=work, env={"TERM": "xterm-256color"}) as pane:
        pane.wait_for("INSTALLATION SUMMARY")
        deadline = time.monotonic() + 120
        while "[-]" in pane.screen() and time.monotonic() < deadline:
            time.sleep(0.5)
        shell = pane._tmux("display-message", "-p", "-t", pane.name, "#{pane_pid}").strip()
        pid = subprocess.run(["pgrep", "-P", shell, "-f", "anaconda"], capture_output=True,
                             text=True).stdout.split()[0]
        status = Path(f"/proc/{pid}/status").read_text()
    value = {k: int(v.split()[0]) // 1024 for k, v in
             (line.split(":", 1) for line in status.splitlines() if line.startswith("Vm"))}
    return value["VmRSS"], value["VmHWM"]


def key_times(app: TuiApp, keys: list[str]) -> list[float]:
    """Each key handled, then the whole screen rendered, as the main loop would."""
    times = []
    for key in keys:
        started = time.perf_counter()
        app.handle_key(key, SIZE)
        app.root.render(SIZE, focus=True)
        times.append(time.perf_counter() - started)
        app.settle()  # background work the key started is not the redraw's cost
    return times


def hub_app(spoke, session) -> TuiApp:
    app = TuiApp(session)
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    app.settle()
    return app


def language_keys() -> list[float]:
    session = new_session(parse_cmdline(""), log_dir=None)
    app = hub_app(LanguageSpoke(console=False), session)
    keys = ["1"] + list("fran") + ["backspace"] * 4 + ["down"] * 10 + ["up"] * 10 \
        + list("deu") + ["enter"] + ["down"] * 3 + ["enter"]
    return key_times(app, keys)


def destination_keys(work: Path) -> list[float]:
    images = []
    for index in range(4):
        image = work / f"disk{index}.img"
        subprocess.run(["truncate", "-s", "20G", str(image)], check=True)
        images.append(image)
    session = new_session(parse_cmdline(""), log_dir=work / "dest-logs", images=images)
    app = hub_app(DestinationSpoke(), session)
    keys = ["1"] + [" ", "down"] * 4 + ["down"] * 6 + ["up"] * 6
    return key_times(app, keys)


def summary(name: str, times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (f"{name}: {len(ms)} keys, slowest {max(ms):.1f} ms, median "
            f"{statistics.median(ms):.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    repo = ensure_repo()
    with tempfile.TemporaryDirectory(prefix="bench-tui-", dir="/var/tmp") as tmp:
        work = Path(tmp)
        walls, logged = start_to_hub(work, repo, args.runs)
        print(f"process start to hub drawn (host, --dry-run, tmux 80x24): median "
              f"{statistics.median(walls):.2f} s of {len(walls)} (min {min(walls):.2f}, "
              f"max {max(walls):.2f})")
        if logged:
            print(f"  the installer's log: hub built {statistics.median(logged):.2f} s after "
                  "process start (median)")
        rss, hwm = hub_memory(work, repo)
        print(f"installer process with the hub ready (every spoke loaded): RSS {rss} MiB, "
              f"peak {hwm} MiB")
        print(summary("key to redraw, language spoke", language_keys()))
        print(summary("key to redraw, destination spoke (4 disks)", destination_keys(work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
