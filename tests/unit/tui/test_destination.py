"""The installation destination spoke at 80x24 over a real hub, with real blivet planning
on sparse image files (as `anaconda --dry-run --image FILE`): disks selected, automatic
LVM encrypted with the passphrase asked twice, reclaiming (delete, shrink, refusals), the
summary of actions before anything goes into the kickstart, a kickstart pre-filling, and
the passphrase never in a log or the saved kickstart."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
import urwid

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.logs import redact
from spokes.tui.app import TuiApp
from spokes.tui.destination import DestinationSpoke
from spokes.tui.hub import Hub
from spokes.tui.screen import Screen
from tests.unit.disk_images import blank_gpt, write_sda
from tests.unit.tui.driver import Driver

#: sda's partitions: (start MiB, size MiB, mkfs); the rest of its 20 GiB is free.
PASSPHRASE = "correct horse battery"


def make_disks(root: Path, empty: int = 1) -> list[Path]:
    """sda: GPT with ext4 "data", xfs "logs", vfat "WINDATA" (each filesystem also kept at
    the partition's path, where the scan reads its size and minimum); then `empty` blank
    GPT disks sdb, sdc... All 20 GiB, sparse."""
    disks = [write_sda(root)]
    for letter in "bcdefg"[:empty]:
        disks.append(blank_gpt(root / f"sd{letter}"))
    return disks


@pytest.fixture(scope="module")
def disks(tmp_path_factory) -> list[Path]:
    return make_disks(tmp_path_factory.mktemp("disks"))


def session_for(disks: list[Path], kickstart: str | None = None, **kwargs):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(""), log_dir=None, loaded=loaded, images=disks, dry_run=True, **kwargs)


def with_hub(session) -> tuple[Driver, DestinationSpoke]:
    spoke = DestinationSpoke()
    app = TuiApp(session)
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    app.settle()  # the scan
    return Driver(app), spoke


class Behind(Screen):
    """What a spoke returns to when opened on its own (the hub hides complete spokes
    when a kickstart was given)."""
    title = "BEHIND"

    def body(self):
        return urwid.Filler(urwid.Text("behind the spoke"))


def open_direct(session) -> tuple[Driver, DestinationSpoke]:
    spoke = DestinationSpoke()
    app = TuiApp(session)
    app.show(Behind())
    spoke.app = app
    spoke.setup()
    app.settle()
    app.show(spoke)
    return Driver(app), spoke


def focused(drive: Driver) -> str:
    """The text drawn with the focus attribute: where the cursor is."""
    drive.app.settle()
    canvas = drive.app.root.render(drive.size, focus=True)
    return "".join(text.decode() for row in canvas.content() for attr, _cs, text in row if attr == "focus")


def move_to(drive: Driver, label: str, key: str = "down", tries: int = 30) -> Driver:
    """Press `key` until the focused widget shows `label` (the keyboard, like a person)."""
    for _ in range(tries):
        if label in focused(drive):
            return drive
        drive.press(key)
    raise AssertionError(f"{label!r} never got the focus; focused: {focused(drive)!r}\n{drive.screen()}")


def press_button(drive: Driver, label: str, key: str = "down") -> Driver:
    """Move to the row of buttons, along it to `label`, and press it."""
    move_to(drive, "< ", key)
    for side in ("left", "right"):
        for _ in range(6):
            if label in focused(drive):
                return drive.press("enter")
            drive.press(side)
    raise AssertionError(f"no button {label!r}:\n{drive.screen()}")


def fits(shown: str) -> str:
    lines = shown.splitlines()
    assert len(lines) == 24 and all(len(line) <= 80 for line in lines), shown
    return shown


def help_fits(drive: Driver, first: str, last: str) -> None:
    """F1 shows the screen's own help, whole (its first and last words), at 80x24."""
    fits(drive.press("f1").assert_shows("Help", first, last, "< OK >"))
    drive.press("esc")


def storage_lines(session) -> list[str]:
    words = ("ignoredisk", "clearpart", "zerombr", "autopart", "reqpart", "part ", "volgroup", "logvol")
    return [line for line in str(session.handler).splitlines() if line.startswith(words)]


def set_passphrase(drive: Driver, passphrase: str = PASSPHRASE) -> None:
    drive.assert_shows("Disk encryption passphrase", "Passphrase:", "Confirm passphrase:")
    drive.type(passphrase)
    drive.press("down").type(passphrase)
    fits(drive.assert_shows("Strong (", "The entries match."))
    press_button(drive, "Save")


# ---- the scan and the hub --------------------------------------------------------------
def test_scan_runs_in_the_background_and_lists_disks(disks):
    session = session_for(disks)
    spoke = DestinationSpoke()
    app = TuiApp(session)
    spoke.app = app
    spoke.setup()
    assert not spoke.ready() and spoke.status() == "Probing storage..."  # the worker has not reported
    app.settle()
    assert spoke.ready() and not spoke.completed()
    assert spoke.status() == "Automatic partitioning selected"
    drive = Driver(app)
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    drive.assert_shows("[!] Installation destination", "Automatic partitioning selected")
    shown = fits(drive.press("1").assert_shows(
        "Disks to install to", "Partitioning:", "(X) Automatic", "(X) LVM", "( ) LVM thin",
        "( ) Standard partitions", "( ) Btrfs", "(X) xfs", "[ ] Encrypt my data", "< Done"))
    sda = next(line for line in shown.splitlines() if "sda" in line)
    assert "[x] sda" in sda and "20 GiB" in sda and "free  14.5 GiB" in sda and "3 partitions" in sda
    assert "[x] sdb" in shown and "empty" in shown
    assert "Selected: 2 of 2, 40 GiB; free for the new system: 34.5 GiB" in shown
    help_fits(drive, "Choose the disks", "Installation.")


def test_protected_disk_is_shown_unavailable_with_the_reason(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    scanned = spoke.state.scanned
    scanned.session.protected["sdb"] = "it holds the mounted filesystem / (/dev/sdb1)"
    scanned.session.selected.remove("sdb")
    from installer.ui.storage import load
    load(scanned, session.handler, session.seen)
    shown = drive.press("1").assert_shows(" -  sdb", "unavailable: it holds the mounted filesystem /")
    assert "[x] sdb" not in shown and "[ ] sdb" not in shown
    move_to(drive, "sda")
    drive.press("down")
    assert "sdb" not in focused(drive)  # it cannot be selected at all


# ---- automatic, encrypted ------------------------------------------------------------------
def test_select_disk_automatic_lvm_encrypted(disks, caplog):
    caplog.set_level(logging.DEBUG)
    session = session_for(disks)
    drive, spoke = with_hub(session)
    drive.press("1")
    move_to(drive, "sda").press(" ")  # leave sda out: only the empty sdb
    shown = drive.assert_shows("[ ] sda", "[x] sdb", "Selected: 1 of 2, 20 GiB; free for the new system: 20 GiB")
    move_to(drive, "Encrypt my data").press(" ")
    set_passphrase(drive)
    fits(drive.assert_shows("[X] Encrypt my data (passphrase set)"))
    drive.press("esc")  # Done: planned in the background, then the summary
    shown = fits(drive.assert_shows("Summary of changes", "Mount points", "Actions (", "lvm", "encrypted",
                                    "create format luks", "< Accept changes >"))
    assert "sda" not in shown  # nothing happens to the disk left out
    assert storage_lines(session) == []  # not before Accept
    drive.press("a")
    drive.assert_shows("INSTALLATION SUMMARY", "[x] Installation destination", "Automatic partitioning selected")
    assert spoke.completed()
    lines = storage_lines(session)
    assert sorted(lines) == [f"autopart --encrypted --passphrase=\"{PASSPHRASE}\" --type=lvm --fstype=xfs "
                             "--luks-version=luks2", "clearpart --none", "ignoredisk --only-use=sdb"]
    saved = output_text(session.handler)
    assert "autopart --encrypted --type=lvm" in saved and PASSPHRASE not in saved  # never in the saved kickstart
    logged = "\n".join(redact(record.getMessage()) for record in caplog.records)
    assert "Layout planned" in logged and PASSPHRASE not in logged
    assert not any(PASSPHRASE in record.getMessage() for record in caplog.records
                   if record.name.startswith("anaconda"))


def test_passphrase_must_match_and_weak_needs_confirming(disks):
    drive, spoke = with_hub(session_for(disks))
    drive.press("1")
    move_to(drive, "Encrypt my data").press(" ")
    drive.type("abcdefgh")
    fits(drive.assert_shows("Weak (contains a sequence like abc or 123)"))
    drive.press("down").type("abcdefgX")
    drive.assert_shows("The entries differ.")
    press_button(drive, "Save")
    drive.assert_shows("Confirm passphrase: the two entries differ")
    assert "*" * 8 in focused(drive)  # back on the field named
    drive.press("backspace").type("h")
    press_button(drive, "Save")
    drive.assert_shows("Weak passphrase", "Use it anyway?")
    drive.press("esc")  # "Change it"
    assert spoke.controller.request.encryption.passphrase == ""
    press_button(drive, "Save").press("enter")  # "Use it"
    drive.assert_shows("[X] Encrypt my data (passphrase set)")
    assert spoke.controller.request.encryption.passphrase == "abcdefgh"


def test_cancelled_passphrase_leaves_encryption_off(disks):
    drive, spoke = with_hub(session_for(disks))
    drive.press("1")
    move_to(drive, "Encrypt my data").press(" ")
    drive.type("whatever").press("esc")
    drive.assert_shows("[ ] Encrypt my data (passphrase asked when checked)")
    assert spoke.controller.request.automatic.encrypted is False


def test_scheme_choice_goes_into_autopart(disks):
    session = session_for(disks)
    drive, _ = with_hub(session)
    drive.press("1")
    move_to(drive, "LVM")
    move_to(drive, "Standard partitions", "right").press(" ")
    move_to(drive, "ext4").press(" ")
    drive.assert_shows("(X) Standard partitions", "(X) ext4")
    drive.press("esc").assert_shows("Summary of changes", "partition")
    drive.press("enter")  # the Accept button has the focus
    assert "autopart --type=plain --fstype=ext4" in storage_lines(session)


# ---- reclaiming space ----------------------------------------------------------------------
def test_reclaim_delete_one_shrink_another(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    drive.press("1")
    press_button(drive, "Reclaim space")
    shown = fits(drive.assert_shows("Reclaim space", "[ ] Clear all: delete everything on sda, sdb",
                                    "PARTITION", "sda1", "ext4 \"data\"", "sda2", "xfs \"logs\"",
                                    "sda3", "vfat \"WINDATA\"", "sdb: nothing on it", "< Done"))
    assert shown.count("keep") == 3
    move_to(drive, "sda2").press("s")  # xfs cannot shrink: refused with the reason
    drive.assert_shows("Shrink: sda2 cannot be shrunk: xfs can only grow.")
    drive.press("enter")  # its choices say so too
    drive.assert_shows("sda2: xfs \"logs\", 1024 MiB, now: keep.", "It cannot be shrunk: xfs can only grow.")
    drive.press("esc")
    move_to(drive, "sda1", "up").press("s")
    shown = fits(drive.assert_shows("Shrink a partition", "Partition:", "sda1, ext4 \"data\", 4 GiB",
                                    "Smallest size:", "Largest size:", "4095 MiB", "New size:"))
    least = int(next(l for l in shown.splitlines() if "Smallest size:" in l).split()[2])
    drive.type("lots").press("enter")
    drive.assert_shows("New size: lots is not a size")
    for _ in "lots":
        drive.press("backspace")
    drive.type("1").press("enter")
    drive.assert_shows(f"Shrink: sda1 can shrink to between {least} and 4095 MiB", "1 MiB is outside that")
    drive.press("backspace").type("2000").press("enter")
    drive.assert_shows("Reclaim space", "shrink to 2000 MiB")
    move_to(drive, "sda3").press("d")
    shown = drive.assert_shows("sda3", "delete", "after these choices:")
    assert "Free now: 34.5 GiB; after these choices: 37 GiB" in shown  # 2096 + 512 MiB more
    drive.press("esc")
    drive.assert_shows("Reclaim space:        delete sda3, shrink sda1 to 2000 MiB")
    drive.press("esc")
    shown = drive.assert_shows("Summary of changes", "resize device partition: partition sda1",
                               "destroy device partition: partition sda3")
    assert "sda2" not in shown
    drive.press("a")
    lines = storage_lines(session)
    assert "clearpart --list=sda3" in lines
    assert "part None --noformat --onpart=sda1 --size=2000 --resize" in lines
    assert spoke.completed() and spoke.status() == "Custom partitioning selected"  # written out as part/logvol


def test_clear_all(disks):
    session = session_for(disks)
    drive, _ = with_hub(session)
    drive.press("1")
    press_button(drive, "Reclaim space")
    move_to(drive, "Clear all", "up").press(" ")
    drive.assert_shows("[X] Clear all", "delete (clear all)", "after these choices: 40 GiB")
    drive.press("esc", "esc").assert_shows("destroy device partition: partition sda1")
    drive.press("a")
    assert "clearpart --all --initlabel --drives=sda,sdb" in storage_lines(session)


# ---- errors and the kickstart ----------------------------------------------------------------
def test_no_disks_selected(disks):
    drive, spoke = with_hub(session_for(disks))
    drive.press("1")
    move_to(drive, "sda").press(" ", "down", " ")
    drive.assert_shows("[ ] sda", "[ ] sdb", "No disks selected: select at least one.")
    drive.press("esc").assert_shows("No disks selected", "Leave anyway?")
    drive.press("enter")
    drive.assert_shows("INSTALLATION SUMMARY", "[!] Installation destination", "No disks selected")
    assert not spoke.completed()


def test_kickstart_prefills_and_is_complete_without_a_visit(disks):
    kickstart = ("ignoredisk --only-use=sdb\nclearpart --all --initlabel --drives=sdb\n"
                 "autopart --type=plain\n")
    session = session_for(disks, kickstart)
    hub, spoke = with_hub(session)
    assert spoke.completed() and spoke.status() == "Automatic partitioning selected"
    assert "[!]" not in hub.assert_shows("[x] Installation destination")  # nothing left to ask
    before = storage_lines(session)
    drive, spoke = open_direct(session)
    drive.assert_shows("[ ] sda", "[x] sdb", "(X) Standard partitions",
                       "clear all: everything on the selected disks is deleted")
    drive.press("esc")  # nothing changed: the kickstart's lines stay as they are
    drive.assert_shows("behind the spoke")
    assert storage_lines(session) == before


def test_kickstart_layout_that_cannot_be_made_is_not_complete(disks):
    session = session_for(disks, "ignoredisk --only-use=sdb\npart / --size=900000\n")
    hub, spoke = with_hub(session)
    assert not spoke.completed()
    assert "does not fit" in spoke.status(), spoke.status()
    hub.assert_shows("[!] Installation destination", "the layout does not fit on sdb")


def test_kickstart_custom_layout_prefills_the_mount_points(disks):
    kickstart = ("ignoredisk --only-use=sdb\nclearpart --none\nreqpart\npart /boot --size=1024 --fstype=ext4\n"
                 "part pv.01 --size=8000 --grow --ondisk=sdb\nvolgroup data pv.01\n"
                 "logvol / --vgname=data --name=root --size=6000 --fstype=xfs\n")
    session = session_for(disks, kickstart)
    drive, spoke = open_direct(session)
    assert spoke.completed() and spoke.status() == "Custom partitioning selected"
    assert spoke.state.prefill.exact
    drive.assert_shows("(X) Custom", "Mount points:         /boot, /")
    mounts = {m.mountpoint: (m.size, m.device_type, m.volume_group) for m in spoke.controller.request.mounts}
    assert mounts == {"/boot": (1024, "partition", ""), "/": (6000, "lvm", "data")}


def test_directory_install_needs_no_disks(disks):
    session = session_for(disks, dirinstall=True)
    drive, spoke = with_hub(session)
    assert spoke.completed() and spoke.status() == "Not needed for a directory install"
    drive.press("1").assert_shows("uses no disks")
