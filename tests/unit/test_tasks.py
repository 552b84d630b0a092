"""The task queue: weighted overall progress and stopping at the first failing task."""
from __future__ import annotations

import time

import pytest

from installer.errors import InstallerError, PayloadError, StorageError
from installer.tasks import Progress, TaskQueue


def queue_with(*tasks) -> tuple[TaskQueue, list]:
    """A queue of (title, weight, steps) tasks; each step is (message, done) reported in order."""
    queue, events = TaskQueue(), []
    queue.listeners.append(events.append)
    for title, weight, steps in tasks:
        def run(progress: Progress, steps=steps):
            for message, done in steps:
                progress.step(message, done)
        queue.add(title, run, weight)
    return queue, events


@pytest.mark.parametrize("weights", [[1], [1, 1, 1], [0.1, 0.2, 0.3], [5, 80, 15], [1 / 3] * 7,
                                     [2.5, 0.05, 0.7, 1 / 3, 0.1]])
def test_fractions_are_monotonic_and_end_at_one(weights):
    queue, events = queue_with(*[(f"t{i}", w, [("half", 0.5), ("again", 0.25), ("all", 1.0)])
                                 for i, w in enumerate(weights)])
    queue.run()
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and 0.0 <= fractions[0]
    assert fractions[-1] == 1.0 and events[-1].message == "done"


@pytest.mark.parametrize("step, expected", [
    (("downloading", 0.0), 0.10),
    (("downloading", 0.5), 0.10 + 0.80 * 0.5),
    (("downloading", 1.0), 0.90),
    (("downloading", None), 0.10),
    (("downloading", 7.0), 0.90),  # clamped to the task's share
])
def test_step_maps_to_overall_fraction(step, expected):
    queue, events = queue_with(("Storage", 10, []), ("Packages", 80, [step]), ("Boot loader", 10, []))
    queue.run()
    event = next(e for e in events if e.message == "downloading")
    assert (event.task, event.index, event.count) == ("Packages", 2, 3)
    assert event.fraction == pytest.approx(expected)


def test_start_events_carry_task_titles():
    queue, events = queue_with(("Storage", 1, []), ("Packages", 3, []))
    queue.run()
    assert [(e.task, e.index, e.message, e.fraction) for e in events] == [
        ("Storage", 1, "Storage", 0.0), ("Packages", 2, "Packages", 0.25), ("Packages", 2, "done", 1.0)]


@pytest.mark.parametrize("error", [PayloadError("no package kernel"), StorageError("disk vdb gone")])
def test_failing_task_stops_the_queue(error: InstallerError):
    ran = []

    def fail(progress):
        progress.step("working", 0.5)
        raise error

    queue, events = TaskQueue(), []
    queue.listeners.append(events.append)
    queue.add("first", lambda p: ran.append("first"))
    queue.add("second", fail)
    queue.add("third", lambda p: ran.append("third"))
    with pytest.raises(type(error)) as caught:
        queue.run()
    assert caught.value is error and ran == ["first"]
    assert events[-1].task == "second" and events[-1].fraction < 1.0
    assert "done" not in [e.message for e in events]


def test_zero_weights_still_end_at_one():
    queue, events = queue_with(("mark", 0, []), ("sync", 0, []))
    queue.run()
    assert events[-1].fraction == 1.0


def test_a_silent_task_says_it_is_still_working():
    events = []
    queue = TaskQueue(heartbeat=0.06)
    queue.listeners.append(events.append)
    queue.add("Making the initramfs", lambda progress: time.sleep(0.3))
    queue.add("Quick", lambda progress: None)
    queue.run()
    beats = [e for e in events if e.message.startswith("still working (")]
    assert beats and all(e.task == "Making the initramfs" for e in beats)
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions)  # never backwards, heartbeats included


def test_heartbeat_can_be_off():
    events = []
    queue = TaskQueue(heartbeat=0)
    queue.listeners.append(events.append)
    queue.add("Slow", lambda progress: time.sleep(0.1))
    queue.run()
    assert not any("still working" in e.message for e in events)


def test_an_os_error_becomes_the_tasks_error_naming_task_and_errno():
    """A full disk in a task ends as that task's typed error (exit code), not a traceback."""
    import errno
    import os

    def full(progress):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/mnt/sysroot/usr/lib/x")

    queue = TaskQueue(heartbeat=0)
    queue.add("Installing packages", full, error=PayloadError)
    with pytest.raises(PayloadError) as caught:
        queue.run()
    assert caught.value.exit_code == 4
    assert caught.value.message == "Installing packages: No space left on device (/mnt/sysroot/usr/lib/x)"


def test_a_bug_in_a_task_passes_through_unchanged():
    def buggy(progress):
        raise KeyError("oops")

    queue = TaskQueue(heartbeat=0)
    queue.add("Configuring the system", buggy, error=StorageError)
    with pytest.raises(KeyError):
        queue.run()
