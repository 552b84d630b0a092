"""Rescue mode in a qemu guest, over its serial console (a tmux pane, as in
test_interactive.py): a system is installed by kickstart first, LVM on LUKS on one disk and
LVM on LUKS on a RAID1 array over two (the installed disk images are cached by the
kickstart and repository they were made from), then the installer
image boots with `inst.rescue`; the TUI menu is answered (mount read-write), the LUKS
passphrase typed (a wrong one first), the found system mounted, a command run in the
chroot, the logs searched for either passphrase, the shell left; rescue must say that
everything was unmounted and closed cleanly, and the guest reboot (qemu's -no-reboot ends
it) without an error on the console.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from image.boot.build import ensure_image
from image.testrepo.build import ensure_repo
from tests.vm.harness import Disk, HttpServer, KernelBoot, clean_line, qemu_command, run_vm
from tests.vm.served import install_tree
from tests.vm.test_install import failed
from tests.vm.test_interactive import Console

pytestmark = pytest.mark.vm

PASSPHRASE = "rescue-test-passphrase"
HOSTNAME = "rescued.example.test"
HEAD = f"lang en_US.UTF-8\nrootpw --lock\nnetwork --hostname={HOSTNAME}\n"
TAIL = """bootloader --location=none
%packages --nocore
bash
coreutils
base-files
%end
%post --nochroot
echo "RESULT: hostname=$(cat /mnt/sysroot/etc/hostname)" > /dev/ttyS0
%end
poweroff
"""
#: name -> (storage commands, disks, where the LUKS device is)
CASES = {
    "lvm-on-luks": ("zerombr\nclearpart --all --initlabel --drives=vda\nignoredisk --only-use=vda\n"
                    f"autopart --type=lvm --nohome --encrypted --passphrase={PASSPHRASE} "
                    "--luks-version=luks2\n", ["target"], "/dev/vda"),
    "lvm-on-luks-on-raid1": (f"""zerombr
ignoredisk --only-use=vda,vdb
clearpart --all --initlabel --drives=vda,vdb
part raid.01 --size=300 --ondisk=vda
part raid.02 --size=300 --ondisk=vdb
part raid.11 --size=1500 --grow --ondisk=vda
part raid.12 --size=1500 --grow --ondisk=vdb
raid /boot --level=1 --device=boot raid.01 raid.02 --fstype=ext4
raid pv.01 --level=1 --device=pv raid.11 raid.12 --encrypted --passphrase={PASSPHRASE}
volgroup system pv.01
logvol / --vgname=system --name=root --size=1000 --grow
""", ["target0", "target1"], "/dev/md"),
}
CACHE = Path(os.environ.get("ANACONDA_CACHE") or "/var/cache/anaconda-lean") / "rescue-disk"


def installed_disks(tmp_path: Path, workdir: Path, storage: str, names: list[str]) -> list[Disk]:
    """The installed disk images, installed once per kickstart and repository and kept
    (sparse) in the cache; each run gets its own copies."""
    repo = ensure_repo()
    kickstart = HEAD + storage + TAIL
    key = hashlib.sha256((kickstart + str(repo.resolve())).encode()).hexdigest()[:16]
    cached = {name: CACHE / f"{key}-{name}.img" for name in names}
    if not all(path.exists() for path in cached.values()):
        image = ensure_image()
        www = install_tree(tmp_path / "www", image)
        (www / "repo").symlink_to(repo)
        (www / "ks.cfg").write_text(kickstart)
        disks = [Disk(name, "6G" if len(names) == 1 else "4G", image=workdir / f"install-{name}.img")
                 for name in names]
        with HttpServer(www) as server:
            append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                      f"inst.repo={server.url_for_guest('repo/')} quiet")
            install = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append), disks,
                             workdir=workdir / "install", memory_mib=1536, timeout=1800,
                             stop_on=failed)
        assert "ANACONDA-EXIT: 0" in install.console_text and install.exit_state == "poweroff", \
            install.summary()
        assert install.values.get("hostname") == HOSTNAME, install.summary()
        CACHE.mkdir(parents=True, exist_ok=True)
        for disk in disks:
            partial = cached[disk.name].with_suffix(".partial")
            subprocess.run(["cp", "--sparse=always", str(disk.image), str(partial)], check=True)
            partial.rename(cached[disk.name])
            disk.image.unlink()
    copies = []
    for name, path in cached.items():
        copy = workdir / f"rescue-{name}.img"
        subprocess.run(["cp", "--sparse=always", str(path), str(copy)], check=True)
        copies.append(Disk(name, image=copy))
    return copies


def console_text(log: Path) -> str:
    return "\n".join(clean_line(line) for line in log.read_text(errors="replace").splitlines())


#: Typed in the rescue shell: counts the log lines holding either passphrase, without the
#: passphrases appearing in what is typed.
LEAK_CHECK = ("echo LEAKS=$(cat /tmp/*.log | grep -c -F -e \"$(printf 'rescue-test-%s' passphrase)\" "
              "-e \"$(printf 'wrong-%s' passphrase)\")=END")


@pytest.mark.parametrize("case", list(CASES))
def test_rescue_unlocks_mounts_and_closes(tmp_path, vm_workdir, case):
    storage, names, luks_on = CASES[case]
    started = time.monotonic()
    disks = installed_disks(tmp_path, vm_workdir, storage, names)
    installed = time.monotonic()
    image = ensure_image()
    run_dir = vm_workdir / "rescue"
    run_dir.mkdir()
    boot = KernelBoot(image.vmlinuz, image.pxe_initrd, "inst.rescue quiet")
    argv = qemu_command(boot, disks, run_dir=run_dir, memory_mib=1024)
    log = tmp_path / "rescue-console.log"
    console = Console(argv, run_dir, log)
    try:
        console.expect("1) Continue", timeout=900)
        console.keys("1", expect="is encrypted", timeout=600)
        console.keys("text:wrong-passphrase", "Enter", expect=f"Wrong passphrase for {luks_on}", timeout=300)
        console.keys(f"text:{PASSPHRASE}", "Enter", expect="Press Enter for a shell", timeout=600)
        screen = console.pane.screen()
        assert "/mnt/sysroot" in screen and "read-write" in screen and "/boot" in screen, screen
        console.keys("Enter", expect="anaconda rescue", timeout=300)
        console.keys("text:echo HOST=$(chroot /mnt/sysroot cat /etc/hostname)=END", "Enter",
                     expect=f"HOST={HOSTNAME}=END", timeout=300)
        console.keys(f"text:{LEAK_CHECK}", "Enter", expect="LEAKS=0=END", timeout=120)
        console.keys("text:exit", "Enter", expect="PANE-EXIT:", timeout=600)
    finally:
        console.close()
    text = console_text(log)
    shutil.copy(log, vm_workdir.parent / "rescue-console.txt")
    tail = text[-3000:]
    assert "rescue: Everything rescue mode set up was unmounted and closed cleanly." in text, tail
    assert re.search(r"rescue: Unmounted [1-9]\d* file system\(s\) under /mnt/sysroot", text), tail
    assert "rescue: Volume group system deactivated." in text, tail
    assert re.search(r"rescue: LUKS device luks-[0-9a-f-]+ closed\.", text), tail
    assert "rescue: reboot now." in text and "ANACONDA-EXIT: 0" in text, tail
    assert "reboot: Restarting system" in text, tail
    assert PASSPHRASE not in text
    for bad in ("Traceback", "internal error", "Kernel panic", "Problem:"):
        assert bad not in text, f"{bad!r} on the console:\n{tail}"
    stopped = re.findall(r"rescue: RAID array (\S+) stopped\.", text)
    print(f"rescue VM test {case}: installed disks ready in {installed - started:.0f} s, "
          f"rescue session {time.monotonic() - installed:.0f} s; md arrays rescue assembled "
          f"and stopped: {stopped or 'none (udev had assembled them, or none)'}")
