"""The target's initramfs, made by the target's own tool after fstab, crypttab and
mdadm.conf exist, so it can find and unlock the root the installer made.

dracut (Fedora) or update-initramfs/mkinitramfs (Debian), whichever the target has;
one image per installed kernel, always remade: an image built by a package scriptlet
during the transaction predates the storage configuration.

Both are made for this machine, as Fedora's dracut is by default (hostonly): for
initramfs-tools that is MODULES=list with the modules the installer's kernel loaded to
reach these disks. MODULES=most takes ten times longer (29 s against 2.8 s on the host,
many minutes on a slow machine) and makes a 30 MiB image instead of 6.

On a machine below 1 GiB (low-memory level 1 or 2) initramfs-tools compresses this one
image at zstd level 1 instead of its default 9: `zstd -q -9 -T0` (as mkinitramfs runs
it) reading a pipe sets up its tables for an input of unknown size and took 47-64 MiB on
the host (one or two threads), and was the largest process of the phase in a 192 MiB
guest, at 25 MiB resident with 24 MiB left available; level 1 takes 14-16 MiB. The image
comes out about a fifth larger (a few hundred KiB to read at boot); zstd unpacks both
equally fast. The setting lives in a conf.d file that exists only while the installer
runs the tool, so the installed system's own later runs compress as its configuration
says.
"""
from __future__ import annotations

import logging
import shutil
from contextlib import contextmanager
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


HOSTONLY_CONF = "etc/initramfs-tools/conf.d/anaconda-hostonly.conf"
LOW_MEMORY_CONF = "etc/initramfs-tools/conf.d/zz-anaconda-low-memory.conf"  # sorts last: wins
LOW_MEMORY_ZSTD_LEVEL = 1
MODULES_FILE = "etc/initramfs-tools/modules"
MARK = "# added by the installer: the modules this machine needs to reach its disks"


def _module_names(root: Path, version: str) -> set[str]:
    dep = root / "lib/modules" / version / "modules.dep"
    if not dep.exists():
        dep = root / "usr/lib/modules" / version / "modules.dep"
    names = set()
    for line in dep.read_text().splitlines() if dep.exists() else []:
        path = line.split(":", 1)[0]
        names.add(Path(path).name.split(".ko")[0].replace("-", "_"))
    return names


def loaded_modules(proc_modules: Path = Path("/proc/modules")) -> list[str]:
    return [line.split()[0] for line in proc_modules.read_text().splitlines() if line.strip()]


def hostonly_initramfs_tools(root: Path, versions: list[str], loaded: list[str]) -> list[str]:
    """MODULES=list for initramfs-tools, listing the loaded modules the target's kernels
    have; returns the list written."""
    known = set.union(*(_module_names(root, v) for v in versions)) if versions else set()
    wanted = sorted(m for m in loaded if m.replace("-", "_") in known)
    modules = root / MODULES_FILE
    text = modules.read_text() if modules.exists() else ""
    text = text.split(MARK)[0].rstrip("\n") + ("\n" if text.strip() else "")
    modules.parent.mkdir(parents=True, exist_ok=True)
    modules.write_text(text + MARK + "\n" + "".join(f"{m}\n" for m in wanted))
    conf = root / HOSTONLY_CONF
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("# written by the installer: an initramfs for this machine, like dracut's hostonly\n"
                    "# (MODULES=most makes one for any machine, ten times slower and 5x bigger)\n"
                    "MODULES=list\n")
    log.info("initramfs-tools: MODULES=list with %d modules: %s", len(wanted), " ".join(wanted))
    return wanted


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


@contextmanager
def low_memory_compression(root: Path, low_memory: bool):
    """initramfs-tools' COMPRESSLEVEL for the installer's own run only (see above)."""
    conf = root / LOW_MEMORY_CONF
    if not low_memory or not conf.parent.is_dir():
        yield
        return
    conf.write_text("# written by the installer for its own run on a small machine; deleted after it\n"
                    f"COMPRESSLEVEL={LOW_MEMORY_ZSTD_LEVEL}\n")
    log.info("initramfs-tools: COMPRESSLEVEL=%d for this run (less than 1 GiB of RAM: zstd -9 "
             "needs 47-64 MiB, -%d 14-16)", LOW_MEMORY_ZSTD_LEVEL, LOW_MEMORY_ZSTD_LEVEL)
    try:
        yield
    finally:
        conf.unlink(missing_ok=True)


def make_initramfs(root: Path, report=lambda message: None, low_memory: bool = False) -> list[str]:
    """Build an initramfs per kernel; returns the versions done. `low_memory`: below 1 GiB."""
    versions = kernel_versions(root)
    if not versions:
        log.info("No kernel in %s: no initramfs to make", root)
        return []
    tool = _tool(root)
    if tool is None:
        raise ConfigurationError(f"the installed system has kernel {', '.join(versions)} but no "
                                 "dracut or initramfs-tools to make its initramfs: add one to %packages")
    if tool[0] in ("update-initramfs", "mkinitramfs"):
        hostonly_initramfs_tools(root, versions, loaded_modules())
    with low_memory_compression(root, low_memory and tool[0] != "dracut"):
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
