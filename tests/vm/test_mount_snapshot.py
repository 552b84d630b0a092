"""Kickstart `mount` (existing partitions made by %pre given mount points: one kept with
its data, others reformatted) and `snapshot` (an LVM thin snapshot of an existing thin
volume before the install writes, and of the installed root after it), in a guest."""
from __future__ import annotations

import pytest

from tests.vm.harness import Disk, progress_of
from tests.vm.test_install import image, install, kickstart  # noqa: F401 (fixture)

pytestmark = pytest.mark.vm

MOUNT_PRE = """%pre
set -e
exec > /dev/ttyS0 2>&1
parted -s /dev/vda mklabel gpt mkpart data 1MiB 1025MiB mkpart old 1025MiB 1537MiB mkpart rootp 1537MiB 5633MiB mkpart swp 5633MiB 6145MiB
udevadm settle
mkfs.ext4 -q -L data /dev/vda1
mkfs.ext4 -q -L oldboot /dev/vda2
mkdir -p /run/pre && mount /dev/vda1 /run/pre && echo keep-me > /run/pre/keep.txt && umount /run/pre
echo "PRE: partitions made"
%end
"""

MOUNT_STORAGE = """ignoredisk --only-use=vda
mount LABEL=data /srv --mountoptions=noatime,nodev
mount /dev/vda2 /boot --reformat --mkfsoptions="-L newboot"
mount PARTLABEL=rootp / --reformat=xfs
mount /dev/vda4 none --reformat=swap
"""

MOUNT_CHECKS = r"""%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: srvdata=$(cat /mnt/sysroot/srv/keep.txt)"
echo "RESULT: srvopts=$(awk '$2 == "/srv" {print $4}' /mnt/sysroot/etc/fstab)"
echo "RESULT: bootfs=$(findmnt -no FSTYPE /mnt/sysroot/boot)"
echo "RESULT: bootlabel=$(blkid -o value -s LABEL /dev/vda2)"
echo "RESULT: parts=$(lsblk -rno NAME /dev/vda | tr '\n' ',')"
%end
"""


def test_mount_keeps_one_partition_and_reformats_the_others(image, tmp_path, vm_workdir):
    result = install(image, tmp_path, vm_workdir, MOUNT_PRE + kickstart(MOUNT_STORAGE) + MOUNT_CHECKS,
                     [Disk("target", "8G"), Disk("bystander", "1G", install_target=False)])
    values = result.values
    assert "PRE: partitions made" in result.console_text, result.summary()
    assert result.succeeded, result.summary()
    assert values["srvdata"] == "keep-me" and values["srvopts"] == "noatime,nodev", result.summary()
    assert values["root"] == "xfs" and values["bootfs"] == "ext4", result.summary()
    assert values["bootlabel"] == "newboot" and values["swaps"] == "1", result.summary()
    assert values["parts"] == "vda,vda1,vda2,vda3,vda4,", result.summary()  # no partition added
    assert result.untouched_disks_ok, result.disk_message


SNAP_PRE = """%pre
set -e
exec > /dev/ttyS0 2>&1
parted -s /dev/vda mklabel gpt mkpart oldpv 1MiB 2049MiB
udevadm settle
pvcreate -ff -y /dev/vda1 >/dev/null && vgcreate old /dev/vda1 >/dev/null
lvcreate -y -L 1G --thinpool pool old >/dev/null
lvcreate -y -V 512M -T old/pool -n data >/dev/null && mkfs.ext4 -q /dev/old/data
mkdir -p /run/pre && mount /dev/old/data /run/pre && echo before-install > /run/pre/state.txt && umount /run/pre
echo "PRE: thin volume made"
%end
"""

SNAP_STORAGE = """ignoredisk --only-use=vda
clearpart --none
autopart --type=thinp --nohome
snapshot old/data --name=before --when=pre-install
snapshot system/root --name=post --when=post-install
"""

SNAP_CHECKS = r"""%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: oldlvs=$(lvs --noheadings -o lv_name,origin old | awk '{print $1 ":" $2}' | sort | tr '\n' ',')"
echo "RESULT: systemlvs=$(lvs --noheadings -o lv_name,origin system | awk '{print $1 ":" $2}' | sort | tr '\n' ',')"
lvchange -ay -K system/post && udevadm settle
echo "RESULT: rootuuid=$(blkid -o value -s UUID /dev/mapper/system-root)"
echo "RESULT: postuuid=$(blkid -o value -s UUID /dev/mapper/system-post)"
echo "RESULT: postfs=$(blkid -o value -s TYPE /dev/mapper/system-post)"
lvchange -an system/post
%end
"""


def test_thin_snapshots_before_and_after_the_install(image, tmp_path, vm_workdir):
    result = install(image, tmp_path, vm_workdir, SNAP_PRE + kickstart(SNAP_STORAGE) + SNAP_CHECKS,
                     [Disk("target", "8G")])
    values = result.values
    assert "PRE: thin volume made" in result.console_text, result.summary()
    assert result.succeeded, result.summary()
    assert values["oldlvs"] == "before:data,data:,pool:,", result.summary()
    assert "post:root," in values["systemlvs"] and "root:," in values["systemlvs"], result.summary()
    assert values["postfs"] == "xfs" and values["rootuuid"], result.summary()
    assert values["postuuid"] != values["rootuuid"], result.summary()  # a new XFS UUID, as Anaconda
    steps = {line.split("] ", 1)[1].split(":", 1)[0]
             for line in map(progress_of, result.console_text.splitlines()) if line}
    assert {"Creating pre-install snapshots", "Creating post-install snapshots"} <= steps, steps
