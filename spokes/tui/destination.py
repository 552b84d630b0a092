"""Installation destination: the disks, how they are partitioned, what space is reclaimed.

The scan runs in the background when the hub is built (the spoke is "[-]" meanwhile).
The screen edits a layout request (storage's planner, through installer.ui.storage);
leaving it plans the request in the background and shows every planned action, and only
"Accept" writes the storage commands into the kickstart handler. A kickstart's storage
commands pre-fill the request, and a kickstart whose layout plans is complete as it is.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from dataclasses import field as default

import urwid

from installer.errors import InstallerError
from installer.ui.storage import (FILESYSTEMS, SCHEME_LABELS, SCHEMES, AutomaticLayout, Prefill,
                                           RequestProblem, Scanned, accept, asked, has_layout, human,
                                           kickstart_problem, layout_kind, load, scan, select,
                                           storage_text)

from .app import Dialog
from .spoke import SYSTEM, Spoke
from .storage_custom import CustomScreen
from .storage_encryption import PassphraseScreen
from .storage_reclaim import ReclaimScreen
from .storage_summary import SummaryScreen
from .storage_widgets import KeyedList, Line, check_box, radio_row
from .widgets import button_row, error_text, field

log = logging.getLogger("anaconda.tui")

HELP = """Choose the disks and how they are partitioned.

Disks: Space or Enter selects or leaves out the disk under the cursor. "-" marks a disk \
that cannot be used (mounted, or the install source), with the reason.

Automatic: /boot, /, swap (/home on big disks) in the free space, by the scheme: LVM, \
LVM thin, Standard partitions or Btrfs. "Encrypt my data" asks a passphrase.
Custom: you choose the mount points (button Mount points).
Reclaim space: delete or shrink existing partitions.
Keys: c Custom mount points, r Reclaim space, e Encrypt on or off, p Passphrase.

Esc or Done shows every planned change to accept. Nothing is written to a disk before \
Begin Installation."""

MODES = (("Automatic", "automatic"), ("Custom", "custom"))


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


class DestinationSpoke(Spoke):
    title = "Installation destination"
    category = SYSTEM
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.state = DestinationState()
        self.rows = KeyedList()
        self._open = False

    @property
    def planner(self):
        return self.state.scanned.planner

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        if self.session.dirinstall or self.state.scanning:
            return
        self.state.scanning = True
        handler, options, images = self.handler, self.session.options, list(self.session.images)

        def work():
            scanned = scan(options, images)
            return scanned, kickstart_problem(scanned, handler) if has_layout(handler) else ""
        self.app.run_background("storage-scan", work, self._scanned)

    def _scanned(self, result, error: BaseException | None) -> None:
        state = self.state
        state.scanning = False
        if error is not None:
            state.scan_error = error.message if isinstance(error, InstallerError) else \
                f"{type(error).__name__}: {error}"
            log.error("Storage scan failed: %s", state.scan_error)
            return
        state.scanned, problem = result
        self._read_handler()
        if has_layout(self.handler):
            state.complete, state.problem = not problem, problem

    def _read_handler(self) -> None:
        state = self.state
        state.prefill = load(state.scanned, self.handler, self.session.seen)
        if self.planner.request.automatic is not None:
            state.auto = replace(self.planner.request.automatic)
        state.loaded, state.dirty = storage_text(self.handler), False

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
        if not self.planner.request.disks:
            return "No disks selected"
        if state.problem:
            return state.problem
        kind = layout_kind(self.handler) if state.complete and not state.dirty else \
            "automatic" if self.planner.request.automatic is not None else "custom"
        return "Automatic partitioning selected" if kind == "automatic" else "Custom partitioning selected"

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        """From the hub: read the handler again if its storage commands changed since."""
        if self._open or self.state.scanned is None:
            return
        self._open = True
        if storage_text(self.handler) != self.state.loaded:
            self._read_handler()

    def body(self) -> urwid.Widget:
        state = self.state
        if self.session.dirinstall:
            return self._notice("A directory install (--dirinstall) uses no disks: nothing to choose here.")
        if state.scan_error:
            return self._notice(("error", f"The disks could not be scanned: {state.scan_error}"))
        if state.scanning or state.scanned is None:
            return self._notice("Probing storage...")
        if state.planning:
            return self._notice("Planning the layout...")
        return urwid.Padding(self.rows.build(self._rows(), default=self._first_disk()), left=1, right=1)

    @staticmethod
    def _notice(text) -> urwid.Widget:
        return urwid.Padding(urwid.Filler(urwid.Text(text), valign="top"), left=1, right=1)

    def _first_disk(self) -> str:
        return next((f"disk:{d.name}" for d in self.planner.list_disks() if d.usable), "buttons")

    def _disk_rows(self) -> list[tuple[str, urwid.Widget]]:
        chosen = self.planner.request.disks
        rows = []
        for disk in self.planner.list_disks():
            if not disk.usable:
                rows.append((f"off:{disk.name}", urwid.Text(("dim", f" -  {disk.name:<8}{human(disk.size):>9}  "
                                                                     f"unavailable: {disk.protected}"))))
                continue
            parts = (f"{len(disk.partitions)} partition{'s' if len(disk.partitions) != 1 else ''}"
                     if disk.partitions else "empty")
            mark = "[x]" if disk.name in chosen else "[ ]"
            text = (f"{mark} {disk.name:<8}{human(disk.size):>9}  {(disk.model or '-')[:22]:<22}  "
                    f"free {human(disk.free):>9}  {parts}")
            toggle = lambda n=disk.name: self.toggle(n)  # noqa: E731
            rows.append((f"disk:{disk.name}", Line(text, {"enter": toggle, " ": toggle})))
        return rows

    def _rows(self) -> list[tuple[str, urwid.Widget]]:
        state, request = self.state, self.planner.request
        automatic = request.automatic is not None
        rows: list[tuple[str, urwid.Widget]] = [
            ("head", urwid.Text(("category", "Disks to install to (Space or Enter selects)"))),
            *self._disk_rows()]
        if request.disks:
            size = sum(d.size for d in self.planner.list_disks() if d.name in request.disks)
            rows.append(("sel", urwid.Text(f"Selected: {len(request.disks)} of {len(self.planner.list_disks())}"
                                           f", {human(size)}; free for the new system: "
                                           f"{human(self.planner.room)}")))
        else:
            rows.append(("sel", error_text("No disks selected: select at least one.")))
        rows += [("d1", urwid.Divider()),
                 ("mode", field("Partitioning:", radio_row(list(MODES), "automatic" if automatic else "custom",
                                                           self.pick_mode)))]
        if automatic:
            rows.append(("scheme", field("Scheme:", radio_row([(SCHEME_LABELS[s], s) for s in SCHEMES_SHOWN],
                                                              state.auto.scheme, self.pick_scheme))))
            if state.auto.scheme != "btrfs":
                rows.append(("fs", field("File system:", radio_row([(f, f) for f in FILESYSTEMS],
                                                                   state.auto.fstype, self.pick_fstype))))
            passphrase = "set" if request.encryption.passphrase else "asked when checked"
            rows.append(("encrypt", field("Encryption:", check_box(f"Encrypt my data (passphrase {passphrase})",
                                                                   state.auto.encrypted, self.pick_encrypted))))
        else:
            names = ", ".join(m.mountpoint for m in request.mounts) or "none yet"
            rows.append(("mounts", field("Mount points:", urwid.Text(names, wrap="ellipsis"))))
        rows += [("reclaim", field("Reclaim space:", urwid.Text(self._reclaim_text(), wrap="ellipsis"))),
                 ("d2", urwid.Divider()),
                 ("buttons", button_row([("Reclaim space", self.open_reclaim), ("Mount points", self.open_custom),
                                         ("Passphrase", self.open_passphrase), ("Done", self.app.back)]))]
        if state.problem:
            rows += [("d3", urwid.Divider()), ("problem", error_text(f"Cannot use this layout: {state.problem}"))]
        elif state.prefill.notes and not state.dirty:
            rows += [("d3", urwid.Divider()), ("notes", urwid.Text(
                ("dim", "Kept from the kickstart until changed here: " + "; ".join(state.prefill.notes))))]
        return rows

    def _reclaim_text(self) -> str:
        reclaim = self.planner.request.reclaim
        if reclaim.clear_all:
            return "clear all: everything on the selected disks is deleted"
        said = [f"delete {n}" for n in reclaim.delete] + [f"shrink {n} to {s} MiB" for n, s in reclaim.shrink.items()]
        return ", ".join(said) or "keep everything (use free space only)"

    # ---- changes -----------------------------------------------------------------------
    def changed(self) -> None:
        self.state.dirty, self.state.problem = True, ""
        self.redraw()

    def _try(self, action) -> bool:
        try:
            action()
        except RequestProblem as problem:
            self.state.problem = problem.message
            self.redraw()
            return False
        self.changed()
        return True

    def toggle(self, name: str) -> None:
        chosen = set(self.planner.request.disks) ^ {name}
        order = [d.name for d in self.planner.list_disks() if d.name in chosen]
        self._try(lambda: select(self.planner, order))

    def _use_automatic(self) -> None:
        auto = self.state.auto
        self._try(lambda: self.planner.use_automatic(auto.scheme, auto.encrypted, auto.fstype))

    def pick_mode(self, mode: str) -> None:
        if mode == "automatic":
            self._use_automatic()
            return
        self.planner.use_custom(seed=False)
        self.changed()
        self.open_custom()

    def pick_scheme(self, scheme: str) -> None:
        self.state.auto.scheme = scheme
        self._use_automatic()

    def pick_fstype(self, fstype: str) -> None:
        self.state.auto.fstype = fstype
        self._use_automatic()

    def pick_encrypted(self, on: bool) -> None:
        if on and not self.planner.request.encryption.passphrase:
            self.app.show(PassphraseScreen(self.planner, lambda: self.pick_encrypted(True),
                                           on_cancel=self.redraw))
            return
        self.state.auto.encrypted = on
        self._use_automatic()

    def open_reclaim(self) -> None:
        if not self.planner.request.disks:
            self.state.problem = "disks: select at least one disk first"
            self.redraw()
            return
        self.app.show(ReclaimScreen(self.planner, self.changed))

    def open_custom(self) -> None:
        if self.planner.request.automatic is not None:
            self.planner.use_custom(seed=False)
            self.changed()
        self.app.show(CustomScreen(self.planner, lambda: replace(self.state.auto), self.changed))

    def open_passphrase(self) -> None:
        self.app.show(PassphraseScreen(self.planner, self.changed))

    def shortcut(self, key: str) -> bool:
        """Letters for the buttons and switches, for a keyboard on a serial line:
        c custom mount points, r reclaim space, e encryption on/off, p passphrase."""
        if self.state.scanned is None or self.state.planning or self.session.dirinstall:
            return False
        actions = {"c": self.open_custom, "r": self.open_reclaim, "p": self.open_passphrase,
                   "e": lambda: self.pick_encrypted(not self.state.auto.encrypted)}
        if key not in actions:
            return False
        actions[key]()
        return True

    def keys_hint(self) -> str:
        return "F1 Help  Esc Done  c Custom  r Reclaim  e Encrypt  p Passphrase  Space Select"

    # ---- leaving: plan, summary, accept ---------------------------------------------------
    def leave(self) -> bool:
        state = self.state
        if self.session.dirinstall or state.scanned is None or state.release:
            state.release, self._open = False, False
            return True
        if state.planning:
            return False
        if not state.dirty and (state.complete or state.problem):
            self._open = False
            return True
        if not self.planner.request.disks:
            self.app.dialog(Dialog("No disks selected", "No disk is selected: the installation cannot "
                                   "begin until one is. Leave anyway?",
                                   [("Leave", self._leave_unfinished), ("Stay", None)]))
            return False
        self._plan()
        return False

    def _plan(self) -> None:
        self.state.planning = True
        self.redraw()
        self.app.run_background("storage-plan", self.planner.plan, self._planned)

    def _planned(self, plan, error: BaseException | None) -> None:
        state = self.state
        state.planning = False
        if error is not None:
            state.problem = f"the layout cannot be planned: {error}"
        elif plan.ok:
            self.app.show(SummaryScreen(plan, self._accept))
            return
        else:
            state.problem = plan.problem if plan.field else f"{plan.problem.rstrip('.')}; {asked(self.planner)}"
        self.app.dialog(Dialog("Cannot use this layout", f"{state.problem[:1].upper()}{state.problem[1:]}.",
                               [("Leave unfinished", self._leave_unfinished), ("Change it", None)],
                               help_text=HELP))

    def _leave_unfinished(self) -> None:
        self.state.complete = False
        self.state.release = True
        self.app.back()

    def _accept(self) -> None:
        state = self.state
        accept(self.planner, self.handler)
        state.complete, state.dirty, state.problem = True, False, ""
        state.loaded, state.prefill = storage_text(self.handler), Prefill()
        state.release = True
        self.app.back()


#: Anaconda's order: LVM first (the default), then LVM thin, standard partitions, btrfs.
SCHEMES_SHOWN = tuple(s for s in ("lvm", "thinp", "plain", "btrfs") if s in SCHEMES)
