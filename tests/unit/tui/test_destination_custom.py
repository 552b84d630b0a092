"""Custom partitioning in the destination spoke at 80x24, planned by real blivet on image
files: mount points added, edited and removed by keys, created from the automatic
layout, field errors naming the field, a layout that cannot be made named with its
mount point, and every storage screen fitting 80x24 with its own F1 help."""
from __future__ import annotations

import pytest

from tests.unit.tui.test_destination import (PASSPHRASE, disks, fits, help_fits,  # noqa: F401
                                             move_to, press_button, session_for, set_passphrase,
                                             storage_lines, with_hub)


def open_custom(drive):
    drive.press("1")
    move_to(drive, "Automatic")
    move_to(drive, "Custom", "right").press(" ")
    return fits(drive.assert_shows("Custom partitioning", "No mount points yet", "< Add", "< Create automatically"))


def add_mount(drive, mountpoint: str, size: str, device_type: str = "", grow: bool = False):
    drive.press("a").assert_shows("Mount point:", "Size:", "Device type:")
    drive.type(mountpoint).press("down").type(size)
    if grow:
        move_to(drive, "Grow into the free space").press(" ")
    if device_type:
        move_to(drive, "(X) partition")
        move_to(drive, f"( ) {device_type}", "right").press(" ")
    press_button(drive, "Save")


def test_custom_boot_root_on_lvm_and_swap(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    open_custom(drive)
    add_mount(drive, "/boot", "1024")
    shown = drive.assert_shows("Custom partitioning")
    assert any(line.split()[:4] == ["/boot", "1024", "MiB", "xfs"] for line in shown.splitlines()), shown
    add_mount(drive, "/", "4 GiB", device_type="lvm", grow=True)
    add_mount(drive, "swap", "2048")  # joins the layout's volume group by default
    shown = fits(drive.assert_shows("Custom partitioning"))
    rows = {line.split()[0]: line.split()[1:] for line in shown.splitlines() if line.startswith((" /", " swap"))}
    assert rows["/"] == ["4096", "MiB+", "xfs", "lvm", "system"]
    assert rows["swap"] == ["2048", "MiB", "swap", "lvm", "system"]
    assert rows["/boot"][3] == "partition"

    move_to(drive, "swap", "up").press("enter")  # edit: the fields come filled in
    drive.assert_shows("Mount point swap", "2048 MiB", "(X) lvm")
    drive.press("down")
    for _ in "2048 MiB":
        drive.press("backspace")
    drive.type("1024").press("enter")
    shown = drive.assert_shows("Custom partitioning")
    assert next(line for line in shown.splitlines() if line.startswith(" swap")).split()[1] == "1024"

    add_mount(drive, "/srv", "500")
    move_to(drive, "/srv", "up").press("r")
    assert "/srv" not in drive.screen()

    drive.press("esc")
    drive.assert_shows("(X) Custom", "Mount points:         /boot, /, swap")
    drive.press("esc")
    shown = fits(drive.assert_shows("Summary of changes", "create device lvmvg: lvmvg system",
                                    "lvmlv system-root", "on /boot"))
    drive.press("a")
    drive.assert_shows("[x] Installation destination", "Custom partitioning selected")
    lines = storage_lines(session)
    assert "reqpart" in lines and 'part /boot --fstype="xfs" --size=1024' in lines
    assert "volgroup system pv.01 pv.02" in lines
    assert 'logvol / --fstype="xfs" --grow --size=4096 --name=root --vgname=system' in lines
    assert 'logvol swap --fstype="swap" --size=1024 --name=swap --vgname=system' in lines
    assert any(line.startswith("logvol swap") and "--size=1024" in line for line in lines), lines
    assert not any(line.startswith("autopart") for line in lines)


def test_create_them_automatically_then_replace(disks):
    drive, spoke = with_hub(session_for(disks))
    open_custom(drive)
    drive.press("c")
    shown = drive.assert_shows("/boot", "swap")
    assert [m.mountpoint for m in spoke.controller.request.mounts] == ["/boot", "/", "swap"]
    assert {m.device_type for m in spoke.controller.request.mounts if m.mountpoint != "/boot"} == {"lvm"}
    assert "No mount points yet" not in shown
    drive.press("c").assert_shows("Replace the 3 mount points by the automatic")
    drive.press("enter")  # Replace
    assert [m.mountpoint for m in spoke.controller.request.mounts] == ["/boot", "/", "swap"]


def test_encrypted_mount_asks_the_passphrase_first(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    open_custom(drive)
    add_mount(drive, "/boot", "1024")
    drive.press("a").type("/").press("down").type("6000")
    move_to(drive, "Encrypted").press(" ")
    press_button(drive, "Save")
    set_passphrase(drive)  # then the mount point is saved
    drive.assert_shows("Custom partitioning", "encrypted", "Encryption passphrase: set")
    drive.press("esc", "esc").assert_shows("Summary of changes", "create format luks")
    drive.press("a")
    part = next(line for line in storage_lines(session) if line.startswith("part / "))
    assert "--encrypted" in part and f'--passphrase="{PASSPHRASE}"' in part


@pytest.mark.parametrize("mountpoint, size, extra, message", [
    ("home", "100", None, "Mount point: home must start with / (or be swap or biosboot)"),
    ("/home", "big", None, "Size: big is not a size"),
    ("/home", "1.5", None, "Size: 1.5 is not a whole number of MiB"),
    ("/proc", "100", None, "Mount point: /proc must stay on the / file system"),
    ("/home", "1000", "raid", "RAID level: choose one: raid0, raid1"),
])
def test_field_errors_name_the_field(disks, mountpoint, size, extra, message):
    drive, spoke = with_hub(session_for(disks))
    open_custom(drive)
    drive.press("a").type(mountpoint).press("down").type(size)
    if extra:
        move_to(drive, "(X) partition")
        move_to(drive, f"( ) {extra}", "right").press(" ")
    press_button(drive, "Save")
    fits(drive.assert_shows("INSTALLATION | Mount point", message))
    assert spoke.controller.request.mounts == []


def test_a_layout_that_cannot_be_made_names_the_mount_point(disks):
    session = session_for(disks)
    drive, spoke = with_hub(session)
    open_custom(drive)
    add_mount(drive, "/", "60000")
    drive.press("esc", "esc")
    shown = fits(drive.assert_shows("Cannot use this layout", "< Leave unfinished >", "< Change it",
                                    "does not fit", "asked: / 60000 MiB (60000 MiB in all); 34.5 GiB"))
    drive.press("esc")  # Change it: still on the spoke, the problem shown
    drive.assert_shows("Installation destination", "Cannot use this layout:", "does not fit")
    assert storage_lines(session) == []
    drive.press("esc")
    drive.press("enter")  # the first button: Leave unfinished
    drive.assert_shows("INSTALLATION SUMMARY", "[!] Installation destination", "does not fit")
    assert not spoke.completed() and "does not fit" in spoke.status()


def test_custom_without_root_is_refused_naming_the_field(disks):
    drive, spoke = with_hub(session_for(disks))
    open_custom(drive)
    add_mount(drive, "/home", "1000")
    drive.press("esc", "esc")
    drive.assert_shows("Cannot use this layout", "Mount points: add a mount point for /")


def test_every_storage_screen_fits_with_its_help(disks):
    drive, spoke = with_hub(session_for(disks))
    drive.press("1")
    help_fits(drive, "Choose the disks", "Installation.")
    press_button(drive, "Reclaim space")
    help_fits(drive, "Make room on the selected disks.", "returns to the destination screen.")
    move_to(drive, "sda1").press("s")
    fits(drive.screen())
    help_fits(drive, "Shrink a partition", "Esc cancels.")
    drive.press("esc", "esc")
    press_button(drive, "Passphrase", key="up")
    fits(drive.screen())
    help_fits(drive, "The passphrase that unlocks", "as it was.")
    drive.press("esc")
    press_button(drive, "Mount points", key="up")
    help_fits(drive, "The mount points of the new system.", "destination screen.")
    drive.press("c")
    fits(drive.screen())
    drive.press("a")
    fits(drive.screen())
    help_fits(drive, "One mount point of the new system.", "cancels.")
    drive.press("esc", "esc", "esc")
    fits(drive.assert_shows("Summary of changes"))
    help_fits(drive, "What the installation will do", "Page Up/Down scroll.")
