"""Existing systems in the destination spoke at 80x24, planned by real blivet on image
files: the installed system named from its os-release under its disk, an existing /home
reused with its data (and resized) or a partition reformatted through the existing-device
list, the boot loader's disk or none and the partition table type by keys, a kickstart's
reuse shown that way, and a disk left out never touched."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.disk_images import blank_gpt
from tests.unit.test_storage_reuse import write_installed
from tests.unit.tui.test_destination import (fits, help_fits, move_to, open_direct, press_button,
                                             session_for, storage_lines, with_hub)
from tests.unit.tui.test_destination_custom import add_mount

FEDORA = "Fedora Linux 40 (Server Edition)"


@pytest.fixture(scope="module")
def disks(tmp_path_factory) -> list[Path]:
    """sdc: an installed system (ext4 root with os-release, ext4 "home", xfs); sdd: blank."""
    root = tmp_path_factory.mktemp("installed")
    return [write_installed(root), blank_gpt(root / "sdd")]


def row(shown: str, start: str) -> str:
    return next(line for line in shown.splitlines() if line.strip().startswith(start))


def open_custom(drive):
    drive.press("1")
    move_to(drive, "Automatic")
    move_to(drive, "Custom", "right").press(" ")
    return drive.assert_shows("Custom partitioning", "No mount points yet")


def reuse(drive, mountpoint: str, device: str):
    """a, the mount point, then the existing device chosen from the list."""
    drive.press("a").type(mountpoint)
    move_to(drive, "none: a new device").press("enter")
    fits(drive.assert_shows("Existing devices", "New device", "sdc2", "sdc3"))
    move_to(drive, device).press("enter")
    return fits(drive.assert_shows("Mount point", f"Existing device:      {device}", "Its data:"))


def test_the_installed_system_is_shown_under_its_disk(disks):
    drive, spoke = with_hub(session_for(disks))
    shown = fits(drive.press("1").assert_shows("[x] sdc", "[x] sdd"))
    lines = shown.splitlines()
    sdc = next(i for i, line in enumerate(lines) if "[x] sdc" in line)
    assert lines[sdc + 1].split()[:4] == ["sdc1", "512", "MiB", "ext4"] and FEDORA in lines[sdc + 1]
    assert row(shown, "sdc2").split()[:5] == ["sdc2", "1024", "MiB", "ext4", '"home"']
    assert row(shown, "sdc3").split()[3] == "xfs"
    assert spoke.controller.systems() == [(FEDORA, "sdc1")]


def test_home_reused_with_its_data_resized_and_the_other_disk_untouched(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    drive.press("1")
    move_to(drive, "[x] sdd").press(" ")  # left out: never touched
    drive.press("up")
    move_to(drive, "Automatic")
    move_to(drive, "Custom", "right").press(" ")
    add_mount(drive, "/", "3000")
    shown = reuse(drive, "/home", "sdc2")
    assert "Size:                 1024 MiB (the device's)" in shown and "(X) keep" in shown
    drive.press("up").type("900")  # Resize to (MiB), the bounds said under it
    assert "blank keeps its size; " in drive.screen()
    press_button(drive, "Save")
    shown = fits(drive.assert_shows("Custom partitioning"))
    assert row(shown, "/home").split() == ["/home", "900", "MiB", "ext4", "partition", "reuses", "sdc2",
                                          "(kept)"]
    drive.press("esc")
    drive.assert_shows("-> /home (data kept, 900 MiB)", "[ ] sdd")
    shown = fits(drive.press("esc").assert_shows("Summary of changes", "resize device partition: partition sdc2"))
    assert row(shown, "/home").split()[-1] == "kept"
    actions = drive.app.current.plan.actions  # none of them on the disk left out
    assert actions and all({d.name for d in a.device.disks} == {"sdc"} for a in actions)
    drive.press("a")
    lines = storage_lines(session)
    assert "ignoredisk --only-use=sdc" in lines
    assert "part /home --noformat --onpart=sdc2 --size=900 --resize" in lines
    assert not any("sdd" in line for line in lines), lines
    assert spoke.completed()


def test_a_partition_reformatted_and_a_kept_size_out_of_bounds(disks):
    session = session_for(disks)
    drive, _ = with_hub(session)
    open_custom(drive)
    add_mount(drive, "/", "3000")
    reuse(drive, "/home", "sdc2")
    drive.press("up").type("5")
    press_button(drive, "Save")
    fits(drive.assert_shows("Resize: sdc2 can be resized to", "; 5 MiB is"))
    drive.press("esc")
    reuse(drive, "/srv", "sdc3")
    move_to(drive, "( ) reformat", "up").press(" ")
    drive.assert_shows("(X) reformat", "File system:")
    move_to(drive, "(X) default")
    move_to(drive, "( ) ext4", "right").press(" ")
    press_button(drive, "Save")
    assert "reuses sdc3" in row(drive.assert_shows("Custom partitioning"), "/srv")
    drive.press("esc", "esc").assert_shows("create format ext4: partition sdc3")
    drive.press("a")
    assert 'part /srv --fstype="ext4" --onpart=sdc3' in storage_lines(session)


def test_boot_loader_disk_none_and_table_type_by_keys(disks):
    session = session_for(disks)
    drive, _ = with_hub(session)
    drive.press("1").assert_shows("Boot loader:          (X) first (sdc) ( ) sdd ( ) none",
                                  "New partition tables: (X) gpt ( ) msdos")
    drive.press("l", "t")
    drive.assert_shows("(X) sdd", "(X) msdos")
    drive.press("esc").assert_shows("Summary of changes", "biosboot")
    drive.press("a")
    lines = storage_lines(session)
    assert "clearpart --none --disklabel=msdos" in lines
    assert "bootloader --location=mbr --boot-drive=sdd" in str(session.handler).splitlines()
    drive.press("1", "l").assert_shows("(X) none")
    drive.press("esc", "a")
    assert "bootloader --location=none" in str(session.handler).splitlines()


def test_a_kickstart_reuse_is_shown_as_reused(disks):
    kickstart = ("ignoredisk --only-use=sdc,sdd\nclearpart --none --disklabel=msdos\nbootloader --location=none\n"
                 "part / --fstype=xfs --size=3000 --ondisk=sdd\npart /home --onpart=sdc2 --noformat\n")
    session = session_for(disks, kickstart)
    drive, spoke = open_direct(session)
    assert spoke.completed() and spoke.state.prefill.exact, spoke.state.prefill.notes
    fits(drive.assert_shows("-> /home (data kept)", "(X) none", "(X) msdos", "(X) Custom"))
    drive.press("c")
    assert "reuses sdc2 (kept)" in row(drive.assert_shows("Custom partitioning"), "/home")
    move_to(drive, "/home").press("enter")
    fits(drive.assert_shows("Mount point /home", "(X) keep", "Existing device:      sdc2"))
    help_fits(drive, "One mount point of the new system.", "Esc cancels.")
    move_to(drive, "sdc2").press("enter")
    help_fits(drive, "Choose the existing partition", "Esc returns without a change.")
