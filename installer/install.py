"""One install: the kickstart model turned into a task queue and run to the end.

Interactive and unattended installs both end here (DESIGN.md: an install always
executes a kickstart). On failure %onerror runs, then, when the failure is an internal
error (a bug, not an InstallerError nor an interrupt), %traceback, in Anaconda's order,
with the traceback in the log directory's anaconda-tb-* as Anaconda keeps it in
/tmp/anaconda-tb-*; the logs are still saved into the target, so a failed install can be
debugged from what it leaves behind.
"""
from __future__ import annotations

import logging
import os
import signal
import tempfile
import threading
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pykickstart.constants import (KS_MISSING_IGNORE, KS_SCRIPT_ONERROR, KS_SCRIPT_POST,
                                   KS_SCRIPT_PREINSTALL, KS_SCRIPT_TRACEBACK)

from installer import power
from installer.bootopts import BootOptions
from installer.configure.accounts import configure_accounts
from installer.configure.system import configure_system
from installer.disks import (DiskInstall, install_bootloader_task, make_initramfs_task,
                             move_stage2_task, snapshot_task, stage2_back_to_ram, system_needs,
                             take_down, wants_bootloader, write_storage, write_storage_config)
from installer.errors import (ConfigurationError, InstallerError, PayloadError, ScriptError,
                              StorageError)
from installer.frontend import Frontend, Question, ask
from installer.kickstart import scripts
from installer.kickstart.load import LoadedKickstart
from installer.kickstart.writeout import write_kickstarts
from installer.logs import copy_logs, redact
from installer.memory.startup import MemorySession
from installer.payload_request import build_request, run_payload
from installer.sources import SourceMounts
from installer.tasks import Progress, TaskQueue
from storage.commands import STORAGE_COMMANDS, canonical

log = logging.getLogger("anaconda.install")



@dataclass
class InstallRun:
    loaded: LoadedKickstart
    options: BootOptions
    log_dir: Path
    target_root: Path
    frontend: Frontend
    disk: DiskInstall | None = None  # None: --dirinstall
    memory: MemorySession | None = None  # stopped before the logs are copied

    @property
    def handler(self):
        return self.loaded.handler

    def script_context(self) -> scripts.ScriptContext:
        return scripts.ScriptContext(log_dir=self.log_dir, target_root=self.target_root)


def _scripts_task(run: InstallRun, kind: int):
    def task(progress: Progress) -> None:
        found = scripts.scripts_of(run.handler, kind)
        for index, script in enumerate(found, start=1):
            progress.step(f"{scripts.describe(script)} ({index} of {len(found)})",
                          (index - 1) / len(found))
            scripts.run_script(script, index, run.script_context())
    return task


def _ignored_storage(run: InstallRun) -> list[str]:
    """The storage commands a directory install ignores, named as the kickstart wrote them."""
    written = {canonical(c.name): c.name for c in run.loaded.commands_seen}
    return [written[name] for name in STORAGE_COMMANDS if name in written]


#: How the payload's phases share the "Installing packages" task.
PAYLOAD_PHASES = {"phase": (0.0, 0.05), "download": (0.05, 0.45), "warning": (0.05, 0.45),
                  "install": (0.5, 0.5)}


def _payload_task(run: InstallRun):
    def task(progress: Progress) -> None:
        with SourceMounts() as mounts:
            request = build_request(run.handler, run.options, run.target_root, run.log_dir, mounts,
                                    needs=system_needs(run.disk) if run.disk else [],
                                    seen=run.loaded.commands_seen)
            for repo in request.repos:
                log.info("Source %s: %s (%s)", repo.name, repo.where, repo.origin)

            def relay(event) -> None:
                start, span = PAYLOAD_PHASES.get(event.kind, (0.0, 0.0))
                if event.kind == "log":
                    log.info("%s", event.message)
                    return
                if event.kind == "warning":  # a download to be tried again: also on the console
                    log.warning("%s", event.message)
                progress.step(event.message, start + span * event.done)

            while True:
                try:
                    count = run_payload(request, relay)
                    break
                except PayloadError as exc:
                    answer = ask(run.frontend, payload_question(exc.reason, exc.message))
                    if answer == RETRY:
                        progress.step("Retrying", 0.0)
                        continue
                    if answer == IGNORE_MISSING:
                        request.selection.ignore_missing = True
                        run.handler.packages.handleMissing = KS_MISSING_IGNORE  # the saved ks says so
                        continue
                    raise
        progress.step(f"{count} packages installed", 1.0)
    return task


RETRY, IGNORE_MISSING, ABORT = "Retry", "Ignore missing packages", "Abort"


def payload_question(kind: str, message: str) -> Question:
    """What a person may choose after a payload failure: a download or repository problem
    may be passing (retry); packages not in any repository may be skipped, as
    `%packages --ignoremissing` would; anything else can only abort."""
    if kind in ("DownloadError", "RepoError"):
        choices = (RETRY, ABORT)
    elif kind == "MissingPackages":
        choices = (IGNORE_MISSING, ABORT)
    else:
        choices = (ABORT,)
    return Question("Software installation failed", message, choices, ABORT)


def build_queue(run: InstallRun) -> TaskQueue:
    queue = TaskQueue()
    handler = run.handler

    def prepare(progress: Progress) -> None:
        run.target_root.mkdir(parents=True, exist_ok=True)
        ignored = _ignored_storage(run)
        if ignored:
            note = "--dirinstall: storage commands ignored: " + ", ".join(ignored)
            log.info("%s", note)
            progress.step(note, 1.0)

    # error=: what an OSError in the task ends as (exit codes 3 storage, 4 payload,
    # 5 scripts, 6 configuring the installed system; README's exit code table)
    if run.disk and run.disk.snapshots("pre-install"):
        queue.add("Creating pre-install snapshots", snapshot_task(run.disk, "pre-install"), weight=1,
                  error=StorageError)
    if run.disk:
        swap_ready = run.memory.disk_swap_ready if run.memory is not None else None
        queue.add("Writing the storage layout", write_storage(run.disk, swap_ready), weight=5,
                  error=StorageError)
        if run.memory is not None and run.memory.stage2_moves:
            queue.add("Moving stage2 to the target disk", move_stage2_task(run.disk), weight=1,
                      error=StorageError)
    else:
        queue.add("Preparing the target directory", prepare, weight=1, error=StorageError)
    if scripts.scripts_of(handler, KS_SCRIPT_PREINSTALL):
        queue.add("Running %pre-install scripts", _scripts_task(run, KS_SCRIPT_PREINSTALL), weight=2,
                  error=ScriptError)
    if handler.liveimg.seen:
        from installer.liveimg import liveimg_task

        queue.add("Installing the live image", liveimg_task(run), weight=20, error=PayloadError)
    else:
        queue.add("Installing packages", _payload_task(run), weight=20, error=PayloadError)
    if run.disk:
        queue.add("Writing fstab and crypttab", write_storage_config(run.disk), weight=1,
                  error=StorageError)
    def configure(progress: Progress) -> None:
        with warnings_shown(run.frontend, "anaconda.configure"):
            configure_system(handler, run.target_root, run.loaded.commands_seen, run.options,
                             kdump_addon=getattr(run.options, "kdump_addon", None))

    queue.add("Configuring the system", configure, weight=3, error=ConfigurationError)
    queue.add("Creating users", lambda p: configure_accounts(
        handler, run.target_root, run.loaded.commands_seen, warn=run.frontend.warning),
        weight=1, error=ConfigurationError)
    if run.disk:
        low_memory = run.memory is not None and run.memory.level >= 1
        queue.add("Making the initramfs", make_initramfs_task(low_memory), weight=4,
                  error=ConfigurationError)
        if wants_bootloader(run.disk):
            queue.add("Installing the boot loader", install_bootloader_task(run.disk, handler, run.options),
                      weight=2, error=StorageError)
    queue.add("Saving the kickstart", lambda p: write_kickstarts(
        handler, run.loaded.original_text, run.target_root,
        save_output=run.options.saves("output_ks"), save_input=run.options.saves("input_ks")),
        weight=1, error=ConfigurationError)
    if run.disk and run.disk.snapshots("post-install"):  # as Anaconda: after the install, before %post
        queue.add("Creating post-install snapshots", snapshot_task(run.disk, "post-install"), weight=1,
                  error=StorageError)
    if scripts.scripts_of(handler, KS_SCRIPT_POST):
        queue.add("Running %post scripts", _scripts_task(run, KS_SCRIPT_POST), weight=3,
                  error=ScriptError)
    return queue


def describe_plan(run: InstallRun) -> list[str]:
    """--dry-run: what the queue would do, in order, without doing any of it."""
    if run.disk:
        lines = [f"Target: disks {', '.join(run.disk.session.selected)}, mounted at {run.target_root}",
                 "Storage actions:"] + [f"  {line}" for line in run.disk.actions()]
    else:
        lines = [f"Target: {run.target_root} (directory install)"]
        ignored = _ignored_storage(run)
        if ignored:
            lines.append("Storage commands ignored for a directory install: " + ", ".join(ignored))
    packages = run.handler.packages
    wanted = ([f"@^{packages.environment}"] if packages.environment else []) + \
        [f"@{g.name}" for g in packages.groupList] + list(packages.packageList) + \
        [f"-{p}" for p in packages.excludedList]
    if wanted:
        lines.append("Packages requested: " + " ".join(wanted))
    if run.handler.liveimg.seen:
        from installer.liveimg import describe

        lines.append(describe(run.handler))
    else:
        lines += _planned_transaction(run)
    for index, task in enumerate(build_queue(run).tasks, start=1):
        lines.append(f"  {index}. {task.title}")
    lines.append("Dry run: nothing was written.")
    return lines


def _planned_transaction(run: InstallRun) -> list[str]:
    """Depsolve against the sources into a scratch root: the packages that would be installed."""
    with tempfile.TemporaryDirectory(prefix="anaconda-dry-run-") as scratch, SourceMounts() as mounts:
        request = build_request(run.handler, run.options, Path(scratch), run.log_dir, mounts,
                                dry_run=True, needs=system_needs(run.disk) if run.disk else [])
        planned: list[str] = []
        run_payload(request, lambda e: planned.append(e.message.removeprefix("would install "))
                    if e.kind == "log" else None)
    return [f"Package transaction: {len(planned)} packages to install"] + \
        [f"    {name}" for name in planned]


def save_logs(run: InstallRun) -> None:
    if run.memory is not None:
        run.memory.stop()  # its last sample and the peak RSS go in before the copy
    if not run.options.saves("logs"):
        log.info("inst.nosave=logs: logs stay in %s only", run.log_dir)
        return
    try:
        dest = copy_logs(run.log_dir, run.target_root)
        log.info("Logs copied to %s", dest)
    except OSError as exc:
        log.error("Could not copy logs to the target: %s", exc)


def run_onerror(run: InstallRun, kind: int = KS_SCRIPT_ONERROR) -> None:
    """%onerror (or %traceback) scripts after a failure; their own failure must not hide
    the first one. They run in the target root, which a storage failure may have stopped
    before it existed."""
    found = scripts.scripts_of(run.handler, kind)
    name = scripts.SECTION_NAMES[kind]
    if found and not run.target_root.is_dir():
        try:
            run.target_root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.error("%s: no target root to run in: %s", name, exc)
    for index, script in enumerate(found, start=1):
        try:
            scripts.run_script(script, index, run.script_context())
        except Exception as exc:
            log.error("%s script failed too: %s", name, exc)


def is_internal_error(error: BaseException) -> bool:
    """A bug: neither an error a user can act on nor an interrupt (nor an exit)."""
    return isinstance(error, Exception) and not isinstance(error, InstallerError)


def run_traceback(run: InstallRun, error: BaseException) -> None:
    """After an internal error: the traceback into the log directory (anaconda-tb-*, 0600,
    secrets masked), where a %traceback script finds it, then the %traceback scripts."""
    try:
        fd, path = tempfile.mkstemp(prefix="anaconda-tb-", dir=run.log_dir)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(redact("".join(traceback.format_exception(error))))
        log.info("Traceback written to %s", path)
    except OSError as exc:
        log.error("Could not write the traceback file: %s", exc)
    run_onerror(run, KS_SCRIPT_TRACEBACK)


class _ToFrontend(logging.Handler):
    """Warnings of one logger shown by the front end as well as logged."""

    def __init__(self, frontend: Frontend):
        super().__init__(logging.WARNING)
        self.frontend = frontend

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.frontend.warning(record.getMessage())
        except Exception:  # the front end must never break the step that warned
            self.handleError(record)


@contextmanager
def warnings_shown(frontend: Frontend, logger: str):
    """While a step runs, its warnings (a command not applied because the target lacks a
    tool, say) reach the console or the TUI, not only anaconda.log."""
    handler = _ToFrontend(frontend)
    logging.getLogger(logger).addHandler(handler)
    try:
        yield
    finally:
        logging.getLogger(logger).removeHandler(handler)


@contextmanager
def interrupts_held():
    """Cleanup runs to its end: a Ctrl-C during it is remembered and raised afterwards
    (signal handlers belong to the main thread; the TUI's install thread cannot hold them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: caught.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        log.error("Interrupted during the cleanup; the cleanup was finished first")
        raise KeyboardInterrupt


def wrap_up(run: InstallRun) -> None:
    """After the queue, failed or not: stage2 back into RAM (so the logs tell of it), the
    logs onto the target, then the target taken down. Each step is tried even when one
    before it failed; a failure is logged, never raised over the install's own error."""
    steps = [("moving stage2 back into RAM", lambda: stage2_back_to_ram(run.disk))] if run.disk else []
    steps.append(("saving the logs", lambda: save_logs(run)))
    if run.disk:
        steps.append(("taking the target down", lambda: take_down(run.disk)))
    for what, step in steps:
        try:
            step()
        except Exception:
            log.exception("Wrapping up: %s failed", what)


def _failure(error: BaseException) -> str:
    if isinstance(error, InstallerError):
        return error.message
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return f"{type(error).__name__}: {error}"


def execute(run: InstallRun, end_action: bool = True) -> tuple[str, str | None]:
    """Run the queue, save the logs, then reboot/power off where that is allowed.

    Returns the closing message and the end action; with `end_action` False the action is
    left to the caller (the TUI waits for its "Reboot" button). Whatever stops the queue
    (an InstallerError, a bug, Ctrl-C) is raised again after %onerror ran (and, for a bug,
    %traceback), the logs were saved and the target was taken down.
    """
    queue = build_queue(run)
    queue.listeners.append(run.frontend.progress)
    if run.memory is not None:
        queue.listeners.append(run.memory.progress)  # memory.log's per-phase peaks
    try:
        queue.run()
    except BaseException as exc:
        log.error("Installation failed: %s", _failure(exc))
        with interrupts_held():
            run_onerror(run)
            if is_internal_error(exc):
                run_traceback(run, exc)
            wrap_up(run)
        raise
    closing, action = power.decide(run.handler, run.options.nokill)
    log.info("%s", closing)
    with interrupts_held():
        wrap_up(run)
    run.frontend.message(closing)
    if action and end_action:
        power.perform(action)
        action = None
    return closing, action
