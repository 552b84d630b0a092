"""The installed system boots: a kickstart install of @core from the bundled test
repository (kernel, systemd, GRUB, initramfs-tools), then the installed disk booted on its
own through the firmware, BIOS and UEFI. A unit installed by %post prints what the booted
system sees on the serial console and powers it off."""
from __future__ import annotations

import pytest

from image.boot.build import ensure_image
from image.testrepo.build import ensure_repo
from tests.vm.harness import Disk, DiskBoot, HttpServer, KernelBoot, run_vm
from tests.vm.served import install_tree
from tests.vm.test_install import failed

pytestmark = pytest.mark.vm

KICKSTART = """lang en_US.UTF-8
keyboard --vckeymap=us
timezone Etc/UTC --utc
network --hostname=booted.example.test
rootpw --lock
zerombr
clearpart --all --initlabel --drives=vda
ignoredisk --only-use=vda
autopart --type=lvm --nohome
bootloader --timeout=1 --append="panic=10"
%packages
@core
%end
%post
cat > /usr/local/sbin/boot-check <<'EOF'
#!/bin/sh
exec > /dev/ttyS0 2>&1
echo "BOOTED: hostname=$(hostname)"
echo "BOOTED: root=$(findmnt -no SOURCE /)"
echo "BOOTED: boot=$(findmnt -no FSTYPE /boot)"
echo "BOOTED: swaps=$(tail -n +2 /proc/swaps | wc -l)"
echo "BOOTED: cmdline=$(cat /proc/cmdline)"
echo "BOOTED: efi=$(test -d /sys/firmware/efi && echo yes || echo no)"
echo "BOOTED: uptime=$(cut -d' ' -f1 /proc/uptime)"
systemctl poweroff
EOF
chmod 755 /usr/local/sbin/boot-check
cat > /etc/systemd/system/boot-check.service <<'EOF'
[Unit]
Description=Report the booted system on the serial console
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/boot-check
[Install]
WantedBy=multi-user.target
EOF
systemctl enable boot-check.service
%end
poweroff
"""


def _booted(console: str) -> dict[str, str]:
    values = {}
    for line in console.splitlines():
        if "BOOTED: " in line:
            key, _, value = line.split("BOOTED: ", 1)[1].partition("=")
            values[key.strip()] = value.strip()
    return values


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_installed_system_boots(tmp_path, vm_workdir, firmware):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_repo())
    (www / "ks.cfg").write_text(KICKSTART)
    target = Disk("target", "8G")
    disks = [target, Disk("bystander", "1G", install_target=False)]
    efi_vars = vm_workdir / "OVMF_VARS.fd" if firmware == "uefi" else None
    with HttpServer(www) as server:
        append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                  f"inst.repo={server.url_for_guest('repo/')} quiet")
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd, append, firmware=firmware, efi_vars=efi_vars)
        install = run_vm(boot, disks, workdir=vm_workdir / "install", memory_mib=1536, timeout=1500,
                         stop_on=failed)
    assert "ANACONDA-EXIT: 0" in install.console_text and install.exit_state == "poweroff", \
        install.summary()
    assert install.untouched_disks_ok, install.disk_message
    booted = run_vm(DiskBoot(firmware=firmware, efi_vars=efi_vars), disks, workdir=vm_workdir / "boot",
                    memory_mib=1024, timeout=600, network=False)
    values = _booted(booted.console_text)
    assert values.get("hostname") == "booted.example.test", booted.summary()
    assert values["root"].startswith("/dev/mapper/system-root"), values
    assert values["boot"] == "xfs" and values["swaps"] == "1", values
    assert "console=ttyS0" in values["cmdline"] and "panic=10" in values["cmdline"], values
    assert values["efi"] == ("yes" if firmware == "uefi" else "no"), values
    assert booted.exit_state == "poweroff", booted.summary()
    assert booted.untouched_disks_ok, booted.disk_message
