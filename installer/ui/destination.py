"""The installation destination spoke's state and work: scan, edit, plan, accept.

The scan runs in the background when the hub is built (installer.disks.scan_disks, the
same as an unattended install's); the person edits a layout request (installer.ui.storage's
`Scanned.planner`); leaving plans the request in the background, and only `accept` writes
the storage commands into the kickstart handler. A kickstart's storage commands pre-fill
the request, and a kickstart whose layout plans is complete as it is. Nothing here knows
the toolkit: the spoke draws `state` and the request, and calls the methods below.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from dataclasses import field as default
from typing import Callable

from installer.errors import message_of
from storage.planning.request import AutomaticLayout

from .background import SingleInstance
from .layout_editor import LayoutEditor
from .storage import (NO_BOOTLOADER, Prefill, RequestProblem, Scanned, accept, asked, has_layout,
                      kickstart_problem, layout_kind, load, scan, select, storage_text)

log = logging.getLogger("anaconda.tui")

#: What `leave()` asks the screen to do.
LEAVE, STAY, ASK_NO_DISKS, PLANNING = "leave", "stay", "ask no disks", "planning"


@dataclass
class DestinationState:
    scanning: bool = False
    scanned: Scanned | None = None
    scan_error: str = ""
    planning: bool = False
    problem: str = ""  # why the last plan (or the kickstart's layout) failed
    complete: bool = False  # the handler holds a layout that plans
    dirty: bool = False  # changed here since the handler was last written
    release: bool = False  # leave without planning (after "leave unfinished", or accepted)
    loaded: str = ""  # the handler's storage commands when last read or written
    prefill: Prefill = default(default_factory=Prefill)
    auto: AutomaticLayout = default(default_factory=AutomaticLayout)  # kept while custom is shown


class DestinationController:
    """`background(purpose)` gives the `SingleInstance` of a purpose (the app's, whose
    results arrive on the UI thread; tests: plain ones)."""

    def __init__(self, session, background: Callable[[str], SingleInstance] | None = None):
        self.session = session
        self.state = DestinationState()
        background = background or SingleInstance
        self._scan = background("storage scan")
        self._plan = background("storage plan")
        self.is_open = False
        #: What the custom, reclaim and passphrase screens read and edit.
        self.editor = LayoutEditor(lambda: self.planner, self.automatic, self.changed)

    @property
    def handler(self):
        return self.session.handler

    @property
    def planner(self):
        """The request being edited (storage's planner), through `editor` on the sub-screens."""
        return self.state.scanned.planner

    @property
    def request(self):
        return self.planner.request

    # ---- the scan ------------------------------------------------------------------------
    def setup(self) -> None:
        if self.session.dirinstall or self.state.scanning:
            return
        self.state.scanning = True
        session, handler = self.session, self.handler

        def work(job):
            scanned = scan(session.options, list(session.images), dry_run=session.dry_run,
                           firmware=getattr(session, "firmware", None), handler=handler)
            job.check()
            return scanned, kickstart_problem(scanned, handler) if has_layout(handler) else ""
        self._scan.submit(work, self._scanned)

    def _scanned(self, result) -> None:
        state = self.state
        state.scanning = False
        if isinstance(result, BaseException):
            state.scan_error = message_of(result)
            log.error("Storage scan failed: %s", state.scan_error)
            return
        state.scanned, problem = result
        self.read_handler()
        if has_layout(self.handler):
            state.complete, state.problem = not problem, problem

    def read_handler(self) -> None:
        state = self.state
        state.prefill = load(state.scanned, self.handler, self.session.seen)
        if self.request.automatic is not None:
            state.auto = replace(self.request.automatic)
        state.loaded, state.dirty = storage_text(self.handler), False

    def wait(self, timeout: float | None = None) -> bool:
        """Until the scan and any plan have ended (tests)."""
        return self._scan.wait(timeout) and self._plan.wait(timeout)

    # ---- hub semantics -------------------------------------------------------------------
    def ready(self) -> bool:
        return not self.state.scanning

    def completed(self) -> bool:
        return self.session.dirinstall or self.state.complete

    def status(self) -> str:
        state = self.state
        if self.session.dirinstall:
            return "Not needed for a directory install"
        if state.scanning:
            return "Probing storage..."
        if state.scan_error:
            return f"Storage scan failed: {state.scan_error}"
        if state.planning:
            return "Planning the layout..."
        if not self.request.disks:
            return "No disks selected"
        if state.problem:
            return state.problem
        kind = layout_kind(self.handler) if state.complete and not state.dirty else \
            "automatic" if self.request.automatic is not None else "custom"
        return "Automatic partitioning selected" if kind == "automatic" else "Custom partitioning selected"

    def enter(self) -> None:
        """From the hub: read the handler again if its storage commands changed since."""
        if self.is_open or self.state.scanned is None:
            return
        self.is_open = True
        if storage_text(self.handler) != self.state.loaded:
            self.read_handler()

    # ---- what the screen shows -----------------------------------------------------------
    def disks(self) -> list:
        return self.planner.list_disks()

    def selected_size(self):
        return sum(d.size for d in self.disks() if d.name in self.request.disks)

    def contents(self, disk) -> list[tuple[int, object]]:
        """What is on `disk`, as (depth, entry): its partitions, each followed by the
        logical volumes and arrays on it (depth 1); a volume on several disks is listed
        under the first partition it is on."""
        volumes = self.planner.list_volumes()
        rows: list[tuple[int, object]] = []
        listed: set[str] = set()
        for part in disk.partitions:
            rows.append((0, part))
            for volume in volumes:
                if part.name in volume.on and volume.name not in listed:
                    rows.append((1, volume))
                    listed.add(volume.name)
        return rows

    def systems(self) -> list[tuple[str, str]]:
        """(system, device) of every operating system found on the disks."""
        entries = [*(p for d in self.disks() for p in d.partitions), *self.planner.list_volumes()]
        return [(e.system, e.name) for e in entries if e.system]

    def use_of(self, entry) -> str:
        """What the layout does with an existing device: "/home (data kept)", "delete",
        "shrink to N MiB", "keep"; "" on a disk that is not selected."""
        request = self.request
        if not set(entry.disks) <= set(request.disks):
            return ""
        user = next((m for m in request.mounts if m.reuse == entry.name), None)
        if user is not None and request.automatic is None:
            kept = "reformatted" if user.reformat else \
                f"data kept, {user.resize} MiB" if user.resize else "data kept"
            return f"{user.mountpoint} ({kept})"
        if entry.kind == "partition":
            return self.editor.reclaim_of(entry.name)
        if request.reclaim.clear_all or {*entry.on, *entry.disks} & set(request.reclaim.delete):
            return "delete"
        return "keep"

    # ---- the boot loader and new partition tables ------------------------------------------
    def boot_choices(self) -> list[tuple[str, str]]:
        """(label, value) for the boot loader: the first selected disk, each selected disk,
        none."""
        disks = self.request.disks
        first = f"first ({disks[0]})" if disks else "first disk"
        return [(first, ""), *[(d, d) for d in disks[1:]], ("none", NO_BOOTLOADER)]

    def boot_drive(self) -> str:
        drive = self.request.boot_drive
        return drive if drive in ("", NO_BOOTLOADER) or drive in self.request.disks[1:] else ""

    def pick_boot_drive(self, name: str) -> bool:
        return self._try(lambda: self.planner.set_boot_drive(name))

    def disklabel(self) -> str:
        """The table new disks get: the one chosen, else inst.disklabel's or gpt."""
        return self.request.disklabel or self.planner.default_disklabel

    def pick_disklabel(self, label: str) -> bool:
        return self._try(lambda: self.planner.set_disklabel(label))

    def reclaim_text(self) -> str:
        reclaim = self.request.reclaim
        if reclaim.clear_all:
            return "clear all: everything on the selected disks is deleted"
        said = [f"delete {n}" for n in reclaim.delete] + [f"shrink {n} to {s} MiB" for n, s in reclaim.shrink.items()]
        return ", ".join(said) or "keep everything (use free space only)"

    # ---- changes -------------------------------------------------------------------------
    def changed(self) -> None:
        self.state.dirty, self.state.problem = True, ""

    def _try(self, action) -> bool:
        try:
            action()
        except RequestProblem as problem:
            self.state.problem = problem.message
            return False
        self.changed()
        return True

    def toggle(self, name: str) -> bool:
        chosen = set(self.request.disks) ^ {name}
        order = [d.name for d in self.disks() if d.name in chosen]
        return self._try(lambda: select(self.planner, order))

    def use_automatic(self) -> bool:
        auto = self.state.auto
        return self._try(lambda: self.planner.use_automatic(auto.scheme, auto.encrypted, auto.fstype))

    def use_custom(self) -> None:
        self.planner.use_custom(seed=False)
        self.changed()

    def custom_from_automatic(self) -> None:
        """Opening the mount points while automatic is chosen switches to custom."""
        if self.request.automatic is not None:
            self.use_custom()

    def pick_scheme(self, scheme: str) -> bool:
        self.state.auto.scheme = scheme
        return self.use_automatic()

    def pick_fstype(self, fstype: str) -> bool:
        self.state.auto.fstype = fstype
        return self.use_automatic()

    def needs_passphrase(self, on: bool) -> bool:
        """Encryption switched on without a passphrase: the screen asks one first."""
        return on and not self.editor.has_passphrase()

    def pick_encrypted(self, on: bool) -> bool:
        self.state.auto.encrypted = on
        return self.use_automatic()

    def can_reclaim(self) -> bool:
        if not self.request.disks:
            self.state.problem = "disks: select at least one disk first"
            return False
        return True

    def automatic(self) -> AutomaticLayout:
        """The automatic layout chosen (a copy), for "create automatically"."""
        return replace(self.state.auto)

    def can_use_keys(self) -> bool:
        return not (self.state.scanned is None or self.state.planning or self.session.dirinstall)

    # ---- leaving: plan, summary, accept --------------------------------------------------
    def leave(self) -> str:
        """LEAVE, STAY (planning runs), ASK_NO_DISKS, or PLANNING (call `plan`)."""
        state = self.state
        if self.session.dirinstall or state.scanned is None or state.release:
            state.release, self.is_open = False, False
            return LEAVE
        if state.planning:
            return STAY
        if not state.dirty and (state.complete or state.problem):
            self.is_open = False
            return LEAVE
        if not self.request.disks:
            return ASK_NO_DISKS
        return PLANNING

    def plan(self, on_done: Callable[[object | None], None]) -> None:
        """Plan the request off the UI thread; `on_done(plan)` when it planned, else
        `on_done(None)` with `state.problem` saying why."""
        self.state.planning = True
        self._plan.submit(lambda job: self.planner.plan(), lambda result: on_done(self._planned(result)))

    def _planned(self, result):
        state = self.state
        state.planning = False
        if isinstance(result, BaseException):
            state.problem = f"the layout cannot be planned: {result}"
        elif result.ok:
            return result
        else:
            state.problem = result.problem if result.field else \
                f"{result.problem.rstrip('.')}; {asked(self.planner)}"
        return None

    def leave_unfinished(self) -> None:
        self.state.complete = False
        self.state.release = True

    def accept(self) -> None:
        state = self.state
        accept(self.planner, self.handler)
        state.complete, state.dirty, state.problem = True, False, ""
        state.loaded, state.prefill = storage_text(self.handler), Prefill()
        state.release = True
