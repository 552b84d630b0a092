"""The seam between the installer and its front ends (spokes/).

The installer never imports spokes: it talks to a `Frontend` (progress, messages, errors)
and finds the implementation by name at start-up, so a front end can be added or
replaced without touching the core.
"""
from __future__ import annotations

import importlib
from typing import Protocol

from installer.errors import InstallerError
from installer.tasks import ProgressEvent


class Frontend(Protocol):
    def progress(self, event: ProgressEvent) -> None: ...

    def message(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def error(self, error: InstallerError) -> None: ...


def load_frontend(name: str) -> Frontend:
    module = importlib.import_module(f"spokes.{name}")
    return module.create()
