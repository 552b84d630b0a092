"""The urwid application: a stack of screens, dialogs over them, work off the UI thread.

Screens (the hub, spokes, the progress screen) only draw and forward input; anything
slow runs through `background(purpose)` (installer.ui.background's SingleInstance: one job
per purpose, the newest wins; `run_background` for one-off work), whose result comes
back on the UI thread via a pipe
the main loop watches, so a key press is answered even while a depsolve or a disk scan
runs (DESIGN.md "Style to follow": the UI never blocks). Without a main loop (unit tests)
`settle()` waits for that work and delivers its results, so tests stay deterministic.
"""
from __future__ import annotations

import logging
import os
import queue
import time
from typing import Callable

import urwid

from .screen import Screen
from .theme import MIN_COLS, MIN_ROWS, PALETTE

log = logging.getLogger("anaconda.tui")

TAB_MOVES = {"tab": "down", "shift tab": "up"}
TICK = 1.0  # seconds between redraws of a screen that shows time


class MinimumSize(urwid.WidgetWrap):
    """Draws a plain notice instead of a mangled screen when the terminal is too small."""

    def __init__(self, inner: urwid.Widget):
        super().__init__(inner)
        self.inner = inner

    def render(self, size, focus=False):
        cols, rows = size
        if cols >= MIN_COLS and rows >= MIN_ROWS:
            return self.inner.render(size, focus)
        notice = urwid.Filler(urwid.Text(f"The terminal is {cols}x{rows}; the installer needs "
                                         f"at least {MIN_COLS}x{MIN_ROWS}. Make it larger.",
                                         align="center"))
        return notice.render(size, focus)

    def keypress(self, size, key):
        cols, rows = size
        if cols < MIN_COLS or rows < MIN_ROWS:
            return key
        return self.inner.keypress(size, key)


class Dialog:
    """A question over the current screen: text and buttons; Esc picks the last button."""

    def __init__(self, title: str, text: str, choices: list[tuple[str, Callable[[], None] | None]],
                 help_text: str = ""):
        self.title, self.text, self.choices = title, text, choices
        self.help_text = help_text or "Choose with the arrow keys and Enter; Esc picks the last button."


class TuiApp:
    def __init__(self, session, title: str = "INSTALLATION"):
        self.session = session
        self.title = title
        self.screens: list[Screen] = []
        self.dialogs: list[Dialog] = []
        self.header = urwid.Text("")
        self.footer = urwid.Text("")
        self.frame = urwid.Frame(urwid.SolidFill(" "), header=urwid.AttrMap(self.header, "header"),
                                 footer=urwid.AttrMap(self.footer, "footer"))
        self.top = urwid.WidgetPlaceholder(self.frame)
        self.root = MinimumSize(self.top)
        self.loop: urwid.MainLoop | None = None
        self._calls: queue.Queue[Callable[[], None]] = queue.Queue()
        self._pipe: int | None = None
        self._runners: dict = {}  # purpose -> installer.ui.background.SingleInstance
        self.exit_value: object = None
        self._size: tuple[int, int] = (MIN_COLS, MIN_ROWS)

    # ---- screens -------------------------------------------------------------------
    @property
    def current(self) -> Screen | None:
        return self.screens[-1] if self.screens else None

    def show(self, screen: Screen) -> None:
        """Push `screen` and draw it; its `enter` runs first (a spoke reads the handler)."""
        screen.app = self
        self.screens.append(screen)
        screen.enter()
        self.redraw()

    def replace(self, screen: Screen) -> None:
        """Swap the current screen for `screen` (the hub for the progress screen)."""
        if self.screens:
            self.screens.pop()
        self.show(screen)

    def back(self) -> None:
        """Esc: leave the current screen if it agrees (a spoke applies or explains)."""
        screen = self.current
        if screen is None or len(self.screens) == 1 and not screen.can_leave_root:
            return
        if not screen.leave():
            return
        self.screens.pop()
        if self.current is not None:
            self.current.enter()
        self.redraw()

    def redraw(self) -> None:
        """Rebuild the body of the current screen and the header/footer lines."""
        screen = self.current
        if screen is None:
            return
        self.header.set_text(f" {self.title} | {screen.title}")
        self.footer.set_text(" " + screen.keys_hint())
        self.frame.body = screen.body()
        self._draw_dialogs()

    def _draw_dialogs(self) -> None:
        widget: urwid.Widget = self.frame
        for dialog in self.dialogs:
            widget = urwid.Overlay(self._dialog_widget(dialog), widget, "center", ("relative", 70),
                                   "middle", "pack")
        self.top.original_widget = widget

    def _dialog_widget(self, dialog: Dialog) -> urwid.Widget:
        buttons = []
        for label, action in dialog.choices:
            button = urwid.Button(label, on_press=lambda _b, a=action, d=dialog: self._answer(d, a))
            buttons.append(urwid.AttrMap(button, None, focus_map="focus"))
        width = max(len(label) for label, _ in dialog.choices) + 4
        grid = urwid.GridFlow(buttons, width, 2, 0, "center")
        body = urwid.Pile([urwid.Text(dialog.text), urwid.Divider(), grid])
        body.focus_position = 2
        return urwid.AttrMap(urwid.LineBox(urwid.Padding(body, left=1, right=1), title=dialog.title),
                             "dialog")

    def dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog)
        self._draw_dialogs()

    def message(self, title: str, text: str, on_close: Callable[[], None] | None = None) -> None:
        self.dialog(Dialog(title, text, [("OK", on_close)]))

    def confirm(self, title: str, text: str, on_yes: Callable[[], None], yes: str = "Yes",
                no: str = "No", on_no: Callable[[], None] | None = None) -> None:
        self.dialog(Dialog(title, text, [(yes, on_yes), (no, on_no)]))

    def _answer(self, dialog: Dialog, action: Callable[[], None] | None) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        self._draw_dialogs()
        if action is not None:
            action()

    # ---- input ---------------------------------------------------------------------
    def handle_key(self, key: str, size: tuple[int, int] = (MIN_COLS, MIN_ROWS)) -> None:
        """One key as the main loop would deliver it (tests call this directly)."""
        self._size = size
        rest = self.root.keypress(size, key)
        if rest is not None:
            self.unhandled(rest)

    def _screen_size(self) -> tuple[int, int]:
        if self.loop is not None:
            return self.loop.screen.get_cols_rows()
        return self._size

    def unhandled(self, key) -> bool:
        if not isinstance(key, str):
            return False
        if key in TAB_MOVES:
            # forms move with Tab/Shift+Tab like Down/Up (a serial console has both)
            self.root.keypress(self._screen_size(), TAB_MOVES[key])
            return True
        if key == "f1":
            self.help()
        elif key == "esc":
            if self.dialogs:
                dialog = self.dialogs[-1]
                self._answer(dialog, dialog.choices[-1][1])
            else:
                self.back()
        elif self.dialogs:
            return False
        elif self.current is not None:
            return self.current.shortcut(key)
        return True

    def help(self) -> None:
        if self.dialogs:
            text = self.dialogs[-1].help_text
        elif self.current is not None:
            text = self.current.help_text
        else:
            return
        self.message("Help", text)

    # ---- work off the UI thread ------------------------------------------------------
    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the UI thread; safe to call from any thread."""
        self._calls.put(fn)
        if self._pipe is not None:
            os.write(self._pipe, b".")

    def _run_calls(self, _data: bytes = b"") -> bool:
        while True:
            try:
                fn = self._calls.get_nowait()
            except queue.Empty:
                return True
            fn()

    def run_background(self, name: str, work: Callable[[], object],
                       done: Callable[[object, BaseException | None], None]):
        """`work()` through the purpose's `SingleInstance` (a newer call for the same
        `name` supersedes it); `done(result, error)` later on the UI thread."""
        def hand_over(result) -> None:
            if isinstance(result, BaseException):
                done(None, result)
            else:
                done(result, None)

        runner = self.background(name)
        runner.submit(lambda job: work(), hand_over)
        return runner

    def background(self, purpose: str):
        """The `SingleInstance` (installer.ui.background) of one purpose's work, the same
        for every caller: results arrive on the UI thread, then a redraw; `settle()` waits
        for it too."""
        from installer.ui.background import SingleInstance

        if purpose not in self._runners:
            self._runners[purpose] = SingleInstance(
                purpose, lambda call: self.call_soon(lambda: (call(), self.redraw())))
        return self._runners[purpose]

    def settle(self, timeout: float = 120) -> None:
        """Tests: wait for background work and deliver its results (repeats for chains).
        Returns early when a dialog waits for the user: a worker may be blocked on it."""
        deadline = time.monotonic() + timeout
        while True:
            self._run_calls()
            busy = [r.purpose for r in self._runners.values() if r.busy]
            if not busy and self._calls.empty():
                return
            if self.dialogs and self._calls.empty():
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"background work still running after {timeout} s: "
                                   + ", ".join(busy))
            try:
                fn = self._calls.get(timeout=0.02)
            except queue.Empty:
                continue
            fn()

    # ---- running ---------------------------------------------------------------------
    def _tick(self, loop, _data=None) -> None:
        """Once a second: a screen that shows time (the progress screen's elapsed time)
        redraws although nothing else happened."""
        if self.current is not None and self.current.ticking():
            self.redraw()
        loop.set_alarm_in(TICK, self._tick)

    def exit(self, value: object = None) -> None:
        self.exit_value = value
        if self.loop is not None:
            raise urwid.ExitMainLoop()

    def run(self, screen: urwid.display.raw.Screen | None = None) -> object:
        screen = screen or urwid.display.raw.Screen()
        if not colors_available():
            screen.set_terminal_properties(colors=1)
        self.loop = urwid.MainLoop(self.root, PALETTE, screen=screen, handle_mouse=False,
                                   unhandled_input=self.unhandled)
        self._pipe = self.loop.watch_pipe(self._run_calls)
        self._run_calls()
        self.loop.set_alarm_in(TICK, self._tick)
        try:
            self.loop.run()
        finally:
            os.close(self._pipe)
            self._pipe = None
            self.loop = None
        return self.exit_value


def colors_available() -> bool:
    """A serial console's vt100 or TERM=dumb has no colours: then the monochrome palette."""
    term = os.environ.get("TERM", "")
    return term not in ("", "dumb", "vt100", "vt102", "vt220") and "mono" not in term
