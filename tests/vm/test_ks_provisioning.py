"""Per-machine kickstarts in a qemu guest, as provisioning servers hand them out: the PXE
image boots with `inst.ks=http://10.0.2.2:PORT/ks/ inst.ks.sendmac inst.ks.sendsn`, the
init asks for `/ks/10.0.2.15-kickstart` with `X-RHN-Provisioning-MAC-0: eth0 <MAC>` and
`X-System-Serial-Number` (qemu's `-smbios type=1,serial=`), and a real HTTP server picks
the kickstart by the MAC header, as Cobbler does. The guest installs with the hostname its
own kickstart gives; a machine the server does not know gets a 404 and stops with the
URL and the status on the console, then the emergency shell."""
from __future__ import annotations

import pytest

from image.boot.build import ensure_image
from tests.host.test_ks_provisioning_server import ProvisioningServer, by_mac, provisioning_headers
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import GUEST_HOST_IP, Disk, KernelBoot, run_vm
from tests.vm.served import STORAGE_ONLY, install_tree, stopped

pytestmark = pytest.mark.vm

MAC = "52:54:00:12:34:56"  # qemu's first NIC
SERIAL = "LEAN-SN-0042"
HOSTNAME = "rack1-node7.example.test"
KICKSTART = f"""lang en_US.UTF-8
rootpw --lock
network --hostname={HOSTNAME}
{STORAGE_ONLY}%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: hostname=$(cat /mnt/sysroot/etc/hostname)"
echo "RESULT: toolj=$(test -e /mnt/sysroot/usr/bin/tool-j && echo yes)"
echo "RESULT: SUCCESS"
%end
poweroff
"""


def boot(image, server: ProvisioningServer, extra: str = "") -> KernelBoot:
    base = f"http://{GUEST_HOST_IP}:{server.port}"
    return KernelBoot(image.vmlinuz, image.pxe_initrd,
                      f"inst.ks={base}/ks/ inst.ks.sendmac inst.ks.sendsn "
                      f"inst.repo={base}/repo/ quiet {extra}")


def test_kickstart_chosen_by_mac_header(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    with ProvisioningServer(www, by_mac({MAC: KICKSTART})) as server:
        result = run_vm(boot(image, server), [Disk("target", "4G")], workdir=vm_workdir,
                        timeout=900, stop_on=stopped,
                        extra_args=["-smbios", f"type=1,serial={SERIAL}"])
        asked = server.kickstart_requests()
    assert [path for path, _, _ in asked] == ["/ks/10.0.2.15-kickstart"], result.summary()
    assert provisioning_headers(asked[0][1]) == {
        "X-RHN-Provisioning-MAC-0": f"eth0 {MAC}", "X-System-Serial-Number": SERIAL}
    assert asked[0][2] == 200
    text = result.console_text
    assert f"kickstart: sending X-RHN-Provisioning-MAC-0: eth0 {MAC}" in text
    assert f"kickstart: sending X-System-Serial-Number: {SERIAL}" in text
    assert result.succeeded, result.summary()
    assert result.values["hostname"] == HOSTNAME and result.values["toolj"] == "yes"
    assert result.exit_state == "poweroff", result.summary()


def test_unknown_machine_gets_404_and_stops(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    with ProvisioningServer(www, by_mac({"52:54:00:99:99:99": KICKSTART})) as server:
        result = run_vm(boot(image, server, "inst.shell_timeout=2"), [], workdir=vm_workdir,
                        timeout=300, stop_on=lambda line: "EMERGENCY SHELL" in line)
        asked = server.kickstart_requests()
    url = f"http://{GUEST_HOST_IP}:{server.port}/ks/10.0.2.15-kickstart"
    assert (f"ERROR: cannot fetch the kickstart {url}: the server answered HTTP 404 Not Found "
            "(not retried") in result.console_text, result.summary()
    assert len(asked) == 1 and asked[0][2] == 404  # asked once: a 404 is final
    assert "EMERGENCY SHELL" in result.console_text
    assert "starting the installer" not in result.console_text
