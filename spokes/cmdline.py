"""The non-interactive front end: one progress line per step, nothing asked.

Progress goes to stdout, warnings and errors to stderr; every line passes the log
redactor so a secret that slipped into a message never reaches the console.
"""
from __future__ import annotations

import sys
from typing import TextIO

from installer.errors import InstallerError
from installer.frontend import Question
from installer.logs import redact
from installer.tasks import ProgressEvent


class CmdlineFrontend:
    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._last: tuple[str, str] | None = None

    def _print(self, stream: TextIO, text: str) -> None:
        stream.write(redact(text) + "\n")
        stream.flush()

    def progress(self, event: ProgressEvent) -> None:
        key = (event.task, event.message)
        if key == self._last:
            return
        self._last = key
        percent = int(event.fraction * 100)
        text = event.task if event.message == event.task else f"{event.task}: {event.message}"
        self._print(self.out, f"[{percent:3d}%] {text}")

    def message(self, text: str) -> None:
        self._print(self.out, text)

    def warning(self, text: str) -> None:
        self._print(self.err, f"anaconda: warning: {text}")

    def ask(self, question: Question) -> str:
        """Nobody to ask: the default (abort), said on the console so the log reads right."""
        self._print(self.err, f"anaconda: {question.title}: {question.default.lower()} "
                              "(non-interactive; the TUI would ask)")
        return question.default

    def error(self, error: InstallerError) -> None:
        self._print(self.err, f"anaconda: {error.kind}: {error.message}")


def create() -> CmdlineFrontend:
    return CmdlineFrontend()
