"""The disk encryption passphrase: typed twice (masked), its strength shown as it is typed.

One passphrase unlocks every new encrypted device, as in Anaconda. A weak one is taken
only after the person says so; one that could not be used at all (empty, the entries
differ, shorter than the planner accepts) is refused with the field named.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.layout_editor import LayoutEditor
from installer.ui.storage import LUKS_VERSIONS, RequestProblem
from installer.ui.strength import password_strength

from .errors import sentence
from .storage_widgets import KeyedList, SubScreen, edit_field, radio_row
from .widgets import button_row, error_text, field

HELP = """The passphrase that unlocks every encrypted device of the new system at \
boot. It cannot be recovered: if it is lost, so is the data.

Type it in both fields; its strength is shown as you type. A weak one is taken only \
after you confirm. At least 8 characters. LUKS version: luks2, or luks1 for old boot \
loaders.

Save keeps it; Esc cancels and leaves the passphrase as it was."""


class PassphraseScreen(SubScreen):
    title = "Disk encryption passphrase"
    help_text = HELP

    def __init__(self, editor: LayoutEditor, on_done: Callable[[], None] | None = None,
                 on_cancel: Callable[[], None] | None = None):
        super().__init__(on_cancel)
        self.editor, self.on_done = editor, on_done
        encryption = editor.encryption
        self.first = edit_field(encryption.passphrase, mask="*")
        self.second = edit_field(encryption.passphrase, mask="*")
        self.luks_version = encryption.luks_version
        self.strength = urwid.Text("")
        self.match = urwid.Text("")
        self.error = ""
        self.rows = KeyedList()
        for edit in (self.first, self.second):
            urwid.connect_signal(edit, "postchange", lambda *_: self._update())
        self._update()

    def _update(self) -> None:
        """Strength and match lines change in place: no rebuild on every key."""
        first, second = self.first.edit_text, self.second.edit_text
        found = password_strength(first)
        self.strength.set_text("" if not first else
                               (("error" if found.score < 2 else None), f"{found.label} ({found.reason})"))
        if not second:
            self.match.set_text("")
        elif first == second:
            self.match.set_text("The entries match.")
        else:
            self.match.set_text(("error", "The entries differ."))

    def body(self) -> urwid.Widget:
        rows: list[tuple[str, urwid.Widget]] = [
            ("intro", urwid.Text("Every encrypted device is unlocked with this passphrase at boot. "
                                 "It cannot be recovered if lost.")),
            ("d1", urwid.Divider()),
            ("first", field("Passphrase:", urwid.AttrMap(self.first, "dim", focus_map="focus"))),
            ("second", field("Confirm passphrase:", urwid.AttrMap(self.second, "dim", focus_map="focus"))),
            ("strength", field("Strength:", self.strength)),
            ("match", field("", self.match)),
            ("luks", field("LUKS version:", radio_row([(v, v) for v in LUKS_VERSIONS],
                                                       self.luks_version, self._pick_version))),
            ("d2", urwid.Divider()),
            ("buttons", button_row([("Save", self.save), ("Cancel", self.app.back)])),
        ]
        if self.error:
            rows += [("d3", urwid.Divider()), ("error", error_text(self.error))]
        return urwid.Padding(self.rows.build(rows, default="first"), left=1, right=1)

    def shortcut(self, key: str) -> bool:
        """Enter in the first field goes on to the second; in the second it saves, so the
        passphrase is entered without hunting for the button on a serial console."""
        if key != "enter":
            return False
        where = self.rows.focused_key()
        if where == "first":
            self.rows.focus_on("second")
            self.redraw()
            return True
        if where == "second":
            self.save()
            return True
        return False

    def _pick_version(self, version: str) -> None:
        self.luks_version = version

    def _fail(self, message: str, where: str) -> None:
        self.error = message
        self.rows.focus_on(where)
        self.redraw()

    def save(self) -> None:
        first, second = self.first.edit_text, self.second.edit_text
        if not first:
            return self._fail("Passphrase: type a passphrase (at least 8 characters).", "first")
        if first != second:
            return self._fail("Confirm passphrase: the two entries differ; type the same passphrase "
                              "in both fields.", "second")
        found = password_strength(first)
        if not found.acceptable:
            self.app.confirm("Weak passphrase", f"The passphrase is {found.label.lower()}: "
                             f"{found.reason}. Use it anyway?", self._store, yes="Use it", no="Change it")
            return
        self._store()

    def _store(self) -> None:
        try:
            self.editor.set_passphrase(self.first.edit_text, self.luks_version)
        except RequestProblem as problem:
            return self._fail(sentence(problem), "first")
        self.close(self.on_done)
