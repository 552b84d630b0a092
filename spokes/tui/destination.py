"""Installation destination: the disks, how they are partitioned, what space is reclaimed.

The state and the work (scan, edits, planning, accepting) are installer.ui.destination's
`DestinationController`; this screen draws them and maps keys. The scan runs in the
background when the hub is built (the spoke is "[-]" meanwhile); leaving plans the request
in the background and shows every planned action, and only "Accept" writes the storage
commands into the kickstart handler.
"""
from __future__ import annotations

import logging

import urwid

from installer.ui.destination import ASK_NO_DISKS, LEAVE, PLANNING, DestinationController
from installer.ui.storage import DISKLABELS, FILESYSTEMS, SCHEME_LABELS, SCHEMES, human

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

Disks: Space or Enter selects one ("-": not usable, and why). Under each: its \
partitions and volumes, the system they hold, "->" what is done to them. Disks left \
out are never touched.
Automatic: /boot, /, swap in the free space, by scheme. Custom: your mount points, new \
or existing (kept, resized, reformatted). Reclaim: delete or shrink partitions.
Boot loader: first selected disk, another, or none; the table type for new disks.
Keys: c Custom, r Reclaim, e Encrypt, p Passphrase, l Boot loader, t Table type.

Esc or Done shows every planned change to accept. Nothing is written to a disk before \
Begin Installation."""

MODES = (("Automatic", "automatic"), ("Custom", "custom"))


class DestinationSpoke(Spoke):
    title = "Installation destination"
    category = SYSTEM
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.rows = KeyedList()
        self._controller: DestinationController | None = None

    @property
    def controller(self) -> DestinationController:
        if self._controller is None:
            self._controller = DestinationController(self.session, self.app.background)
        return self._controller

    @property
    def state(self):
        return self.controller.state

    @property
    def editor(self):
        return self.controller.editor

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        self.controller.setup()

    def ready(self) -> bool:
        return self.controller.ready()

    def completed(self) -> bool:
        return self.controller.completed()

    def status(self) -> str:
        return self.controller.status()

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        self.controller.enter()

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
        return next((f"disk:{d.name}" for d in self.controller.disks() if d.usable), "buttons")

    def _disk_rows(self) -> list[tuple[str, urwid.Widget]]:
        chosen = self.controller.request.disks
        rows = []
        for disk in self.controller.disks():
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
            rows += [(f"dev:{entry.name}", urwid.Text(("dim", device_line(depth, entry,
                                                                         self.controller.use_of(entry))),
                                                      wrap="ellipsis"))
                     for depth, entry in self.controller.contents(disk)]
        return rows

    def _rows(self) -> list[tuple[str, urwid.Widget]]:
        controller, state, request = self.controller, self.state, self.controller.request
        automatic = request.automatic is not None
        rows: list[tuple[str, urwid.Widget]] = [
            ("head", urwid.Text(("category", "Disks to install to (Space or Enter selects)"))),
            *self._disk_rows()]
        if request.disks:
            rows.append(("sel", urwid.Text(f"Selected: {len(request.disks)} of {len(controller.disks())}"
                                           f", {human(controller.selected_size())}; free for the new system: "
                                           f"{human(self.editor.room)}")))
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
        rows += [("reclaim", field("Reclaim space:", urwid.Text(controller.reclaim_text(), wrap="ellipsis"))),
                 ("boot", field("Boot loader:", radio_row(controller.boot_choices(), controller.boot_drive(),
                                                          self.pick_boot_drive))),
                 ("label", field("New partition tables:", radio_row([(t, t) for t in DISKLABELS],
                                                                    controller.disklabel(), self.pick_disklabel))),
                 ("d2", urwid.Divider()),
                 ("buttons", button_row([("Reclaim space", self.open_reclaim), ("Mount points", self.open_custom),
                                         ("Passphrase", self.open_passphrase), ("Done", self.app.back)]))]
        if state.problem:
            rows += [("d3", urwid.Divider()), ("problem", error_text(f"Cannot use this layout: {state.problem}"))]
        elif state.prefill.notes and not state.dirty:
            rows += [("d3", urwid.Divider()), ("notes", urwid.Text(
                ("dim", "Kept from the kickstart until changed here: " + "; ".join(state.prefill.notes))))]
        return rows

    # ---- changes -----------------------------------------------------------------------
    def changed(self) -> None:
        self.controller.changed()
        self.redraw()

    def toggle(self, name: str) -> None:
        self.controller.toggle(name)
        self.redraw()

    def pick_mode(self, mode: str) -> None:
        if mode == "automatic":
            self.controller.use_automatic()
            self.redraw()
            return
        self.controller.use_custom()
        self.redraw()
        self.open_custom()

    def pick_scheme(self, scheme: str) -> None:
        self.controller.pick_scheme(scheme)
        self.redraw()

    def pick_fstype(self, fstype: str) -> None:
        self.controller.pick_fstype(fstype)
        self.redraw()

    def pick_boot_drive(self, name: str) -> None:
        self.controller.pick_boot_drive(name)
        self.redraw()

    def pick_disklabel(self, label: str) -> None:
        self.controller.pick_disklabel(label)
        self.redraw()

    def next_boot_drive(self) -> None:
        values = [value for _, value in self.controller.boot_choices()]
        current = self.controller.boot_drive()
        self.pick_boot_drive(values[(values.index(current) + 1) % len(values)])

    def other_disklabel(self) -> None:
        self.pick_disklabel(next(t for t in DISKLABELS if t != self.controller.disklabel()))

    def pick_encrypted(self, on: bool) -> None:
        if self.controller.needs_passphrase(on):
            self.app.show(PassphraseScreen(self.editor, lambda: self.pick_encrypted(True),
                                           on_cancel=self.redraw))
            return
        self.controller.pick_encrypted(on)
        self.redraw()

    def open_reclaim(self) -> None:
        if not self.controller.can_reclaim():
            self.redraw()
            return
        self.app.show(ReclaimScreen(self.editor))

    def open_custom(self) -> None:
        if self.controller.request.automatic is not None:
            self.controller.custom_from_automatic()
            self.redraw()
        self.app.show(CustomScreen(self.editor))

    def open_passphrase(self) -> None:
        self.app.show(PassphraseScreen(self.editor))

    def shortcut(self, key: str) -> bool:
        """Letters for the buttons and switches, for a keyboard on a serial line:
        c custom mount points, r reclaim space, e encryption on/off, p passphrase,
        l the next boot loader choice, t the other partition table type."""
        if not self.controller.can_use_keys():
            return False
        actions = {"c": self.open_custom, "r": self.open_reclaim, "p": self.open_passphrase,
                   "l": self.next_boot_drive, "t": self.other_disklabel,
                   "e": lambda: self.pick_encrypted(not self.state.auto.encrypted)}
        if key not in actions:
            return False
        actions[key]()
        return True

    def keys_hint(self) -> str:
        return "F1 Help  Esc Done  c Custom  r Reclaim  e Encrypt  p Passphrase  Space Select"

    # ---- leaving: plan, summary, accept ---------------------------------------------------
    def leave(self) -> bool:
        what = self.controller.leave()
        if what == LEAVE:
            return True
        if what == ASK_NO_DISKS:
            self.app.dialog(Dialog("No disks selected", "No disk is selected: the installation cannot "
                                   "begin until one is. Leave anyway?",
                                   [("Leave", self._leave_unfinished), ("Stay", None)]))
        elif what == PLANNING:
            self.controller.plan(self._planned)
            self.redraw()
        return False

    def _planned(self, plan) -> None:
        if plan is not None:
            self.app.show(SummaryScreen(plan, self._accept))
            return
        problem = self.state.problem
        self.app.dialog(Dialog("Cannot use this layout", f"{problem[:1].upper()}{problem[1:]}.",
                               [("Leave unfinished", self._leave_unfinished), ("Change it", None)],
                               help_text=HELP))

    def _leave_unfinished(self) -> None:
        self.controller.leave_unfinished()
        self.app.back()

    def _accept(self) -> None:
        self.controller.accept()
        self.app.back()


def device_line(depth: int, entry, use: str) -> str:
    """An existing partition (or, indented, a logical volume or array on it): name, size,
    file system (and label), the system it holds, and what the layout does with it when
    that is not "keep"."""
    content = entry.fstype or "unknown"
    if entry.label and not entry.system:
        content += f' "{entry.label}"'
    name = f"{'  ' * depth}{entry.name}"
    use = "" if use == "keep" else f"-> {use}"
    width = 22 if use else 34  # 78 columns: the system's name gives way to the use
    system = f"{entry.system[:width]:<{width}} " if entry.system else ""
    return f"    {name:<11}{human(entry.size):>9}  {content[:17]:<17} {system}{use}".rstrip()


#: Anaconda's order: LVM first (the default), then LVM thin, standard partitions, btrfs.
SCHEMES_SHOWN = tuple(s for s in ("lvm", "thinp", "plain", "btrfs") if s in SCHEMES)
