"""What every screen (hub, spoke, progress, dialog-like pages) offers the application."""
from __future__ import annotations

from typing import TYPE_CHECKING

import urwid

if TYPE_CHECKING:
    from .app import TuiApp


class Screen:
    """A page of the TUI. `body()` builds its widget from the current state each time it is
    drawn, so a screen never shows stale data after a dialog or background work."""

    title = ""
    help_text = ""
    #: May Esc leave this screen when it is the only one (the hub: no, it quits).
    can_leave_root = False

    def __init__(self) -> None:
        self.app: TuiApp | None = None  # set by TuiApp.show

    @property
    def session(self):
        return self.app.session

    def enter(self) -> None:
        """Shown (again): read what the screen shows from the session."""

    def body(self) -> urwid.Widget:
        raise NotImplementedError

    def leave(self) -> bool:
        """Esc was pressed: apply what was entered; False (after telling why) to stay."""
        return True

    def shortcut(self, key: str) -> bool:
        """A key no widget took; True when the screen used it."""
        return False

    def keys_hint(self) -> str:
        return "F1 Help  Esc Back  Tab/arrows Move  Enter Select"

    def ticking(self) -> bool:
        """True while the screen shows something that changes with time alone."""
        return False

    def redraw(self) -> None:
        if self.app is not None and self.app.current is self:
            self.app.redraw()
