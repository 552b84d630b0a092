"""installer/ui/background.py: one job per purpose, the newest wins, never two at once."""
from __future__ import annotations

import subprocess
import threading
import time

from installer.ui.background import Job, SingleInstance


def test_the_newest_job_wins_and_older_results_are_dropped():
    results = []
    release = threading.Event()
    runner = SingleInstance("test")

    def slow(job: Job):
        release.wait(5)
        return "first"

    def job_n(n):
        def work(job: Job):
            release.wait(5)
            return f"job {n}"
        return work

    runner.submit(slow, results.append)
    for n in range(5):
        runner.submit(job_n(n), results.append)
    release.set()
    assert runner.wait(10)
    assert results == ["job 4"]


def test_never_two_jobs_at_once():
    alive, peak = [0], [0]
    lock = threading.Lock()
    runner = SingleInstance("test")

    def work(job: Job):
        with lock:
            alive[0] += 1
            peak[0] = max(peak[0], alive[0])
        for _ in range(20):
            if job.cancelled:
                break
            time.sleep(0.005)
        with lock:
            alive[0] -= 1
        return "done"

    for _ in range(10):
        runner.submit(work)
        time.sleep(0.01)
    assert runner.wait(10)
    assert peak[0] == 1


def test_a_superseded_child_process_is_terminated():
    runner = SingleInstance("test")
    started = threading.Event()
    processes = []

    def work(job: Job):
        process = subprocess.Popen(["sleep", "60"])
        processes.append(process)
        job.add_process(process)
        started.set()
        process.wait()
        return process.returncode

    results = []
    runner.submit(work, results.append)
    assert started.wait(5)
    runner.submit(lambda job: "newer", results.append)
    assert runner.wait(10)
    assert processes[0].returncode is not None and processes[0].returncode < 0  # SIGTERM
    assert results == ["newer"]


def test_an_exception_is_handed_over_not_raised():
    results = []
    runner = SingleInstance("test", deliver=lambda call: call())

    def broken(job):
        raise ValueError("no such repository")

    runner.submit(broken, results.append)
    assert runner.wait(5)
    assert isinstance(results[0], ValueError)


def test_cancel_drops_everything():
    results = []
    runner = SingleInstance("test")
    gate = threading.Event()
    runner.submit(lambda job: gate.wait(5) and "x", results.append)
    runner.cancel()
    gate.set()
    assert runner.wait(5)
    assert results == []


def test_a_result_waiting_in_the_ui_queue_is_dropped_when_superseded():
    """The UI's queue (urwid's call_soon) runs later: a job submitted meanwhile wins,
    even though the older job had already ended."""
    queue, results = [], []
    runner = SingleInstance("source check", deliver=queue.append)
    runner.submit(lambda job: "A", results.append)
    assert runner.wait(5) and len(queue) == 1  # A's result waits in the UI's queue
    runner.submit(lambda job: "B", results.append)
    assert runner.wait(5)
    for call in queue:
        call()
    assert results == ["B"]


def test_a_base_exception_or_a_failing_callback_does_not_end_the_purpose():
    runner = SingleInstance("test")
    results = []

    def exits(job):
        raise SystemExit(3)

    runner.submit(exits, results.append)
    assert runner.wait(5) and isinstance(results[0], SystemExit)

    def broken_callback(result):
        raise RuntimeError("bug in the screen")

    runner.submit(lambda job: 1, broken_callback)
    assert runner.wait(5)
    runner.submit(lambda job: 2, results.append)
    assert runner.wait(5) and results[-1] == 2 and not runner.busy
