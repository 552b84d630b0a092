"""Reusing what is on the disk: partitions and an LVM volume group made by %pre (before
the installer scans), then kept with their data (--noformat: an existing /home whose
files survive, also shrunk with its filesystem by --resize), reformatted (--onpart,
logvol --useexisting) or extended with a new logical volume, next to new partitions in
the free space. The /home line is the one the destination spoke writes for "keep its
data, resize to 1200 MiB"."""
from __future__ import annotations

import pytest

from tests.vm.harness import Disk
from tests.vm.test_install import image, install, kickstart  # noqa: F401 (fixture)

pytestmark = pytest.mark.vm

PRE = """%pre
set -e
exec > /dev/ttyS0 2>&1
parted -s /dev/vda mklabel gpt mkpart oldboot 1MiB 513MiB mkpart data 513MiB 2561MiB mkpart pv 2561MiB 5633MiB
udevadm settle
mkfs.ext4 -q -L oldboot /dev/vda1
mkfs.ext4 -q -L data /dev/vda2
mkdir -p /run/pre && mount /dev/vda2 /run/pre && mkdir /run/pre/olduser && echo keep-me > /run/pre/olduser/keep.txt && umount /run/pre
pvcreate -ff -y /dev/vda3 >/dev/null && vgcreate old /dev/vda3 >/dev/null
lvcreate -y -L 800M -n data old >/dev/null && mkfs.ext4 -q /dev/old/data
mount /dev/old/data /run/pre && echo lv-keep > /run/pre/keep.txt && umount /run/pre
lvcreate -y -L 500M -n scratch old >/dev/null && mkfs.ext4 -q /dev/old/scratch
echo "PRE: existing layout made"
%end
"""

STORAGE = """ignoredisk --only-use=vda
clearpart --none
part /boot --onpart=vda1 --fstype=ext4 --label=newboot
part /home --noformat --onpart=vda2 --size=1200 --resize
part / --fstype=xfs --size=1500 --grow
volgroup old --useexisting
logvol /data --vgname=old --name=data --useexisting --noformat
logvol /var --vgname=old --name=scratch --useexisting --fstype=xfs
logvol swap --vgname=old --name=swap --size=256
"""

CHECKS = r"""%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: homedata=$(cat /mnt/sysroot/home/olduser/keep.txt)"
echo "RESULT: lvdata=$(cat /mnt/sysroot/data/keep.txt)"
echo "RESULT: homesize=$(( $(lsblk -bdno SIZE /dev/vda2) / 1048576 ))"
echo "RESULT: homefs=$(( $(df -B1M --output=size /mnt/sysroot/home | tail -1) ))"
echo "RESULT: var=$(findmnt -no FSTYPE /mnt/sysroot/var)"
echo "RESULT: bootlabel=$(blkid -o value -s LABEL /dev/vda1)"
echo "RESULT: lvs=$(lvs --noheadings -o lv_name old | tr -d ' ' | sort | tr '\n' ',')"
echo "RESULT: fstab=$(grep -cE ' /(home|data|var|boot) ' /mnt/sysroot/etc/fstab)"
%end
"""


def test_existing_home_and_volume_group_are_reused(image, tmp_path, vm_workdir):
    result = install(image, tmp_path, vm_workdir, PRE + kickstart(STORAGE) + CHECKS,
                     [Disk("target", "8G"), Disk("bystander", "1G", install_target=False)])
    values = result.values
    assert "PRE: existing layout made" in result.console_text, result.summary()
    assert result.succeeded, result.summary()
    assert values["homedata"] == "keep-me" and values["lvdata"] == "lv-keep", result.summary()
    assert values["homesize"] == "1200", result.summary()
    assert 1000 < int(values["homefs"]) <= 1200, result.summary()  # the filesystem shrank too
    assert values["var"] == "xfs" and values["bootlabel"] == "newboot", result.summary()
    assert values["lvs"] == "data,scratch,swap,", result.summary()
    assert values["swaps"] == "1" and values["root"] == "xfs" and values["fstab"] == "4", result.summary()
    assert result.untouched_disks_ok, result.disk_message
