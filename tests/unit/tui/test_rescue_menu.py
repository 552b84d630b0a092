"""Rescue mode's TUI menu at 80x24 with keys fed in: the first question, the passphrase
page (masked, a wrong passphrase said, Esc leaves the device locked), the choice between
systems, a root that will not mount named on the last page, Enter for the shell.
cryptsetup cannot run on this host (no device-mapper), so its answer is scripted."""
from __future__ import annotations

from installer import program
from installer.rescue.devices import Device
from installer.rescue.finder import InstalledSystem
from installer.rescue.session import READ_WRITE, RescueSession
from storage.os_release import OsRelease
from spokes.tui.rescue import RescueTui
from tests.unit.tui.driver import Driver


def drive(session: RescueSession) -> Driver:
    return Driver(RescueTui().build(session))


def no_disks(tmp_path, **kw) -> RescueSession:
    return RescueSession(disks=[], sysroot=tmp_path / "sysroot", work=tmp_path / "work", **kw)


def test_first_question_then_no_system_found(tmp_path):
    session = no_disks(tmp_path)
    d = drive(session)
    shown = d.assert_shows("RESCUE", "1) Continue: find the installed system and mount it read-write",
                           "2) Read-only mount", "3) Skip to shell", "4) Quit: reboot without a shell",
                           "F1 Help  1-4 or arrows and Enter: choose")
    assert len(shown.splitlines()) == 24
    d.press("2")
    assert session.mode == "ro"
    d.assert_shows("RESCUE: READY", "No installed Linux system was found on the disks.",
                   "Press Enter for a shell.", "F1 Help  Enter Shell")
    d.press("enter")
    assert d.app.exit_value is True


def test_arrows_and_enter_choose_quit(tmp_path):
    session = no_disks(tmp_path)
    d = drive(session)
    d.press("down", "down", "down", "enter")
    assert session.mode == "quit" and d.app.exit_value is False


def test_skip_to_shell_mounts_nothing(tmp_path):
    session = no_disks(tmp_path)
    d = drive(session).press("3")
    shown = d.assert_shows("No system is mounted.")
    assert "was found" not in shown and not session.scanned


class CryptsetupSays:
    """cryptsetup's answer to a wrong passphrase (exit 2); nothing else is run."""

    def __init__(self):
        self.stdin: list[str] = []

    def __call__(self, argv, stdin=None, **_kw):
        assert argv[:2] == ["cryptsetup", "open"], argv
        self.stdin.append(stdin)
        return program.ProgramResult(list(argv), 2, "No key available with this passphrase.")


def test_passphrase_page_masks_says_wrong_and_esc_leaves_locked(tmp_path):
    script = CryptsetupSays()
    session = no_disks(tmp_path, mode=READ_WRITE, run=script)
    luks = Device("/dev/vdz3", "crypto_LUKS", uuid="0f0f", size=7 << 30)
    session.scanned, session.locked = True, [luks]
    d = drive(session)
    d.assert_shows("RESCUE: UNLOCK", "/dev/vdz3 (crypto_LUKS, 7.0 GiB) is encrypted.",
                   "Passphrase:", "Enter Unlock  Esc Leave it locked")
    d.press("enter")
    d.assert_shows("Type the passphrase first (Esc leaves the device locked).")
    d.type("not-it-at-all")
    shown = d.screen()
    assert "*" * 13 in shown and "not-it-at-all" not in shown
    d.press("enter")
    d.assert_shows("Wrong passphrase for /dev/vdz3. Try again, or press Esc to leave it locked.")
    assert script.stdin == ["not-it-at-all"] and "*" not in d.screen().split("Passphrase:")[1].splitlines()[0]
    d.press("esc")
    assert session.skipped == [luks]
    d.assert_shows("RESCUE: READY", "Left locked: /dev/vdz3")


def test_two_systems_a_choice_and_a_root_that_will_not_mount(tmp_path):
    session = no_disks(tmp_path, mode=READ_WRITE)
    session.scanned = True
    first = InstalledSystem(Device("/dev/nonexistent-rescue1", "xfs"),
                            OsRelease(pretty_name="Fedora Linux 40 (Server Edition)"))
    second = InstalledSystem(Device("/dev/nonexistent-rescue2", "btrfs"), None, subvol="root")
    session.systems = [first, second]
    d = drive(session)
    d.assert_shows("RESCUE: WHICH SYSTEM",
                   "1) Fedora Linux 40 (Server Edition) on /dev/nonexistent-rescue1",
                   "2) Linux (no os-release) on /dev/nonexistent-rescue2 (subvolume root)",
                   "3) None: a shell without mounting")
    d.press("down", "enter")  # a real mount of a device that is not there fails
    shown = d.assert_shows("RESCUE: READY", "Error: cannot mount /dev/nonexistent-rescue2",
                           "No system is mounted.")
    assert session.mounted is None and (tmp_path / "sysroot").is_dir()
    assert not any(line.split()[1].startswith(str(tmp_path))
                   for line in open("/proc/self/mounts").read().splitlines())
    assert "Press Enter for a shell." in shown


def test_esc_on_the_choice_gives_a_shell_without_mounting(tmp_path):
    session = no_disks(tmp_path, mode=READ_WRITE)
    session.scanned = True
    session.systems = [InstalledSystem(Device(f"/dev/x{n}", "ext4"), None) for n in (1, 2)]
    d = drive(session).press("esc")
    d.assert_shows("RESCUE: READY", "No system is mounted.")
    assert session.mode == "nomount"
