"""Choosing the existing device a mount point reuses (or none: a new one), from the list of
partitions and logical volumes on the selected disks that the reclaim choices leave.

Each line says what the device holds (file system, label, the system found on it) so a
person can tell their old /home from an old root before choosing.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.layout_editor import LayoutEditor
from installer.ui.storage import human

from .storage_widgets import KeyedList, Line, SubScreen

HELP = """Choose the existing partition or logical volume for this mount point, or "New \\
device" for a new one.

Enter or Space chooses. Then, in the mount point, choose whether its data is kept (the \\
file system is only mounted, and may be resized) or it is reformatted (everything on it \\
is lost). Devices to be deleted or shrunk on the reclaim screen are not offered; keep \\
them there first. Esc returns without a change."""


def existing_line(entry) -> str:
    """name, size, file system and label, the system it holds."""
    content = entry.fstype or "unknown"
    if entry.label:
        content += f' "{entry.label}"'
    return f"{entry.name:<14}{human(entry.size):>9}  {content[:22]:<22} {entry.system}".rstrip()


class ExistingScreen(SubScreen):
    title = "Existing devices"
    help_text = HELP

    def __init__(self, editor: LayoutEditor, current: str, candidates: list,
                 on_pick: Callable[[object | None], None]):
        super().__init__()
        self.editor, self.current, self.candidates, self.on_pick = editor, current, candidates, on_pick
        self.rows = KeyedList()

    def keys_hint(self) -> str:
        return "F1 Help  Enter Choose  Esc Back"

    def body(self) -> urwid.Widget:
        def mark(name: str) -> str:
            return "(X)" if name == self.current else "( )"

        rows: list[tuple[str, urwid.Widget]] = [
            ("head", urwid.Text(("category", f"    {'DEVICE':<14}{'SIZE':>9}  {'CONTENT':<22} SYSTEM"))),
            ("new", Line(f"{mark('')} New device (made in the free space)",
                         {"enter": lambda: self.pick(None), " ": lambda: self.pick(None)}))]
        for entry in self.candidates:
            pick = lambda e=entry: self.pick(e)  # noqa: E731
            rows.append((f"dev:{entry.name}", Line(f"{mark(entry.name)} {existing_line(entry)}",
                                                   {"enter": pick, " ": pick})))
        if not self.candidates:
            rows.append(("none", urwid.Text(("dim", "No existing partition or logical volume is left "
                                                    "on the selected disks."))))
        default = f"dev:{self.current}" if self.current else "new"
        return urwid.Padding(self.rows.build(rows, default=default), left=1, right=1)

    def pick(self, entry) -> None:
        self.close(lambda: self.on_pick(entry))
