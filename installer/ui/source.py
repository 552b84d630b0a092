"""The installation source spoke's state and work: which source, whether it was checked.

The source is the kickstart's `url`/`cdrom`/`harddrive`/`nfs`, else the boot option
inst.repo, edited as a `SourceForm` (installer.ui.repos_form). A form the person enters
is checked off the UI thread (a repository's repomd.xml fetched, a mirror list's mirrors
tried, hd:/cdrom/nfs mounted read-only for the look: installer.ui.source_info) through
one `SingleInstance`, so a newer check supersedes an older one; only a source that passed
goes into the kickstart. The partitions an hd: source can be on are listed in the
background too. Additional repositories are installer.ui.repos's `ReposController`.
Nothing here knows the toolkit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from installer.errors import InstallerError

from .background import SingleInstance
from .repos_devices import Partition, image_devices, list_partitions
from .repos_form import SourceForm, checked_form, source_problems, write_source
from .source_info import SourceInfo, check_source, current_source, source_of

log = logging.getLogger("anaconda.tui")


@dataclass
class SourceCheck:
    """The last check: of which source, whether it still runs, what it found."""

    location: str = ""  # as shown: never a password
    running: bool = False
    found: str = ""
    error: str = ""
    entered: bool = False  # entered here: written to the kickstart when it passes
    form: SourceForm | None = None  # what was checked


@dataclass
class PartitionScan:
    running: bool = False
    done: bool = False
    partitions: tuple[Partition, ...] = ()
    error: str = ""


class SourceController:
    """`runner` runs the checks (the app's, delivering on the UI thread; tests: a plain
    one), `disks` the partition listing. `on_failed(message)` hears of an entered source
    whose check failed."""

    def __init__(self, session, runner: SingleInstance | None = None,
                 on_failed: Callable[[str], None] | None = None,
                 disks: SingleInstance | None = None):
        self.session = session
        self.check = SourceCheck()
        self.scan = PartitionScan()
        self.runner = runner or SingleInstance("source check")
        self.disks = disks or SingleInstance("source partitions")
        self.on_failed = on_failed

    @property
    def handler(self):
        return self.session.handler

    def source(self) -> SourceInfo | None:
        return current_source(self.handler, self.session.options, self.session.seen)

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        """At start: a source from inst.repo= or the kickstart is checked."""
        source = self.source()
        if source is not None and source.checkable:
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
        return source.shown if source is not None else "Nothing selected"

    # ---- the screen --------------------------------------------------------------------
    def form(self) -> SourceForm:
        """What the fields show on entering: an entered source that failed (to correct),
        else the current source, else an empty URL."""
        if self.check.entered and self.check.error and self.check.form is not None:
            return self.check.form
        source = self.source()
        return source.form if source is not None and source.form is not None else SourceForm()

    def wants_check(self, form: SourceForm) -> bool:
        """On leaving: whether `form` is new (or a failed one retried) and must be checked
        first. An empty form is nothing to check."""
        if form.empty or self.check.running:
            return False
        form = source_problems(form)[0].only_kind()
        source = self.source()
        current = source.form if source is not None else None
        retry = bool(self.check.error) and form == self.check.form
        return form != current or retry

    def enter(self, form: SourceForm) -> None:
        """Check an entered source in the background; PayloadError at once (every problem,
        each naming its field) when a field is malformed."""
        form = checked_form(form)
        self.start(source_of(form, self.handler, self.session.options, "entered here"),
                   entered=True)

    def enter_url(self, text: str) -> None:
        """A repository URL typed in (the most common source)."""
        self.enter(SourceForm("url", url=text))

    # ---- the check, off the UI thread ------------------------------------------------------
    def start(self, source: SourceInfo, entered: bool) -> None:
        check = self.check
        check.location, check.running, check.entered = source.shown, True, entered
        check.found = check.error = ""
        check.form = source.form

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
                f"{source.shown}: {result}"
            if entered and self.on_failed is not None:
                self.on_failed(check.error)
            return
        check.found = result.summary()
        if entered and source.form is not None:
            write_source(self.handler, source.form)
            log.info("Installation source set to %s", source.shown)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the check (and a partition scan) has ended (tests, the cmdline)."""
        return self.runner.wait(timeout) and self.disks.wait(timeout)

    # ---- partitions for hd: ------------------------------------------------------------------
    def find_partitions(self) -> None:
        """List the partitions an hd: source can be on, in the background (once). With
        --image only the loop devices of those files are looked at."""
        if self.scan.running or self.scan.done:
            return
        self.scan = scan = PartitionScan(running=True)
        images = list(self.session.images)

        def work(job):
            devices = image_devices(images) if images else None
            job.check()
            return list_partitions(devices)

        self.disks.submit(work, lambda result: self._scanned(scan, result))

    def _scanned(self, scan: PartitionScan, result) -> None:
        scan.running, scan.done = False, True
        if isinstance(result, BaseException):
            scan.error = f"the partitions could not be listed: {result}"
        else:
            scan.partitions = tuple(result)
