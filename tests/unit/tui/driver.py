"""Drives a TuiApp the way the main loop does, at 80x24, and reads the screen as text.

Real urwid rendering (canvases) and real key handling; only the terminal is absent.
"""
from __future__ import annotations

from spokes.tui.app import TuiApp

SIZE = (80, 24)


class Driver:
    def __init__(self, app: TuiApp, size: tuple[int, int] = SIZE):
        self.app, self.size = app, size

    def screen(self) -> str:
        """The whole screen, one line per row, trailing blanks removed."""
        self.app.settle()
        canvas = self.app.root.render(self.size, focus=True)
        return "\n".join(row.decode("utf-8", "replace").rstrip() for row in canvas.text)

    def press(self, *keys: str) -> "Driver":
        for key in keys:
            self.app.handle_key(key, self.size)
            self.app.settle()
        return self

    def type(self, text: str) -> "Driver":
        for char in text:
            self.app.handle_key(char, self.size)
        self.app.settle()
        return self

    def assert_shows(self, *texts: str) -> str:
        shown = self.screen()
        for text in texts:
            assert text in shown, f"{text!r} not on screen:\n{shown}"
        return shown


def open_spoke(spoke, session, size: tuple[int, int] = SIZE) -> Driver:
    """A spoke on its own, as the hub would open it: setup(), then shown."""
    app = TuiApp(session)
    spoke.app = app
    spoke.setup()
    app.settle()
    app.show(spoke)
    return Driver(app, size)
