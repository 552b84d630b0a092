"""Rescue mode's model without disks: fstab reading, device specs, mount points resolved
inside the sysroot, the order of steps, the LUKS/LVM/md stack's answers and its
take-down order (cryptsetup, lvm and mdadm cannot work on this host, which has no
device-mapper or md: their answers are scripted here, their real runs are the VM test's),
the kickstart command and boot option, and the entry point's refusals."""
from __future__ import annotations

import argparse
import os

import pytest

from installer import program
from installer.bootopts import parse_cmdline
from installer.cli import parse_args
from installer.errors import UsageError
from installer.kickstart.checks import collect
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.logs import redact
from installer.rescue import fstab
from installer.rescue.devices import Device, human_size
from installer.rescue.mount import inside
from installer.rescue.run import end_action, frontend_name, kickstart_mode, rescue
from installer.rescue.session import NO_MOUNT, READ_ONLY, READ_WRITE, RescueSession
from installer.rescue.stack import Opened, Stack


class Script:
    """Answers for commands that cannot run on this host; records every call."""

    def __init__(self, answers: dict[str, tuple[int, str]]):
        self.answers, self.calls = answers, []

    def __call__(self, argv, **kw) -> program.ProgramResult:
        self.calls.append((list(argv), kw))
        key = " ".join(argv[:2])
        code, output = self.answers.get(key, (0, ""))
        return program.ProgramResult(list(argv), code, output)


# ---- fstab ------------------------------------------------------------------------------
FSTAB = r"""# /etc/fstab
UUID=1111-aaaa /                 xfs   defaults        0 0
UUID=2222-bbbb /boot             ext4  defaults,nofail 1 2
/dev/mapper/system-swap none     swap  defaults        0 0
LABEL=data     /srv/my\040data   ext4  noatime,x-systemd.automount,comment=x 0 2
tmpfs          /tmp              tmpfs defaults        0 0
nas:/export    /mnt/nas          nfs   defaults        0 0
/dev/sdb1      /media/usb        vfat  noauto,user     0 0
/srv/image.img /mnt/img          ext4  loop            0 0
broken line
"""


def test_fstab_entries_and_which_rescue_mounts():
    entries = fstab.parse(FSTAB)
    assert [e.mountpoint for e in entries] == ["/", "/boot", "none", "/srv/my data", "/tmp",
                                               "/mnt/nas", "/media/usb", "/mnt/img"]
    assert fstab.root_entry(entries).spec == "UUID=1111-aaaa"
    reasons = {e.mountpoint: e.skip_reason for e in entries}
    assert reasons["/boot"] is None and reasons["/srv/my data"] is None
    assert "not mounted in rescue mode" in reasons["none"] and "not mounted" in reasons["/tmp"]
    assert "network file system" in reasons["/mnt/nas"]
    assert reasons["/media/usb"].startswith("noauto")
    assert "not a device" in reasons["/mnt/img"]
    data = entries[3]
    assert data.line == 5
    assert data.mount_options(readonly=True) == "ro,noatime"
    assert entries[1].mount_options(readonly=False) == "rw"
    assert [e.mountpoint for e in fstab.others(entries) if e.mountpoint != "none"] == [
        "/boot", "/tmp", "/media/usb", "/mnt/img", "/mnt/nas", "/srv/my data"]  # parents first


# ---- device specs -------------------------------------------------------------------------
def test_device_matches_every_fstab_spelling():
    lv = Device("/dev/mapper/system-root", "xfs", uuid="AB-12", label="root",
                aliases=("/dev/system/root",))
    part = Device("/dev/vda1", "ext4", uuid="cd-34", partuuid="P-1", partlabel="boot")
    assert lv.matches("UUID=ab-12") and lv.matches('UUID="AB-12"') and lv.matches("LABEL=root")
    assert lv.matches("/dev/system/root") and lv.matches("/dev/mapper/system-root")
    assert lv.matches("/dev/disk/by-uuid/AB-12") and lv.matches("/dev/disk/by-label/root")
    assert part.matches("PARTUUID=p-1") and part.matches("PARTLABEL=boot")
    assert part.matches("/dev/disk/by-partuuid/P-1")
    assert not lv.matches("UUID=") and not lv.matches("LABEL=other") and not part.matches("/dev/vda2")
    assert Device("/dev/vda2", "crypto_LUKS", size=8 << 30).describe() == "/dev/vda2 (crypto_LUKS, 8.0 GiB)"
    assert human_size(512) == "512 B"


# ---- mount points resolved inside the sysroot ----------------------------------------------
def test_mount_points_follow_symlinks_inside_the_sysroot_only(tmp_path):
    root = tmp_path / "sysroot"
    (root / "var/home").mkdir(parents=True)
    (root / "home").symlink_to("/var/home")  # absolute: inside the system, not the host
    (root / "srv").symlink_to("../../../../etc")  # climbs no higher than the root
    (root / "loop").symlink_to("loop")
    assert inside(root, "/home") == root / "var/home"
    assert inside(root, "/home/alice") == root / "var/home/alice"
    assert inside(root, "/srv") == root / "etc"
    assert inside(root, "/loop") is None


# ---- the order of steps ---------------------------------------------------------------------
def test_steps_in_order(tmp_path):
    session = RescueSession(disks=[], sysroot=tmp_path / "sysroot", work=tmp_path / "work")
    assert session.step().name == "mode"
    session.choose_mode(READ_ONLY)
    assert session.readonly and session.stack.readonly
    assert session.step().name == "scan"
    session.scan()  # no disks: nothing is run
    assert session.step().name == "find"
    assert session.find() == [] and session.step().name == "shell"
    assert session.shell_hint()[0] == "No installed Linux system was found on the disks."
    lines, clean = session.finish()
    assert clean and lines == ["Everything rescue mode set up was unmounted and closed cleanly."]
    with pytest.raises(ValueError):
        session.choose_mode("sideways")


def test_skip_to_shell_and_quit_need_no_scan(tmp_path):
    session = RescueSession(disks=[], mode=NO_MOUNT, work=tmp_path)
    assert session.step().name == "shell" and not session.scanned
    assert session.shell_hint() == ["No system is mounted. The disks' tools are here: "
                                    "cryptsetup, lvm, mdadm, mount, fsck, xfs_repair."]
    session.choose_mode("quit")
    assert session.step().name == "quit"


def test_a_wrong_passphrase_is_said_and_never_logged(tmp_path):
    script = Script({"cryptsetup open": (2, "No key available with this passphrase.")})
    session = RescueSession(disks=[], mode=READ_WRITE, work=tmp_path, run=script)
    luks = Device("/dev/vdz3", "crypto_LUKS", uuid="0f0f-1e1e")
    session.scanned, session.locked = True, [luks]
    assert session.step().name == "unlock" and session.step().device == luks
    result = session.unlock(luks, "Tr0ub4dor-rescue")
    assert not result.ok and result.wrong_passphrase
    assert result.message == "/dev/vdz3: wrong passphrase (no key slot opened)"
    argv, kw = script.calls[0]
    assert argv == ["cryptsetup", "open", "--type", "luks", "--key-file=-", "/dev/vdz3",
                    "luks-0f0f-1e1e"]
    assert kw["stdin"] == "Tr0ub4dor-rescue" and "Tr0ub4dor-rescue" not in " ".join(argv)
    assert redact("typed Tr0ub4dor-rescue") == "typed ********"
    assert session.locked == [luks]  # asked again
    session.skip(luks)
    assert session.skipped == [luks] and session.step().name == "find"


def test_unlock_failures_name_the_device_and_cryptsetup_words():
    script = Script({"cryptsetup open": (5, "Device luks-x already exists.\n")})
    stack = Stack(readonly=True, run=script)
    result = stack.unlock(Device("/dev/vdz3", "crypto_LUKS", uuid="x"), "pass-word")
    assert result.message == "cannot unlock /dev/vdz3: cryptsetup: Device luks-x already exists."
    assert "--readonly" in script.calls[0][0] and stack.opened == []


def test_lvm_sees_only_the_given_pvs_and_activates_read_only():
    script = Script({"lvm pvs": (0, "  /dev/mapper/luks-1|system\n"),
                     "lvm lvs": (0, "  system|root||inactive\n  system|swap||inactive\n"),
                     "lvm vgchange": (5, "  Volume group system has problems")})
    stack = Stack(readonly=True, run=script)
    lvs, problems = stack.activate_lvm([Device("/dev/mapper/luks-1", "LVM2_member")])
    assert lvs == [] and problems == ["cannot activate the volume group system: lvm: "
                                      "Volume group system has problems"]
    vgchange = next(argv for argv, _ in script.calls if argv[1] == "vgchange")
    assert vgchange == ["lvm", "vgchange", "--devices", "/dev/mapper/luks-1", "--config",
                        'activation { read_only_volume_list = [ "system" ] }', "-ay", "system"]
    assert all(argv[2:4] == ["--devices", "/dev/mapper/luks-1"] for argv, _ in script.calls)


def test_take_down_is_the_reverse_of_bring_up_and_says_failures():
    script = Script({"cryptsetup close": (5, "Device luks-1 is still in use.")})
    stack = Stack(run=script)
    stack.opened = [Opened("md", "/dev/md127"), Opened("luks", "luks-1"),
                    Opened("lvm", "system", "/dev/mapper/luks-1")]
    done, failed = stack.close()
    assert [argv for argv, _ in script.calls] == [
        ["lvm", "vgchange", "--devices", "/dev/mapper/luks-1", "-an", "system"],
        ["cryptsetup", "close", "luks-1"], ["mdadm", "--stop", "/dev/md127"]]
    assert done == ["volume group system deactivated", "RAID array /dev/md127 stopped"]
    assert failed == ["LUKS device luks-1: could not be closed: Device luks-1 is still in use."]
    assert stack.opened == []


# ---- the kickstart command, the boot option, the entry point --------------------------------
def _loaded(tmp_path, text):
    path = tmp_path / "ks.cfg"
    path.write_text(text)
    return parse([(str(path), text)], None, Reader())


@pytest.mark.parametrize("line, mode", [("rescue", READ_WRITE), ("rescue --romount", READ_ONLY),
                                        ("rescue --nomount", NO_MOUNT)])
def test_kickstart_rescue_sets_the_mode_and_is_accepted(tmp_path, line, mode):
    loaded = _loaded(tmp_path, f"{line}\n")
    assert kickstart_mode(loaded) == mode
    assert not collect(loaded).errors


def test_boot_option_flag_and_front_end():
    assert parse_cmdline("inst.rescue").rescue and not parse_cmdline("").rescue
    assert parse_cmdline("inst.rescue=0").rescue is False
    assert parse_cmdline("inst.rescue").warnings == []
    from installer.cli import apply_flags
    assert apply_flags(parse_args(["--rescue"]), parse_cmdline("")).rescue
    terminal = parse_cmdline("inst.rescue")
    assert frontend_name(terminal, True, None) == "tui.rescue"
    assert frontend_name(terminal, False, None) == "rescue_cmdline"
    assert frontend_name(parse_cmdline("inst.rescue inst.cmdline"), True, None) == "rescue_cmdline"
    assert frontend_name(terminal, True, "cmdline") == "rescue_cmdline"
    if not os.path.exists("/etc/anaconda-image"):  # a host run is never rebooted
        assert end_action(None, terminal) is None


@pytest.mark.parametrize("flags", [{"dry_run": True}, {"dirinstall": "/tmp/x"}, {"image": ["d.img"]}])
def test_rescue_refuses_dry_run_dirinstall_and_images(flags):
    args = argparse.Namespace(**{"dry_run": False, "dirinstall": None, "image": [], **flags})
    with pytest.raises(UsageError, match="rescue mode mounts the systems on this machine's disks"):
        rescue(args, parse_cmdline("inst.rescue"), None)


def test_a_volume_group_udev_activated_on_our_luks_is_ours_to_close():
    """udev activates a VG the moment rescue's unlock makes its PV appear: rescue must
    still deactivate it, or the LUKS under it cannot be closed. One that was active on a
    device rescue did not open is left as found."""
    script = Script({"lvm pvs": (0, "  /dev/mapper/luks-1|system\n  /dev/sdz9|other\n"),
                     "lvm lvs": (0, "  system|root||active\n")})
    stack = Stack(run=script)
    stack.opened = [Opened("luks", "luks-1")]
    pvs = [Device("/dev/mapper/luks-1", "LVM2_member"), Device("/dev/sdz9", "LVM2_member")]
    assert stack.activate_lvm(pvs) == ([], [])
    changed = [argv[-1] for argv, _ in script.calls if argv[1] == "vgchange"]
    assert changed == ["system"]
    assert stack.opened[-1] == Opened("lvm", "system", "/dev/mapper/luks-1,/dev/sdz9")
    stack.activate_lvm(pvs)  # a later pass does not activate or record it twice
    assert [argv[-1] for argv, _ in script.calls if argv[1] == "vgchange"] == ["system"]
    assert [o.name for o in stack.opened] == ["luks-1", "system"]
