"""The chosen system mounted under the sysroot, as it mounts itself at boot, with the
installer's /dev, /proc, /sys and /run (and efivars) bound into it for a working chroot;
and all of it unmounted again, deepest first.

A mount point is resolved inside the sysroot: a symlink in the installed system (`/home`
-> `/var/home`) is followed within it, never out into the installer's own tree. Nothing
is created on the installed system: a missing mount point is a problem that is said, and
that file system stays unmounted.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from installer import program

from . import fstab
from .devices import Device, Runner
from .finder import InstalledSystem

log = logging.getLogger("anaconda.rescue")

#: The installer's kernel file systems a chroot needs, bound in this order.
BINDS = ("dev", "dev/pts", "proc", "sys", "run")
EFIVARS = "sys/firmware/efi/efivars"
MAX_LINKS = 40


class MountError(Exception):
    """The system's root could not be mounted: nothing else was."""


@dataclass
class Mounted:
    root: Path
    readonly: bool
    #: every mount made, in order (unmounted in reverse)
    targets: list[Path] = field(default_factory=list)
    #: (mount point in the system, device) of what was mounted from its fstab
    filesystems: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def inside(root: Path, path: str) -> Path | None:
    """`path` of the installed system as a path under `root`, symlinks followed inside
    the root; None when they loop."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = root.joinpath(*resolved, part)
        if candidate.is_symlink():
            links += 1
            if links > MAX_LINKS:
                return None
            target = os.readlink(candidate)
            if target.startswith("/"):
                resolved = []
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        resolved.append(part)
    return root.joinpath(*resolved)


def _mount(run: Runner, argv: list[str]) -> str | None:
    result = run(argv)
    if result.returncode == 0:
        return None
    return " ".join(result.output.split()) or f"mount exit code {result.returncode}"


def _root_options(system: InstalledSystem, readonly: bool) -> str:
    entry = fstab.root_entry(list(system.entries))
    options = entry.mount_options(readonly) if entry else ("ro" if readonly else "rw")
    if system.subvol:
        kept = [o for o in options.split(",") if not o.startswith(("subvol=", "subvolid="))]
        options = ",".join(kept + [f"subvol={system.subvol}"])
    return options


def mount_system(system: InstalledSystem, devices: list[Device], root: Path, readonly: bool,
                 run: Runner = program.run) -> Mounted:
    """Mount the system's root, its fstab's file systems and the kernel file systems.
    A root that will not mount raises MountError; anything after it that fails is a
    problem in the result and rescue goes on (a person can fix /home from the shell)."""
    mounted = Mounted(root=root, readonly=readonly)
    root.mkdir(parents=True, exist_ok=True)
    said = _mount(run, ["mount", "-t", system.root.fstype, "-o", _root_options(system, readonly),
                        system.root.path, str(root)])
    if said:
        raise MountError(f"cannot mount {system.root.path} ({system.title}) on {root}: {said}")
    mounted.targets.append(root)
    mounted.filesystems.append(("/", system.root.path))
    for entry in fstab.others(list(system.entries)):
        _mount_entry(entry, devices, mounted, run)
    _bind_kernel_filesystems(mounted, run)
    return mounted


def _mount_entry(entry: fstab.FstabEntry, devices: list[Device], mounted: Mounted,
                 run: Runner) -> None:
    where = f"/etc/fstab line {entry.line} ({entry.mountpoint})"
    reason = entry.skip_reason
    if reason:
        log.info("Not mounting %s: %s", where, reason)
        return
    device = next((d for d in devices if d.matches(entry.spec)), None)
    if device is None:
        mounted.problems.append(f"{where}: no device {entry.spec} was found (locked, skipped "
                                "or missing); not mounted")
        return
    target = inside(mounted.root, entry.mountpoint)
    if target is None or not target.is_dir():
        mounted.problems.append(f"{where}: the mount point does not exist in the system; "
                                f"{device.path} not mounted")
        return
    fstype = device.fstype or entry.fstype
    argv = ["mount", *(["-t", fstype] if fstype and fstype != "auto" else []),
            "-o", entry.mount_options(mounted.readonly), device.path, str(target)]
    said = _mount(run, argv)
    if said:
        mounted.problems.append(f"{where}: cannot mount {device.path}: {said}")
        return
    mounted.targets.append(target)
    mounted.filesystems.append((entry.mountpoint, device.path))


def _bind_kernel_filesystems(mounted: Mounted, run: Runner) -> None:
    binds = list(BINDS) + ([EFIVARS] if os.path.ismount(f"/{EFIVARS}") else [])
    for name in binds:
        target = inside(mounted.root, name)
        if target is None or not target.is_dir():
            mounted.problems.append(f"/{name} does not exist in the system; not bound (a chroot "
                                    "may miss it)")
            continue
        said = _mount(run, ["mount", "--bind", f"/{name}", str(target)])
        if said:
            mounted.problems.append(f"cannot bind /{name} into {mounted.root}: {said}")
            continue
        mounted.targets.append(target)


def unmount(mounted: Mounted, run: Runner = program.run) -> tuple[list[str], list[str]]:
    """Everything mounted, deepest first. A busy file system (a process still in it) is
    detached lazily and said. Returns (unmounted, problems)."""
    done: list[str] = []
    problems: list[str] = []
    for target in reversed(mounted.targets):
        result = run(["umount", str(target)])
        if result.returncode == 0:
            done.append(str(target))
            continue
        lazy = run(["umount", "-l", str(target)])
        busy = " ".join(result.output.split()) or f"exit code {result.returncode}"
        if lazy.returncode == 0:
            problems.append(f"{target} was busy ({busy}); detached lazily")
        else:
            problems.append(f"cannot unmount {target}: {busy}")
    mounted.targets.clear()
    return done, problems
