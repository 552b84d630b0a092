"""Which disks an install may use: `ignoredisk --only-use/--drives`, or the TUI's choice."""
from __future__ import annotations

import fnmatch
import glob
import logging
import os

from .errors import StorageProblem
from .protection import check_usable, find_device
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


def not_a_disk(session: StorageSession, device) -> str:
    """Why a device that exists but is no disk cannot be named where a disk is wanted."""
    kind = "a loop device" if device.type == "loop" else f"a {device.type}"
    if device.type == "loop" and device.parents:
        kind += f" over {device.parents[0].path}"
    reason = session.protected.get(device.name) or next(
        (session.protected[d.name] for d in device.disks if d.name in session.protected), None)
    if reason:
        return f"{device.name} ({kind}) cannot be used: {reason}"
    if device.disks:
        return (f"{device.name} is {kind}, not a disk: name the disk it is on "
                f"({', '.join(d.name for d in device.disks)})")
    if device.type == "loop":
        return (f"{device.name} is {kind}, not a disk: installing to a loop device is not "
                "supported (blivet does not treat loop devices as disks)")
    return f"{device.name} is {kind}, not a disk"


def resolve_disks(session: StorageSession, specs: list[str], what: str) -> list[str]:
    """Disk names for the specs; a device that is not a disk (a partition, a loop device)
    fails with what it is, unknown ones with the list of disks there are."""
    names, unknown = [], []
    for spec in specs:
        if is_pattern(spec):  # Anaconda's shell patterns: sd*, /dev/disk/by-id/*
            matched = _matching(session, spec)
            names += [n for n in matched if n not in names]
            if not matched:
                unknown.append(spec)
            continue
        disk = session.disk(spec)
        if disk is not None:
            names.append(disk.name)
            continue
        device = find_device(session, spec)
        if device is not None:
            raise StorageProblem(f"{what}: {not_a_disk(session, device)}")
        unknown.append(spec)
    if unknown:
        known = ", ".join(d.name for d in session.blivet.disks) or "none"
        raise StorageProblem(f"{what}: no disk {', '.join(unknown)} on this machine "
                             f"(disks: {known})")
    return names


def is_pattern(spec: str) -> bool:
    return any(c in spec for c in "*?[")


def _matching(session: StorageSession, pattern: str) -> list[str]:
    """Disks a shell pattern names: by name (`sd*`, `/dev/vd[ab]`) or, for /dev/disk/
    patterns, by the links udev made."""
    if pattern.startswith("/dev/disk/"):
        targets = {os.path.basename(os.path.realpath(link)) for link in glob.glob(pattern)}
        return [d.name for d in session.blivet.disks if d.name in targets]
    name = pattern.removeprefix("/dev/")
    return [d.name for d in session.blivet.disks if fnmatch.fnmatchcase(d.name, name)]


def select_disks(session: StorageSession, only_use: list[str] | None = None,
                 ignore: list[str] | None = None) -> list[str]:
    """Apply ignoredisk; a protected disk named explicitly is an error, not a skip."""
    if only_use:
        names = []
        for spec in only_use:
            found = resolve_disks(session, [spec], "ignoredisk --only-use")
            if is_pattern(spec):  # a pattern passes over the disks that cannot be used
                found = [n for n in found if n not in session.protected]
            for name in found:
                check_usable(session, name, "ignoredisk --only-use")
            names += [n for n in found if n not in names]
        session.selected = names
    if ignore:
        # ignoring a device that is not a disk (a loop device) is a no-op, not an error
        ignore = [spec for spec in ignore
                  if session.disk(spec) is not None or find_device(session, spec) is None]
        dropped = set(resolve_disks(session, ignore, "ignoredisk --drives"))
        session.selected = [n for n in session.selected if n not in dropped]
    if not session.selected:
        disks = {d.name for d in session.blivet.disks}
        protected = "; ".join(f"{name}: {why}" for name, why in session.protected.items()
                              if name in disks)
        raise StorageProblem("no disk is left to install to"
                             + (f" (protected: {protected})" if protected else ""))
    log.info("Disks selected: %s", ", ".join(session.selected))
    return session.selected
