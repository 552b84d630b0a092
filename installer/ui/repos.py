"""Additional repositories in the source spoke: add, edit, remove, each one checked.

Like the installation source, a repository goes into the kickstart (`repo --name=...`)
only once its check passed (its repomd.xml, or a mirror's, fetched off the UI thread);
one that fails stays in the list with the reason, for the person to correct or remove.
Each entry has its own `SingleInstance`, so re-checking one supersedes only its own
older check and never stacks a second one. A kickstart's `repo` lines pre-fill the list
and are checked at start.
"""
from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Callable

from installer.errors import InstallerError, PayloadError
from installer.payload_request import proxy_for

from .background import SingleInstance
from .repocheck import RepoFound, check_mirrors, check_repository
from .repos_extra import RepoForm, form_of, put_repo, remove_repo, repo_problems

log = logging.getLogger("anaconda.tui")

_ids = itertools.count(1)


@dataclass
class RepoEntry:
    form: RepoForm
    origin: str  # "the kickstart", "added here"
    written: str | None = None  # the name it has in the handler, None: not in it (yet)
    running: bool = False
    found: str = ""
    error: str = ""
    id: int = field(default_factory=lambda: next(_ids))

    def state(self) -> str:
        if self.running:
            return "checking..."
        if self.error:
            return "error"
        return "checked" if self.found else "not checked"


def check_repo(form: RepoForm, options) -> RepoFound:
    """What the install will be given: the repository's proxy, else inst.proxy."""
    proxy = proxy_for(form.proxy_url, options)
    verify = not (form.noverifyssl or options.noverifyssl)
    if form.kind == "baseurl":
        return check_repository(form.url, proxy, verify)
    return check_mirrors(form.url, form.kind, proxy, verify)


class ReposController:
    """`runner_for(purpose)` gives a SingleInstance (the app's `background`); without it
    plain ones (tests). `on_failed(message)` hears of a failed check of an entry
    added or edited here."""

    def __init__(self, session, runner_for: Callable[[str], SingleInstance] | None = None,
                 on_failed: Callable[[str], None] | None = None):
        self.session = session
        self._runner_for = runner_for or SingleInstance
        self._runners: dict[int, SingleInstance] = {}
        self.on_failed = on_failed
        self.entries: list[RepoEntry] = [
            RepoEntry(form_of(repo), "the kickstart", written=repo.name)
            for repo in session.handler.repo.repoList]

    @property
    def handler(self):
        return self.session.handler

    def setup(self) -> None:
        for entry in self.entries:
            self._start(entry, entered=False)

    def busy(self) -> bool:
        return any(entry.running for entry in self.entries)

    def problems(self) -> list[str]:
        return [f"{entry.form.name}: {entry.error}" for entry in self.entries if entry.error]

    def entry(self, entry_id: int) -> RepoEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)

    # ---- editing ------------------------------------------------------------------------
    def save(self, form: RepoForm, entry_id: int | None = None) -> RepoEntry:
        """Add (`entry_id` None) or change an entry; PayloadError with every problem (one
        a line, each naming its field) when the form is wrong, else checked in the
        background and written to the handler when it passes."""
        entry = self.entry(entry_id) if entry_id is not None else None
        taken = [e.form.name for e in self.entries if e is not entry]
        taken += [name for name, _ in self.session.options.addrepo]
        form, problems = repo_problems(form, taken)
        if problems:
            raise PayloadError("\n".join(problems))
        if entry is None:
            entry = RepoEntry(form, "added here")
            self.entries.append(entry)
        else:
            entry.form = form
        self._start(entry, entered=True)
        return entry

    def remove(self, entry_id: int) -> None:
        entry = self.entry(entry_id)
        if entry is None:
            return
        runner = self._runners.pop(entry.id, None)
        if runner is not None:
            runner.cancel()
        if entry.written is not None:
            remove_repo(self.handler, entry.written)
        self.entries.remove(entry)
        log.info("Repository %s removed", entry.form.name)

    # ---- the checks ---------------------------------------------------------------------
    def _runner(self, entry: RepoEntry) -> SingleInstance:
        if entry.id not in self._runners:
            self._runners[entry.id] = self._runner_for(f"repository check {entry.id}")
        return self._runners[entry.id]

    def _start(self, entry: RepoEntry, entered: bool) -> None:
        entry.running, entry.found, entry.error = True, "", ""
        form, options = entry.form, self.session.options

        def work(job):
            found = check_repo(form, options)
            job.check()
            return found

        self._runner(entry).submit(work, lambda result: self._checked(entry, form, entered, result))

    def _checked(self, entry: RepoEntry, form: RepoForm, entered: bool, result) -> None:
        if entry not in self.entries:
            return  # removed meanwhile
        entry.running = False
        if isinstance(result, BaseException):
            entry.error = result.message if isinstance(result, InstallerError) else \
                f"{form.shown_url}: {result}"
            if entered and self.on_failed is not None:
                self.on_failed(f"Repository {form.name}: {entry.error}")
            return
        entry.found = result.summary()
        if entered:
            put_repo(self.handler, form, replacing=entry.written)
            entry.written = form.name
            log.info("Repository %s set to %s", form.name, form.shown_url)

    def wait(self, timeout: float | None = None) -> bool:
        return all(runner.wait(timeout) for runner in list(self._runners.values()))
