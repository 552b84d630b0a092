"""The DNF worker process: `python -m payload.worker EVENT_FD < request.json`.

Depsolve, download and the RPM transaction run here, in a child of the installer, so
that DNF's memory (metadata, solver, caches) is returned to the system when it exits.
Events go to EVENT_FD as JSON lines; stdout and stderr are left to rpm scriptlets and
are logged by the parent. Its own logging goes to packaging.log, masked (logfile.py).

A dry run that asks for the comps is the software screen's survey of a source: besides
the comps it sends the name and summary of every package (one "packages" event, see
`package_list`), read from the sack this process loaded anyway, so the screen searches
packages without a DNF process of its own and without loading the metadata again.
"""
from __future__ import annotations

import logging
import os
import string
import sys

from . import logfile
from .events import EventWriter, PayloadFailure
from .model import InstallRequest

log = logging.getLogger("anaconda.payload")


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
    logfile.setup(request.log_file, request.secrets, request.log_level, request.remote_logs)
    try:
        installed = survey(request, events) if request.dry_run and request.report_comps \
            else _run(request, events)
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


def _run(request: InstallRequest, events: EventWriter) -> int:
    from .dnf_install import run  # dnf is imported here, in the child only

    return run(request, events)


#: name globs that split the package list into slices (the last one: every other start)
SLICES = [*string.ascii_letters, *string.digits, "[!a-zA-Z0-9]"]


def package_list(base) -> str:
    """Every available package once by name, sorted, as `name TAB summary` lines: the
    smallest form a search needs (about 5 MB for Fedora's 70,000 packages, against
    hundreds of MB for the sack that would answer searches itself). Read a slice of
    names at a time, since each package read costs a Python object of some 450 bytes:
    all at once that would be 30 MB more on the worker's peak. The %packages excludes
    (`-name`) are listed too, so a person can find one and take it back."""
    import hawkey

    everything = base.sack.query(flags=hawkey.IGNORE_REGULAR_EXCLUDES).available()
    lines: list[str] = []
    for first in SLICES:
        seen: set[str] = set()
        for pkg in everything.filter(name__glob=first + "*"):
            if pkg.name not in seen:
                seen.add(pkg.name)
                summary = " ".join((pkg.summary or "").split())  # no tab, no newline
                lines.append(f"{pkg.name}\t{summary}\n")
    lines.sort()
    return "".join(lines)


def survey(request: InstallRequest, events: EventWriter) -> int:
    """The dry run of `dnf_install.run`, with the comps and the package list sent between
    loading and depsolving (a depsolve that fails still leaves the screen both)."""
    import shutil
    from pathlib import Path

    from .comps import comps_json
    from .dnf_install import configure, load_repositories, resolve

    Path(request.root).mkdir(parents=True, exist_ok=True)
    base = configure(request)
    try:
        load_repositories(base, request, events)
        events.send("comps", comps_json(base))
        listing = package_list(base)
        log.info("Package list for the search: %d packages, %d bytes", listing.count("\n"),
                 len(listing))
        events.send("packages", listing)
        del listing  # the depsolve's peak is the worker's: it need not hold the list too
        packages = resolve(base, request, events)
        for pkg in packages:
            events.send("log", f"would install {pkg}")
        return len(packages)
    finally:
        base.close()
        shutil.rmtree(Path(request.cache_dir), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
