"""Storage's own error type; the installer maps it to its StorageError (exit code 3)."""
from __future__ import annotations


class StorageProblem(Exception):
    """A request that cannot be planned or carried out, said so a user can act on it.

    Raised before anything is written whenever the problem can be seen in the plan.
    `command` and `lineno` name the kickstart command being applied when the problem came
    from blivet or libblockdev (storage/faults.py), so the installer can add its file.
    `problems`: every error the storage checker found (the message lists them all)."""

    def __init__(self, message: str, command: str = "", lineno: int | None = None,
                 problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or [message]
        self.command = command
        self.lineno = lineno
