"""The boot loader step: GRUB 2 installed with the target's own tools, in its chroot.

BIOS: grub-install into the boot disk's MBR (every member disk when /boot is on RAID1),
or into the /boot partition for `--location=partition`; on GPT the core image goes into
the biosboot partition the plan made. UEFI: grub-install into the EFI system partition,
once registered in the firmware's boot entries and once at the removable-media path, so a
machine whose NVRAM forgets the entry (a fresh VM, a moved disk) still boots.
Fedora names the tools grub2-*, Debian grub-*; whichever the target has is used.
"""
from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import os_release
from .errors import StorageProblem
from .plan import mountpoints
from .platform import boot_disk
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


@dataclass
class BootloaderRequest:
    location: str = "mbr"  # mbr, partition (BIOS); ignored on UEFI
    append: str = ""  # extra kernel arguments
    timeout: int | None = None
    password: str = ""  # grub.pbkdf2.sha512... (kickstart passwords are hashed at load)
    console_args: list[str] = field(default_factory=list)  # console= of the installer's own boot


@dataclass
class GrubTools:
    install: str  # grub2-install or grub-install
    mkconfig: str
    config: str  # where grub.cfg goes, in the target


def find_tools(root: Path) -> GrubTools | None:
    for prefix, config in (("grub2", "/boot/grub2/grub.cfg"), ("grub", "/boot/grub/grub.cfg")):
        for sbin in ("usr/sbin", "sbin", "usr/bin"):
            if (root / sbin / f"{prefix}-install").exists() and (root / sbin / f"{prefix}-mkconfig").exists():
                return GrubTools(f"/{sbin}/{prefix}-install", f"/{sbin}/{prefix}-mkconfig", config)
    return None


def kernels(root: Path) -> list[str]:
    return sorted(p.name.removeprefix("vmlinuz-") for p in (root / "boot").glob("vmlinuz-*"))


def _chroot(root: Path, argv: list[str], what: str) -> str:
    result = subprocess.run(["chroot", str(root), *argv], capture_output=True, text=True)
    output = (result.stdout + result.stderr).strip()
    log.info("%s -> %d%s", " ".join(argv), result.returncode, f"\n{output}" if output else "")
    if result.returncode != 0:
        last = output.splitlines()[-1] if output else "no output"
        raise StorageProblem(f"{what} failed ({' '.join(argv)}: {last}); the full output is in storage.log")
    return output


def _set_default(text: str, key: str, value: str) -> str:
    line = f'{key}="{value}"'
    pattern = re.compile(rf"^#?\s*{key}=.*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return text.rstrip("\n") + f"\n{line}\n"


def write_defaults(root: Path, request: BootloaderRequest) -> None:
    """/etc/default/grub: timeout, the kernel arguments, a serial terminal when the
    installer itself ran on one (as Anaconda carries console= over)."""
    path = root / "etc/default/grub"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text() if path.exists() else "# written by the installer\n"
    args = " ".join([*request.console_args, *request.append.split()])
    text = _set_default(text, "GRUB_CMDLINE_LINUX", args)
    if request.timeout is not None:
        text = _set_default(text, "GRUB_TIMEOUT", str(request.timeout))
    text = _set_default(text, "GRUB_DISABLE_OS_PROBER", "true")
    serial = next((a for a in request.console_args if a.startswith("console=ttyS")), None)
    if serial:
        unit = re.match(r"console=ttyS(\d+)(?:,(\d+))?", serial)
        text = _set_default(text, "GRUB_TERMINAL", "serial console")
        text = _set_default(text, "GRUB_SERIAL_COMMAND",
                            f"serial --unit={unit.group(1)} --speed={unit.group(2) or 115200}")
    path.write_text(text)
    log.info("Wrote %s: kernel arguments '%s'", path, args)


def write_password(root: Path, password: str) -> None:
    """A superuser for the GRUB menu; the hash only, readable by root alone."""
    script = root / "etc/grub.d/01_users"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("#!/bin/sh\n# written by the installer: bootloader --password\n"
                      "cat <<'EOF'\nset superusers=\"root\"\n"
                      f"password_pbkdf2 root {password}\nEOF\n")
    os.chmod(script, 0o700)
    log.info("Boot loader password set (GRUB superuser root)")


def bios_targets(session: StorageSession, location: str) -> list[str]:
    """Where grub-install writes on BIOS: the boot disk, each RAID1 member disk under
    /boot, or the /boot partition itself."""
    mounts = mountpoints(session)
    boot = mounts.get("/boot", mounts.get("/"))
    if location == "partition":
        return [boot.path]
    if boot is not None and boot.type == "mdarray":
        return sorted({disk.path for disk in boot.disks})
    disk = boot_disk(session)
    return [disk.path]


def install_bootloader(session: StorageSession, root: Path, request: BootloaderRequest) -> list[str]:
    """Install and configure GRUB in the mounted target; returns what was done."""
    tools = find_tools(root)
    if tools is None:
        raise StorageProblem("the installed system has no grub2-install/grub-install and "
                             "grub2-mkconfig/grub-mkconfig: add the boot loader packages, or "
                             "`bootloader --location=none` to boot it another way")
    found = kernels(root)
    if not found:
        raise StorageProblem(f"there is no kernel in {root}/boot (no vmlinuz-*): add a kernel package "
                             "(kernel, or linux-image-amd64) to %packages")
    write_defaults(root, request)
    if request.password:
        write_password(root, request.password)
    done = []
    if session.platform == "uefi":
        efi_id = os_release.os_id(root)
        base = [tools.install, "--target=x86_64-efi", "--efi-directory=/boot/efi"]
        _chroot(root, [*base, f"--bootloader-id={efi_id}", "--removable"], "installing GRUB (UEFI)")
        done.append("GRUB for UEFI at EFI/BOOT/BOOTX64.EFI")
        try:
            _chroot(root, [*base, f"--bootloader-id={efi_id}"], "registering the UEFI boot entry")
            done.append(f"UEFI boot entry {efi_id}")
        except StorageProblem as exc:  # no writable NVRAM: the removable path still boots
            log.warning("%s", exc.message)
    else:
        for target in bios_targets(session, request.location):
            argv = [tools.install, "--target=i386-pc"]
            if request.location == "partition":
                argv.append("--force")  # grub-install refuses partitions without it
            _chroot(root, [*argv, target], f"installing GRUB on {target}")
            done.append(f"GRUB on {target}")
    _chroot(root, [tools.mkconfig, "-o", tools.config], "writing the GRUB configuration")
    done.append(f"{tools.config} for kernel {', '.join(found)}")
    for line in done:
        log.info("Boot loader: %s", line)
    return done
