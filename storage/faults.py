"""Errors from below the storage layer (blivet, libblockdev, pyparted, the kernel) turned
into StorageProblem where storage is entered, naming what was being done.

Those libraries raise their own types, none of which the installer should know; without
this one mapping a libblockdev error while planning a kickstart layout would reach the
user as an "internal error" instead of a storage error naming the kickstart line.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator

from .errors import StorageProblem

log = logging.getLogger("anaconda.storage")


def foreign_errors() -> tuple[type[BaseException], ...]:
    """blivet's errors, libblockdev's (GLib errors), pyparted's and OSError. Imported only
    when an error is on its way, so importing this module costs nothing."""
    import _ped
    from blivet.errors import StorageError as BlivetError
    from gi.repository import GLib

    parted = tuple(getattr(_ped, name) for name in dir(_ped) if name.endswith("Exception"))
    try:
        from gi.overrides.BlockDev import BlockDevError
    except ImportError:  # libblockdev's overrides not loaded: its errors are GLib errors
        return (BlivetError, GLib.GError, OSError, *parted)
    return (BlivetError, BlockDevError, GLib.GError, OSError, *parted)


def describe(error: BaseException) -> str:
    """One line: errno text and file for OSError, the message otherwise."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror} ({error.filename})" if error.filename else error.strerror
    return " ".join(str(error).split()) or type(error).__name__


@contextmanager
def failing_as(what: str, command: str = "", lineno: int | None = None) -> Iterator[None]:
    """Run the block; a foreign error in it becomes StorageProblem("WHAT: error")."""
    try:
        yield
    except StorageProblem:
        raise
    except Exception as exc:
        if not isinstance(exc, foreign_errors()):
            raise
        log.error("%s failed", what, exc_info=True)
        raise StorageProblem(f"{what}: {describe(exc)}", command, lineno) from exc
