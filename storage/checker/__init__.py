"""The storage checker: independent checks over a planned session, each reporting errors
(the layout cannot be installed as it is) and warnings (it can, but the user should know),
all collected in one report so a person fixes everything in one round.

In the spirit of Anaconda's `modules/storage/checker` (StorageChecker, a list of checks
called with a report); the checks themselves are in `layout_checks` (root, /boot, the boot
loader's partitions) and `luks_memory` (LUKS2's Argon2 memory cost against this machine's
RAM). Field checks of the storage screens' request are the other modules here.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Sequence

log = logging.getLogger("anaconda.storage")


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def warning(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def message(self) -> str:
        """The errors as one message: the error itself when there is one, else a list."""
        if len(self.errors) == 1:
            return self.errors[0]
        return f"the planned layout has {len(self.errors)} problems:\n" + \
            "\n".join(f"  - {error}" for error in self.errors)


#: A check looks at a planned session and reports into the report; it never raises for a
#: problem of the plan and never depends on another check having run.
Check = Callable[[object, CheckReport], None]


def default_checks() -> list[Check]:
    from .layout_checks import check_biosboot, check_boot_device, check_efi, check_root
    from .luks_memory import check_luks2_memory

    return [check_root, check_boot_device, check_efi, check_biosboot, check_luks2_memory]


def check_plan(session, checks: Sequence[Check] | None = None) -> CheckReport:
    """Run every check over the planned session; all errors and warnings are reported."""
    report = CheckReport()
    for check in checks if checks is not None else default_checks():
        check(session, report)
        log.debug("Storage check %s: %d errors, %d warnings so far", check.__name__,
                  len(report.errors), len(report.warnings))
    return report
