"""The initrd keeps the shutdown environment compressed in /run (issue 7, "compress the
initrd after boot"); at `poweroff` stage2-init unpacks it into a tmpfs and pivots into
it, and from there the target's leftovers and stage2 itself are unmounted."""
from __future__ import annotations

import json
import re
import subprocess
from contextlib import contextmanager

import pytest

from tests.vm.harness import Disk
from tests.vm.test_install import failed, image, install  # noqa: F401  (image: a fixture)

pytestmark = pytest.mark.vm

# A %post that leaves the target busy behind the installer's back: an ext4 image file on
# the target's root, on a loop device, under a device-mapper device, mounted outside
# /mnt/sysroot. The installer's own unmount of /mnt/sysroot then can only be lazy: only
# the shutdown environment can unmount /mnt/leftover, remove the dm device and free the
# loop, after which the root filesystem is really unmounted and clean on the disk.
CHECKS = r"""
%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: archive=$(stat -c %s /run/initramfs/shutdown.cpio.xz)"
echo "RESULT: shrinklog=$(tr '\n' ' ' < /tmp/initrd-shrink.log)"
echo "RESULT: modpath=$(modinfo -n isofs)"
echo "RESULT: modprobe=$(modprobe -r isofs && modprobe isofs && grep -c ^isofs /proc/modules)"
echo "RESULT: rootpart=$(findmnt -no SOURCE /mnt/sysroot)"
truncate -s 16M /mnt/sysroot/leftover.img && mkfs.ext4 -q /mnt/sysroot/leftover.img
loop=$(losetup --find --show /mnt/sysroot/leftover.img)
dmsetup create leftover --table "0 $(blockdev --getsz $loop) linear $loop 0"
mkdir -p /mnt/leftover && mount /dev/mapper/leftover /mnt/leftover
echo "RESULT: leftover=$(findmnt -no SOURCE /mnt/leftover)"
echo "RESULT: SUCCESS"
%end
"""
KICKSTART = ("lang en_US.UTF-8\nrootpw --lock\nzerombr\nclearpart --all --initlabel\n"
             "part / --fstype=ext4 --size=1500\npart swap --size=128\nbootloader --location=none\n"
             "%packages --nocore\ntool-j\n%end\n" + CHECKS + "poweroff\n")


@contextmanager
def partition_copy(disk_image, number: int):
    """Partition `number` of the image copied out to a file (no loop device on the host)."""
    table = json.loads(subprocess.run(["sfdisk", "-J", str(disk_image)], capture_output=True,
                                      text=True, check=True).stdout)["partitiontable"]
    part = [p for p in table["partitions"] if p["node"].endswith(str(number))][0]
    copy = disk_image.with_suffix(f".p{number}")
    subprocess.run(["dd", f"if={disk_image}", f"of={copy}", "bs=1M", "conv=sparse", "status=none",
                    "iflag=skip_bytes,count_bytes", f"skip={part['start'] * 512}",
                    f"count={part['size'] * 512}"], check=True)
    try:
        yield copy
    finally:
        copy.unlink()


def partition_state(disk_image, number: int) -> str:
    """dumpe2fs -h of partition `number` of the image."""
    with partition_copy(disk_image, number) as copy:
        return subprocess.run(["dumpe2fs", "-h", str(copy)], capture_output=True, text=True).stdout


def test_poweroff_through_the_shutdown_environment(image, tmp_path, vm_workdir):
    target = Disk("target", "4G")
    result = install(image, tmp_path, vm_workdir, KICKSTART, [target])
    text, values = result.console_text, result.values
    assert result.succeeded, result.summary()
    assert "ANACONDA-EXIT: 0" in text, result.summary()

    # kept compressed in /run, and the saving logged (console and /tmp/initrd-shrink.log)
    saved = re.search(r"shutdown environment kept compressed: \S+ (\d+) bytes, (\d+) unpacked; "
                      r"(\d+) bytes saved", values["shrinklog"])
    assert saved, result.summary()
    packed, unpacked, diff = map(int, saved.groups())
    assert packed == int(values["archive"]) and diff == unpacked - packed > 0
    assert "anaconda-init: shutdown environment kept compressed" in text

    # the kernel modules stage2 keeps in its tmpfs layer are xz-compressed (as the initrd
    # holds them, loaded there by busybox's modprobe) and still load with stage2's kmod
    modules = re.search(r"kernel modules moved into stage2: (\d+) KiB \(xz-compressed\)",
                        values["shrinklog"])
    assert modules and int(modules.group(1)) < 12_000, result.summary()
    assert values["modpath"].endswith("/isofs.ko.xz"), result.summary()
    assert values["modprobe"] == "1", result.summary()

    # unpacked only at shutdown, then the leftover target mount and stage2 are unmounted
    assert "anaconda-lean: shutdown environment unpacked from" in text, result.summary()
    assert "anaconda-shutdown: in the shutdown environment" in text, result.summary()
    assert values["leftover"] == "/dev/mapper/leftover", result.summary()
    assert "anaconda-shutdown: unmounted /oldroot/mnt/leftover" in text, result.summary()
    assert re.search(r"anaconda-shutdown: device-mapper before: leftover ; after: \s*$", text, re.M), \
        result.summary()
    for stage2 in ("/oldroot", "/run/rootfs.ro", "/run/rootfs.rw"):
        assert re.search(f"anaconda-shutdown: unmounted {stage2}\\s*$", text, re.M), result.summary()
    assert "anaconda-shutdown: target and stage2 unmounted (nothing left" in text, result.summary()
    assert result.exit_state == "poweroff", result.summary()

    # the root filesystem, kept busy until the shutdown environment, was cleanly unmounted
    state = partition_state(target.image, int(values["rootpart"][len("/dev/vda"):]))
    assert re.search(r"^Filesystem state:\s+clean$", state, re.M), state
    assert "needs_recovery" not in state, state
