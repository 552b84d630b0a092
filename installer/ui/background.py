"""Background work for the screens: at most one job per purpose, the newest one wins.

A person toggles an add-on, then another, then a third; each change asks for a new
dependency check. Starting a DNF worker for each (as the software spoke once did) puts
several DNF processes in RAM at once on machines of 256-512 MiB. Here each purpose
(`"depsolve"`, `"source check"`, ...) has one `SingleInstance`: a new `submit` cancels the
job that runs (terminating a child process it registered) and drops any job still
waiting; the next job starts only after the cancelled one has ended, so two of them never
run at once. Results of cancelled jobs are thrown away; the newest job's result is handed
to `deliver` (the UI's `call_soon`), so nothing here ever blocks the UI thread.
"""
from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from installer.errors import InstallerError

log = logging.getLogger("anaconda.ui")

#: how long a cancelled child process gets to end after SIGTERM before SIGKILL
TERMINATE_GRACE = 3.0


class Cancelled(Exception):
    """Raised by `Job.check()` inside work that was superseded."""


@dataclass
class Job:
    """What a piece of work sees: whether it was cancelled, and where to register the
    child processes that must end with it."""

    purpose: str
    _cancelled: threading.Event = field(default_factory=threading.Event)
    _processes: list[subprocess.Popen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled(self.purpose)

    def add_process(self, process: subprocess.Popen) -> None:
        """A child process of this job: terminated if the job is cancelled (at once, if
        it already was)."""
        with self._lock:
            self._processes.append(process)
        if self.cancelled:
            _terminate(process)

    def cancel(self) -> None:
        self._cancelled.set()
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            _terminate(process)


def _terminate(process: subprocess.Popen) -> None:
    """SIGTERM now, SIGKILL after the grace time; never waits here, since `cancel` runs on
    the UI's thread. Whoever started the process reaps it (its job's thread)."""
    if process.poll() is not None:
        return
    log.info("Terminating superseded process %d", process.pid)
    process.terminate()

    def kill_if_alive() -> None:
        if process.poll() is None:
            log.warning("Process %d ignored SIGTERM; killing it", process.pid)
            process.kill()

    timer = threading.Timer(TERMINATE_GRACE, kill_if_alive)
    timer.daemon = True
    timer.start()


Work = Callable[[Job], Any]
Done = Callable[[Any], None]


class SingleInstance:
    """One purpose's background work: one job at a time, the newest wins.

    `deliver(f)` runs `f` on the UI's thread (urwid's `call_soon`); without one the result
    callback runs on the worker thread (tests, the cmdline front end). A job's result is
    its return value, or the exception it raised (never raised here: the UI decides).
    """

    def __init__(self, purpose: str, deliver: Callable[[Callable[[], None]], None] | None = None):
        self.purpose = purpose
        self._deliver = deliver or (lambda call: call())
        self._lock = threading.Lock()
        self._pending: tuple[Work, Done | None, Job] | None = None
        self._current: Job | None = None
        self._latest: Job | None = None  # the newest submitted: only its result is handed over
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, work: Work, on_done: Done | None = None) -> Job:
        """Run `work(job)` after cancelling what runs; returns the new job."""
        job = Job(self.purpose)
        with self._lock:
            self._latest = job
            if self._current is not None:
                self._current.cancel()
            if self._pending is not None:
                self._pending[2].cancel()
            self._pending = (work, on_done, job)
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"bg-{self.purpose}",
                                                daemon=True)
                self._thread.start()
        return job

    def cancel(self) -> None:
        """Cancel the running and the waiting job (leaving a screen, quitting)."""
        with self._lock:
            if self._current is not None:
                self._current.cancel()
            if self._pending is not None:
                self._pending[2].cancel()
                self._pending = None

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Until nothing runs or waits (tests, shutting down); False on timeout."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        try:
            self._loop()
        finally:  # even on a BaseException: the purpose must not stay "busy" for ever
            with self._lock:
                if self._thread is threading.current_thread():
                    self._thread, self._current = None, None
                    if self._pending is None:
                        self._idle.set()
                    else:  # submitted while this thread was ending: start another
                        self._thread = threading.Thread(target=self._run, name=f"bg-{self.purpose}",
                                                        daemon=True)
                        self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._pending is None:
                    return
                work, on_done, job = self._pending
                self._pending = None
                self._current = job
            if job.cancelled:
                continue
            try:
                result = work(job)
            except Cancelled:
                continue
            except InstallerError as exc:  # expected (a bad URL, no disks): the UI says it
                log.info("Background %s failed: %s", self.purpose, exc)
                result = exc
            except BaseException as exc:  # handed to the UI, which says what went wrong
                log.exception("Background %s failed", self.purpose)
                result = exc
            if job.cancelled or on_done is None:
                continue
            self._deliver(lambda on_done=on_done, result=result, job=job: self._hand_over(job, on_done, result))

    def _hand_over(self, job: Job, on_done: Done, result) -> None:
        """On the UI's thread: a job superseded while its result waited in the UI's queue
        is dropped here (a URL replaced after its check ended must not be written)."""
        if job.cancelled or job is not self._latest:
            log.debug("Dropped the result of a superseded %s", self.purpose)
            return
        try:
            on_done(result)
        except Exception:  # the callback's own bug must not end the purpose's thread
            log.exception("Handling the result of %s failed", self.purpose)
