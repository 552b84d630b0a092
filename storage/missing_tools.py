"""A plan that is only shown (`--dry-run`) on a host that lacks what executing it needs.

blivet refuses to schedule a device whose libblockdev plugin or kernel module is missing
(btrfs on a host without the btrfs module) and a format whose mkfs tool is missing. That
is right before writing disks, but a dry run never writes: it should show the layout of
any kickstart on any host and say what executing it would need. While `tolerated()` is
active for a plan-only session, those two checks note the missing piece in the session's
warnings instead of raising. A session that may be executed is never tolerated.
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from typing import Iterator

from .blivet_adapter import missing_tools_reported, mkfs_tool
from .session import StorageSession

log = logging.getLogger("anaconda.storage")


def _note(session: StorageSession, what: str, why: str, used_by: str) -> None:
    """One warning per missing piece, naming what in the plan needs it."""
    lead = f"the plan needs {what}"
    for index, text in enumerate(session.warnings):
        if text.startswith(lead + " (for "):
            users = text[len(lead) + 6:text.index(")")]
            if used_by not in users.split(", "):
                session.warnings[index] = text.replace(f"(for {users})", f"(for {users}, {used_by})", 1)
            return
    text = (f"{lead} (for {used_by}), which this machine lacks: {why}; the plan is shown, but "
            "executing it needs a machine that has it (the installer image does)")
    session.warnings.append(text)
    log.warning("Dry run: %s", text)


def _reasons(resource) -> str:
    """libblockdev lists one reason per technology, mostly the same one: each once."""
    found = []
    for error in resource.availability_errors:
        text = " ".join(str(error).split())
        parts = re.findall(r"BD_[A-Z0-9_]+: ([^;()]+(?:\([^)]*\))?[^;()]*)", text) or [text]
        for part in parts:
            part = part.strip().rstrip(")")
            if part not in found:
                found.append(part)
    return "; ".join(found) or "unavailable"


def _device_check(session: StorageSession):
    def check(action) -> None:
        for missing in action.device.unavailable_direct_dependencies:
            _note(session, str(missing), _reasons(missing), f"{action.device.type} {action.device.name}")
    return check


def _format_check(session: StorageSession):
    def check(device, fmt) -> None:
        tool = mkfs_tool(fmt)
        _note(session, f"the tools to make {fmt.type}" + (f" ({tool})" if tool else ""),
              "blivet finds them unavailable", device.name)
    return check


@contextmanager
def tolerated(session: StorageSession) -> Iterator[None]:
    """Within the block, missing plugins, modules and mkfs tools are warnings for a
    plan-only session; for any other session nothing changes."""
    if not session.plan_only:
        yield
        return
    with missing_tools_reported(_device_check(session), _format_check(session)):
        yield
