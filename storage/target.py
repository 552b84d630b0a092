"""The new system's filesystems mounted at /mnt/sysroot (in mount point order, with the
kernel filesystems a chroot needs), fstab/crypttab/mdadm.conf written for it, and
everything unmounted and closed again at the end or after a failure."""
from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StorageProblem

if TYPE_CHECKING:
    from .session import StorageSession

log = logging.getLogger("anaconda.storage")

#: Where the new system is mounted while it is installed (the installer's one SYSROOT;
#: this module imports blivet only when it mounts, so importing SYSROOT costs nothing).
SYSROOT = Path("/mnt/sysroot")


def mountpoints(session: StorageSession) -> dict[str, object]:
    from .plan import mountpoints as planned

    return planned(session)
BIND = ("dev", "dev/pts", "proc", "sys", "run")


def _run(argv: list[str]) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True)
    log.info("%s -> %d %s", " ".join(argv), result.returncode, (result.stdout + result.stderr).strip())
    return result


def mount_target(session: StorageSession, root: Path = SYSROOT) -> list[Path]:
    """Mount the new filesystems under root, shallowest first, then the kernel filesystems
    a chroot needs; returns what was mounted. A mount that fails unmounts what was done and
    stops here: a target without /dev or /proc would only fail later, in GRUB or dracut."""
    mounted: list[Path] = []
    root.mkdir(parents=True, exist_ok=True)
    for mount, device in sorted(mountpoints(session).items(), key=lambda m: (m[0].count("/"), m[0])):
        target = root / mount.lstrip("/")
        target.mkdir(parents=True, exist_ok=True)
        try:
            device.format.mount(mountpoint=str(target))
        except Exception as exc:  # blivet's FSError and friends
            unmount_target(mounted)
            raise StorageProblem(f"cannot mount {device.path} on {mount}: {exc}") from None
        mounted.append(target)
        log.info("Mounted %s on %s", device.path, target)
    for fs in BIND:
        target = root / fs
        target.mkdir(parents=True, exist_ok=True)
        result = _run(["mount", "--bind", f"/{fs}", str(target)])
        if result.returncode != 0:
            unmount_target(mounted)
            raise StorageProblem(f"cannot bind-mount /{fs} into the target ({target}): "
                                 f"{(result.stdout + result.stderr).strip() or f'mount exit {result.returncode}'}")
        mounted.append(target)
    return mounted


def unmount_target(mounted: list[Path]) -> list[str]:
    """Deepest first; a busy mount is detached lazily. Returns what could not be unmounted
    (logged), so the caller can go on taking the rest down."""
    failed = []
    for target in reversed(mounted):
        if _run(["umount", str(target)]).returncode != 0 and \
                _run(["umount", "-l", str(target)]).returncode != 0:
            log.error("Could not unmount %s", target)
            failed.append(str(target))
    return failed


def close_devices(session: StorageSession) -> list[str]:
    """Swap off, then every device torn down from the leaves (LVs deactivated, LUKS closed,
    md arrays stopped), so the disks can be removed cleanly. Every step is tried even when
    one before it failed; returns the failures (logged)."""
    failed = []
    for device in session.blivet.devices:
        if device.format.type == "swap" and device.format.exists and device.format.status:
            try:
                device.format.teardown()
                log.info("Swap off on %s", device.path)
            except Exception as exc:
                log.error("swapoff %s: %s", device.path, exc)
                failed.append(f"swapoff {device.path}: {exc}")
    for device in _made(session.blivet.devicetree.leaves):
        try:
            device.teardown(recursive=True)
        except Exception as exc:  # blivet's and libblockdev's errors: log, go on
            log.error("Tearing down %s: %s", device.name, exc)
            failed.append(f"{device.name}: {exc}")
    return failed


def _made(devices) -> list:
    """The devices to tear down: each leaf, or for a leaf never made (execution stopped
    before it) the nearest ancestors that were; asking a planned device for its status
    would only fail."""
    found: dict[str, object] = {}
    while devices:
        device, devices = devices[0], devices[1:]
        if device.protected:
            continue
        if device.exists:
            found.setdefault(device.name, device)
        else:
            devices = devices + list(device.parents)
    return list(found.values())


def _spec(device) -> str:
    uuid = getattr(device.format, "uuid", None)
    return f"UUID={uuid}" if uuid else device.path


def fstab_lines(session: StorageSession) -> list[str]:
    lines = ["# /etc/fstab, written by the installer (anaconda-lean)"]
    for mount, device in sorted(mountpoints(session).items()):
        fmt = device.format
        options = getattr(fmt, "mountopts", None) or "defaults"
        if device.type == "btrfs subvolume":
            options = f"subvol={device.name}" + ("" if options == "defaults" else f",{options}")
        passno = 1 if mount == "/" else (0 if fmt.type in ("btrfs", "xfs") else 2)
        if mount == "/boot/efi":
            options, passno = "umask=0077,shortname=winnt", 2
        if fmt.type == "tmpfs":  # part /tmp --fstype=tmpfs --size=N: options carry size=
            lines.append(f"tmpfs {mount} tmpfs {fmt.options or 'defaults'} 0 0")
            continue
        lines.append(f"{_spec(device)} {mount} {fmt.type if fmt.type != 'efi' else 'vfat'} {options} 0 {passno}")
    for device in session.blivet.devices:
        if device.format.type == "swap":
            lines.append(f"{_spec(device)} none swap defaults 0 0")
    return lines


def crypttab_lines(session: StorageSession) -> list[str]:
    lines = []
    for device in session.blivet.devices:
        if device.type == "luks/dm-crypt":
            backing = device.parents[0]
            lines.append(f"{device.name} UUID={backing.format.uuid} none luks,discard")
    return lines


def mdadm_conf(arrays: str) -> str:
    """As Anaconda writes it: without MAILADDR (or PROGRAM) mdmonitor refuses to start and
    the booted system has a failed unit; AUTO keeps foreign arrays from assembling."""
    return ("# mdadm.conf written by the installer (anaconda-lean)\n"
            "MAILADDR root\nAUTO +imsm +1.x -all\n" + arrays)


def write_config(session: StorageSession, root: Path = SYSROOT) -> None:
    etc = root / "etc"
    etc.mkdir(parents=True, exist_ok=True)
    (etc / "fstab").write_text("\n".join(fstab_lines(session)) + "\n")
    log.info("Wrote %s", etc / "fstab")
    crypttab = crypttab_lines(session)
    if crypttab:
        (etc / "crypttab").write_text("\n".join(crypttab) + "\n")
        os.chmod(etc / "crypttab", 0o600)
        log.info("Wrote %s", etc / "crypttab")
    if session.blivet.mdarrays:
        scan = _run(["mdadm", "--detail", "--scan"])
        if scan.returncode != 0 or "ARRAY" not in scan.stdout:
            raise StorageProblem("writing mdadm.conf: `mdadm --detail --scan` "
                                 f"{'exited with ' + str(scan.returncode) if scan.returncode else 'listed no array'}"
                                 f" ({(scan.stdout + scan.stderr).strip() or 'no output'}); "
                                 "without it the installed system cannot assemble its RAID at boot")
        (etc / "mdadm").mkdir(exist_ok=True)
        for path in (etc / "mdadm/mdadm.conf", etc / "mdadm.conf"):
            path.write_text(mdadm_conf(scan.stdout))
