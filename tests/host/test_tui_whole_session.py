"""One whole interactive session of the real `anaconda --dry-run` in an 80x24 tmux pane,
driven by keys like a person, through the spokes issue 17 added: X layouts and their
switching option in the keyboard spoke; an NFS source (nfs-ganesha on 127.0.0.1,
tests/host/nfsserver.py) with an additional repository over HTTP; a package found by the
software spoke's search; in the destination a new / beside an existing ext4 partition
reused as /home with its data kept; a root password with an SSH key for root; then
Begin (a dry run) and quit. The kickstart the TUI saved is checked line by line, no
password is in it or in the logs, and the disk image and the reused partition's files
are as they were.

The NFS export is the bundled test repository (image/testrepo: it has what an install
of this layout needs, e2fsprogs, xfsprogs, GRUB); the extra repository is the small one
(tests/repos/smallrepo.py), and the package added, tool-j, is only there, so the search
and the depsolve read the extra repository too."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from image.testrepo.build import ensure_repo
from installer.keyboards import Entry
from installer.passwords import verify_password
from tests.host.nfsserver import nfs_server, unavailable
from tests.host.test_tui_tmux import (PASSWORD, begin_and_quit, numbers, set_time_zone, settled,
                                      step)
from tests.host.tmux import Tmux
from tests.unit.disk_images import SDA_PARTS, copy_data, write_sda
from tests.vm.harness import HttpServer

pytestmark = [pytest.mark.host, pytest.mark.skipif(unavailable() is not None,
                                                    reason=unavailable() or "")]

MIB = 1024 * 1024
HOME_FILE = "/alice/notes.txt"
HOME_TEXT = "Alice's notes: kept across the installation.\n"
PACKAGE = "tool-j"  # in the small repository only; no environment pulls it in


# ---- set-up ------------------------------------------------------------------------------
def disk_with_home(root: Path) -> Path:
    """tests/unit/disk_images' sda, its ext4 "data" partition (sda1) holding a file of
    known content, written with debugfs into the partition's own file and copied in."""
    sda = write_sda(root)
    note = root / "notes.txt"
    note.write_text(HOME_TEXT)
    for request in ("mkdir /alice", f"write {note} {HOME_FILE}"):
        subprocess.run(["debugfs", "-w", "-R", request, str(root / "sda1")], check=True,
                       capture_output=True)
    copy_data(root / "sda1", sda, SDA_PARTS[0][0] * MIB)
    return sda


def fingerprint(path: Path) -> str:
    """A sha256 of a sparse file's data extents and where they are, plus its size and
    mtime: reading 20 GiB of holes would take longer than the session."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        digest.update(f"{stat.st_size} {stat.st_mtime_ns}".encode())
        position = 0
        while position < stat.st_size:
            try:
                start = os.lseek(handle.fileno(), position, os.SEEK_DATA)
            except OSError:  # no data after position
                break
            stop = os.lseek(handle.fileno(), start, os.SEEK_HOLE)
            handle.seek(start)
            digest.update(f"{start}:".encode())
            for offset in range(start, stop, 16 * MIB):
                digest.update(handle.read(min(16 * MIB, stop - offset)))
            position = stop
    return digest.hexdigest()


def read_back(sda: Path) -> str:
    """HOME_FILE read out of sda1's byte range of the disk image."""
    image = f"{sda}?offset={SDA_PARTS[0][0] * MIB}"
    return subprocess.run(["debugfs", "-R", f"cat {HOME_FILE}", image], check=True,
                          capture_output=True, text=True).stdout


def ssh_key(tmp_path: Path) -> tuple[str, str]:
    """A real ed25519 public key and its fingerprint, from ssh-keygen (Debian's
    openssh-client) when it is here, else the unit tests' fixed key."""
    if shutil.which("ssh-keygen"):
        key = tmp_path / "id_ed25519"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "tester@host",
                        "-f", str(key)], check=True)
        listed = subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True,
                                capture_output=True, text=True).stdout
        return (key.parent / f"{key.name}.pub").read_text().strip(), listed.split()[1]
    from tests.unit.test_ui_accounts_ssh import ED25519, ED25519_FP
    return ED25519, ED25519_FP


# ---- the focus, read from the terminal's cursor ------------------------------------------------
def focused(pane: Tmux) -> str:
    """What has the focus: the button under the cursor ("< Save   >"), or the cursor's line;
    "" where the focused widget shows no cursor."""
    x, y, shown = subprocess.run(
        ["tmux", "-L", pane.socket, "display", "-p", "-t", pane.name,
         "#{cursor_x} #{cursor_y} #{cursor_flag}"],
        check=True, capture_output=True, text=True).stdout.split()
    if shown != "1":
        return ""
    line = pane.screen().splitlines()[int(y)]
    start = line.rfind("<", 0, int(x))
    if start >= 0 and ">" in line[start:]:
        return line[start:line.index(">", start) + 1]
    return line


def move_to(pane: Tmux, label: str, key: str = "Down", tries: int = 30) -> None:
    """Press `key` until the focused widget shows `label`, as test_destination's does."""
    for _ in range(tries):
        if label in focused(pane):
            return
        pane.send(key)
    raise AssertionError(f"{label!r} never got the focus:\n{pane.screen()}")


def press_button(pane: Tmux, label: str) -> None:
    move_to(pane, "< ")
    for side in ("Left", "Right"):
        for _ in range(6):
            if label in focused(pane):
                pane.send("Enter")
                return
            pane.send(side)
    raise AssertionError(f"no button {label!r}:\n{pane.screen()}")


def flat(screen: str) -> str:
    """The screen without white space: text wrapped anywhere (a long path) still matches."""
    return re.sub(r"\s+", "", screen)


def wait_flat(pane: Tmux, text: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while flat(text) not in flat(shown := pane.screen()):
        assert time.monotonic() < deadline, f"{text!r} did not appear; the screen:\n{shown}"
        time.sleep(0.2)
    return shown


def line_of(screen: str, start: str) -> str:
    return next(line.strip() for line in screen.splitlines() if line.strip().startswith(start))


# ---- one helper per spoke ----------------------------------------------------------------
def set_keyboard(pane: Tmux, number: str) -> None:
    """X layouts us then de (each picked by its whole list line), Alt+Shift switches."""
    step(pane, [number], "X layouts (d removes")
    for layout in (Entry("us", "English (US)"), Entry("de", "German")):
        step(pane, ["a"], "Add an X layout:")
        step(pane, [f"text:{layout.label}"], layout.label)
        wait_flat(pane, f"Filter: {layout.label} 1 of")  # its line and no other
        step(pane, ["Enter"], f"  {layout.label}")
    assert "us                       English (US)  (default)" in pane.screen()
    step(pane, ["s"], "Keys that switch between the layouts:")
    step(pane, ["text:alt+shift"], "grp:alt_shift_toggle")
    wait_flat(pane, "Filter: alt+shift 1 of")
    shown = step(pane, ["Enter"], "Switching:       grp:alt_shift_toggle (Alt+Shift)")
    # a dry run never loads a keymap into this host's console: checked at most
    console = flat(shown).split("Thisconsole:")[1].split("Switching:")[0]
    assert console.startswith("us") and "notloaded" in console, shown
    step(pane, ["Escape"], "us, de")


def set_nfs_source(pane: Tmux, number: str, server, directory: str, extra_url: str) -> None:
    """NFS picked from the kinds (two rows of three, as test_source.pick_kind), its
    fields, Enter checks; then `a` adds the extra repository, kept on the system."""
    step(pane, [number], "Current source:")
    step(pane, [*["Up"] * 8, "Left", "Left", "Left", "Down", "Right", "Right", "Space", "Down"],
         "(X) NFS server")
    step(pane, ["text:127.0.0.1", "Down", f"text:{directory}", "Down", f"text:{server.options}",
                "Enter"], "Checked: repository metadata found", timeout=60)
    wait_flat(pane, f"Current source: NFS 127.0.0.1:{directory}")
    step(pane, ["Down", "Down", "Down", "a"], "Add a repository")
    step(pane, ["text:extra", "Down", "Down", f"text:{extra_url}"], extra_url)
    move_to(pane, "Keep on the installed system")
    step(pane, ["Space"], "[X] Keep on the installed system")
    step(pane, ["Escape"], f"[x] extra  {extra_url}")
    wait_flat(pane, "checked, kept on the system")
    step(pane, ["Escape"], "(+1 repository)")


def add_package(pane: Tmux, number: str) -> None:
    """Minimal Install (the small repository's comps offer their own environments too,
    listed first), then PACKAGE found by the search and added."""
    step(pane, [number], "Base environment")
    step(pane, ["Down", "Down", "Enter"], "(*) Minimal Install")  # Test, Bare, Minimal
    step(pane, ["s"], "Search packages:")
    pane.type(PACKAGE)
    wait_flat(pane, f"Search packages: {PACKAGE} 1 found")
    step(pane, ["Down", "Space"], f"Added {PACKAGE}.")
    step(pane, [], "Dependencies checked:", timeout=120)
    step(pane, ["Escape"], "Base environment")
    for _ in range(30):  # down to the Packages section
        if f"[+] {PACKAGE} " in pane.screen():
            break
        pane.send("Down")
    step(pane, [], f"[+] {PACKAGE} ")
    step(pane, ["Escape"], "INSTALLATION SUMMARY")


def reuse_home(pane: Tmux, number: str) -> str:
    """Custom mount points: a new / of 3000 MiB and sda1 as /home with its data kept;
    the summary is read (returned) and accepted."""
    shown = step(pane, [number], "Disks to install to")
    assert 'sda1           4 GiB  ext4 "data"' in shown, shown
    step(pane, ["c"], "Custom partitioning")
    step(pane, ["a"], "Mount point:")
    step(pane, ["text:/", "Down", "text:3000"], "3000")
    press_button(pane, "Save")
    step(pane, [], "/                3000 MiB  xfs      partition")
    step(pane, ["a"], "Mount point:")
    step(pane, ["text:/home"], "/home")
    move_to(pane, "RAID level:")
    step(pane, ["Down", "Enter"], "Existing devices")  # the row below: the existing device
    step(pane, ["Down", "Enter"], "Existing device:      sda1")
    shown = step(pane, [], "Its data:             (X) keep ( ) reformat")
    assert "Size:                 4 GiB (the device's)" in shown, shown
    press_button(pane, "Save")
    step(pane, [], "reuses sda1 (kept)")
    step(pane, ["Escape"], "-> /home (data kept)")
    summary = step(pane, ["Escape"], "Summary of changes")
    step(pane, ["a"], "Custom partitioning selected")
    return summary


def set_root(pane: Tmux, number: str, key: str, key_fingerprint: str) -> None:
    step(pane, [number], "Confirm password:")
    step(pane, [f"text:{PASSWORD}", "Tab", f"text:{PASSWORD}"], "Strength: Strong")
    move_to(pane, "Add SSH key:")
    step(pane, [f"text:{key}", "Enter"], f"ssh-ed25519 {key_fingerprint}")
    step(pane, ["Escape"], "Root password is set")


# ---- the session ---------------------------------------------------------------------------
@pytest.fixture
def servers(tmp_path, small_repo):
    """The bundled test repository over NFS (exported as it is, read-only) and a copy of
    the small repository over HTTP."""
    shutil.copytree(small_repo, tmp_path / "http/extra", symlinks=True)
    with nfs_server(ensure_repo(), tmp_path / "nfs") as nfs, HttpServer(tmp_path / "http") as http:
        yield nfs, http


def test_a_whole_session_with_the_new_spokes(tmp_path, servers):
    nfs, http = servers
    extra = http.url("extra/")
    key, key_fingerprint = ssh_key(tmp_path)
    disks = tmp_path / "disks"
    disks.mkdir()
    sda = disk_with_home(disks)
    before = {path.name: fingerprint(path) for path in (sda, disks / "sda1")}
    logs = tmp_path / "logs"
    argv = [str(Path(__file__).resolve().parents[2] / ".venv/bin/anaconda"), "--dry-run",
            "--image", str(sda), "--logdir", str(logs)]
    console = tmp_path / "console.log"
    with Tmux(argv, cwd=tmp_path, env={"TERM": "xterm-256color"}) as pane:
        pane.record(console)
        hub = pane.wait_for("INSTALLATION SUMMARY")
        assert "[!] Installation source" in hub and "[ ] Keyboard" in hub, hub
        number = numbers(settled(pane))
        set_keyboard(pane, number["Keyboard"])
        set_nfs_source(pane, number["Installation source"], nfs, str(nfs.export), extra)
        pane.wait_for("[x] Software selection", timeout=120)  # comps read over NFS
        add_package(pane, number["Software selection"])
        set_time_zone(pane, number["Time settings"])
        summary = reuse_home(pane, number["Installation destination"])
        set_root(pane, number["Root password"], key, key_fingerprint)
        plan = begin_and_quit(pane)
    # the summary: /home kept, nothing done to sda1
    assert line_of(summary, "/home").split()[-1] == "kept", summary
    assert "sda1" not in summary.split("Actions")[1], summary
    assert "INSTALLATION PROGRESS" in plan

    ks = (logs / "interactive-ks.cfg").read_text()
    lines = ks.splitlines()
    for expected in (
            "keyboard --xlayouts='us','de' --switch='grp:alt_shift_toggle'",
            f'nfs --server=127.0.0.1 --dir="{nfs.export}" --opts="{nfs.options}"',
            f'repo --name="extra" --baseurl={extra} --install',
            "ignoredisk --only-use=sda",
            "clearpart --none",
            "reqpart",
            'part / --fstype="xfs" --size=3000',
            "part /home --noformat --onpart=sda1",
            f'sshkey --username=root "{key}"',
            "timezone Europe/Prague --utc"):
        assert expected in lines, (expected, ks)
    packages = ks[ks.index("%packages"):ks.index("%end", ks.index("%packages"))].splitlines()
    assert packages[1:] == ["@^minimal-environment", PACKAGE, ""], ks
    root = re.search(r"^rootpw --iscrypted (\S+)$", ks, re.M)
    assert root and verify_password(PASSWORD, root.group(1)), ks
    assert "--plaintext" not in ks and "--allow-ssh" not in ks
    # no password anywhere: the kickstart, every log, what the console showed
    for path in [*logs.rglob("*"), console]:
        if path.is_file():
            assert PASSWORD not in path.read_text(errors="replace"), path
    # the dry run wrote nothing: the image and sda1's file as they were, the file readable
    assert "part /home: keep sda1 (ext4) as it is, mounted on /home" in \
        (logs / "storage.log").read_text()
    assert {path.name: fingerprint(path) for path in (sda, disks / "sda1")} == before
    assert read_back(sda) == HOME_TEXT
