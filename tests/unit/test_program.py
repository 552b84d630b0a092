"""installer/program.py: a command never outlives its time limit or a failing installer."""
from __future__ import annotations

import os
import time

import pytest

from installer import program


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_timeout_kills_a_command_that_keeps_its_output_open():
    started = time.monotonic()
    result = program.run(["sh", "-c", "echo waiting; sleep 30"], timeout=1)
    assert time.monotonic() - started < 10
    assert result.returncode == -9 and result.output == "waiting"


def test_output_and_exit_code_without_a_timeout():
    result = program.run(["sh", "-c", "echo one; echo two >&2; exit 3"])
    assert result.returncode == 3 and result.output.splitlines() == ["one", "two"]


def test_an_interrupt_while_reading_stops_the_command():
    pids: list[int] = []

    def interrupt(line: str) -> None:
        pids.append(int(line))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        program.run(["sh", "-c", "echo $$; exec sleep 30"], on_line=interrupt)
    assert pids and not _alive(pids[0])
