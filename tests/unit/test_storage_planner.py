"""The storage screens' planning API on image files: the disk listing, automatic layouts,
reclaiming space, custom layouts, the action list, and the saved kickstart planning to
the same layout. Nothing is written; the scanned tree is never planned on."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from blivet.devices import DiskFile
from blivet.formats import get_format
from blivet.size import Size
from blivet.tasks import availability

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.kickstart import apply_kickstart
from storage.planning.request import MountRequest
from storage.planning.planned_mounts import planned_mounts
from storage.planning.planner import Planner
from storage.checker.request_checks import RequestProblem
from storage.session import from_image_files
from tests.unit.disk_images import SDA_PARTS, blank_gpt, run as _run, write_sda

MiB = Size("1 MiB")
#: sda's partitions: (start MiB, size MiB, mkfs); the rest of its 20 GiB is free.
@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    """sda: GPT with ext4, xfs and vfat partitions; sdb: an empty GPT; both 20 GiB. Each
    filesystem is also kept as its own file at the partition's path, where blivet reads
    its size and minimum (as a scan does on /dev/sda1)."""
    root = tmp_path_factory.mktemp("disks")
    sda, sdb = write_sda(root), blank_gpt(root / "sdb")
    return {"sda": sda, "sdb": sdb}


def scan(images, *names: str, platform: str = "bios"):
    """A session as the installer's scan makes it, with filesystem sizes read."""
    session = from_image_files([images[n] for n in names or ("sda", "sdb")], platform=platform,
                               memory=Size("2 GiB"))
    for part in session.blivet.partitions:
        if part.format.type and Path(part.path).exists():
            part.format.update_size_info()
    return session


@pytest.fixture(scope="module")
def scanned(images):
    """One scan for the module: a planner never changes the tree it was given."""
    return scan(images)


@pytest.fixture
def planner(scanned):
    return Planner(scanned)


@pytest.fixture
def btrfs_here(monkeypatch):
    """This host's kernel has no btrfs module (blivet then refuses btrfs); the installer
    image has it. Planning needs only the availability check to pass."""
    monkeypatch.setattr(availability.BLOCKDEV_BTRFS_PLUGIN, "_availability_errors", [])


def layout(plan) -> dict[str, str]:
    assert plan.ok, plan.problem
    return {m.mountpoint: m.device_type for m in plan.mounts}


def replan_from_kickstart(scanned, lines: list[str]):
    """The saved lines through the installer's own kickstart loader, on a copy of the scan."""
    session = dataclasses.replace(scanned, blivet=scanned.blivet.copy(), selected=list(scanned.selected))
    apply_kickstart(session, parse([("saved.ks", "\n".join(lines) + "\n")], None, Reader()).handler)
    return planned_mounts(session)


# the disks ------------------------------------------------------------------------------
def test_disk_listing(images):
    session = scan(images)
    disk = session.disk("sda")
    disk._model, disk._vendor, disk._serial, disk.bus = "QEMU HARDDISK", "ATA", "QM00001", "ata"
    session.protected["sdb"] = "it holds the mounted filesystem /mnt (/dev/sdb1)"
    sda, sdb = Planner(session).list_disks()
    assert (sda.name, sda.path, sda.size, sda.label) == ("sda", str(images["sda"]), Size("20 GiB"), "gpt")
    assert (sda.model, sda.vendor, sda.serial, sda.bus) == ("QEMU HARDDISK", "ATA", "QM00001", "ata")
    used = sum(size for _, size, _ in SDA_PARTS) + 1  # + the GPT at the start
    assert abs(sda.free - (Size("20 GiB") - used * MiB)) < 2 * MiB  # the backup GPT at the end
    assert abs(sdb.free - Size("20 GiB")) < 3 * MiB and sdb.partitions == ()
    data, logs, win = sda.partitions
    assert [(p.name, p.size, p.fstype, p.label) for p in sda.partitions] == [
        ("sda1", 4096 * MiB, "ext4", "data"), ("sda2", 1024 * MiB, "xfs", "logs"),
        ("sda3", 512 * MiB, "vfat", "WINDATA")]
    assert data.mountable and logs.mountable  # (vfat needs a kernel module this host may lack)
    assert data.can_shrink and Size("1 MiB") < data.min_size < Size("1 GiB") and not data.why_not
    assert (logs.can_shrink, logs.min_size, logs.why_not) == (False, 1024 * MiB, "xfs can only grow")
    assert (win.can_shrink, win.why_not) == (False, "vfat cannot be resized")
    assert (sda.protected, sda.usable) == ("", True)
    assert sdb.protected == "it holds the mounted filesystem /mnt (/dev/sdb1)" and not sdb.usable
    planner = Planner(session)
    assert planner.request.disks == ["sda"]  # a protected disk is not offered by default
    with pytest.raises(RequestProblem, match="disks: sdb cannot be used: it holds the mounted filesystem /mnt"):
        planner.select_disks(["sda", "sdb"])


def test_without_filesystem_sizes_nothing_shrinks(images):
    """A scan that did not read filesystem sizes (blivet's auto_dev_updates off) gives no
    safe minimum: shrinking is refused rather than guessed."""
    session = from_image_files([images["sda"]])
    data = Planner(session).list_disks()[0].partitions[0]
    assert (data.fstype, data.can_shrink, data.why_not) == ("ext4", False, "the size of its ext4 could not be read")


@pytest.fixture
def blank(tmp_path, scanned):
    """sda as scanned plus sdc, a disk with nothing on it at all (no partition table)."""
    sdc = tmp_path / "sdc"
    _run("truncate", "-s", "12G", str(sdc))
    session = dataclasses.replace(scanned, blivet=scanned.blivet.copy(), selected=["sda", "sdb", "sdc"])
    disk = DiskFile(str(sdc))
    disk.format = get_format(None)  # how a scan shows a blank disk
    session.blivet.devicetree._add_device(disk)
    return session


def test_a_blank_disk_gets_a_partition_table(blank):
    planner = Planner(blank)
    sdc = planner.list_disks()[2]
    assert (sdc.name, sdc.label, sdc.free, sdc.partitions) == ("sdc", "", Size("12 GiB"), ())
    planner.select_disks(["sdc"])
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 4000))
    plan = planner.plan()
    assert plan.kickstart[:3] == ["ignoredisk --only-use=sdc", "zerombr", "clearpart --none"]
    assert layout(plan) == {"/": "partition", "biosboot": "partition"}
    assert plan.session.disk("sdc").format.label_type == "gpt"
    planner.select_disks(["sda"])  # a disk with a partition table needs no zerombr
    assert planner.to_kickstart()[:2] == ["ignoredisk --only-use=sda", "clearpart --none"]


def test_a_filesystem_on_the_whole_disk_is_deleted_only_when_asked(blank):
    sdc = blank.disk("sdc")
    sdc.format = get_format("ext4", device=sdc.path, exists=True, label="backup")  # as a scan shows it
    planner = Planner(blank)
    (whole,) = planner.list_disks()[2].partitions
    assert (whole.name, whole.fstype, whole.label, whole.whole_disk) == ("sdc", "ext4", "backup", True)
    planner.select_disks(["sdc"])
    planner.use_automatic("plain")
    plan = planner.plan()
    assert (plan.field, plan.problem) == ("disks", "disks: sdc holds ext4 on the whole disk: delete it to "
                                                   "make room, or leave sdc out")
    planner.delete("sdc")
    plan = planner.plan()
    assert plan.kickstart[:3] == ["ignoredisk --only-use=sdc", "zerombr", "clearpart --none"]
    assert layout(plan)["/"] == "partition"
    assert plan.action_lines[0].strip().startswith("1. destroy format ext4: disk sdc")


# automatic layouts ----------------------------------------------------------------------
@pytest.mark.parametrize("scheme, root_type, swap_type", [
    ("plain", "partition", "partition"), ("lvm", "lvm", "lvm"), ("thinp", "lvm thin", "lvm"),
    ("btrfs", "btrfs", "partition")])
def test_automatic_schemes(btrfs_here, planner, scheme, root_type, swap_type):
    planner.clear_all()
    planner.use_automatic(scheme)
    plan = planner.plan()
    types = layout(plan)
    assert types["/"] == root_type and types["swap"] == swap_type
    assert types["/boot"] == "partition" and types["biosboot"] == "partition"
    fstype = " --fstype=xfs" if scheme != "btrfs" else ""
    assert plan.kickstart == ["ignoredisk --only-use=sda,sdb", "clearpart --all --initlabel --drives=sda,sdb",
                              f"autopart --type={scheme}{fstype}"]
    assert any("destroy device partition: partition sda1" in line for line in plan.action_lines)
    assert any(f"on /boot" in line and "create device partition" in line for line in plan.action_lines)
    assert not any(m.encrypted for m in plan.mounts)


def test_uefi_gets_an_efi_system_partition(images):
    planner = Planner(scan(images, platform="uefi"))
    planner.clear_all()
    planner.use_automatic("plain")
    assert layout(planner.plan()) == {"/": "partition", "/boot": "partition", "/boot/efi": "partition",
                                      "swap": "partition"}
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 4000, grow=True))
    plan = planner.plan()
    assert "reqpart" in plan.kickstart and layout(plan) == {"/": "partition", "/boot/efi": "partition"}
    assert {m.mountpoint: m.fstype for m in plan.mounts}["/boot/efi"] == "efi"


def test_btrfs_raid1_on_three_disks_holds_what_was_asked(btrfs_here, images, tmp_path, scanned):
    sdc = tmp_path / "sdc"
    _run("truncate", "-s", "20G", str(sdc))
    _run("parted", "-s", str(sdc), "mklabel", "gpt")
    planner = Planner(from_image_files([images["sda"], images["sdb"], sdc]))
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/boot", 1024))
    planner.add_mount(MountRequest("/", 3000, device_type="btrfs", raid_level="raid1"))
    planner.add_mount(MountRequest("/home", 3000, device_type="btrfs"))
    plan = planner.plan()
    root = next(m for m in plan.mounts if m.mountpoint == "/")
    assert root.disks == ("sda", "sdb", "sdc") and root.size >= 6000 * MiB


@pytest.mark.parametrize("luks_version", ["luks2", "luks1"])
def test_automatic_encrypted(planner, luks_version):
    planner.clear_all()
    planner.use_automatic("lvm", encrypted=False)
    planner.request.automatic.encrypted = True  # the passphrase is still missing
    plan = planner.plan()
    assert (plan.ok, plan.field, plan.problem) == (False, "encrypted", "encrypted: set the encryption passphrase first")
    planner.set_encryption("correct horse battery", luks_version)
    planner.use_automatic("lvm", encrypted=True)
    plan = planner.plan()
    assert layout(plan)
    encrypted = {m.mountpoint: m.encrypted for m in plan.mounts}
    assert encrypted == {"/": True, "/boot": False, "swap": True, "biosboot": False}
    assert plan.kickstart[-1] == (f"autopart --encrypted --passphrase=\"correct horse battery\" "
                                  f"--type=lvm --fstype=xfs --luks-version={luks_version}")
    pvs = plan.session.blivet.pvs
    assert pvs and {pv.parents[0].format.luks_version for pv in pvs} == {luks_version}


def test_every_plan_starts_from_the_scan(images):
    session = scan(images)
    planner = Planner(session)
    planner.clear_all()
    planner.use_automatic("lvm")
    assert planner.plan().session.blivet.vgs
    planner.use_automatic("plain")
    plan = planner.plan()
    assert not plan.session.blivet.vgs  # nothing of the LVM plan is left over
    assert session.blivet.devicetree.actions.find() == []
    assert sorted(p.name for p in session.blivet.partitions) == ["sda1", "sda2", "sda3"]
    assert all(p.exists for p in session.blivet.partitions)


def test_a_layout_that_does_not_fit_says_so(planner):
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 30000))
    plan = planner.plan()
    assert not plan.ok and "does not fit" in plan.problem and plan.kickstart
    assert plan.session is None and plan.mounts == []


# reclaiming space -----------------------------------------------------------------------
def test_existing_partitions_stay_unless_reclaimed(planner):
    planner.use_automatic("lvm")
    plan = planner.plan()
    assert layout(plan)["/"] == "lvm"
    assert "clearpart --none" in plan.kickstart
    assert not any(name in line for line in plan.action_lines for name in ("sda1", "sda2", "sda3"))


def test_delete_partitions(planner):
    before = planner.room
    planner.delete("sda2")
    planner.delete("sda3")
    assert planner.room == before + 1536 * MiB
    planner.use_automatic("plain")
    plan = planner.plan()
    assert layout(plan)
    assert "clearpart --list=sda2,sda3" in plan.kickstart
    destroyed = [line for line in plan.action_lines if "destroy device" in line]
    assert len(destroyed) == 2 and "sda2" in destroyed[0] + destroyed[1] and "sda3" in destroyed[0] + destroyed[1]
    assert not any("sda1" in line and "destroy" in line for line in plan.action_lines)
    planner.keep("sda3")
    assert "clearpart --list=sda2" in planner.to_kickstart()
    with pytest.raises(RequestProblem) as err:
        planner.delete("sda9")
    assert err.value.message == ("delete: there is no partition sda9 on the selected disks "
                                 "(partitions: sda1, sda2, sda3)")


def test_shrink_ext4(planner):
    before = planner.room
    planner.shrink("sda1", 2000)
    assert planner.room == before + 2096 * MiB
    planner.use_automatic("lvm")
    plan = planner.plan()
    # autopart cannot be combined with part: the automatic layout is written out
    assert not any(line.startswith("autopart") for line in plan.kickstart)
    assert "part None --noformat --onpart=sda1 --size=2000 --resize" in plan.kickstart
    assert "volgroup system pv.01 pv.02" in plan.kickstart
    assert layout(plan) == {"/": "lvm", "/boot": "partition", "swap": "lvm", "biosboot": "partition"}
    assert any("resize device partition: partition sda1" in line for line in plan.action_lines)
    assert any("resize format ext4: partition sda1" in line for line in plan.action_lines)
    assert plan.session.blivet.devicetree.get_device_by_name("sda1").size == 2000 * MiB


@pytest.mark.parametrize("name, size, message", [
    ("sda2", 500, "shrink: sda2 cannot be shrunk: xfs can only grow"),
    ("sda3", 100, "shrink: sda3 cannot be shrunk: vfat cannot be resized"),
    ("sda1", 1, "shrink: sda1 can shrink to between {least} and 4095 MiB (its data needs {least} MiB); "
                "1 MiB is outside that"),
    ("sda1", 4096, "1 MiB is outside that"),
    ("sdb1", 100, "shrink: there is no partition sdb1 on the selected disks"),
])
def test_shrink_refusals(planner, name, size, message):
    least = planner.list_disks()[0].partitions[0].min_size.convert_to(MiB)
    with pytest.raises(RequestProblem) as err:
        planner.shrink(name, size)
    expected = message.format(least=int(-(-least // 1)))
    if name == "sda1" and size == 4096:
        expected = "4096 MiB is outside that"
    assert expected in err.value.message, err.value.message
    assert err.value.field == "shrink"


def test_shrink_conflicts_with_delete_and_clear_all(planner):
    planner.delete("sda1")
    with pytest.raises(RequestProblem, match="shrink: sda1 is to be deleted; keep it first to shrink it"):
        planner.shrink("sda1", 2000)
    planner.keep("sda1")
    planner.shrink("sda1", 2000)
    planner.clear_all()
    assert planner.request.reclaim.shrink == {}  # everything goes anyway
    with pytest.raises(RequestProblem, match="shrink: clear all deletes everything on the selected disks"):
        planner.shrink("sda1", 2000)


def test_deselecting_a_disk_drops_its_reclaim_choices(planner):
    planner.delete("sda2")
    planner.shrink("sda1", 3000)
    planner.select_disks(["sdb"])
    assert (planner.request.reclaim.delete, planner.request.reclaim.shrink) == ([], {})


# custom layouts ------------------------------------------------------------------------
def test_custom_add_edit_remove(planner):
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/boot", 1024, "ext4"))
    planner.add_mount(MountRequest("/", 4000, device_type="lvm", grow=True))
    planner.add_mount(MountRequest("/home", 2000, device_type="lvm", volume_group="data"))
    planner.add_mount(MountRequest("swap", 1024, device_type="lvm"))
    plan = planner.plan()
    assert layout(plan) == {"/": "lvm", "/boot": "partition", "/home": "lvm", "swap": "lvm",
                            "biosboot": "partition"}
    tree = plan.session.blivet.devicetree
    assert tree.get_device_by_name("data-home").size == 2000 * MiB
    assert tree.get_device_by_name("system-root").size > 10 * 1024 * MiB  # grew
    assert {m.mountpoint: m.fstype for m in plan.mounts}["/boot"] == "ext4"

    planner.edit_mount("/home", MountRequest("/home", 3000, "ext4", "partition"))
    plan = planner.plan()
    home = next(m for m in plan.mounts if m.mountpoint == "/home")
    assert (home.device_type, home.fstype, home.size) == ("partition", "ext4", 3000 * MiB)
    assert plan.session.blivet.devicetree.get_device_by_name("data") is None

    planner.remove_mount("swap")
    assert "swap" not in layout(planner.plan())
    with pytest.raises(RequestProblem, match="mount point: swap is not in the layout"):
        planner.remove_mount("swap")


def test_reuse_existing_partitions(scanned, planner):
    planner.use_custom(seed=False)
    home = planner.add_mount(MountRequest("/home", 1, reuse="sda1", reformat=False))
    assert (home.size, home.fstype) == (4096, "ext4")  # the partition's own
    planner.add_mount(MountRequest("/", 1, "ext4", reuse="/dev/sda2"))
    planner.add_mount(MountRequest("swap", 512))
    plan = planner.plan()
    assert "part /home --noformat --onpart=sda1" in plan.kickstart
    assert 'part / --fstype="ext4" --onpart=sda2' in plan.kickstart
    assert plan.ok, plan.problem
    mounts = {m.mountpoint: m for m in plan.mounts}
    assert (mounts["/home"].device, mounts["/home"].fstype, mounts["/home"].reformat) == ("sda1", "ext4", False)
    assert (mounts["/"].device, mounts["/"].fstype, mounts["/"].reformat) == ("sda2", "ext4", True)
    assert not any("sda1" in line for line in plan.action_lines)
    assert any("destroy format xfs: partition sda2" in line for line in plan.action_lines)
    assert any("create format ext4: partition sda2" in line for line in plan.action_lines)
    again = replan_from_kickstart(scanned, planner.to_kickstart())
    assert sorted(m.key for m in again) == sorted(m.key for m in plan.mounts)
    with pytest.raises(RequestProblem, match="delete: sda1 is reused for /home; remove that mount point first"):
        planner.delete("sda1")
    with pytest.raises(RequestProblem, match="shrink: sda1 is reused for /home"):
        planner.shrink("sda1", 2000)


@pytest.mark.parametrize("prepare, mount, message", [
    (None, MountRequest("/data", 1, reuse="sda9"),
     "existing partition: there is no partition or logical volume sda9 on the selected disks "
     "(existing: sda1, sda2, sda3)"),
    (lambda p: p.add_mount(MountRequest("/home", 1, reuse="sda1", reformat=False)),
     MountRequest("/srv", 1, reuse="sda1"), "existing partition: sda1 is already used by /home"),
    (None, MountRequest("/data", 1, device_type="lvm", reuse="sda1"),
     "device type: sda1 is reused as a partition; choose device type partition"),
    (None, MountRequest("/data", 1, "xfs", reuse="sda1", reformat=False),
     "file system: sda1 holds ext4; keep ext4 or reformat it"),
    (None, MountRequest("/data", 1, reuse="sda1", reformat=False, encrypted=True),
     "encrypted: sda1 keeps its data as it is; reformat it to encrypt it"),
    (None, MountRequest("swap", 1, reuse="sda2", reformat=False),
     "reformat: an existing swap partition is reused by reformatting it"),
    (None, MountRequest("/data", 1000, reformat=False),
     "reformat: only an existing partition keeps its data; choose the partition to reuse, or reformat"),
    (lambda p: p.delete("sda2"), MountRequest("/data", 1, reuse="sda2"),
     "existing partition: sda2 is to be deleted; keep it to reuse it"),
    (lambda p: p.shrink("sda1", 3000), MountRequest("/data", 1, reuse="sda1"),
     "existing partition: sda1 is to be shrunk; keep its size to reuse it"),
    (lambda p: p.clear_all(), MountRequest("/data", 1, reuse="sda2"),
     "existing partition: clear all deletes sda2; turn it off to reuse sda2"),
])
def test_reuse_problems(planner, prepare, mount, message):
    planner.use_custom(seed=False)
    if prepare:
        prepare(planner)
    with pytest.raises(RequestProblem) as err:
        planner.add_mount(mount)
    assert err.value.message == message


def test_custom_needs_a_root(planner):
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/home", 1000))
    plan = planner.plan()
    assert (plan.field, plan.problem) == ("mount points", "mount points: add a mount point for / "
                                          "(or use automatic partitioning)")


def test_raid1_over_two_disks(planner):
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/boot", 1024, device_type="raid", raid_level="1"))
    planner.add_mount(MountRequest("/", 6000, device_type="raid", raid_level="raid1"))
    plan = planner.plan()
    assert layout(plan) == {"/": "raid", "/boot": "raid", "biosboot": "partition"}
    root = next(m for m in plan.mounts if m.mountpoint == "/")
    assert root.disks == ("sda", "sdb") and abs(root.size - 6000 * MiB) < 2 * MiB
    array = plan.session.blivet.devicetree.get_device_by_name(root.device)
    assert array.level.name == "raid1" and len(array.parents) == 2


def test_btrfs_subvolumes(btrfs_here, planner):
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/boot", 1024, "ext4"))
    planner.add_mount(MountRequest("/", 8000, device_type="btrfs", raid_level="raid1", grow=True))
    planner.add_mount(MountRequest("/home", 2000, device_type="btrfs"))
    plan = planner.plan()
    assert layout(plan) == {"/": "btrfs", "/boot": "partition", "/home": "btrfs", "biosboot": "partition"}
    assert 'btrfs none --label="system" --data=raid1 --metadata=raid1 btrfs.01 btrfs.02' in plan.kickstart
    volume = next(d for d in plan.session.blivet.devices if d.type == "btrfs volume")
    assert volume.data_level.name == "raid1" and {d.name for d in volume.disks} == {"sda", "sdb"}
    assert {s.format.mountpoint for s in volume.subvolumes} == {"/", "/home"}


def test_custom_encryption(planner):
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.set_encryption("correct horse battery", "luks1")
    planner.add_mount(MountRequest("/boot", 1024))
    planner.add_mount(MountRequest("/", 4000, device_type="lvm", encrypted=True))
    planner.add_mount(MountRequest("swap", 1024, device_type="lvm", encrypted=True))
    planner.add_mount(MountRequest("/srv", 2000, encrypted=True))
    planner.add_mount(MountRequest("/var", 2000, device_type="raid", raid_level="1", encrypted=True))
    plan = planner.plan()
    assert {m.mountpoint: m.encrypted for m in plan.mounts} == {
        "/": True, "/boot": False, "/srv": True, "/var": True, "swap": True, "biosboot": False}
    luks = [d for d in plan.session.blivet.devices if d.format.type == "luks"]
    assert len(luks) == 4 and {d.format.luks_version for d in luks} == {"luks1"}  # 2 PVs, /srv, /var


def test_custom_starts_from_the_automatic_layout(planner):
    planner.clear_all()
    planner.use_automatic("lvm")
    automatic = planner.plan()
    mounts = planner.use_custom()
    assert [m.mountpoint for m in mounts] == ["/boot", "/", "swap"]  # 40 GiB: no /home
    custom = planner.plan()
    assert sorted(m.key for m in custom.mounts) == sorted(m.key for m in automatic.mounts)


def test_action_list_is_numbered_and_readable(planner):
    planner.delete("sda3")
    planner.use_automatic("lvm")
    lines = planner.plan().action_lines
    assert [int(line.split(".")[0]) for line in lines] == list(range(1, len(lines) + 1))
    assert lines[0].strip().startswith("1. destroy format vfat: partition sda3")
    assert any("create device lvmvg: lvmvg system" in line for line in lines)
    assert any("create format xfs: lvmlv system-root" in line and "on /" in line for line in lines)


# the saved kickstart ----------------------------------------------------------------------
def _custom_mixed(planner):
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.set_encryption("it's a long one #1")
    planner.add_mount(MountRequest("/boot", 1024, "ext4"))
    planner.add_mount(MountRequest("/", 4000, device_type="lvm", grow=True, encrypted=True))
    planner.add_mount(MountRequest("/var/log", 1000, "ext4", "lvm thin", encrypted=True))
    planner.add_mount(MountRequest("/srv", 2000, device_type="raid", raid_level="raid0"))
    planner.add_mount(MountRequest("swap", 512, encrypted=True))


def _shrink_and_automatic(planner):
    planner.shrink("sda1", 2500)
    planner.delete("sda3")
    planner.use_automatic("thinp", fstype="ext4")


def _automatic(scheme):
    def build(planner):
        planner.clear_all()
        planner.use_automatic(scheme)
    return build


@pytest.mark.parametrize("build, expected", [
    (_automatic("plain"), {"/": ("partition", False), "swap": ("partition", False)}),
    (_automatic("lvm"), {"/": ("lvm", False), "swap": ("lvm", False)}),
    (_automatic("thinp"), {"/": ("lvm thin", False), "swap": ("lvm", False)}),
    (_custom_mixed, {"/": ("lvm", True), "/var/log": ("lvm thin", True), "/srv": ("raid", False),
                     "swap": ("partition", True), "/boot": ("partition", False)}),
    (_shrink_and_automatic, {"/": ("lvm thin", False), "swap": ("lvm", False), "/boot": ("partition", False)}),
])
def test_saved_kickstart_plans_the_same_layout(scanned, planner, build, expected):
    build(planner)
    plan = planner.plan()
    assert plan.ok, plan.problem
    planned = {m.mountpoint: (m.device_type, m.encrypted) for m in plan.mounts}
    assert {k: planned.get(k) for k in expected} == expected
    again = replan_from_kickstart(scanned, planner.to_kickstart())
    assert sorted(m.key for m in again) == sorted(m.key for m in plan.mounts)
    assert sorted(m.disks for m in again) == sorted(m.disks for m in plan.mounts)


def test_kickstart_objects_round_trip_through_pykickstart(planner):
    _custom_mixed(planner)
    from pykickstart.parser import KickstartParser

    from storage.planning.to_kickstart import new_handler

    first = new_handler()
    planner.write_to(first)  # pykickstart's data objects, never parsed
    assert first.autopart.autopart is False
    assert [p.passphrase for p in first.partition.partitions if p.encrypted][0] == "it's a long one #1"
    assert [(l.mountpoint, l.vgname, l.thin_volume) for l in first.logvol.lvList] == [
        ("none", "system", False), ("/", "system", False), ("/var/log", "system", True)]
    assert [(r.mountpoint, r.level) for r in first.raid.raidList] == [("/srv", "RAID0")]
    second = new_handler()  # pykickstart's own writing reads back the same
    KickstartParser(second).readKickstartFromString("\n".join(planner.to_kickstart()) + "\n")
    for command in ("ignoredisk", "clearpart", "reqpart", "partition", "volgroup", "logvol", "raid"):
        assert str(second.commands[command]) == str(first.commands[command])


def test_passphrase_survives_as_given(planner):
    from storage.planning.to_kickstart import new_handler

    planner.set_encryption('say "hi" & $HOME #1')
    planner.clear_all()
    planner.use_automatic("lvm", encrypted=True)
    handler = new_handler()
    planner.write_to(handler)  # no quoting: the saved kickstart leaves passphrases out
    assert handler.autopart.passphrase == 'say "hi" & $HOME #1'
    assert planner.plan().ok


def test_write_to_a_loaded_handler(planner):
    handler = parse([("ks.cfg", "rootpw --lock\nclearpart --all\nautopart --type=plain\n"
                                "timezone Europe/Prague\n")], None, Reader()).handler
    planner.clear_all()
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 4000, grow=True))
    planner.write_to(handler)
    text = str(handler)
    assert "rootpw --lock" in text and "timezone Europe/Prague" in text
    assert "autopart" not in text and "part / --fstype=\"xfs\" --grow --size=4000" in text
    assert "clearpart --all --initlabel --drives=sda,sdb" in text and "reqpart" in text
    again = parse([("again.ks", text)], None, Reader()).handler
    assert [p.mountpoint for p in again.partition.partitions] == ["/"]
