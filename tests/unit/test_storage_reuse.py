"""Existing systems and devices for the destination spoke, planned by real blivet on image
files: the os-release of an installed system read without mounting (and never on a disk
the scan may not use), an existing partition kept, resized or reformatted, logical
volumes reused (request, checks and kickstart; planning LVs needs a guest), the boot
loader's disk or none, and the partition table type for new disks."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.ui.storage_prefill import prefill
from storage.checker.request_checks import RequestProblem
from storage.checker.reuse_checks import check_reuse
from storage.planning import to_kickstart
from storage.planning.inventory import PartitionInfo
from storage.planning.planner import Planner
from storage.planning.request import NO_BOOTLOADER, LayoutRequest, MountRequest
from storage.planning.systems import find_systems
from storage.session import from_image_files
from tests.unit.disk_images import blank_gpt, copy_data, run

OS_RELEASE = 'NAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nID=fedora\n' \
             'PRETTY_NAME="Fedora Linux 40 (Server Edition)"\n'
#: sdc's partitions: (start MiB, size MiB, what goes in)
SDC_PARTS = ((1, 512, "root"), (513, 1024, "home"), (1537, 512, "xfs"))


def write_installed(root: Path, name: str = "sdc") -> Path:
    """root/NAME: 8 GiB GPT holding an installed system: 1 = ext4 root whose
    /etc/os-release links to /usr/lib/os-release (as Fedora and Debian ship it), 2 = ext4
    "home" with /user/keep.txt, 3 = xfs; each file system also at root/NAME1... where the
    scan reads it (as /dev/sdc1)."""
    disk = root / name
    run("truncate", "-s", "8G", str(disk))
    layout = ["parted", "-s", str(disk), "mklabel", "gpt"]
    for number, (start, size, _) in enumerate(SDC_PARTS, start=1):
        layout += ["mkpart", f"p{number}", f"{start}MiB", f"{start + size}MiB"]
    run(*layout)
    tree = root / f"{name}-tree"
    (tree / "root/etc").mkdir(parents=True)
    (tree / "root/usr/lib").mkdir(parents=True)
    (tree / "root/usr/lib/os-release").write_text(OS_RELEASE)
    (tree / "root/etc/os-release").symlink_to("../usr/lib/os-release")
    (tree / "home/user").mkdir(parents=True)
    (tree / "home/user/keep.txt").write_text("keep me\n")
    for number, (start, size, what) in enumerate(SDC_PARTS, start=1):
        fs = root / f"{name}{number}"
        run("truncate", "-s", f"{size}M", str(fs))
        if what == "xfs":
            run("mkfs.xfs", "-q", str(fs))
        else:
            run("mkfs.ext4", "-q", "-L", what, "-d", str(tree / what), str(fs))
        copy_data(fs, disk, start * 1024 * 1024)
    return disk


def stamp(path: Path) -> tuple[int, int]:
    """Changes when anything writes to the file (hashing 8 GiB sparse files is too slow)."""
    status = path.stat()
    return status.st_mtime_ns, status.st_size


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("installed")
    return {"sdc": write_installed(root), "sdd": blank_gpt(root / "sdd")}


def scan(images):
    session = from_image_files([images["sdc"], images["sdd"]], memory=Size("2 GiB"))
    for part in session.blivet.partitions:
        if part.format.type and Path(part.path).exists():
            part.format.update_size_info()
    return session


@pytest.fixture
def planner(images):
    session = scan(images)
    return Planner(session, systems=find_systems(session))


# ---- existing systems ------------------------------------------------------------------
def test_the_installed_system_is_named_from_its_os_release_without_writing(images):
    before = {p: stamp(p) for p in images["sdc"].parent.glob("sdc*") if p.is_file()}
    session = scan(images)
    assert find_systems(session) == {"sdc1": "Fedora Linux 40 (Server Edition)"}
    assert {p: stamp(p) for p in before} == before  # read, never mounted or written
    planner = Planner(session, systems=find_systems(session))
    listed = {p.name: (p.fstype, p.label, p.system) for d in planner.list_disks() for p in d.partitions}
    assert listed["sdc1"] == ("ext4", "root", "Fedora Linux 40 (Server Edition)")
    assert listed["sdc2"] == ("ext4", "home", "") and listed["sdc3"][0] == "xfs"


def test_disks_the_scan_may_not_use_are_not_read(images):
    session = scan(images)
    session.protected["sdc"] = "it holds a mounted file system"
    assert find_systems(session) == {}
    session = scan(images)
    session.selected = ["sdd"]
    assert find_systems(session) == {}


# ---- an existing partition kept, resized, reformatted -----------------------------------
def test_keep_home_with_its_data_and_resize_it(planner):
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 4000, "xfs"))
    least, most = planner.resize_bounds("sdc2")
    assert 0 < least < 1024 and most == 1024  # sdc3 follows: it can only shrink
    home = planner.add_mount(MountRequest("/home", 1, reuse="sdc2", reformat=False, resize=800))
    assert (home.size, home.resize, home.fstype) == (800, 800, "ext4")
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert "part /home --noformat --onpart=sdc2 --size=800 --resize" in plan.kickstart
    mounts = {m.mountpoint: m for m in plan.mounts}
    assert (mounts["/home"].device, mounts["/home"].reformat) == ("sdc2", False)
    assert any("resize device partition: partition sdc2" in line for line in plan.action_lines)
    assert not any("format" in line and "sdc2" in line and "resize" not in line for line in plan.action_lines)


@pytest.mark.parametrize("mount, message", [
    (MountRequest("/home", 1, reuse="sdc2", reformat=False, resize=5), "resize: sdc2 can be resized to "),
    (MountRequest("/home", 1, reuse="sdc2", reformat=False, resize=2000), "resize: sdc2 can be resized to "),
    (MountRequest("/home", 1, "ext4", reuse="sdc2", resize=800),
     "resize: a reformatted sdc2 gets a new file system at its size; keep its data to resize it"),
    (MountRequest("/home", 1000, resize=800),
     "resize: only an existing partition is resized; a new one gets its size"),
])
def test_resize_problems_name_the_field(planner, mount, message):
    planner.use_custom(seed=False)
    with pytest.raises(RequestProblem) as err:
        planner.add_mount(mount)
    assert err.value.message.startswith(message), err.value.message


def test_reusable_devices_leave_out_what_is_deleted_or_taken(planner):
    planner.use_custom(seed=False)
    assert [d.name for d in planner.reusable()] == ["sdc1", "sdc2", "sdc3"]
    planner.delete("sdc3")
    planner.add_mount(MountRequest("/", 1, "ext4", reuse="sdc1"))
    assert [d.name for d in planner.reusable()] == ["sdc1", "sdc2"]  # the editor leaves out sdc1 itself
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert 'part / --fstype="ext4" --onpart=sdc1' in plan.kickstart


# ---- logical volumes (checks and kickstart here; planning them needs a guest) ------------
def _lv(name: str = "old/data", fstype: str = "ext4", size: int = 800) -> PartitionInfo:
    return PartitionInfo(name=name, size=Size(f"{size} MiB"), fstype=fstype, label="", mountable=True,
                         can_shrink=True, min_size=Size("100 MiB"), kind="lvm", max_size=Size(f"{size} MiB"),
                         on=("sdc3",), disks=("sdc",))


def test_a_logical_volume_is_reused_by_its_group_and_name():
    request = LayoutRequest(disks=["sdc"], automatic=None)
    kept = check_reuse(MountRequest("/data", 1, device_type="lvm", reuse="old/data", reformat=False),
                       request, [], volumes=[_lv()])
    assert (kept.volume_group, kept.size, kept.fstype) == ("old", 800, "ext4")
    request.mounts = [kept, MountRequest("/var", 500, "xfs", "lvm", reuse="old/scratch", volume_group="old"),
                      MountRequest("/", 4000, "xfs")]
    lines = to_kickstart.storage_lines(to_kickstart.write_storage(to_kickstart.new_handler(), request))
    assert "volgroup old --useexisting" in lines and lines.count("volgroup old --useexisting") == 1
    assert "logvol /data --noformat --useexisting --name=data --vgname=old" in lines
    assert 'logvol /var --fstype="xfs" --useexisting --name=scratch --vgname=old' in lines
    handler = parse([("saved.ks", "\n".join(lines) + "\n")], None, Reader()).handler
    assert [(lv.name, lv.preexist, lv.format) for lv in handler.logvol.lvList] == \
        [("data", True, False), ("scratch", True, True)]


@pytest.mark.parametrize("mount, reclaim, message", [
    (MountRequest("/data", 1, reuse="old/data"), None,
     "device type: old/data is reused as an lvm logical volume; choose device type lvm"),
    (MountRequest("/data", 1, device_type="lvm", reuse="old/data"), ["sdc3"],
     "existing partition: sdc3 is to be deleted, and old/data with it; keep sdc3 to reuse old/data"),
    (MountRequest("/data", 1, device_type="lvm", reuse="old/data", reformat=False, fstype="xfs"), None,
     "file system: old/data holds ext4; keep ext4 or reformat it"),
])
def test_logical_volume_problems(mount, reclaim, message):
    request = LayoutRequest(disks=["sdc"], automatic=None)
    request.reclaim.delete = reclaim or []
    with pytest.raises(RequestProblem) as err:
        check_reuse(mount, request, [], volumes=[_lv()])
    assert err.value.message == message


# ---- the boot loader and new partition tables -------------------------------------------
def test_boot_loader_on_the_second_disk(planner):
    planner.set_boot_drive("sdd")
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert "bootloader --location=mbr --boot-drive=sdd" in plan.kickstart
    assert [m.disks for m in plan.mounts if m.mountpoint == "biosboot"] == [("sdd",)]
    planner.select_disks(["sdc"])  # leaving the disk out takes the boot loader back to the first
    assert planner.request.boot_drive == ""
    with pytest.raises(RequestProblem, match="boot loader: sdd is not a selected disk"):
        planner.set_boot_drive("sdd")


def test_no_boot_loader_needs_no_boot_partitions(planner):
    planner.set_boot_drive(NO_BOOTLOADER)
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/", 4000, "xfs"))
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert "bootloader --location=none" in plan.kickstart and "reqpart" not in plan.kickstart
    assert [m.mountpoint for m in plan.mounts] == ["/"]
    planner.set_boot_drive("")
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert "reqpart" in plan.kickstart and "biosboot" in {m.mountpoint for m in plan.mounts}


def test_new_disks_get_the_partition_table_chosen(tmp_path):
    run("truncate", "-s", "20G", str(tmp_path / "sde"))  # no table at all
    session = from_image_files([tmp_path / "sde"], memory=Size("2 GiB"))
    planner = Planner(session)
    assert planner.default_disklabel == "gpt"
    planner.set_disklabel("msdos")
    plan = planner.plan()
    assert plan.ok, plan.problem
    assert "clearpart --none --disklabel=msdos" in plan.kickstart and "zerombr" in plan.kickstart
    assert plan.session.blivet.devicetree.get_device_by_name("sde").format.label_type == "msdos"
    assert "biosboot" not in {m.mountpoint for m in plan.mounts}  # msdos boots BIOS without one
    with pytest.raises(RequestProblem, match="partition table: mbr is not one of gpt, msdos"):
        planner.set_disklabel("mbr")


# ---- a kickstart read back into the request ---------------------------------------------
def test_kickstart_reuse_boot_loader_and_table_prefill_the_request(images):
    text = ("ignoredisk --only-use=sdc,sdd\nclearpart --none --disklabel=msdos\n"
            "bootloader --boot-drive=sdd --timeout=3\n"
            "part / --fstype=xfs --size=4000\npart /home --onpart=sdc2 --noformat --resize --size=700\n"
            "part /srv --onpart=/dev/sdc3 --fstype=ext4\n")
    loaded = parse([("ks.cfg", text)], None, Reader())
    planner = Planner(scan(images))
    found = prefill(planner, loaded.handler, {c.name for c in loaded.commands_seen})
    assert found.exact, found.notes
    request = planner.request
    assert (request.boot_drive, request.disklabel) == ("sdd", "msdos")
    home, srv = request.mount("/home"), request.mount("/srv")
    assert (home.reuse, home.reformat, home.resize, home.size) == ("sdc2", False, 700, 700)
    assert (srv.reuse, srv.reformat, srv.fstype) == ("sdc3", True, "ext4")
    handler = loaded.handler
    planner.set_boot_drive("")  # the first disk again: the timeout given stays
    planner.write_to(handler)
    bootloader = next(line for line in str(handler).splitlines() if line.startswith("bootloader"))
    assert "--timeout=3" in bootloader and "--boot-drive" not in bootloader, bootloader


def test_a_disabled_boot_loader_reads_as_none_and_can_be_turned_back_on(images):
    loaded = parse([("ks.cfg", "bootloader --disabled\n")], None, Reader())
    planner = Planner(scan(images))
    found = prefill(planner, loaded.handler, {c.name for c in loaded.commands_seen})
    assert planner.request.boot_drive == NO_BOOTLOADER and not found.given
    planner.set_boot_drive("sdd")
    planner.write_to(loaded.handler)
    bootloader = next(line for line in str(loaded.handler).splitlines() if line.startswith("bootloader"))
    assert "--boot-drive=sdd" in bootloader and "--disabled" not in bootloader, bootloader
