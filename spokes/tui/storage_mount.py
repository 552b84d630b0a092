"""One mount point of a custom layout: mount point, size, file system, device type,
encryption, volume group and RAID level, or an existing device reused (its data kept,
kept and resized, or reformatted); checked by the planner field by field when saved.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.layout_editor import LayoutEditor
from installer.ui.storage import DEVICE_TYPES, MD_LEVELS, MountRequest, RequestProblem, human, parse_size

from .errors import sentence
from .storage_encryption import PassphraseScreen
from .storage_existing import ExistingScreen, existing_line
from .storage_widgets import KeyedList, Line, SubScreen, check_box, edit_field, radio_row
from .widgets import button_row, error_text, field

HELP = f"""One mount point of the new system.

Mount point: /, /home, /boot..., or swap, or biosboot. Size: MiB (1024) or a unit \
(2 GiB); Grow takes free space up to the maximum (0: no limit).
Device type: partition; lvm / lvm thin (in the volume group named, "system" when \
empty); raid (level {'/'.join(l[4:] for l in MD_LEVELS)}); btrfs (a subvolume of the \
volume labelled, level single/raid0/1/10).
Encrypted uses the disk passphrase (asked if unset); /boot cannot be encrypted.
Existing device (Enter): reuse a partition or logical volume; keep its data (resize: \
blank keeps the size) or reformat it.

Save (or Enter in a field) checks every field and names the one that is wrong. Esc \
cancels."""


class MountEditor(SubScreen):
    title = "Mount point"
    help_text = HELP

    def __init__(self, editor: LayoutEditor, mount: MountRequest | None,
                 on_done: Callable[[MountRequest], None]):
        super().__init__()
        self.editor, self.original, self.on_done = editor, mount, on_done
        mount = mount or MountRequest("", 1024, device_type=editor.default_device_type())
        self.mountpoint = edit_field(mount.mountpoint)
        self.size = edit_field(f"{mount.size} MiB" if self.original else "")
        self.max_size = edit_field(str(mount.max_size) if mount.max_size else "0")
        self.volume_group = edit_field(mount.volume_group)
        self.raid_level = edit_field(mount.raid_level)
        self.grow, self.encrypted = mount.grow, mount.encrypted
        self.fstype, self.device_type = mount.fstype, mount.device_type
        self.reuse, self.reformat = mount.reuse, mount.reformat
        self.resize = edit_field(str(mount.resize) if mount.resize else "")
        self.error = ""
        self.rows = KeyedList()
        if self.original is not None:
            self.title = f"Mount point {self.original.mountpoint}"

    def _set(self, name: str, value) -> None:
        setattr(self, name, value)

    def body(self) -> urwid.Widget:
        caps = self.editor.capabilities
        fstypes = [("default", "")] + [(f, f) for f in caps.fstypes]
        types = [(t, t) for t in DEVICE_TYPES if t not in caps.unavailable]
        if self.device_type not in dict(types).values():
            types.append((self.device_type, self.device_type))

        def edit(widget):
            return urwid.AttrMap(widget, "dim", focus_map="focus")

        rows: list[tuple[str, urwid.Widget]] = [("mountpoint", field("Mount point:", edit(self.mountpoint)))]
        if self.reuse:
            rows += self._reused_rows(fstypes, edit)
        else:
            rows += [
                ("size", field("Size:", edit(self.size))),
                ("grow", field("", check_box("Grow into the free space", self.grow,
                                             lambda v: self._set("grow", v)))),
                ("max", field("Maximum size (MiB):", edit(self.max_size))),
                ("fstype", field("File system:", radio_row(fstypes, self.fstype,
                                                           lambda v: self._set("fstype", v), cell=12))),
                ("type", field("Device type:", radio_row(types, self.device_type,
                                                         lambda v: self._set("device_type", v), cell=13))),
                ("encrypted", field("", check_box("Encrypted", self.encrypted,
                                                  lambda v: self._set("encrypted", v)))),
                ("vg", field("Volume group / label:", edit(self.volume_group))),
                ("raid", field("RAID level:", edit(self.raid_level))),
                ("hint", field("", urwid.Text(("dim", "group: lvm/btrfs only; level: raid/btrfs only"))))]
        rows += [("existing", field("Existing device:", Line(self._existing_text(), {
                     "enter": self.choose_existing, " ": self.choose_existing}))),
                 ("d1", urwid.Divider()),
                 ("buttons", button_row([("Save", self.save), ("Cancel", self.app.back)]))]
        if self.error:
            rows.append(("error", error_text(self.error)))
        return urwid.Padding(self.rows.build(rows, default="mountpoint"), left=1, right=1)

    # ---- an existing device ----------------------------------------------------------------
    def _existing(self):
        return self.editor.existing(self.reuse) if self.reuse else None

    def _existing_text(self) -> str:
        if not self.reuse:
            return "none: a new device (Enter to reuse one)"
        entry = self._existing()
        return existing_line(entry) if entry is not None else self.reuse

    def _reused_rows(self, fstypes, edit) -> list[tuple[str, urwid.Widget]]:
        """Size and type come from the device; its data is kept (maybe resized) or not."""
        entry = self._existing()
        size = human(entry.size) if entry is not None else "its own"
        rows = [("size", field("Size:", urwid.Text(f"{size} (the device's)"))),
                ("type", field("Device type:", urwid.Text(self.device_type))),
                ("data", field("Its data:", radio_row([("keep", False), ("reformat", True)], self.reformat,
                                                      self._set_reformat)))]
        if self.reformat:
            rows += [("fstype", field("File system:", radio_row(fstypes, self.fstype,
                                                                lambda v: self._set("fstype", v), cell=12))),
                     ("encrypted", field("", check_box("Encrypted", self.encrypted,
                                                       lambda v: self._set("encrypted", v))))]
            return rows
        try:
            bounds = self.editor.resize_bounds(self.reuse)
            hint = f"blank keeps its size; {bounds.least}-{bounds.most} MiB" if bounds.least < bounds.most \
                else "it cannot be resized"
        except RequestProblem as problem:
            hint = problem.message
        return rows + [("resize", field("Resize to (MiB):", edit(self.resize))),
                       ("rhint", field("", urwid.Text(("dim", hint))))]

    def _set_reformat(self, value: bool) -> None:
        self.reformat = value
        if not value:
            self.encrypted = False
        self.redraw()

    def choose_existing(self) -> None:
        self.app.show(ExistingScreen(self.editor, self.reuse, self.editor.reusable(self.original),
                                     self._picked))

    def _picked(self, entry) -> None:
        self.error = ""
        if entry is None:
            self.reuse, self.reformat = "", True
        else:
            self.reuse, self.reformat, self.fstype, self.encrypted = entry.name, False, "", False
            self.device_type = "lvm" if entry.kind == "lvm" else "partition"
            self.volume_group.set_edit_text("")
            self.raid_level.set_edit_text("")
            self.grow = False
        self.resize.set_edit_text("")
        self.rows.focus_on("existing")
        self.redraw()

    def request(self) -> MountRequest:
        if self.reuse:
            entry = self._existing()
            resize_text = self.resize.edit_text.strip()
            return MountRequest(
                mountpoint=self.mountpoint.edit_text.strip(),
                size=int(entry.size.convert_to("MiB")) if entry is not None else 1,
                fstype=self.fstype, device_type=self.device_type, encrypted=self.encrypted,
                reuse=self.reuse, reformat=self.reformat,
                resize=parse_size(resize_text, "resize") if resize_text and not self.reformat else 0)
        max_text = self.max_size.edit_text.strip()
        return MountRequest(
            mountpoint=self.mountpoint.edit_text.strip(),
            size=parse_size(self.size.edit_text, "size"),
            fstype=self.fstype, device_type=self.device_type, grow=self.grow,
            max_size=parse_size(max_text, "maximum size") if max_text else 0,
            encrypted=self.encrypted, raid_level=self.raid_level.edit_text.strip(),
            volume_group=self.volume_group.edit_text.strip())

    def _fail(self, problem: RequestProblem) -> None:
        self.error = sentence(problem)
        where = {"mount point": "mountpoint", "size": "size", "maximum size": "max", "file system": "fstype",
                 "device type": "type", "encrypted": "encrypted", "volume group": "vg",
                 "RAID level": "raid", "existing partition": "existing", "reformat": "data",
                 "resize": "resize"}.get(problem.field)
        if where:
            self.rows.focus_on(where)
        self.redraw()

    def save(self) -> None:
        try:
            mount = self.request()
            if self.editor.needs_passphrase(mount):
                self.app.show(PassphraseScreen(self.editor, self.save))
                return
            saved = self.editor.save_mount(self.original and self.original.mountpoint, mount)
        except RequestProblem as problem:
            return self._fail(problem)
        self.close(lambda: self.on_done(saved))

    def shortcut(self, key: str) -> bool:
        if key == "enter":  # Enter in a text field saves, as in a dialog
            self.save()
            return True
        return False
