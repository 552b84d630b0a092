"""Reclaiming space: what on the selected disks may be deleted or shrunk for the new system.

Each existing partition is kept unless the person marks it; shrinking asks the new size
between the filesystem's minimum and its current size, and is refused (with the reason
the disk listing gives, e.g. "xfs can only grow") where the data cannot be kept.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.layout_editor import LayoutEditor
from installer.ui.storage import RequestProblem, human, mib, parse_size

from .app import Dialog
from .errors import sentence
from .storage_widgets import KeyedList, Line, SubScreen, check_box, edit_field
from .widgets import button_row, error_text, field

HELP = """Make room on the selected disks.

Partitions are kept unless you choose otherwise. On a partition: Enter for its choices, \
or d delete (its data is lost), s shrink (keeps its data; you give the new size), k keep.
"Clear all" deletes everything on the selected disks.

Only filesystems that shrink with their data are offered (ext2/3/4 with a known \
minimum); the others say why not. Nothing changes before the installation begins. Esc \
returns to the destination screen."""

SHRINK_HELP = """Shrink a partition: give its new size.

The size must be at least what its data needs (the minimum shown) and less than its \
current size. Write MiB (2048) or a unit (2 GiB). The space freed at its end goes to the \
new system. Save with Enter or the Save button; Esc cancels."""


def content(part) -> str:
    what = part.fstype or "unknown"
    if part.label:
        what += f' "{part.label}"'
    return what + (" (whole disk)" if part.whole_disk else "")


class ReclaimScreen(SubScreen):
    title = "Reclaim space"
    help_text = HELP

    def __init__(self, editor: LayoutEditor):
        super().__init__()
        self.editor = editor
        self.rows = KeyedList()
        self.error = ""

    def keys_hint(self) -> str:
        return "F1 Help  d Delete  s Shrink  k Keep  Enter Choices  Esc Back"

    def body(self) -> urwid.Widget:
        editor = self.editor
        disks = editor.selected_disks()
        rows: list[tuple[str, urwid.Widget]] = [
            ("clear", check_box(f"Clear all: delete everything on {', '.join(editor.disks) or 'no disk'}",
                                editor.clearing_all, self._clear_all)),
            ("d0", urwid.Divider()),
            ("head", urwid.Text(("category", f"{'PARTITION':<10}{'SIZE':>9}  {'CONTENT':<26}PLAN"))),
        ]
        for disk in disks:
            if not disk.partitions:
                rows.append((f"empty:{disk.name}", urwid.Text(("dim", f"{disk.name}: nothing on it, "
                                                                     f"{human(disk.free)} free"))))
            for part in disk.partitions:
                text = f"{part.name:<10}{human(part.size):>9}  {content(part):<26}{self.editor.reclaim_of(part.name)}"
                rows.append((f"part:{part.name}", Line(text, {
                    "enter": lambda p=part: self.choices(p), " ": lambda p=part: self.choices(p),
                    "d": lambda p=part: self.delete(p), "s": lambda p=part: self.ask_shrink(p),
                    "k": lambda p=part: self.keep(p)})))
        free = sum((d.free for d in disks), start=type(disks[0].free)(0)) if disks else None
        rows += [("d1", urwid.Divider()),
                 ("room", urwid.Text(f"Free now: {human(free) if free is not None else '-'}; "
                                     f"after these choices: {human(self.editor.room)}")),
                 ("d2", urwid.Divider()),
                 ("buttons", button_row([("Done", self.app.back)]))]
        if self.error:
            rows += [("d3", urwid.Divider()), ("error", error_text(self.error))]
        first = next((k for k, _ in rows if k.startswith("part:")), "clear")
        return urwid.Padding(self.rows.build(rows, default=first), left=1, right=1)

    # ---- the choices ----------------------------------------------------------------------
    def _apply(self, action: Callable[[], None]) -> bool:
        try:
            action()
        except RequestProblem as problem:
            self.error = sentence(problem)
            self.redraw()
            return False
        self.error = ""
        self.redraw()
        return True

    def _clear_all(self, on: bool) -> None:
        self._apply(lambda: self.editor.clear_all(on))

    def delete(self, part) -> None:
        self._apply(lambda: self.editor.delete(part.name))

    def keep(self, part) -> None:
        self._apply(lambda: self.editor.keep(part.name))

    def choices(self, part) -> None:
        if part.can_shrink:
            shrink = f"It can shrink to {mib(part.min_size)} MiB at least, keeping its data."
        else:
            shrink = f"It cannot be shrunk: {part.why_not}."
        text = f"{part.name}: {content(part)}, {human(part.size)}, now: {self.editor.reclaim_of(part.name)}.\n{shrink}"
        self.app.dialog(Dialog(part.name, text, [
            ("Keep", lambda: self.keep(part)), ("Delete", lambda: self.delete(part)),
            ("Shrink", lambda: self.ask_shrink(part)), ("Cancel", None)],
            help_text=HELP))

    def ask_shrink(self, part) -> None:
        if not part.can_shrink:
            self.error = f"Shrink: {part.name} cannot be shrunk: {part.why_not}."
            self.redraw()
            return
        self.app.show(ShrinkScreen(self.editor, part, self._shrunk))

    def _shrunk(self) -> None:
        self.error = ""
        self.redraw()


class ShrinkScreen(SubScreen):
    title = "Shrink a partition"
    help_text = SHRINK_HELP

    def __init__(self, editor: LayoutEditor, part, on_done: Callable[[], None]):
        super().__init__()
        self.editor, self.part, self.on_done = editor, part, on_done
        bounds = editor.shrink_bounds(part)
        self.edit = edit_field(str(bounds.current) if bounds.current else "")
        self.error = ""
        self.least, self.most = bounds.least, bounds.most

    def body(self) -> urwid.Widget:
        rows = [
            field("Partition:", urwid.Text(f"{self.part.name}, {content(self.part)}, {human(self.part.size)}")),
            field("Smallest size:", urwid.Text(f"{self.least} MiB (what its data needs)")),
            field("Largest size:", urwid.Text(f"{self.most} MiB")),
            urwid.Divider(),
            field("New size:", urwid.AttrMap(self.edit, "dim", focus_map="focus")),
            urwid.Divider(),
            button_row([("Save", self.save), ("Cancel", self.app.back)]),
        ]
        if self.error:
            rows += [urwid.Divider(), error_text(self.error)]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 4
        return urwid.Padding(listbox, left=1, right=1)

    def shortcut(self, key: str) -> bool:
        if key == "enter":  # the size field does not take Enter
            self.save()
            return True
        return False

    def save(self) -> None:
        try:
            size = parse_size(self.edit.edit_text, "new size")
            self.editor.shrink(self.part.name, size)
        except RequestProblem as problem:
            self.error = sentence(problem)
            self.redraw()
            return
        self.close(self.on_done)

    def keys_hint(self) -> str:
        return "F1 Help  Enter Save  Esc Cancel"
