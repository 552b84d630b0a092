"""The progress screen: a bar, the current step, the last messages, the elapsed time;
errors as dialogs with the choices that make sense; at the end "Reboot" (or "Quit").

Events arrive from the install's worker thread; the front end forwards them here on the
UI thread, so this screen only ever runs on one thread.
"""
from __future__ import annotations

import time
from collections import deque

import urwid

from .screen import Screen

HELP = """The installation is running. Nothing needs to be done here until it ends.

Each step is listed as it starts; the bar shows the whole installation. If something \
fails, a dialog explains it and offers what can be done: retry a failed download, skip \
packages that are not in any repository, or abort. The logs are in /tmp (anaconda.log, \
storage.log, packaging.log, program.log, memory.log) and are copied to \
/var/log/anaconda/ on the installed system."""

MESSAGES = 12


class ProgressScreen(Screen):
    title = "INSTALLATION PROGRESS"
    help_text = HELP

    def __init__(self, clock=time.monotonic):
        super().__init__()
        self.clock = clock
        self.started = clock()
        self.fraction = 0.0
        self.step = "Starting"
        self.messages: deque[str] = deque(maxlen=200)
        self.finished: list[str] | None = None  # closing lines, when done
        self.failed: str | None = None
        self.end_label = "Reboot"
        self.on_end = None

    def elapsed(self) -> str:
        seconds = int(self.clock() - self.started)
        return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"

    def progress(self, task: str, message: str, fraction: float) -> None:
        self.fraction = max(0.0, min(1.0, fraction))
        self.step = task
        line = task if message == task else f"{task}: {message}"
        if not self.messages or self.messages[-1] != line:
            self.messages.append(line)
        self.redraw()

    def message(self, text: str) -> None:
        self.messages.append(text)
        self.redraw()

    def finish(self, lines: list[str], end_label: str, on_end) -> None:
        self.finished = lines
        self.fraction = 1.0 if self.failed is None else self.fraction
        self.end_label, self.on_end = end_label, on_end
        self.redraw()

    def body(self) -> urwid.Widget:
        bar = urwid.ProgressBar("dim", "focus", current=round(self.fraction * 100), done=100)
        state = ("Failed" if self.failed else "Complete" if self.finished is not None
                 else self.step)
        head = urwid.Columns([urwid.Text(("category", state), wrap="ellipsis"),
                              (16, urwid.Text(f"elapsed {self.elapsed()}", align="right"))])
        rows: list[urwid.Widget] = [head, bar, urwid.Divider()]
        shown = list(self.messages)[-MESSAGES:] if self.finished is None else list(self.messages)
        log_rows = [urwid.Text(line, wrap="ellipsis") for line in shown]
        if self.finished is not None:
            log_rows += [urwid.Divider()] + [urwid.Text(line) for line in self.finished]
            button = urwid.Button(self.end_label, on_press=lambda _b: self.on_end())
            log_rows += [urwid.Divider(), urwid.Columns(
                [(len(self.end_label) + 4, urwid.AttrMap(button, None, focus_map="focus"))])]
        walker = urwid.SimpleFocusListWalker(log_rows or [urwid.Text("")])
        listbox = urwid.ListBox(walker)
        if self.finished is not None:
            walker.set_focus(len(walker) - 1)  # the button, so Enter ends
        else:
            walker.set_focus(len(walker) - 1)
        return urwid.Padding(urwid.Pile([("pack", urwid.Pile(rows)), listbox]), left=1, right=1)

    def ticking(self) -> bool:
        return self.finished is None  # the elapsed time runs until the end

    def leave(self) -> bool:
        return False  # no way back into the spokes once the install began

    def keys_hint(self) -> str:
        if self.finished is not None:
            return f"F1 Help  Enter {self.end_label}  arrows Scroll"
        return "F1 Help  (the installation is running)"
