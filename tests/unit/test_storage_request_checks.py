"""Field checks of the storage screens' layout request: every message names the field and
says what would be accepted. Pure: no disks, a fixed set of capabilities."""
from __future__ import annotations

import pytest
from blivet.size import Size

from storage.planning.inventory import DiskInfo, PartitionInfo
from storage.planning.request import AutomaticLayout, Encryption, LayoutRequest, MountRequest, Reclaim
from storage.checker.reclaim_checks import check_reclaim, room
from storage.checker.mount_checks import check_mount
from storage.checker.request_checks import Capabilities, RequestProblem, check_automatic, check_disks, check_encryption

CAPS = Capabilities(fstypes=("xfs", "ext4", "btrfs", "vfat", "efi", "swap", "biosboot"),
                    min_sizes={"xfs": 300, "btrfs": 256, "efi": 50},
                    disks={"sda": "", "sdb": "", "sdc": "it holds the mounted filesystem / (/dev/sdc1)"})
NO_BTRFS = Capabilities(CAPS.fstypes, CAPS.min_sizes, {"btrfs": "libblockdev btrfs plugin (no module)",
                                                       "encryption": "libblockdev crypto plugin"}, CAPS.disks)
ROOT = MountRequest("/", 4000)


def request(*mounts: MountRequest, disks=("sda", "sdb"), passphrase: str = "") -> LayoutRequest:
    return LayoutRequest(disks=list(disks), automatic=None, mounts=list(mounts),
                         encryption=Encryption(passphrase))


def problem(mount: MountRequest, req: LayoutRequest | None = None, caps=CAPS) -> RequestProblem:
    with pytest.raises(RequestProblem) as err:
        check_mount(mount, req or request(), caps)
    return err.value


@pytest.mark.parametrize("mount, existing, field, message", [
    (MountRequest("", 100), [], "mount point", "give one: a path such as /home, or swap or biosboot"),
    (MountRequest("home", 100), [], "mount point", "home must start with / (or be swap or biosboot)"),
    (MountRequest("/my home", 100), [], "mount point", "must not contain spaces, quotes or backslashes"),
    (MountRequest("/a/../b", 100), [], "mount point", "/a/../b must not contain . or .. parts"),
    (MountRequest("/etc", 100), [], "mount point", "/etc must stay on the / file system; leave it out"),
    (MountRequest("/proc/x", 100), [], "mount point", "/proc/x must stay on the / file system"),
    (MountRequest("/home/", 100), [MountRequest("/home", 500)], "mount point",
     "/home is already in the layout; edit that one instead"),
    (MountRequest("/srv", 100, device_type="zfs"), [], "device type",
     "zfs is not one of partition, lvm, lvm thin, raid, btrfs"),
    (MountRequest("biosboot", 1, device_type="lvm"), [], "device type", "biosboot must be a partition"),
    (MountRequest("/boot/efi", 600, device_type="raid", raid_level="1"), [], "device type",
     "/boot/efi must be a partition"),
    (MountRequest("swap", 100, device_type="btrfs"), [], "device type",
     "swap cannot live on btrfs; choose partition, lvm or raid"),
    (MountRequest("/data", 1000, "ntfs"), [], "file system",
     "ntfs cannot be made here; choose one of xfs, ext4, btrfs, vfat"),
    (MountRequest("swap", 1000, "ext4"), [], "file system",
     "the swap mount point holds swap; choose swap or leave the file system empty"),
    (MountRequest("/data", 1000, "swap"), [], "file system",
     "swap has no mount point: use the mount point swap instead of /data"),
    (MountRequest("/data", 1000, "biosboot"), [], "file system", "biosboot has no mount point"),
    (MountRequest("/data", 1000, "efi"), [], "file system", "efi is for /boot/efi only"),
    (MountRequest("/data", 1000, "ext4", "btrfs"), [], "file system",
     "a btrfs mount point holds btrfs; for ext4 choose device type partition, lvm or raid"),
    (MountRequest("/data", 1000, "btrfs"), [], "file system",
     "btrfs is made with device type btrfs; choose that device type"),
    (MountRequest("/data", 0), [], "size", "0 MiB is not a size; give a whole number of MiB above 0"),
    (MountRequest("/data", -5), [], "size", "-5 MiB is not a size"),
    (MountRequest("/data", "100"), [], "size", "100 MiB is not a size"),
    (MountRequest("/data", 100), [], "size", "xfs needs at least 300 MiB; 100 MiB is too small"),
    (MountRequest("/data", 1000, grow=True, max_size=500), [], "maximum size",
     "500 MiB is below the size 1000 MiB; raise it, or give 0 for no limit"),
    (MountRequest("/data", 1000, device_type="raid"), [], "RAID level",
     "choose one: raid0, raid1, raid4, raid5, raid6, raid10"),
    (MountRequest("/data", 1000, device_type="raid", raid_level="7"), [], "RAID level",
     "7 is not one of raid0, raid1, raid4, raid5, raid6, raid10"),
    (MountRequest("/data", 1000, device_type="raid", raid_level="raid5"), [], "RAID level",
     "raid5 needs at least 3 disks and 2 are selected: select more disks or choose another level"),
    (MountRequest("/data", 1000, device_type="btrfs", raid_level="raid10"), [], "RAID level",
     "raid10 needs at least 4 disks and 2 are selected"),
    (MountRequest("/data", 1000, device_type="btrfs", raid_level="dup"), [], "RAID level",
     "dup is not one of single, raid0, raid1, raid10"),
    (MountRequest("/data", 1000, device_type="lvm", raid_level="raid1"), [], "RAID level",
     "only raid and btrfs mount points have one; leave it empty for lvm"),
    (MountRequest("/home", 1000, device_type="btrfs", raid_level="raid0"),
     [MountRequest("/", 1000, "btrfs", "btrfs", raid_level="raid1", volume_group="system")], "RAID level",
     "btrfs volume system already uses raid1 (set by /); use the same level or another volume"),
    (MountRequest("/data", 1000, volume_group="data"), [], "volume group",
     "only lvm, lvm thin and btrfs mount points join one; leave it empty for partition"),
    (MountRequest("/data", 1000, device_type="lvm", volume_group="my vg"), [], "volume group",
     "'my vg' is not a usable name; use letters, digits and + _ . - (not starting with -), at most 127"),
    (MountRequest("/data", 1000, device_type="lvm", volume_group="-vg"), [], "volume group",
     "'-vg' is not a usable name"),
    (MountRequest("/srv", 1000, device_type="lvm", volume_group="data"),
     [MountRequest("/data", 1000, "btrfs", "btrfs", raid_level="single", volume_group="data")],
     "volume group", "data is already a btrfs volume (used by /data); choose another name"),
    (MountRequest("/data", 1000, encrypted=True), [], "encrypted", "set the encryption passphrase first"),
    (MountRequest("/home", 1000, device_type="lvm", volume_group="system"),
     [MountRequest("/", 1000, "xfs", "lvm", encrypted=True, volume_group="system")], "encrypted",
     "volume group system is encrypted as a whole, and / in it is encrypted: set both alike or put "
     "/home in another volume group"),
])
def test_each_field_problem_names_the_field(mount, existing, field, message):
    err = problem(mount, request(*existing))
    assert err.field == field
    assert err.message == f"{field}: {message}" or message in err.message, err.message


def test_boot_partitions_must_stay_unencrypted():
    for mount in (MountRequest("/boot", 1024, encrypted=True), MountRequest("biosboot", 1, encrypted=True)):
        err = problem(mount, request(passphrase="long enough"))
        assert err.field == "encrypted"
        assert f"{mount.mountpoint} must stay unencrypted: the boot loader reads it" in err.message


def test_unavailable_device_types_and_encryption_say_why():
    err = problem(MountRequest("/data", 1000, device_type="btrfs"), caps=NO_BTRFS)
    assert err.message == "device type: btrfs cannot be made here: libblockdev btrfs plugin (no module)"
    err = problem(MountRequest("/data", 1000, encrypted=True), request(passphrase="long enough"), NO_BTRFS)
    assert err.message == "encrypted: encryption cannot be made here: libblockdev crypto plugin"


def test_defaults_are_filled_in():
    req = request(passphrase="long enough")
    assert check_mount(MountRequest("/home/", 500), req, CAPS).mountpoint == "/home"
    assert check_mount(MountRequest("/srv", 500), req, CAPS).fstype == "xfs"
    assert check_mount(MountRequest("swap", 500), req, CAPS).fstype == "swap"
    assert check_mount(MountRequest("biosboot", 1), req, CAPS).fstype == "biosboot"
    assert check_mount(MountRequest("/boot/efi", 600), req, CAPS).fstype == "efi"
    lv = check_mount(MountRequest("/", 500, device_type="lvm thin"), req, CAPS)
    assert (lv.volume_group, lv.raid_level) == ("system", "")
    assert check_mount(MountRequest("/", 500, device_type="lvm"), req, CAPS, taken={"system"}).volume_group \
        == "system00"  # a volume group of that name is already on the disks
    md = check_mount(MountRequest("/", 500, device_type="raid", raid_level="RAID1"), req, CAPS)
    assert md.raid_level == "raid1"
    sub = check_mount(MountRequest("/", 500, device_type="btrfs"), req, CAPS)
    assert (sub.fstype, sub.raid_level, sub.volume_group) == ("btrfs", "single", "system")
    req.mounts.append(check_mount(MountRequest("/", 500, device_type="btrfs", raid_level="1"), req, CAPS))
    assert check_mount(MountRequest("/home", 500, device_type="btrfs"), req, CAPS).raid_level == "raid1"


def test_editing_a_mount_point_does_not_clash_with_itself():
    req = request(MountRequest("/home", 500), ROOT)
    edited = check_mount(MountRequest("/home", 900, "ext4"), req, CAPS, replacing="/home")
    assert (edited.size, edited.fstype) == (900, "ext4")
    with pytest.raises(RequestProblem, match="/ is already in the layout"):
        check_mount(MountRequest("/", 900), req, CAPS, replacing="/home")


@pytest.mark.parametrize("auto, passphrase, message", [
    (AutomaticLayout("zfs"), "", "scheme: zfs is not one of plain, lvm, thinp, btrfs"),
    (AutomaticLayout("plain", fstype="vfat"), "", "file system: vfat cannot hold / here; choose one of xfs, ext4"),
    (AutomaticLayout("lvm", fstype="btrfs"), "", "file system: for btrfs choose the btrfs scheme"),
    (AutomaticLayout("lvm", encrypted=True), "", "encrypted: set the encryption passphrase first"),
])
def test_automatic_layout_problems(auto, passphrase, message):
    with pytest.raises(RequestProblem) as err:
        check_automatic(auto, request(passphrase=passphrase), CAPS)
    assert err.value.message == message


def test_btrfs_scheme_needs_btrfs_here():
    with pytest.raises(RequestProblem, match="scheme: btrfs cannot be made here: libblockdev btrfs plugin"):
        check_automatic(AutomaticLayout("btrfs"), request(), NO_BTRFS)
    assert check_automatic(AutomaticLayout("btrfs"), request(), CAPS).scheme == "btrfs"


@pytest.mark.parametrize("names, message", [
    ([], "disks: select at least one disk to install to"),
    (["sdz"], "disks: there is no disk sdz (disks: sda, sdb, sdc)"),
    (["sda", "sdc"], "disks: sdc cannot be used: it holds the mounted filesystem / (/dev/sdc1)"),
    (["sda", "sda"], "disks: a disk is selected twice"),
])
def test_disk_selection_problems(names, message):
    with pytest.raises(RequestProblem) as err:
        check_disks(names, CAPS)
    assert err.value.message == message


@pytest.mark.parametrize("encryption, message", [
    (Encryption("long enough", "luks3"), "LUKS version: luks3 is not one of luks2, luks1"),
    (Encryption("short"), "passphrase: use at least 8 characters"),
])
def test_encryption_problems(encryption, message):
    with pytest.raises(RequestProblem) as err:
        check_encryption(encryption)
    assert err.value.message == message


def _disk(name: str, *parts: PartitionInfo, label: str = "gpt", free: str = "1 GiB") -> DiskInfo:
    return DiskInfo(name, f"/dev/{name}", Size("10 GiB"), "", "", "", "", Size(free), label, parts)


def test_a_whole_disk_filesystem_must_be_deleted_or_left_out():
    whole = PartitionInfo("sdb", Size("10 GiB"), "ext4", "old", True, False, Size("10 GiB"), "", True)
    disks = [_disk("sda"), _disk("sdb", whole, label="", free="0 B")]
    req = LayoutRequest(disks=["sda", "sdb"])
    with pytest.raises(RequestProblem) as err:
        check_reclaim(req, disks)
    assert err.value.message == "disks: sdb holds ext4 on the whole disk: delete it to make room, or leave sdb out"
    check_reclaim(LayoutRequest(disks=["sda"]), disks)
    deleted = LayoutRequest(disks=["sda", "sdb"], reclaim=Reclaim(delete=["sdb"]))
    check_reclaim(deleted, disks)
    assert room(deleted, disks) == Size("11 GiB")  # sda's free space and all of sdb
