"""The installed system boots and is configured as the kickstart said.

A kickstart install of @^minimal-environment from the bundled test repository (kernel,
systemd, GRUB, initramfs-tools), then the installed disk booted on its own through the
firmware: BIOS and UEFI (OVMF) with LVM, LUKS2-encrypted LVM with the passphrase typed
on the console, and RAID1 over two disks. A unit installed by %post prints what the
booted system sees on the serial console (BOOTED: lines) and powers it off; the test
compares that with the kickstart.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from image.boot.build import ensure_image
from image.testrepo.build import ensure_repo
from tests.vm.harness import Disk, DiskBoot, HttpServer, KernelBoot, run_vm
from tests.vm.served import install_tree
from tests.vm.test_install import failed

pytestmark = pytest.mark.vm

PASSPHRASE = "boot-test-passphrase"

SYSTEM = """lang en_US.UTF-8
keyboard --vckeymap=de --xlayouts=de
timezone Europe/Prague --utc
network --bootproto=dhcp --hostname=booted.example.test
rootpw --lock
user --name=alice --groups=wheel,audio --password=alice-pw-123 --plaintext --gecos="Alice Example"
group --name=ops --gid=5000
services --enabled=fstrim.timer --disabled=remote-fs.target
bootloader --timeout=1 --append="panic=10"
%packages
@^minimal-environment
%end
"""

def report_unit(name: str, description: str, exec_start: str, ordering: list[str],
                wanted_by: str = "multi-user.target") -> str:
    """%post lines that install and enable a oneshot unit reporting on the serial console."""
    return (f"cat > /etc/systemd/system/{name}.service <<'EOF'\n[Unit]\nDescription={description}\n"
            + "".join(f"{line}\n" for line in ordering)
            + f"[Service]\nType=oneshot\nExecStart={exec_start}\n[Install]\nWantedBy={wanted_by}\nEOF\n"
            + f"systemctl enable {name}.service\n")


CHECK = r"""%post --nochroot
grep -o 'Task .* done in [0-9.]* s' /tmp/anaconda.log | sed 's/^/TASK: /' > /dev/ttyS0
%end
%post
cat > /usr/local/sbin/boot-check <<'EOF'
#!/bin/sh
exec > /dev/ttyS0 2>&1
echo "BOOTED: hostname=$(hostname)"
echo "BOOTED: locale=$(sed -n 's/^LANG=//p' /etc/locale.conf)"
echo "BOOTED: keymap=$(sed -n 's/^KEYMAP=//p' /etc/vconsole.conf)"
echo "BOOTED: timezone=$(readlink /etc/localtime | sed 's,.*zoneinfo/,,')"
echo "BOOTED: alice=$(getent passwd alice | cut -d: -f5,6)"
echo "BOOTED: alicegroups=$(id -Gn alice | tr ' ' '\n' | sort | tr '\n' ',')"
echo "BOOTED: ops=$(getent group ops | cut -d: -f3)"
echo "BOOTED: services=$(systemctl is-enabled fstrim.timer),$(systemctl is-enabled remote-fs.target)"
echo "BOOTED: root=$(findmnt -no SOURCE /)"
echo "BOOTED: boot=$(findmnt -no FSTYPE /boot)"
echo "BOOTED: swaps=$(tail -n +2 /proc/swaps | wc -l)"
echo "BOOTED: cmdline=$(cat /proc/cmdline)"
echo "BOOTED: efi=$(test -d /sys/firmware/efi && echo yes || echo no)"
echo "BOOTED: failed=$(systemctl --failed --no-legend | awk '{print $2}' | tr '\n' ',')"
echo "BOOTED: uptime=$(cut -d' ' -f1 /proc/uptime)"
systemctl poweroff
EOF
chmod 755 /usr/local/sbin/boot-check
""" + report_unit("boot-check", "Report the booted system on the serial console",
                  "/usr/local/sbin/boot-check", ["After=multi-user.target"]) \
    + report_unit("boot-early", "Report the block devices early, for a boot that never reaches the check",
                  "/bin/sh -c 'sleep 45; exec > /dev/ttyS0 2>&1; cat /proc/mdstat; "
                  "ls /dev/disk/by-uuid /dev/md /dev/mapper; lvs -o lv_name,lv_active'",
                  ["DefaultDependencies=no", "After=systemd-udevd.service"], wanted_by="sysinit.target") \
    + "%end\npoweroff\n"


@dataclass
class Case:
    storage: str
    firmware: str = "bios"
    disks: int = 1
    root: str = "/dev/mapper/system-root"
    answers: list[tuple[str, str]] = field(default_factory=list)


CASES = {
    "bios-lvm": Case("zerombr\nclearpart --all --initlabel --drives=vda\nignoredisk --only-use=vda\n"
                     "autopart --type=lvm --nohome\n"),
    "uefi-lvm": Case("zerombr\nclearpart --all --initlabel --drives=vda\nignoredisk --only-use=vda\n"
                     "autopart --type=lvm --nohome\n", firmware="uefi"),
    "bios-luks2": Case("zerombr\nclearpart --all --initlabel --drives=vda\nignoredisk --only-use=vda\n"
                       f"autopart --type=lvm --nohome --encrypted --passphrase={PASSPHRASE} "
                       "--luks-version=luks2\n",
                       answers=[("Please unlock disk", PASSPHRASE)]),
    "bios-raid1": Case("""zerombr
ignoredisk --only-use=vda,vdb
clearpart --all --initlabel --drives=vda,vdb
part biosboot --size=1 --ondisk=vda
part biosboot --size=1 --ondisk=vdb
part raid.01 --size=600 --ondisk=vda
part raid.02 --size=600 --ondisk=vdb
part raid.11 --size=3000 --grow --ondisk=vda
part raid.12 --size=3000 --grow --ondisk=vdb
raid /boot --level=1 --device=boot raid.01 raid.02 --fstype=ext4
raid pv.01 --level=1 --device=pv raid.11 raid.12
volgroup system pv.01
logvol / --vgname=system --name=root --size=2500 --grow
logvol swap --vgname=system --name=swap --size=256
""", disks=2),
}


def task_times(console: str) -> dict[str, float]:
    """'TASK: Task Making the initramfs done in 95.10 s' lines -> {title: seconds}."""
    times = {}
    for line in console.splitlines():
        if "TASK: Task " in line and " done in " in line:
            title, _, rest = line.split("TASK: Task ", 1)[1].rpartition(" done in ")
            times[title] = float(rest.split()[0])
    return times


def _booted(console: str) -> dict[str, str]:
    values = {}
    for line in console.splitlines():
        if "BOOTED: " in line:
            key, _, value = line.split("BOOTED: ", 1)[1].partition("=")
            values[key.strip()] = value.strip()
    return values


@pytest.mark.parametrize("name", list(CASES))
def test_installed_system_boots(tmp_path, vm_workdir, name):
    case = CASES[name]
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_repo())
    (www / "ks.cfg").write_text(SYSTEM + case.storage + CHECK)
    disks = [Disk(f"target{i}", "8G") for i in range(case.disks)]
    disks.append(Disk("bystander", "1G", install_target=False))
    efi_vars = vm_workdir / "OVMF_VARS.fd" if case.firmware == "uefi" else None
    with HttpServer(www) as server:
        append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                  f"inst.repo={server.url_for_guest('repo/')} quiet")
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd, append, firmware=case.firmware,
                          efi_vars=efi_vars)
        install = run_vm(boot, disks, workdir=vm_workdir / "install", memory_mib=1536, timeout=1800,
                         stop_on=failed)
    assert "ANACONDA-EXIT: 0" in install.console_text and install.exit_state == "poweroff", \
        install.summary()
    assert install.untouched_disks_ok, install.disk_message
    booted = run_vm(DiskBoot(firmware=case.firmware, efi_vars=efi_vars), disks,
                    workdir=vm_workdir / "boot", memory_mib=1024, timeout=900, network=False,
                    answers=case.answers)
    values = _booted(booted.console_text)
    summary = booted.summary()
    assert values.get("hostname") == "booted.example.test", summary
    assert values["locale"] == "en_US.UTF-8" and values["keymap"] == "de", values
    assert values["timezone"] == "Europe/Prague", values
    assert values["alice"] == "Alice Example:/home/alice", values
    assert {"alice", "wheel", "audio"} <= set(values["alicegroups"].strip(",").split(",")), values
    assert values["ops"] == "5000" and values["services"] == "enabled,disabled", values
    assert values["root"].startswith(case.root), values
    assert values["boot"] in ("xfs", "ext4") and values["swaps"] == "1", values
    assert "console=ttyS0" in values["cmdline"] and "panic=10" in values["cmdline"], values
    assert values["efi"] == ("yes" if case.firmware == "uefi" else "no"), values
    assert values["failed"] == "", f"failed units at boot: {values['failed']}"
    assert booted.exit_state == "poweroff", summary
    assert booted.untouched_disks_ok, booted.disk_message
    assert PASSPHRASE not in install.console_text
    kernel_to_check = float(values["uptime"])
    print(f"{name}: install {install.wall_seconds:.0f} s, boot to check {booted.wall_seconds:.0f} s "
          f"(kernel start to check output {kernel_to_check:.1f} s)")
