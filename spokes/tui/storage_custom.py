"""Custom partitioning: the mount points of the new system, added, edited and removed one
by one, or first created from the automatic layout (Anaconda's "click here to create
them automatically") and then adjusted.
"""
from __future__ import annotations

import urwid

from installer.ui.layout_editor import LayoutEditor
from installer.ui.storage import MountRequest, RequestProblem, human

from .errors import message_of
from .storage_encryption import PassphraseScreen
from .storage_mount import MountEditor
from .storage_widgets import KeyedList, Line, SubScreen
from .widgets import button_row, error_text

HELP = """The mount points of the new system.

On a mount point: Enter or e edits, Delete or r removes.
a: add one (/, /home, /boot, swap...).
c: create them automatically, from the scheme and encryption chosen on the destination \
screen, then change what you like.

/ is needed; /boot and swap are usual; the boot loader's small partition is added when \
missing. A mount point can reuse an existing partition or logical volume (Existing \
device in its editor): kept with its data, resized, or reformatted. Sizes are MiB; "+" means it grows into the free space. Esc returns to the \
destination screen."""


def size_text(mount: MountRequest) -> str:
    size = f"{mount.size} MiB" if mount.size < 10240 else human_mib(mount.size)
    return size + ("+" if mount.grow else "")


def human_mib(size_mib: int) -> str:
    return f"{size_mib / 1024:.1f} GiB".replace(".0 GiB", " GiB")


def mount_row(mount: MountRequest) -> str:
    group = mount.volume_group or (mount.raid_level if mount.device_type == "raid" else "")
    flags = ", ".join(f for f in ("encrypted" if mount.encrypted else "",
                                  (f"reuses {mount.reuse}" + ("" if mount.reformat else " (kept)")) if mount.reuse else "") if f)
    return (f"{mount.mountpoint:<14}{size_text(mount):>11}  {mount.fstype:<9}{mount.device_type:<10}"
            f"{group:<10}{flags}")


class CustomScreen(SubScreen):
    title = "Custom partitioning"
    help_text = HELP

    def __init__(self, editor: LayoutEditor):
        super().__init__()
        self.editor = editor
        self.rows = KeyedList()
        self.error = ""

    def keys_hint(self) -> str:
        return "F1 Help  a Add  c Create automatically  Enter Edit  Del Remove  Esc Back"

    def body(self) -> urwid.Widget:
        mounts = self.editor.mounts
        rows: list[tuple[str, urwid.Widget]] = [
            ("head", urwid.Text(("category", f"{'MOUNT POINT':<14}{'SIZE':>11}  {'FS':<9}{'TYPE':<10}"
                                             f"{'GROUP':<10}"))),
        ]
        for mount in mounts:
            rows.append((f"mount:{mount.mountpoint}", Line(mount_row(mount), {
                "enter": lambda m=mount: self.edit(m), "e": lambda m=mount: self.edit(m),
                "delete": lambda m=mount: self.remove(m), "r": lambda m=mount: self.remove(m)})))
        if not mounts:
            auto = self.editor.automatic()
            rows.append(("none", urwid.Text(f"No mount points yet. Create them automatically (as the "
                                            f"{auto.scheme} scheme would) or add them one by one.")))
        disks = ", ".join(self.editor.disks) or "no disk selected"
        passphrase = "set" if self.editor.has_passphrase() else "not set"
        rows += [("d1", urwid.Divider()),
                 ("room", urwid.Text(f"Free for the new system: {human(self.editor.room)} on {disks}")),
                 ("pass", urwid.Text(f"Encryption passphrase: {passphrase}")),
                 ("d2", urwid.Divider()),
                 ("buttons", button_row([("Add", self.add), ("Create automatically", self.seed),
                                         ("Passphrase", self.passphrase), ("Done", self.app.back)]))]
        if self.error:
            rows += [("d3", urwid.Divider()), ("error", error_text(self.error))]
        default = f"mount:{mounts[0].mountpoint}" if mounts else "buttons"
        return urwid.Padding(self.rows.build(rows, default=default), left=1, right=1)

    def shortcut(self, key: str) -> bool:
        actions = {"a": self.add, "c": self.seed}
        if key in actions:
            actions[key]()
            return True
        return False

    def _changed(self, focus: str = "") -> None:
        self.error = ""
        if focus:
            self.rows.focus_on(focus)
        self.redraw()

    def add(self) -> None:
        self.app.show(MountEditor(self.editor, None, lambda m: self._changed(f"mount:{m.mountpoint}")))

    def edit(self, mount: MountRequest) -> None:
        self.app.show(MountEditor(self.editor, mount, lambda m: self._changed(f"mount:{m.mountpoint}")))

    def remove(self, mount: MountRequest) -> None:
        try:
            self.editor.remove_mount(mount.mountpoint)
        except RequestProblem as problem:
            self.error = message_of(problem)
            self.redraw()
            return
        self._changed()

    def seed(self) -> None:
        count = len(self.editor.mounts)
        if count:
            self.app.confirm("Create automatically", f"Replace the {count} mount points by the "
                             "automatic layout's?", self._seed, yes="Replace", no="Cancel")
            return
        self._seed()

    def _seed(self) -> None:
        if self.editor.needs_passphrase():
            self.app.show(PassphraseScreen(self.editor, self._seed))
            return
        try:
            self.editor.create_automatically()
        except RequestProblem as problem:
            self.error = f"Create automatically: {message_of(problem)}"
            self.redraw()
            return
        self._changed()

    def passphrase(self) -> None:
        self.app.show(PassphraseScreen(self.editor, self._changed))
