"""The SSH key list the root and user spokes share: the keys shown by type, fingerprint
and comment (a whole key does not fit a line, a fingerprint is what people compare), an
"Add SSH key" field where a pasted key is checked on Enter, Delete on a key removes it."""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.ssh_keys import SshKey, parse_key

from .widgets import EnterEdit, field


class KeyRow(urwid.WidgetWrap):
    """One key; Delete or '-' removes it."""

    def __init__(self, key: SshKey, on_remove: Callable[[str], None]):
        self.key, self.on_remove = key, on_remove
        text = urwid.Text(f"  {key.describe()}", wrap="ellipsis")
        super().__init__(urwid.AttrMap(text, None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("delete", "-"):
            self.on_remove(self.key.text)
            return None
        return key


class SshKeyList:
    """Rows for a form; `keys` are the key lines; `changed()` asks the form to rebuild."""

    def __init__(self, whose: str, on_change: Callable[[], None], on_error: Callable[[str], None]):
        self.whose, self.on_change, self.on_error = whose, on_change, on_error
        self.keys: list[str] = []
        # a key is longer than the screen: the line scrolls sideways
        self.add = EnterEdit(self.add_pending, wrap="clip")

    def load(self, keys: list[str]) -> None:
        self.keys = list(keys)
        self.add.set_edit_text("")

    def rows(self) -> list[urwid.Widget]:
        rows: list[urwid.Widget] = [urwid.Text(f"SSH keys for {self.whose}:")]
        for text in self.keys:
            try:
                rows.append(KeyRow(parse_key(text), self.remove))
            except ValueError:  # a kickstart's key that is not valid: shown to be removed
                rows.append(KeyRow(_unreadable(text), self.remove))
        if not self.keys:
            rows.append(urwid.Text(("dim", "  (none)")))
        rows += [field("Add SSH key:", urwid.AttrMap(self.add, "dim", focus_map="focus")),
                 field("", urwid.Text(("dim", "Enter adds a pasted .pub line; Delete removes "
                                              "a key")))]
        return rows

    def add_offset(self) -> int:
        """The Add field's row, counted from the first of `rows()`."""
        return 1 + max(len(self.keys), 1)

    def add_pending(self) -> bool:
        """The key typed in the Add field joins the list; False (told) when it is not a
        key. Nothing typed is fine."""
        text = self.add.edit_text.strip()
        if not text:
            return True
        try:
            key = parse_key(text, f"SSH key for {self.whose}")
        except ValueError as exc:
            self.on_error(str(exc))
            return False
        if key.text not in self.keys:
            self.keys.append(key.text)
        self.add.set_edit_text("")
        self.on_change()
        return True

    def remove(self, text: str) -> None:
        self.keys = [k for k in self.keys if k != text]
        self.on_change()

    def problems(self) -> list[str]:
        """The keys that are not OpenSSH public keys (a kickstart's), each named."""
        found = []
        for number, text in enumerate(self.keys, 1):
            try:
                parse_key(text, f"SSH key {number} for {self.whose}")
            except ValueError as exc:
                found.append(f"{exc} Delete it on its line, or fix the kickstart.")
        return found


def _unreadable(text: str) -> SshKey:
    shown = text if len(text) <= 40 else text[:37] + "..."
    return SshKey(text, "(not a valid key)", "", shown)
