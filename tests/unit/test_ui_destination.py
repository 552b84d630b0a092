"""The installation destination controller (installer.ui.destination) without a screen:
scan disk images, edit the request, plan, accept, and check the kickstart it wrote. No
urwid here; background work runs on plain SingleInstances and is waited for."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.ui.destination import ASK_NO_DISKS, LEAVE, PLANNING, STAY, DestinationController
from installer.ui.session import new_session
from installer.ui.storage import MountRequest, RequestProblem
from tests.unit.disk_images import blank_gpt, write_sda


@pytest.fixture(scope="module")
def disks(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("disks")
    return [write_sda(root), blank_gpt(root / "sdb")]


def scanned(disks, kickstart: str | None = None, boot: str = "", **kwargs) -> DestinationController:
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    session = new_session(parse_cmdline(boot), log_dir=None, loaded=loaded, images=disks,
                          dry_run=True, **kwargs)
    controller = DestinationController(session)
    controller.setup()
    assert controller.state.scanning and not controller.ready()
    assert controller.wait(120)
    assert controller.ready() and not controller.state.scan_error, controller.state.scan_error
    return controller


def planned(controller: DestinationController):
    found = []
    controller.plan(found.append)
    assert controller.wait(120)
    assert not controller.state.planning
    return found[0]


def test_scan_lists_the_disks_and_defaults_to_automatic(disks):
    controller = scanned(disks)
    assert [d.name for d in controller.disks()] == ["sda", "sdb"]
    assert controller.request.disks == ["sda", "sdb"]
    assert not controller.completed() and controller.status() == "Automatic partitioning selected"
    assert controller.state.scanned.session.platform in ("bios", "uefi")


def test_automatic_layout_planned_and_accepted_into_the_handler(disks):
    controller = scanned(disks)
    assert controller.toggle("sda")  # leave sda out
    assert controller.request.disks == ["sdb"] and controller.state.dirty
    assert controller.pick_scheme("plain") and controller.pick_fstype("ext4")
    assert controller.leave() == PLANNING
    plan = planned(controller)
    assert plan is not None and plan.ok and plan.mounts
    controller.accept()
    assert controller.completed() and not controller.state.dirty
    text = output_text(controller.handler)
    assert "ignoredisk --only-use=sdb" in text and "autopart" in text and "--type=plain" in text
    assert "--fstype=ext4" in text
    assert controller.leave() == LEAVE  # accepted: released once
    assert controller.status() == "Automatic partitioning selected"


def test_no_disk_asks_and_leaving_unfinished_is_incomplete(disks):
    controller = scanned(disks)
    controller.toggle("sda")
    controller.toggle("sdb")
    assert controller.status() == "No disks selected"
    assert not controller.can_reclaim() and controller.state.problem.startswith("disks:")
    assert controller.leave() == ASK_NO_DISKS
    controller.leave_unfinished()
    assert controller.leave() == LEAVE and not controller.completed()


def test_encryption_needs_a_passphrase_first(disks):
    controller = scanned(disks)
    assert controller.needs_passphrase(True) and not controller.needs_passphrase(False)


def test_a_layout_that_does_not_fit_says_what_was_asked(disks):
    controller = scanned(disks)
    controller.toggle("sda")
    controller.use_custom()
    controller.editor.save_mount(None, MountRequest("/", 60000))
    assert controller.leave() == PLANNING
    assert planned(controller) is None
    assert "asked: / 60000 MiB" in controller.state.problem
    assert not controller.completed() and controller.status() == controller.state.problem
    assert controller.leave() == PLANNING  # changed since: planned again on leaving


def test_editor_mount_points_automatic_seed_and_a_failed_seed_keeps_them(disks):
    """The sub-screens' model: every accepted edit marks the destination changed; a
    refused one names the field and changes nothing."""
    controller = scanned(disks)
    editor = controller.editor
    controller.pick_scheme("plain")
    controller.use_custom()
    controller.state.dirty = False
    editor.create_automatically()
    assert controller.state.dirty and controller.request.automatic is None
    seeded = [m.mountpoint for m in editor.mounts]
    assert "/" in seeded and "swap" in seeded and editor.default_device_type() == "partition"
    saved = editor.save_mount("/", MountRequest("/", 4096, fstype="ext4"))
    assert saved.fstype == "ext4" and [m.mountpoint for m in editor.mounts] == seeded
    with pytest.raises(RequestProblem) as refused:
        editor.save_mount(None, MountRequest("/", 1024))
    assert refused.value.field == "mount point"
    controller.state.auto.encrypted = True  # the seed needs a passphrase now
    assert editor.needs_passphrase() and editor.needs_passphrase(MountRequest("/x", 1, encrypted=True))
    controller.state.auto.scheme = "no such scheme"
    with pytest.raises(RequestProblem):
        editor.create_automatically()
    assert [m.mountpoint for m in editor.mounts] == seeded and controller.request.automatic is None
    editor.remove_mount("swap")
    assert "swap" not in [m.mountpoint for m in editor.mounts]


def test_editor_reclaim_and_shrink_bounds(disks):
    controller = scanned(disks)
    editor = controller.editor
    parts = {p.name: p for d in editor.selected_disks() for p in d.partitions}
    assert {"sda1", "sda2", "sda3"} <= set(parts) and editor.reclaim_of("sda1") == "keep"
    before = editor.room
    editor.delete("sda3")
    assert editor.reclaim_of("sda3") == "delete" and editor.room > before and controller.state.dirty
    editor.keep("sda3")
    assert editor.reclaim_of("sda3") == "keep" and editor.room == before
    shrinkable = next(p for p in parts.values() if p.can_shrink)
    bounds = editor.shrink_bounds(shrinkable)
    assert 0 < bounds.least < bounds.most and bounds.current is None
    with pytest.raises(RequestProblem):
        editor.shrink(shrinkable.name, bounds.least - 1)
    editor.shrink(shrinkable.name, bounds.most)
    assert editor.shrink_bounds(shrinkable).current == bounds.most
    assert editor.reclaim_of(shrinkable.name) == f"shrink to {bounds.most} MiB"
    editor.clear_all(True)
    assert editor.clearing_all and editor.reclaim_of("sda1") == "delete (clear all)"
    editor.set_passphrase("correct horse battery", "luks1")
    assert editor.has_passphrase() and editor.encryption.luks_version == "luks1"


def test_kickstart_layout_prefills_and_is_complete(disks):
    controller = scanned(disks, "ignoredisk --only-use=sdb\nclearpart --all\nautopart --type=plain\n")
    assert controller.completed() and not controller.state.problem
    assert controller.request.disks == ["sdb"] and controller.request.automatic.scheme == "plain"
    assert controller.state.auto.scheme == "plain" and controller.state.prefill.given
    assert controller.leave() == LEAVE


def test_boot_options_and_firmware_reach_the_scan(disks):
    """--firmware and inst.disklabel as an unattended dry run honours them."""
    controller = scanned(disks, boot="inst.disklabel=mbr", firmware="uefi")
    session = controller.state.scanned.session
    assert session.platform == "uefi" and session.disklabel == "msdos" and session.plan_only


def test_scan_error_is_the_status(tmp_path):
    session = new_session(parse_cmdline(""), log_dir=None, images=[tmp_path / "missing"], dry_run=True)
    controller = DestinationController(session)
    controller.setup()
    assert controller.wait(30)
    assert controller.status().startswith("Storage scan failed: --image ") and "no such file" in controller.status()


def test_dirinstall_needs_nothing():
    session = new_session(parse_cmdline(""), log_dir=None, dirinstall=True)
    controller = DestinationController(session)
    controller.setup()
    assert controller.ready() and controller.completed()
    assert controller.status() == "Not needed for a directory install" and controller.leave() == LEAVE
    assert STAY == "stay"


def test_existing_devices_reused_and_the_boot_loader_chosen(disks):
    controller = scanned(disks, boot="inst.disklabel=mbr")
    editor = controller.editor
    sda = controller.disks()[0]
    assert [(depth, entry.name) for depth, entry in controller.contents(sda)] == \
        [(0, "sda1"), (0, "sda2"), (0, "sda3")]
    assert controller.disklabel() == "msdos"  # inst.disklabel's, until one is chosen
    assert [value for _, value in controller.boot_choices()] == ["", "sdb", "none"]
    controller.use_custom()
    assert [d.name for d in editor.reusable()] == ["sda1", "sda2", "sda3"]
    bounds = editor.resize_bounds("sda1")
    assert 0 < bounds.least < bounds.most <= 4096
    editor.save_mount(None, MountRequest("/", 3000, "xfs"))
    editor.save_mount(None, MountRequest("/home", 1, reuse="sda1", reformat=False, resize=bounds.most - 96))
    assert controller.use_of(sda.partitions[0]) == f"/home (data kept, {bounds.most - 96} MiB)"
    assert controller.use_of(sda.partitions[1]) == "keep"
    assert [d.name for d in editor.reusable()] == ["sda2", "sda3"]
    assert editor.existing("sda1").name == "sda1"
    assert not controller.pick_boot_drive("sdc") and "boot loader: sdc is not a selected disk" in \
        controller.state.problem
    assert controller.pick_boot_drive("sdb") and controller.boot_drive() == "sdb"
    assert controller.pick_disklabel("gpt") and controller.disklabel() == "gpt"
    assert controller.toggle("sdb") and controller.boot_drive() == ""  # its disk left out
    plan = planned(controller)
    assert plan is not None and plan.ok, controller.state.problem
    controller.accept()
    text = output_text(controller.handler)
    assert f"part /home --noformat --onpart=sda1 --size={bounds.most - 96} --resize" in text
    assert "clearpart --none --disklabel=gpt" in text and "bootloader" not in text
