"""Carrying out a confirmed plan, action by action, with progress.

Each new swap is activated as soon as its format exists, before the next action runs,
so a small machine gains swap early (and the storage log shows it). Any blivet failure
stops execution with the action that failed named; what was done before it is logged,
so nobody is left guessing about a half-written disk.
"""
from __future__ import annotations

import logging
from typing import Callable

from blivet.callbacks import create_new_callbacks_register

from .errors import StorageProblem
from .faults import describe, foreign_errors
from .plan import action_lines, planned_actions
from .session import StorageSession

log = logging.getLogger("anaconda.storage")

Progress = Callable[[str, float], None]  # message, fraction done


def activate_new_swaps(session: StorageSession) -> list[str]:
    """swapon every swap this plan formatted that is not active yet."""
    activated = []
    for device in session.blivet.devices:
        fmt = device.format
        if fmt.type == "swap" and fmt.exists and not fmt.status and device.id not in session.swaps_on:
            fmt.setup()
            session.swaps_on.add(device.id)
            activated.append(device.path)
            # memory_event: the memory log (installer/memory) samples at once on this record
            log.info("Swap activated on %s (%s) right after it was formatted", device.path,
                     device.size, extra={"memory_event": True})
    return activated


def execute(session: StorageSession, progress: Progress | None = None) -> None:
    lines = action_lines(planned_actions(session))
    total = max(len(lines), 1)
    log.info("Executing %d storage actions:\n%s", len(lines), "\n".join(lines))
    done = {"count": 0, "last": ""}

    def report(data) -> None:
        done["last"] = data.msg
        log.info("Storage: %s", data.msg)
        if progress:
            progress(data.msg, done["count"] / total)
        done["count"] += 1

    def format_created(data) -> None:
        log.info("Storage: %s", data.msg)
        activate_new_swaps(session)

    callbacks = create_new_callbacks_register(report_progress=report, create_format_post=format_created)
    try:
        session.blivet.do_it(callbacks=callbacks)
    except foreign_errors() as exc:
        log.error("Storage action failed after %d of %d (%s)", done["count"], total,
                  done["last"], exc_info=True)
        raise StorageProblem(f"writing the disks failed at action {done['count']} of {total} "
                             f"({done['last']}): {describe(exc)}; the disks are partly written, "
                             "see storage.log for every action done") from None
    activate_new_swaps(session)
    if progress:
        progress("storage layout written", 1.0)
