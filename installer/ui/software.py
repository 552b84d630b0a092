"""The software selection spoke's state and work: the comps, the choices, the depsolve.

The comps are loaded once a source is known and again whenever the source changes (the
controller compares the handler's source with the one it loaded from, so the source spoke
needs no link to it). Each choice goes into %packages at once and the payload's depsolve
runs again in its DNF worker process (the same dry-run path as `anaconda --dry-run`), so
DNF's memory is returned when it exits. All DNF work goes through one `SingleInstance`
("depsolve"): a newer check terminates the worker of the older one and starts only once
that worker is gone, so quick toggles never stack DNF processes. Nothing here knows the
toolkit: the spoke draws `state` and calls the choice methods.

Single packages: the first load of a source also brings the name and summary of every
package (installer/ui/packages.py); searches run over that list on the UI thread, in a
few milliseconds and without DNF, so typing a search never starts a worker. Adding,
excluding or forgetting a package, and --exclude-weakdeps, are edits of %packages like
the others, each followed by one depsolve through the same "depsolve" runner.
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from installer.bootopts import BootOptions
from installer.errors import PayloadError, message_of
from installer.payload_request import build_request, run_payload
from installer.sources import SourceMounts

from .background import Job, SingleInstance
from .comps import Comps, describe_selection, group_names, ignore_missing, select_environment, \
    toggle_group
from .packages import (GLOB_CHARS, PackageIndex, SearchResult, exclude_package, forget_package,
                       include_package, set_exclude_weakdeps)

log = logging.getLogger("anaconda.tui")

#: An interactive check gives up sooner than an install (kickstart default: 10 tries).
CHECK_RETRIES = 2
LOADING, CHECKING = "Downloading package metadata...", "Checking software dependencies..."


def source_key(handler, options: BootOptions) -> tuple | None:
    """What the software list depends on; None when there is no source at all. The source
    commands as the kickstart would write them, so every option (a proxy, a repository's
    --includepkgs, an NFS mount option) counts."""
    commands = tuple(str(handler.commands[name]) for name in ("url", "nfs", "harddrive", "cdrom"))
    has_base = handler.url.seen or handler.nfs.seen or handler.harddrive.seen or handler.cdrom.seen
    base = commands if has_base else (options.repo.location if options.repo is not None else None)
    extra = str(handler.repo)
    if base is None and not handler.repo.repoList and not options.addrepo:
        return None
    return (base, extra, tuple((n, s.location) for n, s in options.addrepo))


# ---- the depsolve -----------------------------------------------------------------------
@dataclass
class SoftwareCheck:
    comps: Comps | None = None  # when asked for and the repositories loaded
    index: PackageIndex | None = None  # the packages to search, with the comps
    packages: int = 0  # in the transaction
    error: str = ""  # what stopped the depsolve (or the loading), for the person
    error_kind: str = ""  # the payload's classification: RepoError, MissingPackages, ...


def check_software(handler, options: BootOptions, log_dir: Path | None,
                   read_comps: bool = False, job: Job | None = None) -> SoftwareCheck:
    """Depsolve the handler's %packages in the DNF worker, into a scratch root that is
    removed afterwards; with `read_comps` the comps choices come back too. Slow: run
    it off the UI thread; `job` is told the worker process (cancelling the job
    terminates it). A missing source raises PayloadError."""
    result = SoftwareCheck()

    def on_event(event) -> None:
        if event.kind == "comps":
            result.comps = Comps.from_json(event.message)
        elif event.kind == "packages":
            result.index = PackageIndex(event.message)
            log.info("Package list: %d packages in %.1f MiB", len(result.index),
                     result.index.size / 2**20)

    with tempfile.TemporaryDirectory(prefix="anaconda-software-") as scratch, \
            SourceMounts() as mounts:
        request = build_request(handler, options, Path(scratch), Path(log_dir or scratch),
                                mounts, dry_run=True)
        request.retries = min(request.retries, CHECK_RETRIES)
        request.report_comps = read_comps
        if job is not None:
            job.check()
        try:
            result.packages = run_payload(request, on_event,
                                          on_start=job.add_process if job is not None else None)
        except PayloadError as exc:
            if job is not None:
                job.check()  # terminated because superseded: no error to report
            log.info("Software check failed (%s): %s", exc.reason, exc.message)
            result.error, result.error_kind = exc.message, exc.reason
    return result


# ---- the spoke's state and work ---------------------------------------------------------
@dataclass
class SoftwareState:
    comps: Comps | None = None
    index: PackageIndex | None = None  # the source's packages, loaded with the comps
    loaded_from: tuple | None = None  # source_key the comps belong to
    busy: str = ""  # LOADING or CHECKING while the worker runs
    packages: int | None = None  # in the last successful depsolve
    error: str = ""  # the last load or depsolve error
    error_kind: str = ""  # the payload's classification of it (MissingPackages...)


class SoftwareController:
    """`runner` runs the DNF work (the app's, delivering on the UI thread; tests: a plain
    one, delivering on its own thread)."""

    def __init__(self, session, runner: SingleInstance | None = None):
        self.session = session
        self.state = SoftwareState()
        self.runner = runner or SingleInstance("depsolve")

    @property
    def handler(self):
        return self.session.handler

    def release(self) -> None:
        """Installation begins: the package list (12 MiB or so for Fedora's repositories)
        is only for searching, and a check still running would be a second DNF process."""
        self.runner.cancel()
        self.state.index = None

    # ---- hub semantics -----------------------------------------------------------------
    def ready(self) -> bool:
        self.follow_source()
        return not self.state.busy

    def completed(self) -> bool:
        state = self.state
        return state.comps is not None and not state.busy and not state.error \
            and state.packages is not None

    def status(self) -> str:
        state = self.state
        if state.loaded_from is None:
            return "Installation source not set up"
        if state.busy:
            return state.busy
        if state.comps is None:
            return f"Error loading the software list: {state.error}"
        if state.error:
            return f"Error checking software dependencies: {state.error}"
        return describe_selection(self.handler, state.comps)

    # ---- background work ---------------------------------------------------------------
    def follow_source(self) -> None:
        """(Re)load the comps when the source differs from the one they came from."""
        key = source_key(self.handler, self.session.options)
        if key == self.state.loaded_from:
            return
        self.state = SoftwareState(loaded_from=key)
        if key is None:
            self.runner.cancel()  # a check of the old source has nothing to say
        else:
            log.info("Software: loading the comps of %s", key)
            self._run(read_comps=True)

    def _run(self, read_comps: bool) -> None:
        state = self.state
        state.busy = LOADING if read_comps else CHECKING
        handler, session = self.handler, self.session

        def work(job: Job) -> SoftwareCheck:
            return check_software(handler, session.options, session.log_dir,
                                  read_comps=read_comps, job=job)

        self.runner.submit(work, lambda result: self._done(state, read_comps, result))

    def _done(self, state: SoftwareState, read_comps: bool, result) -> None:
        if state is not self.state:  # the source changed meanwhile
            return
        state.busy = ""
        if isinstance(result, BaseException):
            state.error = message_of(result)
            state.error_kind, state.packages = "", None
            return
        if read_comps:
            state.comps, state.index = result.comps, result.index
        state.error, state.error_kind = result.error, result.error_kind
        state.packages = None if result.error else result.packages
        if read_comps and self.write_default():
            self._run(read_comps=False)  # the check above was of the empty selection

    def wait(self, timeout: float | None = None) -> bool:
        """Until the DNF work has ended (tests)."""
        return self.runner.wait(timeout)

    # ---- choices -----------------------------------------------------------------------
    def shown_environment(self) -> str | None:
        """The kickstart's @^environment, or the source's default before any choice."""
        packages, comps = self.handler.packages, self.state.comps
        if packages.environment:
            env = comps.environment(packages.environment) if comps else None
            return env.id if env else packages.environment
        if not packages.seen and comps is not None:
            default = comps.default_environment()
            return default.id if default else None
        return None

    def chosen_groups(self) -> set[str]:
        return set(group_names(self.handler))

    def pick_environment(self, env_id: str) -> None:
        if self.state.comps is None or env_id == self.handler.packages.environment:
            return
        select_environment(self.handler, self.state.comps, env_id)
        self._changed()

    def toggle_addon(self, group_id: str) -> None:
        if self.state.comps is None:
            return
        self._keep_default_environment()
        toggle_group(self.handler, group_id)
        self._changed()

    def _keep_default_environment(self) -> None:
        """Before a first edit: the default environment becomes explicit, or an @group or
        a package alone in %packages would replace it."""
        shown = self.shown_environment()
        if not self.handler.packages.seen and shown and self.state.comps is not None:
            select_environment(self.handler, self.state.comps, shown, with_defaults=False)

    # ---- single packages ---------------------------------------------------------------
    def search(self, text: str) -> SearchResult:
        """Packages by part of the name or summary; nothing before the list is loaded."""
        index = self.state.index
        return index.search(text) if index is not None else SearchResult()

    def summary(self, name: str) -> str | None:
        """A listed name's summary; None when the source has no such package (or no list)."""
        index = self.state.index
        return index.summary(name) if index is not None else None

    def package_note(self, name: str) -> tuple[str, bool]:
        """What the screen says next to a listed package: its summary, or why there is
        none; True when that is a problem (the source has no such package)."""
        index = self.state.index
        if index is None:
            return "", False
        summary = index.summary(name)
        if summary is not None:
            return summary, False
        if set(name) & GLOB_CHARS:
            found = len(index.matches(name))
            return ("(every package matching)", False) if found else \
                ("no package in the installation source matches", True)
        return "not in the installation source", True

    def known(self, name: str) -> bool:
        """Whether the source has `name` (a glob: any package it matches); True while no
        list is loaded, since the depsolve will say."""
        index = self.state.index
        return index is None or bool(index.matches(name))

    def add_spec(self, text: str) -> str:
        """A %packages line typed by a person: `name` or `glob*` to install, `-name` to
        exclude. Returns what was done, for the screen; raises PayloadError naming a
        package the source does not have."""
        spec = text.strip()
        excluded = spec.startswith("-")
        name = spec[1:].strip() if excluded else spec
        if not name or any(c.isspace() for c in name) or name.startswith("@"):
            raise PayloadError(f"{spec or 'nothing'}: give one package name (or a glob such "
                               "as vim-*), with - in front to exclude it; groups are chosen "
                               "above")
        if self.state.index is None:
            raise PayloadError("the package list is still loading; try again in a moment"
                               if self.state.busy == LOADING else
                               "there is no package list: the software list of the "
                               "installation source could not be loaded")
        if not self.known(name):
            what = "matches" if set(name) & GLOB_CHARS else "is named"
            raise PayloadError(f"no package {what} {name} in the installation source's "
                               "repositories; search for part of its name or summary")
        if excluded:
            self.exclude(name)
            return f"Excluded {name} (-{name})"
        self.include(name)
        return f"Added {name}"

    def include(self, name: str) -> None:
        self._edit(include_package, name)

    def exclude(self, name: str) -> None:
        self._edit(exclude_package, name)

    def forget(self, name: str) -> None:
        self._edit(forget_package, name)

    def set_exclude_weakdeps(self, value: bool) -> None:
        if value != self.handler.packages.excludeWeakdeps:
            self._edit(set_exclude_weakdeps, value)

    def _edit(self, change, value) -> None:
        self._keep_default_environment()
        change(self.handler, value)
        self._changed()

    def listed_packages(self) -> list[tuple[str, str]]:
        """%packages' single packages as ("+", name) and ("-", name), in kickstart order."""
        packages = self.handler.packages
        return [("+", name) for name in packages.packageList] + \
            [("-", name) for name in packages.excludedList]

    def can_skip_missing(self) -> bool:
        return self.state.error_kind == "MissingPackages" and not self.state.busy

    def skip_missing(self) -> None:
        """What the install would offer after the fact, chosen before: skip the names no
        repository has (`%packages --ignoremissing`)."""
        ignore_missing(self.handler)
        self._changed()

    def _changed(self) -> None:
        if self.state.loaded_from is not None:
            self._run(read_comps=False)

    def enter(self) -> None:
        """Opening the spoke again retries a software list that failed to load."""
        self.follow_source()
        state = self.state
        if state.loaded_from is not None and state.comps is None and not state.busy:
            self._run(read_comps=True)

    def write_default(self) -> bool:
        """The source's default environment, written into %packages as soon as the list is
        known: what the hub says ("Minimal Install") is then what the kickstart says, even
        when nobody opens this spoke. A kickstart's own %packages is never replaced."""
        shown = self.shown_environment()
        if shown and not self.handler.packages.seen and self.state.comps is not None:
            select_environment(self.handler, self.state.comps, shown, with_defaults=False)
            return True
        return False
