"""Kickstart installs that write disks, in a qemu guest booted from the PXE initrd, with
packages from the small test repository over http. `%post --nochroot` checks print
RESULT lines on the console; the harness checks that unselected disks are untouched."""
from __future__ import annotations

import hashlib
import re
import subprocess

import pytest

from image.boot.build import ensure_image
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.served import install_tree
from tests.vm.harness import Disk, HttpServer, IsoBoot, KernelBoot, progress_of, run_vm

pytestmark = pytest.mark.vm

CHECKS = r"""
%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: root=$(findmnt -no FSTYPE /mnt/sysroot)"
echo "RESULT: rootsource=$(findmnt -no SOURCE /mnt/sysroot)"
echo "RESULT: boot=$(findmnt -no FSTYPE /mnt/sysroot/boot)"
echo "RESULT: swaps=$(tail -n +2 /proc/swaps | grep -vc '^/dev/zram')"
echo "RESULT: vgs=$(vgs --noheadings -o vg_name 2>/dev/null | tr -d ' ' | tr '\n' ',')"
echo "RESULT: fstab=$(grep -c UUID= /mnt/sysroot/etc/fstab)"
echo "RESULT: toolj=$(test -e /mnt/sysroot/usr/bin/tool-j && echo yes)"
echo "RESULT: rpmdb=$(test -e /mnt/sysroot/var/lib/rpm/rpmdb.sqlite && echo yes)"
lsblk -rno NAME,TYPE,FSTYPE,MOUNTPOINT | sed 's/^/RESULT: lsblk /'
grep -q "Swap activated on" /tmp/storage.log && echo "RESULT: SUCCESS" || echo "RESULT: FAIL no swap activation in storage.log"
%end
"""


def kickstart(storage: str, packages: str = "%packages --nocore\ntool-j\n%end\n",
              bootloader: str = "bootloader --location=none\n") -> str:
    """The small repository has no kernel or boot loader: storage-only installs say so."""
    return "lang en_US.UTF-8\nrootpw --lock\n" + storage + bootloader + packages + CHECKS + "poweroff\n"


@pytest.fixture(scope="module")
def image():
    return ensure_image()


def failed(line: str) -> bool:
    """The installer exited non-zero. The harness also offers an unfinished console line,
    so "ANACONDA-EXIT: " may arrive before its code: only a code decides."""
    match = re.search(r"ANACONDA-EXIT: (\d+)", line)
    return match is not None and match.group(1) != "0"


def install(image, tmp_path, vm_workdir, ks_text: str, disks: list[Disk], memory: int = 1024,
            method: str = "pxe-initrd", extra: str = "", stop_on=failed):
    """Boot the image one of the three ways and install the kickstart.

    pxe-initrd: -kernel/-initrd with stage2 inside the initrd image set, kickstart over http;
    pxe-http: the plain initrd, stage2 fetched over http (copied to RAM);
    iso: the ISO through isolinux, stage2 found by its label, the kickstart on a disk
    labelled OEMDRV and the repository in the kickstart's url command.
    """
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    with HttpServer(www) as server:
        repo = server.url_for_guest("repo/")
        if method == "iso":
            oemdrv = vm_workdir / "oemdrv.img"
            ks_dir = tmp_path / "oemdrv"
            ks_dir.mkdir()
            (ks_dir / "ks.cfg").write_text(f"url --url={repo}\n" + ks_text)
            subprocess.run(["truncate", "-s", "16M", str(oemdrv)], check=True)
            subprocess.run(["mkfs.ext4", "-q", "-L", "OEMDRV", "-d", str(ks_dir), str(oemdrv)], check=True)
            boot = IsoBoot(image.iso)
            disks = disks + [Disk("oemdrv", "16M", install_target=False, image=oemdrv)]
        else:
            (www / "ks.cfg").write_text(ks_text)
            append = f"inst.ks={server.url_for_guest('ks.cfg')} inst.repo={repo} quiet {extra}"
            if method == "pxe-http":
                boot = KernelBoot(image.vmlinuz, image.initrd, f"inst.stage2={server.url_for_guest()} {append}")
            else:
                boot = KernelBoot(image.vmlinuz, image.pxe_initrd, append)
        return run_vm(boot, disks, workdir=vm_workdir, memory_mib=memory, timeout=900, stop_on=stop_on)


@pytest.mark.parametrize("method", ["pxe-initrd", "pxe-http", "iso"])
def test_autopart_lvm_install(image, tmp_path, vm_workdir, method):
    storage = "zerombr\nclearpart --all --initlabel\nignoredisk --only-use=vda\nautopart --type=lvm\n"
    disks = [Disk("target", "8G"), Disk("bystander", "1G", install_target=False)]
    result = install(image, tmp_path, vm_workdir, kickstart(storage), disks, method=method)
    values = result.values
    assert result.succeeded, result.summary()
    assert values["root"] == "xfs" and values["boot"] == "xfs", result.summary()
    assert "/dev/mapper/" in values["rootsource"]
    assert values["swaps"] == "1" and values["toolj"] == "yes" and values["rpmdb"] == "yes"
    assert values["vgs"].strip(",")
    assert int(values["fstab"]) >= 2
    assert "ANACONDA-EXIT: 0" in result.console_text
    assert result.exit_state == "poweroff", result.summary()
    assert result.untouched_disks_ok, result.disk_message
    # what `make demo` shows: each step with its percentage on the console
    steps = {line.split("] ", 1)[1].split(":", 1)[0]
             for line in map(progress_of, result.console_text.splitlines()) if line}
    assert {"Writing the storage layout", "Installing packages", "Running %post scripts"} <= steps


def test_nokill_keeps_the_system_up(image, tmp_path, vm_workdir):
    storage = "zerombr\nclearpart --all --initlabel\nautopart --type=plain --noswap --nohome\n"
    result = install(image, tmp_path, vm_workdir, kickstart(storage), [Disk("target", "4G")],
                     extra="inst.nokill", stop_on=lambda line: "a shell follows" in line or failed(line))
    assert "ANACONDA-EXIT: 0" in result.console_text, result.summary()
    assert "inst.nokill keeps the system up" in result.console_text
    assert result.exit_state == "stopped", result.summary()  # still running: the test stopped it


def test_raid1_with_lvm_on_two_disks(image, tmp_path, vm_workdir):
    storage = """zerombr
clearpart --all --initlabel --drives=vda,vdb
part biosboot --size=1 --ondisk=vda
part raid.01 --size=512 --ondisk=vda
part raid.02 --size=512 --ondisk=vdb
part raid.11 --size=2000 --grow --ondisk=vda
part raid.12 --size=2000 --grow --ondisk=vdb
raid /boot --level=1 --device=boot raid.01 raid.02 --fstype=ext4
raid pv.01 --level=1 --device=pv raid.11 raid.12
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=1500 --grow
logvol swap --vgname=vg --name=swap --size=256
"""
    checks = ('%post --nochroot\nexec > /dev/ttyS0 2>&1\n'
              'echo "RESULT: level=$(mdadm --detail /dev/md/pv | sed -n \'s/ *Raid Level : //p\')"\n'
              'echo "RESULT: mdconf=$(grep -c ^ARRAY /mnt/sysroot/etc/mdadm/mdadm.conf)"\n%end\n')
    disks = [Disk("a", "4G"), Disk("b", "4G"), Disk("bystander", "1G", install_target=False)]
    result = install(image, tmp_path, vm_workdir, kickstart(storage) + checks, disks)
    values = result.values
    assert result.succeeded, result.summary()
    assert values["boot"] == "ext4" and "/dev/mapper/vg-root" == values["rootsource"], result.summary()
    assert values["level"] == "raid1" and values["mdconf"] == "2", result.summary()
    assert result.untouched_disks_ok, result.disk_message


def test_btrfs_volume_with_subvolumes(image, tmp_path, vm_workdir):
    storage = """zerombr
clearpart --all --initlabel
reqpart --add-boot
part swap --size=256
part btrfs.01 --size=2000 --grow
btrfs none --label=system btrfs.01
btrfs / --subvol --name=root system
btrfs /home --subvol --name=home system
"""
    checks = ('%post --nochroot\nexec > /dev/ttyS0 2>&1\n'
              'echo "RESULT: subvols=$(btrfs subvolume list /mnt/sysroot | awk \'{print $NF}\' | sort | tr \'\\n\' \',\')"\n'
              'echo "RESULT: home=$(findmnt -no FSTYPE /mnt/sysroot/home)"\n%end\n')
    result = install(image, tmp_path, vm_workdir, kickstart(storage) + checks, [Disk("target", "6G")])
    values = result.values
    assert result.succeeded, result.summary()
    assert values["root"] == "btrfs" and values["home"] == "btrfs", result.summary()
    assert values["subvols"] == "home,root,", result.summary()


def _disk_with_data(path, label: str, fs: str, end_mib: int, text: str) -> str:
    """A 4 GiB image: GPT with partition 1 (1 MiB..end) holding a filesystem with
    hello.txt, the rest free. Built from files only: the filesystem is made in its own
    image and copied in at the partition's offset. Returns the partition's sha256."""
    subprocess.run(["truncate", "-s", "4G", str(path)], check=True)
    subprocess.run(["parted", "-s", str(path), "mklabel", "gpt", "mkpart", label, "1MiB", f"{end_mib}MiB"],
                   check=True)
    part = path.with_suffix(".part.img")
    size = (end_mib - 1) * 1024 * 1024
    if fs == "vfat":
        subprocess.run(["mkfs.vfat", "-C", "-n", label.upper()[:11], str(part), str(size // 1024)],
                       check=True, capture_output=True)
        note = path.with_suffix(".txt")
        note.write_text(text)
        subprocess.run(["mcopy", "-i", str(part), str(note), "::hello.txt"], check=True)
    else:
        staging = path.with_suffix(".d")
        staging.mkdir()
        (staging / "hello.txt").write_text(text)
        subprocess.run(["truncate", "-s", str(size), str(part)], check=True)
        subprocess.run(["mkfs.ext4", "-q", "-L", label, "-d", str(staging), str(part)], check=True)
    subprocess.run(["dd", f"if={part}", f"of={path}", "bs=1M", "seek=1", "conv=notrunc", "status=none"],
                   check=True)
    digest = hashlib.sha256(part.read_bytes()).hexdigest()
    part.unlink()
    return digest


DATA_CHECK = ('%post --nochroot\nexec > /dev/ttyS0 2>&1\n'
              'echo "RESULT: p1sum=$(sha256sum /dev/vda1 | cut -d" " -f1)"\n'
              'echo "RESULT: p1label=$(blkid -o value -s LABEL /dev/vda1)"\n'
              'echo "RESULT: parts=$(lsblk -rno NAME /dev/vda | grep -c vda[0-9])"\n%end\n')


@pytest.mark.parametrize("fs, clearpart", [("vfat", "clearpart --linux"), ("ext4", "clearpart --none")])
def test_existing_partition_and_its_data_are_kept(image, tmp_path, vm_workdir, fs, clearpart):
    """clearpart --linux keeps a non-Linux partition; clearpart --none keeps everything and
    installs into the free space. Either way the old partition's file is still there."""
    disk_image = vm_workdir / "target.img"
    digest = _disk_with_data(disk_image, "keepme", fs, 513, f"kept by {clearpart}")
    storage = f"{clearpart}\nautopart --type=lvm --nohome\n"
    result = install(image, tmp_path, vm_workdir, kickstart(storage) + DATA_CHECK,
                     [Disk("target", "4G", image=disk_image)])
    values = result.values
    assert result.succeeded, result.summary()
    assert values["p1sum"] == digest, "the kept partition's bytes changed"
    assert values["p1label"].lower() == "keepme", result.summary()
    assert values["root"] == "xfs" and int(values["parts"]) >= 4, result.summary()


def test_encrypted_lvm_luks2(image, tmp_path, vm_workdir):
    storage = ("zerombr\nclearpart --all --initlabel\n"
               "autopart --type=lvm --encrypted --passphrase=vm-test-passphrase --luks-version=luks2\n")
    checks = ('%post --nochroot\nexec > /dev/ttyS0 2>&1\n'
              'pv=$(pvs --noheadings -o pv_name | tr -d " ")\n'
              'echo "RESULT: pv=$pv"\n'
              'echo "RESULT: luks=$(cryptsetup status $(basename $pv) | sed -n "s/ *type: *//p")"\n'
              'echo "RESULT: crypttab=$(grep -c luks /mnt/sysroot/etc/crypttab)"\n%end\n')
    result = install(image, tmp_path, vm_workdir, kickstart(storage) + checks, [Disk("target", "6G")])
    values = result.values
    assert result.succeeded, result.summary()
    assert values["pv"].startswith("/dev/mapper/luks-"), result.summary()
    assert values["luks"] == "LUKS2" and values["crypttab"] == "1", result.summary()
    assert "vm-test-passphrase" not in result.console_text
