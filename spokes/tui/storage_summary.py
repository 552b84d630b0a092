"""The summary of changes: every planned action, in the order it would run, before any
of it goes into the kickstart. Accept writes the layout; Back returns to the choices.

Nothing is written to a disk here either: the actions run only after "Begin
Installation", from the kickstart this screen accepts.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.storage import human

from .storage_widgets import Line, SubScreen
from .widgets import button_row

HELP = """What the installation will do to the disks, in order.

First the mount points of the new system (size, file system, device type, disks, \
encryption), then every action: destroy deletes, resize shrinks, create makes. Nothing \
has been written yet.

Accept changes (a) puts this layout into the kickstart and returns to the hub; Back \
(Esc) returns to the choices. Arrows and Page Up/Down scroll."""


def mount_line(mount) -> str:
    encrypted = "encrypted" if mount.encrypted else ""
    kept = "" if mount.reformat else "kept"
    return (f"{mount.mountpoint:<12} {human(mount.size):>10}  {mount.fstype:<8} {mount.device_type:<10}"
            f" {','.join(mount.disks):<10} {encrypted or kept}").rstrip()


class SummaryScreen(SubScreen):
    title = "Summary of changes"
    help_text = HELP

    def __init__(self, plan, on_accept: Callable[[], None]):
        super().__init__()
        self.plan, self.on_accept = plan, on_accept

    def body(self) -> urwid.Widget:
        lines: list[urwid.Widget] = [urwid.Text(("category", "Mount points"))]
        lines += [Line(mount_line(m)) for m in self.plan.mounts]
        lines += [urwid.Divider(),
                  urwid.Text(("category", f"Actions ({len(self.plan.actions)}), in the order they run"))]
        lines += [Line(action.rstrip(), wrap="space") for action in self.plan.action_lines]
        if self.plan.warnings:
            lines += [urwid.Divider(), urwid.Text(("category", f"Warnings ({len(self.plan.warnings)})"))]
            lines += [Line(f"! {warning}", wrap="space") for warning in self.plan.warnings]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(lines))
        buttons = button_row([("Accept changes", self.accept), ("Back", self.app.back)])
        pile = urwid.Pile([listbox, ("pack", urwid.Divider("-")), ("pack", buttons)])
        pile.focus_position = 2
        return urwid.Padding(pile, left=1, right=1)

    def accept(self) -> None:
        self.close(self.on_accept)

    def shortcut(self, key: str) -> bool:
        if key == "a":
            self.accept()
            return True
        return False

    def keys_hint(self) -> str:
        return "F1 Help  a Accept  Esc Back  arrows/PgUp/PgDn Scroll"
