"""The DNF worker process: `python -m payload.worker EVENT_FD < request.json`.

Depsolve, download and the RPM transaction run here, in a child of the installer, so
that DNF's memory (metadata, solver, caches) is returned to the system when it exits.
Events go to EVENT_FD as JSON lines; stdout and stderr are left to rpm scriptlets and
are logged by the parent. Its own logging goes to packaging.log, masked (logfile.py).
"""
from __future__ import annotations

import logging
import os
import sys

from . import logfile
from .events import EventWriter, PayloadFailure
from .model import InstallRequest


def leave_oom_protection() -> None:
    """The installer lowers its OOM score (installer/memory/oom.py) and children inherit
    it; the worker is the process the OOM killer should take first, so it goes back to 0."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0\n")
    except OSError:
        pass


def main(argv: list[str]) -> int:
    leave_oom_protection()
    events = EventWriter(os.fdopen(int(argv[0]), "w", buffering=1))
    request = InstallRequest.from_json(sys.stdin.read())
    logfile.setup(request.log_file, request.secrets, request.log_level)
    from .dnf_install import run  # dnf is imported here, in the child only

    try:
        installed = run(request, events)
    except PayloadFailure as exc:
        logging.getLogger("anaconda.payload").error("%s", exc.message)
        events.send("error", exc.message, error=exc.kind)
        return 1
    except Exception as exc:  # a bug, or DNF failing in a way not mapped yet
        logging.getLogger("anaconda.payload").exception("Unexpected DNF failure")
        events.send("error", f"{exc.__class__.__name__}: {exc}", error="Internal")
        return 1
    events.send("done", f"{installed} packages", count=installed, total=installed, done=1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
