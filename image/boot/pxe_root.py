"""The files a PXE server hands out: one directory to serve over TFTP and HTTP.

    pxe-root/
      boot.ipxe              the iPXE script (DHCP's boot file name); edit its URLs
      vmlinuz, initrd.img    fetched over HTTP by the script
      images/install.img     stage2 (inst.stage2=<base>/ finds images/install.img)
      images/updates.img     the code layer, fetched beside it

iPXE (a NIC's boot ROM, or ipxe.efi / undionly.kpxe chained from another PXE ROM) runs
a boot file that starts with `#!ipxe` as a script, under BIOS and UEFI alike. The
`initrd=initrd.img` word is what the kernel's EFI stub needs to find the initrd iPXE
loaded; BIOS boots ignore it.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from image.boot.cache import cached, key_of

#: The example's placeholders: the URL of this directory on the HTTP server, the
#: kickstart and the package repository.
EXAMPLE_BASE = "http://PXE-SERVER/anaconda-lean"
EXAMPLE_KS = "http://PXE-SERVER/ks/ks.cfg"
EXAMPLE_REPO = "http://PXE-SERVER/repo/"
EXAMPLE_EXTRA = "console=tty0 console=ttyS0,115200"

SCRIPT = """#!ipxe
# anaconda-lean network install. Set base to the HTTP URL of the directory holding
# vmlinuz, initrd.img and images/; ks and repo to the kickstart and the repository.
set base {base}
set ks {ks}
set repo {repo}
echo anaconda-lean: iPXE script (${{platform}}), kernel and initrd from ${{base}}
kernel ${{base}}/vmlinuz initrd=initrd.img inst.stage2=${{base}}/ inst.ks=${{ks}} inst.repo=${{repo}} {extra}
initrd ${{base}}/initrd.img
boot
"""


def ipxe_script(base: str, ks: str, repo: str, extra: str = EXAMPLE_EXTRA) -> str:
    """The boot script for the image served at `base` (no trailing slash)."""
    return SCRIPT.format(base=base.rstrip("/"), ks=ks, repo=repo, extra=extra).rstrip() + "\n"


def _place(source: Path, target: Path) -> None:
    """A hard link when the cache shares a file system with the part, else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def ensure_pxe_root(vmlinuz: Path, initrd: Path, stage2: Path, updates: Path) -> Path:
    def build(work: Path) -> None:
        work.chmod(0o755)  # a TFTP server that drops privileges (dnsmasq) must read it
        root = work / "pxe-root"
        for source, name in ((vmlinuz, "vmlinuz"), (initrd, "initrd.img"),
                             (stage2, "images/install.img"), (updates, "images/updates.img")):
            _place(source, root / name)
        (root / "boot.ipxe").write_text(ipxe_script(EXAMPLE_BASE, EXAMPLE_KS, EXAMPLE_REPO))

    key = key_of([SCRIPT, "pxe-root-v1", vmlinuz.parent.parent.parent.name, initrd.parent.name,
                  stage2.parent.name, updates.parent.name])
    return cached("pxe-root", key, build) / "pxe-root"
