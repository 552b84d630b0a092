"""`inst.repo=nfs:OPTIONS:SERVER:/PATH` in a qemu guest: the boot image's kernel NFS client
(mount.nfs from nfs-common, the nfs/nfsv4 modules in the initrd) mounts an export of the
small test repository served by nfs-ganesha on the host's loopback (10.0.2.2 to the
guest). The host tier cannot cover this path: the host kernel has no NFS client, so there
the installer reads an export with libnfs instead (tests/host/test_nfs_source.py)."""
from __future__ import annotations

import re
import shutil

import pytest

from image.boot.build import ensure_image
from tests.host.nfsserver import nfs_server, unavailable
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import GUEST_HOST_IP, Disk, HttpServer, KernelBoot, run_vm
from tests.vm.served import STORAGE_ONLY, install_tree

pytestmark = [pytest.mark.vm, pytest.mark.skipif(unavailable() is not None,
                                                  reason=unavailable() or "")]

KICKSTART = r"""lang en_US.UTF-8
rootpw --lock
""" + STORAGE_ONLY + r"""%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: toolj=$(test -e /mnt/sysroot/usr/bin/tool-j && echo yes)"
echo "RESULT: kernelmount=$(grep -c 'Mounted 10.0.2.2:/' /tmp/anaconda.log)"
echo "RESULT: libnfs=$(grep -c 'reading .* with libnfs' /tmp/anaconda.log)"
echo "RESULT: SUCCESS"
%end
poweroff
"""


def failed(line: str) -> bool:
    match = re.search(r"ANACONDA-EXIT: (\d+)", line)
    return match is not None and match.group(1) != "0"


def test_inst_repo_nfs_mounted_by_the_kernel(tmp_path, vm_workdir):
    image = ensure_image()
    export = tmp_path / "export"
    shutil.copytree(ensure_small_repo(), export / "repo", symlinks=True)
    www = install_tree(tmp_path / "www", image)
    (www / "ks.cfg").write_text(KICKSTART)
    with nfs_server(export, tmp_path / "nfs") as nfs, HttpServer(www) as http:
        repo = f"nfs:{nfs.options}:{GUEST_HOST_IP}:{export}/repo"
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd,
                          f"inst.ks={http.url_for_guest('ks.cfg')} inst.repo={repo} quiet")
        result = run_vm(boot, [Disk("target", "4G")], workdir=vm_workdir, memory_mib=1024,
                        timeout=900, stop_on=failed)
    assert result.succeeded, result.summary()
    values = result.values
    assert values["toolj"] == "yes", result.summary()
    assert values["kernelmount"] == "1" and values["libnfs"] == "0", result.summary()
    assert result.exit_state == "poweroff", result.summary()
