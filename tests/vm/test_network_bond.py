"""A bond of two NICs and a VLAN on it: the installer's own network, and the installed one.

One guest with two network cards, each on a user-mode network of its own (10.0.2.2 is
the host on both). The installer boots with `ifname=` naming the cards by MAC and
`bond=bond0:nic0,nic1:mode=active-backup` with `ip=bond0:dhcp`: the image's init builds
the bond and fetches the kickstart, stage2's code and the packages through it. The
kickstart makes a static active-backup bond0 of the same cards and a VLAN (id 10, static
address) on it; the installed system (systemd-networkd, from the bundled repository) is
booted with the same two cards, and a unit reports on the serial console what came up:
the bond's mode, ports and address, the VLAN's id and address, and an HTTP request to
the host through the bond.
"""
from __future__ import annotations

import pytest

from image.boot.build import ensure_image
from image.testrepo.build import ensure_repo
from tests.vm.harness import Disk, DiskBoot, HttpServer, KernelBoot, nic_mac, qemu_command, run_vm
from tests.vm.served import install_tree
from tests.vm.test_boot_installed import _booted, report_unit
from tests.vm.test_install import failed

pytestmark = pytest.mark.vm

MARKER = "through-the-bond"

KICKSTART = """lang en_US.UTF-8
keyboard us
timezone Etc/UTC --utc
rootpw --lock
zerombr
clearpart --all --initlabel --drives=vda
ignoredisk --only-use=vda
autopart --type=plain --nohome --noswap
bootloader --timeout=1
network --device=bond0 --bondslaves=nic0,nic1 --bondopts=mode=active-backup,miimon=100,primary=nic0 --bootproto=static --ip=10.0.2.15 --netmask=255.255.255.0 --gateway=10.0.2.2 --nameserver=10.0.2.3 --noipv6 --hostname=bonded.example.test
network --device=bond0 --vlanid=10 --bootproto=static --ip=192.0.2.10/24 --noipv6
%packages
@^minimal-environment
%end
"""

CHECK = r"""%post
cat > /usr/local/sbin/net-check <<'EOF'
#!/bin/bash
exec > /dev/ttyS0 2>&1
for i in $(seq 90); do
    ip -4 -o addr show dev bond0 2>/dev/null | grep -q 10.0.2.15 \
        && ip -4 -o addr show dev bond0.10 2>/dev/null | grep -q 192.0.2.10 && break
    sleep 1
done
echo "BOOTED: links=$(ip -br link | awk '{printf "%s:%s ", $1, $2}')"
echo "BOOTED: bond0=$(ip -4 -o addr show dev bond0 | awk '{print $4}')"
echo "BOOTED: vlan=$(ip -4 -o addr show dev bond0.10 | awk '{print $4}')"
echo "BOOTED: vlanid=$(ip -d link show bond0.10 | grep -o 'vlan protocol 802.1Q id [0-9]*' | awk '{print $NF}')"
echo "BOOTED: mode=$(sed -n 's/^Bonding Mode: //p' /proc/net/bonding/bond0)"
echo "BOOTED: ports=$(sed -n 's/^Slave Interface: //p' /proc/net/bonding/bond0 | tr '\n' ',')"
echo "BOOTED: active=$(sed -n 's/^Currently Active Slave: //p' /proc/net/bonding/bond0)"
echo "BOOTED: http=$(timeout 20 bash -c 'exec 3<>/dev/tcp/10.0.2.2/PORT; printf "GET /marker HTTP/1.0\r\n\r\n" >&3; tail -n 1 <&3')"
echo "BOOTED: hostname=$(hostname)"
echo "BOOTED: failed=$(systemctl --failed --no-legend | awk '{print $2}' | tr '\n' ',')"
systemctl poweroff
EOF
chmod 755 /usr/local/sbin/net-check
""" + report_unit("net-check", "Report the network on the serial console",
                  "/usr/local/sbin/net-check", ["After=multi-user.target"]) + "%end\npoweroff\n"

BOOT = (f"ifname=nic0:{nic_mac(0)} ifname=nic1:{nic_mac(1)} "
        "bond=bond0:nic0,nic1:mode=active-backup,miimon=100 ip=bond0:dhcp nameserver=10.0.2.3")


def test_second_nic_has_its_own_network_and_mac(tmp_path):
    disk = Disk("t", "16M")
    disk.ensure(tmp_path)
    argv = qemu_command(DiskBoot(), [disk], run_dir=tmp_path, nics=2)
    devices = [argv[i + 1] for i, a in enumerate(argv) if a == "-device"]
    assert devices[1:3] == ["virtio-net-pci,netdev=n0",
                            f"virtio-net-pci,netdev=n1,mac={nic_mac(1)}"]
    assert "user,id=n1" in argv and nic_mac(0) == "52:54:00:12:34:56"


def test_bond_and_vlan_come_up(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_repo())
    (www / "marker").write_text(MARKER + "\n")
    with HttpServer(www) as server:
        (www / "ks.cfg").write_text(KICKSTART + CHECK.replace("PORT", str(server.port)))
        append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                  f"inst.repo={server.url_for_guest('repo/')} {BOOT} quiet")
        disks = [Disk("target", "8G")]
        install = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append), disks,
                         workdir=vm_workdir / "install", memory_mib=1536, timeout=2400,
                         stop_on=failed, nics=2)
        console = install.console_text
        assert "ANACONDA-EXIT: 0" in console and install.exit_state == "poweroff", install.summary()
        # the installer's own network was the bond the init made from the boot options
        assert "network: eth0 (52:54:00:12:34:56) is nic0 (ifname=)" in console, install.summary()
        assert "network: bond bond0 (active-backup 1) of nic0,nic1" in console, install.summary()
        assert "network: DHCP on bond0" in console, install.summary()
        booted = run_vm(DiskBoot(), disks, workdir=vm_workdir / "boot", memory_mib=1024,
                        timeout=1200, nics=2)
    values = _booted(booted.console_text)
    summary = booted.summary()
    assert values.get("bond0") == "10.0.2.15/24", summary
    assert values["vlan"] == "192.0.2.10/24" and values["vlanid"] == "10", values
    assert values["mode"].startswith("fault-tolerance (active-backup)"), values
    assert sorted(values["ports"].strip(",").split(",")) == ["nic0", "nic1"], values
    assert values["active"] == "nic0", values  # primary=nic0
    assert values["http"] == MARKER, values
    assert values["hostname"] == "bonded.example.test", values
    assert values["failed"] == "", values
    assert booted.exit_state == "poweroff", summary
