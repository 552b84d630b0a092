"""Tests of the QEMU harness itself, with a tiny guest built here: Debian's kernel and a
busybox initrd whose /init reports on the console and powers off (about 5 s under TCG).

The guest's behaviour is chosen on its kernel command line (`harness.mode=`,
`harness.port=`), so one cached initrd serves every case.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.vm.harness import (Disk, DiskBoot, HttpServer, IsoBoot, KernelBoot, disk_digest,
                              parse_results, qemu_command, run_vm)

pytestmark = pytest.mark.vm

CACHE = Path(os.environ.get("ANACONDA_CACHE") or "/var/cache/anaconda-lean")
BUSYBOX = Path("/bin/busybox")  # Debian's busybox is static on this host
# virtio_pci first (it finds the devices), then the device drivers; modprobe pulls in
# virtio, virtio_ring, virtio_pci_{modern,legacy}_dev, net_failover, failover and scsi_mod.
MODULES = ["virtio_pci", "virtio_blk", "virtio_net", "virtio_rng", "virtio_scsi", "sd_mod"]
MARKER = "harness-test-marker"

INIT = r"""#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# keep kernel messages from splitting our RESULT lines on the serial console
echo 1 > /proc/sys/kernel/printk
modprobe -a @MODULES@ || echo "RESULT: FAIL modprobe"
mode=normal port= want=0
for arg in $(cat /proc/cmdline); do
    case $arg in
        harness.mode=*) mode=${arg#*=} ;;
        harness.port=*) port=${arg#*=} ;;
        harness.disks=*) want=${arg#*=} ;;
    esac
done
case $mode in
    hang) echo "harness-test: hanging"; while :; do sleep 3600; done ;;
    prompt) printf 'harness-test# '; while :; do sleep 3600; done ;;
    panic) echo "harness-test: init exits"; exit 1 ;;
esac
i=0; while [ ! -e /sys/block/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
# scsi disks are probed asynchronously: harness.disks=N waits for N vdX/sdX disks
i=0; while [ "$(ls /sys/block | grep -cE '^(vd|sd)')" -lt "$want" ] && [ $i -lt 300 ]; do
    sleep 0.1; i=$((i+1))
done
echo "RESULT: disks=$(ls /sys/block | grep -E '^(vd|sd)' | sort | tr '\n' ' ' | sed 's/ $//')"
[ -f /etc/harness-extra ] && echo "RESULT: extra=$(cat /etc/harness-extra)"
# /dev/vda INSIDE THE GUEST is the guest's first virtio disk, i.e. an image file the
# harness created -- never a host device.
printf '@MARKER@\n' | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null
sync
if [ -n "$port" ]; then
    ip link set lo up
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    ip route add default via 10.0.2.2
    # not `wget -T`: Debian 12's static busybox 1.35 wget segfaults with -T
    if content=$(timeout 20 wget -q -O - "http://10.0.2.2:$port/hello.txt"); then
        echo "RESULT: http=$content"
    else
        echo "RESULT: FAIL wget http://10.0.2.2:$port/hello.txt"
    fi
fi
echo "RESULT: SUCCESS"
poweroff -f
""".replace("@MODULES@", " ".join(MODULES)).replace("@MARKER@", MARKER)

ISOLINUX_CFG = """PROMPT 0
TIMEOUT 1
SERIAL 0 115200
DEFAULT harness
LABEL harness
  KERNEL /vmlinuz
  APPEND initrd=/initrd.img console=ttyS0,115200 quiet
"""


@dataclass
class Guest:
    kernel: Path
    initrd: Path
    extra_initrd: Path  # a second cpio that adds /etc/harness-extra (tests concatenation)
    iso: Path | None
    module_order: list[str]  # modules in the initrd, dependencies first


def _kernel_deb(tmp: Path) -> Path:
    debs = sorted((CACHE / "debs").glob("linux-image-6*.deb"))
    if debs:
        return debs[-1]
    depends = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True,
                             text=True, check=True).stdout
    package = re.search(r"Depends: (linux-image-\S+)", depends).group(1)
    subprocess.run(["apt-get", "download", "-qq", package], cwd=tmp, check=True)
    return next(tmp.glob("linux-image-*.deb"))


def _cpio(tree: Path, out: Path) -> None:
    # uncompressed: decompression is slow under TCG and the archive is a few MB
    with open(out, "wb") as f:
        files = subprocess.run("find . | sort", shell=True, cwd=tree, capture_output=True,
                               check=True).stdout
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=tree,
                       input=files, stdout=f, check=True)


def _build_guest(dest: Path, deb: Path) -> None:
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmpdir:
        tmp = Path(tmpdir)
        unpacked = tmp / "deb"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        (moddir,) = (unpacked / "lib/modules").iterdir()
        version = moddir.name
        subprocess.run(["depmod", "-b", str(unpacked), version], check=True)  # deb ships none
        deps = {}
        for line in (moddir / "modules.dep").read_text().splitlines():
            path, _, rest = line.partition(":")
            deps[Path(path).name.split(".ko")[0].replace("-", "_")] = (path, rest.split())
        by_path = {path: name for name, (path, _) in deps.items()}
        order: list[str] = []

        def visit(name: str) -> None:
            path, needs = deps[name]
            for need in reversed(needs):
                visit(by_path[need])
            if name not in order:
                order.append(name)

        for name in MODULES:
            visit(name)
        tree = tmp / "tree"
        for d in ("bin", "dev", "proc", "sys", "etc", "tmp"):
            (tree / d).mkdir(parents=True)
        shutil.copy2(BUSYBOX, tree / "bin/busybox")
        (tree / "init").write_text(INIT)
        (tree / "init").chmod(0o755)
        target = tree / "lib/modules" / version
        for name in order:
            rel = deps[name][0]
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(moddir / rel, target / rel)
        for meta in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
            shutil.copy2(moddir / meta, target / meta)
        subprocess.run(["depmod", "-b", str(tree), version], check=True)
        out = tmp / "out"
        out.mkdir()
        shutil.copy2(unpacked / f"boot/vmlinuz-{version}", out / "vmlinuz")
        _cpio(tree, out / "initrd.img")
        extra = tmp / "extra"
        (extra / "etc").mkdir(parents=True)
        (extra / "etc/harness-extra").write_text("layered\n")
        _cpio(extra, out / "extra.img")
        (out / "module-order.txt").write_text("\n".join(order) + "\n")
        isolinux = Path("/usr/lib/ISOLINUX/isolinux.bin")
        ldlinux = Path("/usr/lib/syslinux/modules/bios/ldlinux.c32")
        if isolinux.exists() and ldlinux.exists() and shutil.which("xorriso"):
            iso_tree = tmp / "iso"
            (iso_tree / "isolinux").mkdir(parents=True)
            shutil.copy2(isolinux, iso_tree / "isolinux")
            shutil.copy2(ldlinux, iso_tree / "isolinux")
            (iso_tree / "isolinux/isolinux.cfg").write_text(ISOLINUX_CFG)
            shutil.copy2(out / "vmlinuz", iso_tree / "vmlinuz")
            shutil.copy2(out / "initrd.img", iso_tree / "initrd.img")
            subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-o", str(out / "boot.iso"),
                            "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                            "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                            "-V", "HARNESS", str(iso_tree)], check=True, capture_output=True)
        os.rename(out, dest)


@pytest.fixture(scope="session")
def guest() -> Guest:
    if not shutil.which("qemu-system-x86_64"):
        pytest.skip("qemu-system-x86_64 not installed")
    base = CACHE / "harness-test"
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        deb = _kernel_deb(Path(tmp))
        key = hashlib.sha256(b"\0".join([deb.name.encode(), BUSYBOX.read_bytes(),
                                         INIT.encode(), ISOLINUX_CFG.encode(),
                                         " ".join(MODULES).encode(),
                                         inspect.getsource(_build_guest).encode(),
                                         inspect.getsource(_cpio).encode()])).hexdigest()[:16]
        dest = base / key
        if not dest.is_dir():
            for stale in base.iterdir():  # one cached guest is enough
                if not stale.name.startswith("tmp"):  # a concurrent build's scratch
                    shutil.rmtree(stale, ignore_errors=True)
            _build_guest(dest, deb)
    iso = dest / "boot.iso"
    return Guest(dest / "vmlinuz", dest / "initrd.img", dest / "extra.img",
                 iso if iso.exists() else None,
                 (dest / "module-order.txt").read_text().split())


@pytest.fixture
def www(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    (root / "hello.txt").write_text("hello-from-host\n")
    with HttpServer(root) as server:
        yield server


def _qemu_alive(pid: int) -> bool:
    try:
        return "qemu" in Path(f"/proc/{pid}/cmdline").read_text()
    except FileNotFoundError:
        return False


# ----------------------------------------------------------------- no guest needed

def test_parse_results_is_robust():
    console = ("\x1b[0m[    1.234] random: crng init done\r\n"
               "garbage\x1b[1;32mRESULT: disks=vda vdb\x1b[0m\r\n"
               "[    2.0] virtio_net virtio1 eth0: renamed RESULT: rootfs=xfs  \r\n"
               "\rRESULT: FAIL could not mount /boot\r\n"
               "RESULT: SUCCESS\n"
               "RESULT: just a note\n"
               "RESULT: disks=vdc\n")
    results = parse_results(console)
    kinds = [r.kind for r in results]
    assert kinds == ["value", "value", "fail", "success", "note", "value"]
    assert results[0].value == "vda vdb" and results[1].key == "rootfs"
    assert results[1].value == "xfs"
    assert results[2].text == "could not mount /boot"


def test_disk_digest_is_about_content(scratch_dir):
    sparse = scratch_dir / "a.img"
    sparse.write_bytes(b"")
    os.truncate(sparse, 64 << 20)
    zeros = scratch_dir / "b.img"
    zeros.write_bytes(bytes(64 << 20))  # fully allocated, same content
    assert disk_digest(sparse) == disk_digest(zeros)
    with open(sparse, "r+b") as f:
        f.seek(40 << 20)
        f.write(b"x")
    assert disk_digest(sparse) != disk_digest(zeros)


def test_disk_refuses_block_devices(scratch_dir):
    with pytest.raises(ValueError, match="not a regular file"):
        Disk("root", image=Path("/dev/null")).ensure(scratch_dir)
    with pytest.raises(ValueError):
        Disk("a name with spaces")


def test_disk_boot_and_uefi_command(scratch_dir):
    disks = [Disk("other", "16M", install_target=False), Disk("target", "16M")]
    for d in disks:
        d.ensure(scratch_dir)
    argv = qemu_command(DiskBoot(firmware="uefi"), disks, run_dir=scratch_dir)
    assert "virtio-blk-pci,drive=disk1,serial=target,bootindex=0" in argv
    assert "virtio-blk-pci,drive=disk0,serial=other" in argv
    assert any("OVMF_CODE.fd" in a and "readonly=on" in a for a in argv)
    assert (scratch_dir / "OVMF_VARS.fd").exists()
    assert argv[argv.index("-accel") + 1] == "tcg"
    assert not any("scsi" in a for a in argv)  # no controller unless a disk asks for one


def test_scsi_disks_share_one_controller(scratch_dir):
    disks = [Disk("v", "16M"), Disk("s0", "16M", bus="scsi"), Disk("s1", "16M", bus="scsi")]
    for d in disks:
        d.ensure(scratch_dir)
    argv = qemu_command(DiskBoot(disk="s1"), disks, run_dir=scratch_dir)
    devices = [argv[i + 1] for i, a in enumerate(argv) if a == "-device"]
    assert devices.count("virtio-scsi-pci,id=scsi0") == 1
    assert "virtio-blk-pci,drive=disk0,serial=v" in devices
    assert "scsi-hd,drive=disk1,bus=scsi0.0,channel=0,scsi-id=0,lun=0,serial=s0" in devices
    assert ("scsi-hd,drive=disk2,bus=scsi0.0,channel=0,scsi-id=1,lun=0,serial=s1,bootindex=0"
            in devices)
    assert disks[1].by_id == "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_s0"
    with pytest.raises(ValueError, match="bus"):
        Disk("x", bus="ide")  # type: ignore[arg-type]


# ----------------------------------------------------------------- booting the guest

def test_boot_to_poweroff(guest, www, vm_workdir):
    """The whole happy path: results, http to the host, layered initrd, disks checked."""
    other = vm_workdir / "other.img"
    with open(other, "wb") as f:  # an "existing OS" disk with data on it
        f.truncate(64 << 20)
        f.seek(1 << 20)
        f.write(os.urandom(256 << 10))
    disks = [Disk("target", "64M"), Disk("other", "64M", install_target=False, image=other)]
    boot = KernelBoot(guest.kernel, [guest.initrd, guest.extra_initrd],
                      f"quiet harness.port={www.port}")
    result = run_vm(boot, disks, workdir=vm_workdir, memory_mib=256, timeout=120)
    print(f"\nboot-to-poweroff wall time: {result.wall_seconds:.1f} s; "
          f"module order: {' '.join(guest.module_order)}", file=sys.stderr)
    assert result.exit_state == "poweroff", result.summary()
    assert result.succeeded, result.summary()
    assert result.values == {"disks": "vda vdb", "extra": "layered",
                             "http": "hello-from-host"}, result.summary()
    assert result.untouched_disks_ok and result.changed_disks == [], result.summary()
    assert ("GET", "/hello.txt", 200) in www.requests
    assert MARKER.encode() in (vm_workdir / "disk-target.img").read_bytes()[:8192]
    assert result.console_log.read_text(errors="replace").count("RESULT:") == 4
    assert not _qemu_alive(result.qemu_pid)


def test_many_scsi_disks(guest, vm_workdir):
    """More disks than q35 has PCI slots for virtio-blk: 32 scsi-hd on one virtio-scsi
    controller (the 32-disk scan figure in bench/storage.py needs this), all left alone."""
    disks = [Disk("target", "16M")] + [Disk(f"s{i}", "16M", install_target=False, bus="scsi")
                                       for i in range(32)]
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet harness.disks=33"), disks,
                    workdir=vm_workdir, memory_mib=256, timeout=120, network=False)
    assert result.exit_state == "poweroff", result.summary()
    names = result.values.get("disks", "").split()
    assert sorted(names) == sorted(["vda"] + [f"sd{chr(97 + i)}" for i in range(26)]
                                   + [f"sda{chr(97 + i)}" for i in range(6)]), result.summary()
    assert result.untouched_disks_ok, result.summary()


def test_changed_disk_is_reported(guest, vm_workdir):
    """The untouched check really fails: the guest writes to the first disk."""
    disks = [Disk("first", "32M", install_target=False),
             Disk("second", "32M", install_target=False)]
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet"), disks,
                    workdir=vm_workdir, memory_mib=256, timeout=120, network=False)
    assert result.exit_state == "poweroff", result.summary()
    assert not result.untouched_disks_ok
    assert result.changed_disks == ["first"]
    assert "first" in result.disk_message


def test_timeout_kills_qemu(guest, vm_workdir, capsys):
    started = time.monotonic()
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet harness.mode=hang"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=10,
                    network=False, name="hang", progress_every=4)
    assert result.exit_state == "timeout" and result.timed_out, result.summary()
    assert time.monotonic() - started < 30
    assert not _qemu_alive(result.qemu_pid)
    assert "harness-test: hanging" in result.console_text, result.summary()
    assert not result.succeeded
    progress = capsys.readouterr().err
    assert re.search(r"^hang: \d+ s, console: ", progress, re.M), progress
    assert "harness-test: hanging" in progress  # the last console line is shown


def test_stop_on_prompt(guest, vm_workdir):
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet harness.mode=prompt"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=120,
                    network=False, stop_on=lambda line: line.startswith("harness-test# "))
    assert result.exit_state == "stopped", result.summary()
    assert result.wall_seconds < 60
    assert not _qemu_alive(result.qemu_pid)


def test_qemu_killed_from_outside_is_a_crash(guest, vm_workdir):
    """qemu exits 0 on SIGTERM; a kill the harness did not send must not look like success."""
    def kill_at_prompt(line: str) -> bool:
        if line.startswith("harness-test# "):
            os.kill(int((vm_workdir / "qemu.pid").read_text()), signal.SIGTERM)  # our own qemu
        return False

    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet harness.mode=prompt"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=60,
                    network=False, stop_on=kill_at_prompt)
    assert result.exit_state == "crash", result.summary()
    assert "did not send" in result.qemu_stderr


def test_kernel_panic_is_a_crash(guest, vm_workdir):
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet harness.mode=panic"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=120,
                    network=False)
    assert result.exit_state == "crash", result.summary()
    assert result.wall_seconds < 60
    assert "Kernel panic" in result.console_text


def test_iso_boot_with_extra_arguments(guest, www, vm_workdir):
    """Firmware + isolinux from a cdrom; append_extra reaches the kernel via a remaster."""
    if guest.iso is None:
        pytest.skip("isolinux or xorriso missing")
    result = run_vm(IsoBoot(guest.iso, append_extra=f"harness.port={www.port}"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=120)
    assert result.exit_state == "poweroff", result.summary()
    assert result.values.get("http") == "hello-from-host", result.summary()
    assert result.succeeded, result.summary()


def test_uefi_kernel_boot(guest, vm_workdir):
    """OVMF from Debian's `ovmf` with a per-run copy of the variable store."""
    result = run_vm(KernelBoot(guest.kernel, guest.initrd, "quiet", firmware="uefi"),
                    [Disk("target", "16M")], workdir=vm_workdir, memory_mib=256, timeout=120,
                    network=False)
    assert result.exit_state == "poweroff", result.summary()
    assert result.succeeded and result.values == {"disks": "vda"}, result.summary()
    assert any("OVMF_CODE.fd" in arg for arg in result.command)
