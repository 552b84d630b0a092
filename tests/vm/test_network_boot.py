"""A real network boot, no -kernel/-initrd: the NIC's iPXE ROM (Debian's ipxe-qemu) gets
DHCP and TFTP from qemu's user network, runs the boot.ipxe script `make image` ships in
pxe-root/ (its URLs filled in), which fetches the kernel and initrd over http and passes
inst.stage2, inst.ks and inst.repo; the guest installs a storage-only kickstart. Once
under SeaBIOS, once under OVMF."""
from __future__ import annotations

import pytest

from image.boot.build import ensure_image
from image.boot.pxe_root import ipxe_script
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import Disk, HttpServer, NetBoot, clean_line, run_vm
from tests.vm.test_install import failed, kickstart

pytestmark = pytest.mark.vm

STORAGE = "zerombr\nclearpart --all --initlabel\nautopart --type=plain --nohome\n"
PLATFORM = {"bios": "pcbios", "uefi": "efi"}  # iPXE's ${platform}


@pytest.fixture(scope="module")
def image():
    return ensure_image()


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_network_boot_installs(image, tmp_path, vm_workdir, firmware):
    www = tmp_path / "www"
    www.mkdir()
    (www / "pxe").symlink_to(image.pxe_root)  # the HTTP root a PXE server gets
    (www / "repo").symlink_to(ensure_small_repo())
    (www / "ks.cfg").write_text(kickstart(STORAGE))
    tftp = tmp_path / "tftp"
    tftp.mkdir()
    with HttpServer(www) as server:
        base = server.url_for_guest("pxe")
        (tftp / "boot.ipxe").write_text(ipxe_script(
            base, server.url_for_guest("ks.cfg"), server.url_for_guest("repo/"),
            extra="console=ttyS0,115200 quiet"))
        boot = NetBoot(tftp, "boot.ipxe", firmware=firmware)
        result = run_vm(boot, [Disk("target", "6G")], workdir=vm_workdir, timeout=900,
                        stop_on=failed, name=f"netboot-{firmware}")
        requests = list(server.requests)
    assert "-kernel" not in result.command and "-initrd" not in result.command
    text = "\n".join(clean_line(line) for line in result.console_text.splitlines())
    # iPXE: DHCP gave the boot file, TFTP fetched it, it ran as a script
    assert "Filename: boot.ipxe" in text, result.summary()
    assert "tftp://10.0.2.2/boot.ipxe... ok" in text, result.summary()
    assert "boot.ipxe : " in text and "[script]" in text, result.summary()
    assert f"anaconda-lean: iPXE script ({PLATFORM[firmware]})" in text, result.summary()
    # the kernel and initrd came over http, then stage2 and the kickstart
    assert f"{base}/vmlinuz... ok" in text and f"{base}/initrd.img... ok" in text, result.summary()
    for path in ("/pxe/vmlinuz", "/pxe/initrd.img", "/pxe/images/install.img", "/ks.cfg"):
        assert ("GET", path, 200) in requests, (path, requests[:20])
    assert f"stage2: {base}/images/install.img copied to RAM" in text, result.summary()
    # and the install succeeded
    assert result.succeeded, result.summary()
    assert result.values["toolj"] == "yes" and result.values["root"] == "xfs", result.summary()
    assert "ANACONDA-EXIT: 0" in text, result.summary()
    assert result.exit_state == "poweroff", result.summary()
