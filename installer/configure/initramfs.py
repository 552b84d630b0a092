"""The target's initramfs, made by the target's own tool after fstab, crypttab and
mdadm.conf exist, so it can find and unlock the root the installer made.

dracut (Fedora) or update-initramfs/mkinitramfs (Debian), whichever the target has;
one image per installed kernel, always remade: an image built by a package scriptlet
during the transaction predates the storage configuration.
"""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

from installer import program
from installer.errors import ConfigurationError

log = logging.getLogger("anaconda.configure")


def kernel_versions(root: Path) -> list[str]:
    """Kernels with modules; Fedora's kernel-core keeps vmlinuz next to them, and it is
    copied to /boot when the package's own scriptlet did not do it."""
    versions = []
    for base in ("usr/lib/modules", "lib/modules"):
        for moddir in sorted((root / base).glob("*")) if (root / base).is_dir() else []:
            version = moddir.name
            if version in versions or not (moddir / "modules.order").exists() and not (moddir / "kernel").is_dir():
                continue
            boot_image = root / "boot" / f"vmlinuz-{version}"
            if not boot_image.exists() and (moddir / "vmlinuz").exists():
                shutil.copy2(moddir / "vmlinuz", boot_image)
                log.info("Copied %s to %s", moddir / "vmlinuz", boot_image)
            if boot_image.exists():
                versions.append(version)
    return versions


def _tool(root: Path) -> list[str] | None:
    for path, argv in (("usr/bin/dracut", ["dracut", "--force"]),
                       ("usr/sbin/update-initramfs", ["update-initramfs", "-c", "-k"]),
                       ("usr/sbin/mkinitramfs", ["mkinitramfs", "-o"])):
        if (root / path).exists():
            return argv
    return None


def _command(argv: list[str], version: str) -> list[str]:
    if argv[0] == "dracut":
        return [*argv, f"/boot/initramfs-{version}.img", version]
    if argv[0] == "update-initramfs":
        return [*argv, version]
    return [*argv, f"/boot/initrd.img-{version}", version]


def make_initramfs(root: Path, report=lambda message: None) -> list[str]:
    """Build an initramfs per kernel; returns the versions done."""
    versions = kernel_versions(root)
    if not versions:
        log.info("No kernel in %s: no initramfs to make", root)
        return []
    tool = _tool(root)
    if tool is None:
        raise ConfigurationError(f"the installed system has kernel {', '.join(versions)} but no "
                                 "dracut or initramfs-tools to make its initramfs: add one to %packages")
    for version in versions:
        if tool[0] == "update-initramfs":  # -c refuses to overwrite an image a scriptlet made
            (root / "boot" / f"initrd.img-{version}").unlink(missing_ok=True)
        report(f"initramfs for kernel {version} ({tool[0]})")
        result = program.run(_command(tool, version), root=root)
        if result.returncode != 0:
            last = result.output.splitlines()[-1] if result.output else "no output"
            raise ConfigurationError(f"making the initramfs for kernel {version} failed "
                                     f"({tool[0]} exit {result.returncode}: {last}); see program.log")
    return versions
