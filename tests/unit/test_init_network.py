"""The boot image's init, network part, run piecewise by the host's busybox (the same
static busybox the initrd holds): which kickstart `network` command becomes the
installer's network and as which dracut options (Anaconda's dracut rule), and which
device the installer's address goes on. Devices themselves are made in a guest only
(tests/vm/test_network_bond.py)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

INIT = Path(__file__).resolve().parents[2] / "image/boot/init"
BUSYBOX = shutil.which("busybox")
pytestmark = pytest.mark.skipif(BUSYBOX is None, reason="needs busybox (busybox-static)")


def ks_words(tmp_path: Path, text: str, have: str = "eth0 eth1",
             macs: str = "52:54:00:12:34:56=eth0") -> str:
    program = re.search(r"^NET_KS_AWK='\n(.*?)^'$", INIT.read_text(), re.S | re.M).group(1)
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    return subprocess.run([BUSYBOX, "awk", "-v", f"macs={macs}", "-v", f"have= {have} ", program,
                           str(ks)], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("text, expected", [
    ("network --hostname=h.example.test\nnetwork --device=link --bootproto=dhcp\n", "2: ip=dhcp"),
    ("network --bootproto=static --device=eth1 --ip=192.0.2.10 --netmask=255.255.254.0 "
     "--gateway=192.0.2.1 --nameserver=192.0.2.53,192.0.2.54 --hostname=h\n",
     "1: ip=192.0.2.10::192.0.2.1:23:h:eth1:none nameserver=192.0.2.53 nameserver=192.0.2.54"),
    ("network --device 52:54:00:12:34:56 --bootproto static --ip 10.0.0.5/24\n",
     "1: ip=10.0.0.5:::24::eth0:none"),
    ("network --device=bond0 --bondslaves=eth0,eth1 --bondopts='mode=active-backup;miimon=100' "
     "--vlanid=10 --bootproto=dhcp\n",
     "1: bond=bond0:eth0,eth1:mode=active-backup,miimon=100 vlan=bond0.10:bond0 ip=bond0.10:dhcp"),
    ("network --device=br0 --bridgeslaves=eth1 --bootproto=dhcp\n", "1: bridge=br0:eth1 ip=br0:dhcp"),
    ("network --device=eth0 --no-activate\nnetwork --device=eth1 --bootproto=dhcp\n"
     "network --device=eth1 --vlanid=7 --interfacename=vlan7 --activate\n",
     "3: vlan=vlan7:eth1 ip=vlan7:dhcp"),
    ("network --device=eth0 --bootproto=dhcp\nnetwork --device=eth1 --activate\n", "1: ip=eth0:dhcp"),
    ("network --device=bond0 --bondslaves=ens3,ens4\n", "1:missing ens3 ens4"),
    ("network --device=ens3 --bootproto=dhcp\n", "1:missing ens3"),
    ("lang en_US.UTF-8\n", ""),
])
def test_kickstart_network_as_dracut_options(tmp_path, text, expected):
    assert ks_words(tmp_path, text) == expected


def virtual(cmdline: str) -> list[str]:
    """net_virtual with the device makers stubbed: the order they run in, and NET_TOP."""
    function = re.search(r"^net_virtual\(\) \{\n.*?^\}\n", INIT.read_text(), re.S | re.M).group(0)
    script = ('getargs() { for word in $CMDLINE; do case "$word" in "$1"=*) echo "${word#$1=}" ;; '
              'esac; done; }\n'
              'net_bond() { echo "bond $1"; }; net_team() { echo "team $1"; }\n'
              'net_vlan() { echo "vlan $1"; }; net_bridge() { echo "bridge $1"; }\n'
              + function + 'net_virtual; echo "top $NET_TOP"\n')
    return subprocess.run([BUSYBOX, "sh", "-c", script], env={"CMDLINE": cmdline},
                          capture_output=True, text=True, check=True).stdout.splitlines()


def test_devices_are_made_lowest_first_and_the_top_one_carries_the_address():
    assert virtual("bridge=br0:bond0 vlan=br0.7:br0 bond=bond0:eth0,eth1 vlan=vlan5:eth1") == [  # two tops: the first
        "bond bond0:eth0,eth1", "vlan vlan5:eth1", "bridge br0:bond0", "vlan br0.7:br0",
        "top br0.7"]
    assert virtual("bond=bond0") == ["bond bond0", "top bond0"]
    assert virtual("ip=dhcp") == ["top "]
