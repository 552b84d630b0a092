"""A spoke: one screen of settings reached from the hub, with Anaconda's hub semantics.

`mandatory` spokes must be `completed()` before "Begin Installation"; `ready()` is False
while background work (a scan, a depsolve) has not finished, and the hub shows the spoke's
`status()` line under its title either way.
"""
from __future__ import annotations

from .screen import Screen

LOCALIZATION, SOFTWARE, SYSTEM, USER_SETTINGS = ("LOCALIZATION", "SOFTWARE", "SYSTEM",
                                                 "USER SETTINGS")
#: Hub layout: each row holds two categories side by side.
CATEGORY_ROWS = ((LOCALIZATION, SOFTWARE), (SYSTEM, USER_SETTINGS))


class Spoke(Screen):
    category = SYSTEM
    mandatory = False

    def __init__(self) -> None:
        super().__init__()

    @property
    def handler(self):
        return self.session.handler

    def shown(self, session) -> bool:
        """Whether the hub lists this spoke at all for `session` (inst.singlelang)."""
        return True

    def setup(self) -> None:
        """Once, when the hub is built: start background work, apply defaults."""

    def ready(self) -> bool:
        return True

    def release(self) -> None:
        """Installation begins: drop what only the screen needed (lists, tables), since
        the installer's RAM is the machine's, and the install needs it."""

    def completed(self) -> bool:
        return True

    def status(self) -> str:
        return ""

    def mark(self) -> str:
        if not self.ready():
            return "[-]"
        if self.completed():
            return "[x]"
        return "[!]" if self.mandatory else "[ ]"

    def keys_hint(self) -> str:
        return "F1 Help  Esc Done (back to the hub)  Tab/arrows Move  Enter Select"
