"""Checks pykickstart does not make but an install needs, each naming file:line.

Run after the final parse and before anything is written (also in --dry-run), so a
kickstart that cannot work stops with exit code 2 instead of failing halfway through the
install or installing a broken system. Each area has its own module of small, pure checks
(no disks, no network); all errors are reported together, as Anaconda's storage checker
does, and warnings (where Anaconda goes on too) join the parser's, "file:line: text".
"""
from __future__ import annotations

import logging

from . import (accounts, addons, general, liveimg_nfs, localization, network, software,
               storage, support)
from . import storage_mount
from .findings import Findings, location_of

log = logging.getLogger("anaconda.kickstart")

__all__ = ["check_install", "collect", "location_of"]

CHECKS = (support.check_support, general.check_one_source, general.check_timezone, localization.check_lang,
          localization.check_keyboard, network.check_network, accounts.check_accounts,
          storage.check_storage, storage_mount.check_mount, storage_mount.check_snapshot,
          software.check_software, addons.check_addons, liveimg_nfs.check_sources)


def collect(loaded) -> Findings:
    """Every check's findings, none raised: for tests and for callers that only show them."""
    found = Findings()
    for check in CHECKS:
        check(loaded, found)
    return found


def check_install(loaded) -> None:
    """Every check an install run needs; --validate keeps to ksvalidator's syntax checks.
    Warnings go to loaded.warnings; errors are raised as one KickstartError."""
    general.check_not_empty(loaded)
    found = collect(loaded)
    loaded.warnings.extend(found.warning_lines())
    found.raise_errors()
