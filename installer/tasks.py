"""The install task queue: named, weighted tasks that report progress to any front end.

A task gets a `Progress` to report sub-steps (fraction of itself done, a message); the
queue turns that into overall progress events weighted by each task's share. The first
failing task stops the queue; the caller decides what runs after a failure (%onerror,
saving logs), so the queue itself stays simple.

Each task names the typed error its OSError becomes (a full disk while installing
packages is a payload error, exit 4; while writing fstab a storage error, exit 3): the
one place the install maps the OS's errors, with the task's title in the message.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from installer.errors import InstallerError, os_error_text

log = logging.getLogger("anaconda.tasks")


@dataclass(frozen=True)
class ProgressEvent:
    task: str  # the task's title
    index: int  # 1-based position of the task
    count: int  # number of tasks
    fraction: float  # overall progress, 0.0 to 1.0
    message: str
    finished: bool = False  # the queue's closing event: every task has run


Listener = Callable[[ProgressEvent], None]


@dataclass
class Task:
    title: str
    run: Callable[["Progress"], None]
    weight: float = 1.0
    error: type[InstallerError] = InstallerError  # what an OSError in it becomes


class Progress:
    """Handed to a running task: `step(message, done)` with `done` its own fraction 0..1."""

    def __init__(self, queue: "TaskQueue", index: int):
        self._queue = queue
        self._index = index

    def step(self, message: str, done: float | None = None) -> None:
        self._queue._emit(self._index, message, done)


@dataclass
class TaskQueue:
    tasks: list[Task] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    heartbeat: float = 30.0  # seconds of silence before a "still working" line (0: never)
    _done_weight: float = 0.0
    _last_fraction: float = 0.0
    _last_emit: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, title: str, run: Callable[[Progress], None], weight: float = 1.0,
            error: type[InstallerError] = InstallerError) -> None:
        self.tasks.append(Task(title, run, weight, error))

    def _weight(self, task: Task) -> float:
        """A queue of weightless tasks counts each task as one."""
        return task.weight if any(t.weight for t in self.tasks) else 1.0

    @property
    def total_weight(self) -> float:
        return sum(self._weight(t) for t in self.tasks) or 1.0

    def _emit(self, index: int, message: str, done: float | None, finished: bool = False) -> None:
        with self._lock:
            self._emit_locked(index, message, done, finished)

    def _emit_locked(self, index: int, message: str, done: float | None, finished: bool) -> None:
        self._last_emit = time.monotonic()
        task = self.tasks[index]
        own = min(max(done or 0.0, 0.0), 1.0)  # None: no news of its own progress
        fraction = min((self._done_weight + self._weight(task) * own) / self.total_weight, 1.0)
        fraction = max(fraction, self._last_fraction)  # progress never goes back
        self._last_fraction = fraction
        event = ProgressEvent(task.title, index + 1, len(self.tasks), fraction, message, finished)
        for listener in self.listeners:
            listener(event)

    def _beat(self, index: int, started: float, stop: threading.Event) -> None:
        """A slow step (the initramfs, a big download) still says it is alive, so a
        person on a serial console does not take minutes of silence for a hang."""
        while not stop.wait(min(self.heartbeat / 3, 5.0)):
            if time.monotonic() - self._last_emit >= self.heartbeat:
                elapsed = time.monotonic() - started
                self._emit(index, f"still working ({elapsed:.0f} s)", None)

    def run(self) -> None:
        """Run every task in order; an InstallerError (or OSError, raised as the task's
        error) from one stops the queue. Anything else is a bug and passes through."""
        self._done_weight = 0.0
        self._last_fraction = 0.0
        for index, task in enumerate(self.tasks):
            started = time.monotonic()
            log.info("Task %d/%d: %s", index + 1, len(self.tasks), task.title)
            self._emit(index, task.title, 0.0)
            stop = threading.Event()
            beat = threading.Thread(target=self._beat, args=(index, started, stop), daemon=True)
            if self.heartbeat:
                beat.start()
            try:
                task.run(Progress(self, index))
            except InstallerError:
                log.error("Task %s failed after %.1f s", task.title, time.monotonic() - started)
                raise
            except OSError as exc:
                log.error("Task %s failed after %.1f s", task.title, time.monotonic() - started,
                          exc_info=True)
                raise task.error(f"{task.title}: {os_error_text(exc)}") from exc
            finally:
                stop.set()
            self._done_weight += self._weight(task)
            log.info("Task %s done in %.2f s", task.title, time.monotonic() - started)
        if self.tasks:
            self._done_weight -= self._weight(self.tasks[-1])  # so the last task reads 100%
            self._emit(len(self.tasks) - 1, "done", 1.0, finished=True)
