"""The destination spoke by letter keys alone, as over a serial line: e turns encryption
on (the passphrase typed twice, Enter to go on and to save), c opens custom partitioning,
where c creates the mount points from the automatic choice; then the summary and Accept."""
from __future__ import annotations

from tests.unit.tui.test_destination import (PASSPHRASE, disks, session_for, storage_lines,  # noqa: F401
                                             with_hub)


def test_encrypted_custom_layout_by_letters(disks):
    session = session_for(disks)
    drive, _ = with_hub(session)
    drive.press("1").assert_shows("Disks to install to", "c Custom")
    drive.press("e").assert_shows("Disk encryption passphrase")
    drive.type(PASSPHRASE).press("enter").type(PASSPHRASE)
    drive.assert_shows("The entries match.")
    drive.press("enter").assert_shows("[X] Encrypt my data")
    drive.press("c").assert_shows("No mount points yet")
    drive.press("c").assert_shows("/boot", "swap")
    drive.press("esc").assert_shows("(X) Custom")
    drive.press("esc").assert_shows("Summary of changes", "create format luks")
    drive.press("a").assert_shows("[x] Installation destination", "Custom partitioning selected")
    lines = storage_lines(session)
    assert any(line.startswith("part pv.") and "--encrypted" in line for line in lines), lines
    assert not any(line.startswith("autopart") for line in lines)


def test_enter_in_the_second_field_refuses_a_mismatch(disks):
    drive, _ = with_hub(session_for(disks))
    drive.press("1", "e")
    drive.type(PASSPHRASE).press("enter").type(PASSPHRASE + "x").press("enter")
    drive.assert_shows("Confirm passphrase: the two entries differ")
