"""Which disks an install may use: `ignoredisk --only-use/--drives`, or the TUI's choice."""
from __future__ import annotations

import logging

from .errors import StorageProblem
from .protection import check_usable
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


def resolve_disks(session: StorageSession, specs: list[str], what: str) -> list[str]:
    """Disk names for the specs; unknown ones fail with the list of disks there are."""
    names, unknown = [], []
    for spec in specs:
        disk = session.disk(spec)
        if disk is None:
            unknown.append(spec)
        else:
            names.append(disk.name)
    if unknown:
        known = ", ".join(d.name for d in session.blivet.disks) or "none"
        raise StorageProblem(f"{what}: no disk {', '.join(unknown)} on this machine "
                             f"(disks: {known})")
    return names


def select_disks(session: StorageSession, only_use: list[str] | None = None,
                 ignore: list[str] | None = None) -> list[str]:
    """Apply ignoredisk; a protected disk named explicitly is an error, not a skip."""
    if only_use:
        names = resolve_disks(session, only_use, "ignoredisk --only-use")
        for name in names:
            check_usable(session, name, "ignoredisk --only-use")
        session.selected = names
    if ignore:
        dropped = set(resolve_disks(session, ignore, "ignoredisk --drives"))
        session.selected = [n for n in session.selected if n not in dropped]
    if not session.selected:
        protected = "; ".join(f"{name}: {why}" for name, why in session.protected.items())
        raise StorageProblem("no disk is left to install to"
                             + (f" (protected: {protected})" if protected else ""))
    log.info("Disks selected: %s", ", ".join(session.selected))
    return session.selected
