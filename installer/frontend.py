"""The seam between the installer and its front ends (spokes/).

The installer never imports spokes: it talks to a `Frontend` (progress, messages, errors)
and finds the implementation by name at start-up, so a front end can be added or
replaced without touching the core.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from typing import Protocol

from installer.errors import InstallerError
from installer.tasks import ProgressEvent


log = logging.getLogger("anaconda")


@dataclass(frozen=True)
class Question:
    """A failure the user may get past: what happened and the choices that make sense.
    `default` is what an unattended run answers (always the safe one: abort)."""

    title: str
    text: str
    choices: tuple[str, ...]
    default: str


class Frontend(Protocol):
    def progress(self, event: ProgressEvent) -> None: ...

    def message(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def error(self, error: InstallerError) -> None: ...

    def ask(self, question: Question) -> str: ...


def load_frontend(name: str) -> Frontend:
    module = importlib.import_module(f"spokes.{name}")
    return module.create()


def ask(frontend: Frontend, question: Question) -> str:
    """The front end's answer, logged; one without questions gets the default."""
    answer = frontend.ask(question) if hasattr(frontend, "ask") else question.default
    if answer not in question.choices:
        answer = question.default
    log.info("Question %r: %s -> %s", question.title, " / ".join(question.choices), answer)
    return answer
