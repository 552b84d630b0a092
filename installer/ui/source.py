"""The installation source spoke's state and work: which source, whether it was checked.

The source is the kickstart's `url`, else the boot option inst.repo. A URL typed on the
screen is checked off the UI thread (its repodata/repomd.xml fetched, installer.ui.repocheck)
through one `SingleInstance`, so a newer check supersedes an older one; only a URL that
passed goes into the kickstart as `url --url=`. Nothing here knows the toolkit: the spoke
draws `check` and calls `enter_url`, `leave` and the hub questions.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from installer.errors import InstallerError

from .background import SingleInstance
from .repocheck import parse_url
from .source_info import SourceInfo, check_source, current_source, entered_source, write_url

log = logging.getLogger("anaconda.tui")


@dataclass
class SourceCheck:
    """The last check: of which source, whether it still runs, what it found."""

    location: str = ""
    running: bool = False
    found: str = ""
    error: str = ""
    entered: bool = False  # typed here: written to the kickstart when it passes


class SourceController:
    """`runner` runs the checks (the app's, delivering on the UI thread; tests: a plain
    one). `on_failed(message)` hears of a typed URL whose check failed."""

    def __init__(self, session, runner: SingleInstance | None = None,
                 on_failed: Callable[[str], None] | None = None):
        self.session = session
        self.check = SourceCheck()
        self.runner = runner or SingleInstance("source check")
        self.on_failed = on_failed

    @property
    def handler(self):
        return self.session.handler

    def source(self) -> SourceInfo | None:
        return current_source(self.handler, self.session.options, self.session.seen)

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        """At start: a source from inst.repo= or the kickstart is checked (or its problem
        shown)."""
        source = self.source()
        if source is not None and source.problem:
            self.check.error = source.problem
        elif source is not None and source.checkable:
            self.start(source, entered=False)

    def ready(self) -> bool:
        return not self.check.running

    def completed(self) -> bool:
        return self.source() is not None and not self.check.error and not self.check.running

    def status(self) -> str:
        if self.check.running:
            return "Checking source..."
        if self.check.error:
            return "Error checking source"
        source = self.source()
        return source.location if source is not None else "Nothing selected"

    # ---- the screen --------------------------------------------------------------------
    def url_text(self) -> str:
        """What the URL field shows on entering: a typed URL that failed (to correct),
        else the current checkable source."""
        if self.check.entered and self.check.error:
            return self.check.location
        source = self.source()
        return source.location if source is not None and source.checkable else ""

    def wants_check(self, text: str) -> bool:
        """On leaving: whether the typed `text` is new (or a failed URL retried) and must
        be checked first."""
        text = text.strip()
        source = self.source()
        current = source.location if source is not None else ""
        retry = self.check.error and text == self.check.location
        return bool(text) and (text != current or bool(retry)) and not self.check.running

    def enter_url(self, text: str) -> None:
        """Check a typed URL in the background; InstallerError (at once) if malformed."""
        url = parse_url(text)
        self.start(entered_source(self.handler, self.session.options, url), entered=True)

    # ---- the check, off the UI thread ------------------------------------------------------
    def start(self, source: SourceInfo, entered: bool) -> None:
        check = self.check
        check.location, check.running, check.entered = source.location, True, entered
        check.found = check.error = ""

        def work(job):
            found = check_source(source)
            job.check()
            return found

        self.runner.submit(work, lambda result: self._checked(source, entered, result))

    def _checked(self, source: SourceInfo, entered: bool, result) -> None:
        check = self.check
        check.running = False
        if isinstance(result, BaseException):
            check.error = result.message if isinstance(result, InstallerError) else \
                f"{source.location}: {result}"
            if entered and self.on_failed is not None:
                self.on_failed(check.error)
            return
        check.found = result.summary()
        if entered:
            write_url(self.handler, source.location)
            log.info("Installation source set to %s", source.location)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the check has ended (tests, the cmdline)."""
        return self.runner.wait(timeout)
