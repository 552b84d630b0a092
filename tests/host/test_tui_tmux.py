"""The real `anaconda --dry-run` in an 80x24 tmux pane, driven by keys like a person:
a whole session from the hub to "Begin Installation", and one that starts from a partial
kickstart. What the session produced is read from the kickstart the TUI saves with the
logs; the dry run plans on an image file and writes nothing to it."""
from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from image.testrepo.build import ensure_repo
from installer.passwords import verify_password
from tests.host.tmux import Tmux, hub_numbers as numbers

PASSWORD = "Corr3ct-Horse-Battery"
USER_PASSWORD = "Tr0ub4dor&3-staple"


@pytest.fixture(scope="module")
def repo() -> Path:
    return ensure_repo()


def start(tmp_path: Path, repo: Path, *extra: str) -> tuple[Tmux, Path]:
    disk = tmp_path / "disk0.img"
    subprocess.run(["truncate", "-s", "20G", str(disk)], check=True)
    logs = tmp_path / "logs"
    argv = [str(Path(__file__).resolve().parents[2] / ".venv/bin/anaconda"), "--dry-run",
            "--image", str(disk), "--logdir", str(logs), "--repo", f"file://{repo}", *extra]
    return Tmux(argv, cwd=tmp_path, env={"TERM": "xterm-256color"}), logs


def step(pane: Tmux, keys: list[str], expect: str, timeout: float = 60) -> str:
    for key in keys:
        if key.startswith("text:"):
            pane.type(key[5:])
        else:
            pane.send(key)
    return pane.wait_for(expect, timeout)


def set_time_zone(pane: Tmux, number: str) -> None:
    step(pane, [number, "Enter"], "Choose a region:")
    step(pane, ["text:Europe", "Enter"], "Choose a city in Europe:")
    step(pane, ["text:Prague", "Enter"], "Time zone:  Europe/Prague")
    step(pane, ["Escape"], "Europe/Prague timezone")


def set_root_password(pane: Tmux, number: str) -> None:
    step(pane, [number], "Confirm password:")
    step(pane, [f"text:{PASSWORD}", "Tab", f"text:{PASSWORD}"], "Strength:")
    step(pane, ["Escape"], "Root password is set")


def accept_automatic_layout(pane: Tmux, number: str) -> None:
    step(pane, [number], "Disks to install to")
    step(pane, ["Escape"], "Summary of changes")
    step(pane, ["a"], "Automatic partitioning selected")


def settled(pane: Tmux, timeout: float = 60) -> str:
    """The hub once no spoke is still working in the background ([-])."""
    deadline = time.monotonic() + timeout
    while "[-]" in (screen := pane.screen()):
        assert time.monotonic() < deadline, screen
        time.sleep(0.2)
    return screen


def begin_and_quit(pane: Tmux) -> str:
    step(pane, [], "Ready: nothing is written")
    screen = step(pane, ["b"], "Dry run: nothing was written.", timeout=180)
    step(pane, ["Enter"], "PANE-EXIT: 0")
    return screen


def test_a_whole_session_produces_its_kickstart(tmp_path, repo):
    pane, logs = start(tmp_path, repo)
    with pane:
        hub = pane.wait_for("INSTALLATION SUMMARY")
        assert "[!] Time settings" in hub and "[!] Root password" in hub
        number = numbers(pane.wait_for("Minimal Install"))  # the depsolve in the background finished
        set_time_zone(pane, number["Time settings"])
        accept_automatic_layout(pane, number["Installation destination"])
        set_root_password(pane, number["Root password"])
        step(pane, [number["User creation"]], "Full name:")
        step(pane, ["text:Alice Liddell", "Tab"], "alice")
        step(pane, ["Tab", "Space", "Tab", "text:audio", "Tab", "Tab",
                    f"text:{USER_PASSWORD}", "Tab", f"text:{USER_PASSWORD}"], "Strength:")
        step(pane, ["Escape"], "Administrator alice will be")
        plan = begin_and_quit(pane)
    assert "INSTALLATION PROGRESS" in plan
    ks = (logs / "interactive-ks.cfg").read_text()
    assert "lang en_US.UTF-8" in ks
    assert re.search(r"^timezone Europe/Prague --utc$", ks, re.M), ks
    assert re.search(r"^autopart --type=lvm", ks, re.M), ks
    assert re.search(r"^ignoredisk --only-use=disk0\.img$", ks, re.M), ks
    assert "@^minimal-environment" in ks
    root = re.search(r"^rootpw --iscrypted (\S+)$", ks, re.M)
    assert root and verify_password(PASSWORD, root.group(1)), ks
    user = re.search(r"^user .*--name=alice\b.*$", ks, re.M)
    assert user and "--groups=wheel,audio" in user.group(0) and "--gecos=\"Alice Liddell\"" in user.group(0), ks
    assert PASSWORD not in ks and USER_PASSWORD not in ks
    log = (logs / "anaconda.log").read_text()
    assert "Front end: tui (no kickstart)" in log
    assert PASSWORD not in log and USER_PASSWORD not in log
    # the dry run planned on the image and wrote nothing into it
    assert subprocess.run(["blkid", "-p", str(tmp_path / "disk0.img")]).returncode != 0


PARTIAL = """\
lang de_DE.UTF-8
keyboard --xlayouts=de
timezone America/New_York --utc
network --bootproto=dhcp --hostname=partial.example.test
%packages
@^minimal-environment
%end
"""


def test_a_partial_kickstart_shows_only_what_it_left_out(tmp_path, repo):
    ks_file = tmp_path / "partial.ks"
    ks_file.write_text(PARTIAL)
    pane, logs = start(tmp_path, repo, "--kickstart", str(ks_file))
    with pane:
        pane.wait_for("Root password")
        hub = settled(pane)
        for absent in ("Language settings", "Time settings", "Software selection"):
            assert absent not in hub, hub
        number = numbers(hub)
        accept_automatic_layout(pane, number["Installation destination"])
        set_root_password(pane, number["Root password"])
        begin_and_quit(pane)
    ks = (logs / "interactive-ks.cfg").read_text()
    for kept in ("lang de_DE.UTF-8", "timezone America/New_York --utc", "@^minimal-environment",
                 "--hostname=partial.example.test", "keyboard --xlayouts='de'"):
        assert kept in ks, (kept, ks)
    assert re.search(r"^autopart --type=lvm", ks, re.M) and "rootpw --iscrypted" in ks, ks
    assert "Front end: tui (the kickstart leaves out Installation destination, Root password)" \
        in (logs / "anaconda.log").read_text()


def test_resizes_redraw_and_a_small_terminal_is_told(tmp_path, repo):
    pane, _ = start(tmp_path, repo)
    with pane:
        pane.wait_for("INSTALLATION SUMMARY")
        pane.resize(60, 20)
        pane.wait_for("needs at least 80x24")
        pane.resize(100, 30)
        wide = pane.wait_for("INSTALLATION SUMMARY")
        assert max(len(line) for line in wide.splitlines()) > 80  # drawn for the new width
        step(pane, ["q"], "Quit the installer?")
        step(pane, ["Enter"], "PANE-EXIT: 0")
