"""The BIOS-bootable netinst ISO (isolinux), and the PXE initrd that carries stage2 inside.

ISO layout, as Anaconda's: images/pxeboot/{vmlinuz,initrd.img}, images/install.img
(stage2), images/updates.img (code layer); isolinux boots with
inst.stage2=hd:LABEL=<volume label>. The ISO carries its own MD5 (isomd5sum's
implantisomd5), which inst.mediacheck compares it with (image/boot/mediacheck).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from image.boot.cache import cached, key_of, log

LABEL = "ANACONDA-LEAN"
ISOLINUX = Path("/usr/lib/ISOLINUX")
SYSLINUX_BIOS = Path("/usr/lib/syslinux/modules/bios")
CONFIG = f"""default install
prompt 0
timeout 1
label install
  kernel /images/pxeboot/vmlinuz
  append initrd=/images/pxeboot/initrd.img inst.stage2=hd:LABEL={LABEL} console=tty0 console=ttyS0,115200 quiet
"""


def _cpio_of(files: dict[str, Path], out: Path) -> None:
    """An uncompressed newc cpio holding `files` (path in archive -> source)."""
    staging = out.parent / "staging"
    for name, source in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staging / name)
    with open(out, "wb") as handle:
        subprocess.run("find . | sort | cpio -o -H newc -R 0:0 --quiet", shell=True, cwd=staging,
                       stdout=handle, check=True)
    shutil.rmtree(staging)


def ensure_pxe_initrd(initrd: Path, stage2: Path, updates: Path) -> Path:
    """initrd.img + a cpio with images/install.img and images/updates.img, concatenated
    (PXE loaders concatenate several initrds the same way)."""
    def build(work: Path) -> None:
        _cpio_of({"images/install.img": stage2, "images/updates.img": updates}, work / "stage2.cpio")
        with open(work / "initrd-stage2.img", "wb") as out:
            for part in (initrd, work / "stage2.cpio"):
                with open(part, "rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
                out.write(b"\0" * (-out.tell() % 4))  # the kernel finds the next archive
                # only at a 4-byte boundary, as PXE loaders align them
        (work / "stage2.cpio").unlink()

    key = key_of([initrd.parent.name, stage2.parent.name, updates.parent.name])
    return cached("pxe", key, build) / "initrd-stage2.img"


def implant_checksum(iso: Path) -> None:
    """Embed the ISO's MD5 in its primary volume descriptor, for checkisomd5 to compare."""
    subprocess.run(["implantisomd5", "--force", str(iso)], check=True, stdout=subprocess.DEVNULL)


def ensure_iso(vmlinuz: Path, initrd: Path, stage2: Path, updates: Path) -> Path:
    def build(work: Path) -> None:
        tree = work / "tree"
        (tree / "isolinux").mkdir(parents=True)
        (tree / "images/pxeboot").mkdir(parents=True)
        shutil.copy2(ISOLINUX / "isolinux.bin", tree / "isolinux")
        shutil.copy2(SYSLINUX_BIOS / "ldlinux.c32", tree / "isolinux")
        (tree / "isolinux/isolinux.cfg").write_text(CONFIG)
        shutil.copy2(vmlinuz, tree / "images/pxeboot/vmlinuz")
        shutil.copy2(initrd, tree / "images/pxeboot/initrd.img")
        shutil.copy2(stage2, tree / "images/install.img")
        shutil.copy2(updates, tree / "images/updates.img")
        log("iso: xorriso")
        subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", LABEL,
                        "-isohybrid-mbr", str(ISOLINUX / "isohdpfx.bin"),
                        "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat",
                        "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
                        "-o", str(work / "netinst.iso"), str(tree)], check=True)
        shutil.rmtree(tree)
        implant_checksum(work / "netinst.iso")

    key = key_of([CONFIG, "implantisomd5", vmlinuz.parent.parent.parent.name, initrd.parent.name,
                  stage2.parent.name, updates.parent.name])
    return cached("iso", key, build) / "netinst.iso"
