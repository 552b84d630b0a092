"""Kickstart storage planned on in-memory blivet trees: disks are sparse image files
(blivet's DiskFile), nothing is written; the tests look at the planned devices and the
error messages."""
from __future__ import annotations

from pathlib import Path

import pytest
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.autopart import AutopartRequest, volumes
from storage.errors import StorageProblem
from storage.kickstart import apply_kickstart
from storage.plan import describe_actions, mountpoints
from storage.sizing import recommended_swap
from tests.unit.disk_images import sparse_session

GiB = Size("1 GiB")


@pytest.fixture
def disks(tmp_path):
    """Sparse files named like disks: sda 20 GiB, sdb 60 GiB, sdc 8 GiB."""
    def make(*sizes: str, platform: str = "bios", memory: str = "1 GiB"):
        return sparse_session(tmp_path, sizes, platform, memory)
    return make


def plan(session, text: str):
    handler = parse([("test.ks", text)], None, Reader()).handler
    apply_kickstart(session, handler)
    return {m: d for m, d in mountpoints(session).items()}


def layout(mounts) -> dict[str, str]:
    return {m: d.type for m, d in mounts.items()}


@pytest.mark.parametrize("scheme, root_type", [("plain", "partition"), ("lvm", "lvmlv"),
                                                ("thinp", "lvmthinlv")])
def test_autopart_schemes(disks, scheme, root_type):
    session = disks("20 GiB", "60 GiB")
    mounts = plan(session, f"clearpart --all --initlabel\nautopart --type={scheme}\n")
    assert layout(mounts)["/"] == root_type
    assert {"/", "/boot", "/home"} <= set(mounts)
    assert mounts["/boot"].type == "partition" and mounts["/boot"].size == GiB
    assert mounts["/"].size <= Size("70 GiB")
    swaps = [d for d in session.blivet.devices if d.format.type == "swap"]
    assert len(swaps) == 1 and swaps[0].size == recommended_swap(Size("1 GiB"))
    assert any(p.format.type == "biosboot" for p in session.blivet.partitions)


def test_autopart_options(disks):
    session = disks("20 GiB")
    mounts = plan(session, "zerombr\nclearpart --all\nautopart --type=lvm --nohome --noswap "
                           "--fstype=ext4\n")
    assert set(mounts) == {"/", "/boot"}
    assert mounts["/"].format.type == "ext4"
    assert not any(d.format.type == "swap" for d in session.blivet.devices)


def test_small_disk_gets_no_home(disks):
    mounts = plan(disks("20 GiB"), "clearpart --all\nautopart\n")
    assert "/home" not in mounts  # /home needs 50 GiB of room, as in Anaconda


def test_btrfs_autopart_has_home_on_a_small_disk(disks):
    # the host kernel has no btrfs, so blivet refuses to plan the volume: check the requests
    wanted = [v.mountpoint for v in volumes(disks("20 GiB"), AutopartRequest(scheme="btrfs"))]
    assert wanted == ["/", "/home", "swap"]  # a subvolume needs no room of its own (Anaconda)


def test_autopart_encrypted(disks):
    session = disks("20 GiB", "60 GiB")
    mounts = plan(session, "clearpart --all\nautopart --type=lvm --encrypted --passphrase=s3cret-luks "
                           "--luks-version=luks2\n")
    pvs = session.blivet.pvs
    assert pvs and all(pv.type == "luks/dm-crypt" for pv in pvs)
    assert all(pv.parents[0].format.luks_version == "luks2" for pv in pvs)
    assert mounts["/boot"].type == "partition"  # /boot stays readable by the boot loader


def test_encryption_without_passphrase_is_refused(disks):
    with pytest.raises(StorageProblem, match="--passphrase"):
        plan(disks("20 GiB"), "clearpart --all\nautopart --encrypted\n")


def test_uefi_gets_efi_system_partition(disks):
    mounts = plan(disks("20 GiB", platform="uefi"), "clearpart --all\nautopart --type=plain\n")
    assert mounts["/boot/efi"].format.type == "efi"
    assert not any(p.format.type == "biosboot" for p in mounts["/"].disk.children)


def test_ignoredisk_only_use(disks):
    session = disks("20 GiB", "60 GiB", "8 GiB")
    plan(session, "ignoredisk --only-use=sdb\nclearpart --all\nautopart\n")
    used = {d.name for dev in session.blivet.devices for d in dev.disks if not dev.exists}
    assert used == {"sdb"}


@pytest.mark.parametrize("text, message", [
    ("ignoredisk --only-use=sdz\nautopart\n", "ignoredisk --only-use: no disk sdz on this machine (disks: sda"),
    ("clearpart --all --drives=sdq\nautopart\n", "clearpart --drives: no disk sdq"),
    ("ignoredisk --only-use=sda\nclearpart --all --drives=sdb\nautopart\n",
     "clearpart --drives: disk sdb is not selected"),
    ("clearpart --all\npart / --size=100000 --ondisk=sda\npart biosboot --size=1 --ondisk=sda\n",
     "does not fit"),
    ("clearpart --all\npart /home --size=1000\npart biosboot --size=1\n", "no root filesystem"),
    ("clearpart --all\npart / --size=1000\npart / --size=2000\n", "mount point / is already used"),
    ("clearpart --all\npart / --size=1000 --ondisk=sdx\n", "--ondisk: no disk sdx"),
    ("clearpart --all\npart / --size=2000\n", "needs a biosboot partition"),
    ("clearpart --all\nreqpart\npart / --size=2000 --encrypted\n", "--passphrase"),
    ("clearpart --all\nreqpart\npart pv.01 --size=4000\nvolgroup vg pv.01 pv.02\nlogvol / --vgname=vg --name=root --size=1000\n",
     "no partition pv.02"),
    ("clearpart --all\nreqpart\npart pv.01 --size=4000\nvolgroup vg pv.01\n"
     "logvol / --vgname=vg --name=root --size=9000\n", "does not fit in volume group vg"),
    ("clearpart --all\nreqpart\npart / --size=1000\nlogvol /srv --vgname=nosuch --name=srv --size=100\n",
     "no volume group nosuch"),
    ("clearpart --all\nreqpart\npart pv.01 --size=4000\nvolgroup vg pv.01\n"
     "logvol none --vgname=vg --name=pool --thinpool --size=3000\n"
     "logvol / --vgname=vg --name=root --thin --poolname=pool --size=1000\n",
     "/ (there is no /boot) is on lvmthinlv"),
    ("clearpart --all\nreqpart\npart /boot --size=500 --encrypted --passphrase=xyzxyzxyz\n"
     "part / --size=2000\n", "/boot is encrypted"),
    ("", "no storage layout"),
])
def test_errors_before_anything_is_written(disks, text, message):
    with pytest.raises(StorageProblem) as err:
        plan(disks("20 GiB", "8 GiB"), text)
    assert message in err.value.message


def test_custom_layout_with_lvm_percent_and_grow(disks):
    session = disks("20 GiB", "60 GiB")
    mounts = plan(session, """clearpart --all --initlabel --disklabel=gpt
reqpart --add-boot
part pv.01 --size=1000 --grow --ondisk=sdb
part swap --recommended
volgroup data pv.01 --pesize=8192
logvol / --vgname=data --name=root --size=4000 --fstype=ext4
logvol /srv --vgname=data --name=srv --percent=50
logvol /var --vgname=data --name=var --size=1000 --grow --maxsize=5000
""")
    assert layout(mounts) == {"/": "lvmlv", "/srv": "lvmlv", "/var": "lvmlv", "/boot": "partition"}
    vg = session.blivet.devicetree.get_device_by_name("data")
    assert vg.pe_size == Size("8 MiB") and vg.parents[0].disk.name == "sdb"
    assert mounts["/"].format.type == "ext4"
    assert mounts["/var"].size == Size("5000 MiB")
    # --percent is of the space the other LVs leave at their base sizes (blivet, Anaconda)
    assert abs(mounts["/srv"].size - (vg.size - Size("5000 MiB")) / 2) <= 2 * vg.pe_size


def test_thin_logvols(disks):
    session = disks("60 GiB")
    mounts = plan(session, """clearpart --all
reqpart --add-boot
part pv.01 --size=1 --grow
volgroup vg pv.01
logvol none --vgname=vg --name=pool --thinpool --size=10000 --grow
logvol / --vgname=vg --name=root --thin --poolname=pool --size=8000
""")
    assert mounts["/"].type == "lvmthinlv"


def test_action_list_is_readable(disks):
    session = disks("20 GiB")
    plan(session, "clearpart --all\nautopart --type=lvm\n")
    lines = describe_actions(session)
    text = "\n".join(lines)
    assert "create device partition" in text and "create format xfs" in text
    assert "on /boot" in text and "lvmvg" in text
    assert lines == sorted(lines, key=lambda l: int(l.split(".")[0]))


def test_raid1_with_lvm_on_top(disks):
    session = disks("20 GiB", "20 GiB")
    mounts = plan(session, """clearpart --all
part biosboot --size=1 --ondisk=sda
part raid.01 --size=1024 --ondisk=sda
part raid.02 --size=1024 --ondisk=sdb
part raid.11 --size=4000 --grow --ondisk=sda
part raid.12 --size=4000 --grow --ondisk=sdb
raid /boot --level=1 --device=boot raid.01 raid.02 --fstype=ext4
raid pv.01 --level=RAID1 --device=pv raid.11 raid.12
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=2000 --grow
logvol swap --vgname=vg --name=swap --size=512
""")
    boot = mounts["/boot"]
    assert boot.type == "mdarray" and boot.level.name == "raid1" and boot.format.type == "ext4"
    vg = session.blivet.devicetree.get_device_by_name("vg")
    assert vg.parents[0].type == "mdarray" and {d.name for d in vg.parents[0].disks} == {"sda", "sdb"}


@pytest.mark.parametrize("text, message", [
    ("part raid.01 --size=1000\npart raid.02 --size=1000\nraid / --level=5 --device=md0 raid.01 raid.02\n",
     "RAID5 needs at least 3 active members, got 2"),
    ("part raid.01 --size=1000\nraid / --level=1 --device=md0 raid.01 raid.09\n", "no partition raid.09"),
    ("part raid.01 --size=1000\npart raid.02 --size=1000\npart raid.03 --size=1000\n"
     "raid /boot --level=5 --device=md0 raid.01 raid.02 raid.03\npart / --size=2000\n",
     "only RAID1 can hold /boot"),
    ("part btrfs.01 --size=4000\nbtrfs / --subvol --name=root nosuch\n", "no btrfs volume nosuch"),
    ("btrfs / --label=data btrfs.07\n", "no partition btrfs.07"),
])
def test_raid_and_btrfs_errors(disks, text, message):
    with pytest.raises(StorageProblem) as err:
        plan(disks("20 GiB", "20 GiB"), "clearpart --all\nreqpart\n" + text)
    assert message in err.value.message


def test_an_unused_selected_disk_is_not_touched(disks):
    """part --ondisk on sda and sdb only: the empty sdc gets no partition table."""
    session = disks("20 GiB", "20 GiB", "8 GiB")
    plan(session, "zerombr\nclearpart --all --initlabel --drives=sda,sdb\n"
                  "part biosboot --size=1 --ondisk=sda\npart / --size=4000 --ondisk=sda\n"
                  "part /srv --size=1000 --ondisk=sdb\n")
    touched = {a.device.name for a in session.blivet.devicetree.actions.find()} | \
        {d.name for a in session.blivet.devicetree.actions.find() for d in a.device.disks}
    assert "sdc" not in touched
