"""The TUI as the installer's front end: the hub until "Begin Installation", then the
progress screen while the install runs on a worker thread.

The installer calls progress/message/warning/error/ask from that worker thread; each is
handed to the UI thread with `call_soon`. `ask` blocks the worker (not the UI) until the
person picked a choice in the dialog.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from installer import __version__, power
from installer.errors import InstallerError
from installer.frontend import Question
from installer.ui.session import InteractiveSession, Outcome
from installer.logs import redact
from installer.tasks import ProgressEvent

from .app import Dialog, TuiApp
from .errors import failure, message_of
from .hub import Hub
from .progress import ProgressScreen

log = logging.getLogger("anaconda.tui")

Begin = Callable[[object], tuple[list[str], str | None]]


class TuiFrontend:
    def __init__(self, app_factory: Callable[[InteractiveSession], TuiApp] | None = None,
                 spokes_factory: Callable[[], list] | None = None):
        self.app: TuiApp | None = None
        self.screen: ProgressScreen | None = None
        self._app_factory = app_factory or (lambda s: TuiApp(s, title=f"ANACONDA-LEAN {__version__}"))
        self._spokes_factory = spokes_factory
        self.worker = None  # the install's SingleInstance once begun

    # ---- the installer's Frontend protocol (called from the worker thread) ----------
    def progress(self, event: ProgressEvent) -> None:
        self._ui(lambda: self.screen.progress(event.task, redact(event.message), event.fraction))

    def message(self, text: str) -> None:
        self._ui(lambda: self.screen.message(redact(text)))

    def warning(self, text: str) -> None:
        self._ui(lambda: self.screen.message(f"Warning: {redact(text)}"))

    def error(self, error: InstallerError) -> None:
        self._ui(lambda: self.screen.message(f"Error: {message_of(error)}"))

    def ask(self, question: Question) -> str:
        answered = threading.Event()
        answer = {"choice": question.default}

        def pick(choice: str) -> Callable[[], None]:
            def done() -> None:
                answer["choice"] = choice
                answered.set()
            return done

        def show() -> None:
            choices = [(c, pick(c)) for c in question.choices]
            if question.default in question.choices:  # Esc: the safe answer
                choices.sort(key=lambda item: item[0] == question.default)
            self.app.dialog(Dialog(question.title, redact(question.text), choices))
        self._ui(show)
        answered.wait()
        return answer["choice"]

    def _ui(self, fn: Callable[[], None]) -> None:
        if self.app is not None and self.screen is not None:
            self.app.call_soon(fn)

    # ---- the interactive session -----------------------------------------------------
    def build(self, session: InteractiveSession, begin: Begin) -> TuiApp:
        """The application with its hub, not yet running (tests drive it directly)."""
        from .registry import all_spokes

        self.app = self._app_factory(session)
        spokes = [s for s in (self._spokes_factory or all_spokes)() if s.shown(session)]
        hub = Hub(spokes, on_begin=lambda: self.start(begin),
                  on_quit=lambda: self.app.exit(Outcome(0)))
        self.app.show(hub)  # with a kickstart that leaves nothing out, the hub begins by itself
        return self.app

    def start(self, begin: Begin) -> None:
        """Begin Installation: the progress screen, and the install on a worker thread."""
        app = self.app
        self.screen = ProgressScreen()
        app.replace(self.screen)
        session = app.session
        log.info("Begin Installation; the kickstart from the TUI:\n%s", redact(str(session.handler)))
        save_kickstart(session)

        def work():
            return begin(self)

        def done(result, error) -> None:
            if error is None:
                lines, action = result
                self._finished(lines, action)
            else:
                self._failed(failure(error))
        self.worker = app.run_background("install", work, done)

    def _finished(self, lines: list[str], action: str | None) -> None:
        app, session = self.app, self.app.session
        if action:  # the kickstart asked for reboot/poweroff: no button to wait for
            app.exit(Outcome(0, action))
            return
        if session.dry_run or not power.on_installer_image():
            self.screen.finish(lines, "Quit", lambda: app.exit(Outcome(0)))
        else:
            self.screen.finish(lines, "Reboot", lambda: app.exit(Outcome(0, "reboot")))

    def _failed(self, error: InstallerError) -> None:
        app = self.app
        message = message_of(error)
        self.screen.failed = message
        code = error.exit_code
        text = (f"{message}\n\nThe logs are in {app.session.log_dir} (anaconda.log, "
                "storage.log, packaging.log, program.log) and, when the target was mounted, "
                "in /var/log/anaconda/ on it.")
        self.screen.finish([f"The installation failed: {message}"], "Exit",
                           lambda: app.exit(Outcome(code)))
        app.dialog(Dialog(f"Installation failed ({error.kind})", redact(text),
                          [("Exit", lambda: app.exit(Outcome(code))), ("Show progress", None)]))

    def interact(self, session: InteractiveSession, begin: Begin) -> Outcome:
        from installer.main import STARTED

        app = self.build(session, begin)
        log.info("TUI: hub built %.2f s after process start", time.monotonic() - STARTED)
        outcome = app.run()
        if self.worker is not None and self.worker.busy:
            log.warning("The UI ended while the install still ran; waiting for it")
            self.worker.wait()
        return outcome if isinstance(outcome, Outcome) else Outcome(0)


def save_kickstart(session: InteractiveSession) -> None:
    """The kickstart the TUI produced, kept with the logs (0600): the record of what was
    asked for, and what a --dry-run session leaves behind to read."""
    from installer.kickstart.writeout import output_text

    path = session.log_dir / "interactive-ks.cfg"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(output_text(session.handler))
    log.info("The kickstart from the TUI is saved as %s", path)
