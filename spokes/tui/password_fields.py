"""The password pair the root and user spokes share: typed twice (masked), its strength
shown as it is typed, a weak one accepted only after a question.

The plaintext lives in the two Edit widgets only; the spokes hash it when they write the
kickstart and then `clear()` the fields, and nothing here logs it.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.strength import Strength, password_strength

from .widgets import field

STYLE = {"Weak": "error", "Fair": "warning", "Good": "complete", "Strong": "complete"}


def masked_edit() -> urwid.Edit:
    return urwid.Edit("", mask="*")


class PasswordFields:
    """Two masked fields and a strength line; `rows()` puts them into a form."""

    def __init__(self, first_label: str = "Password:", second_label: str = "Confirm password:"):
        self.first_label, self.second_label = first_label.rstrip(":"), second_label.rstrip(":")
        self.first, self.second = masked_edit(), masked_edit()
        self.meter = urwid.Text("")
        self.weak_accepted = False
        for edit in (self.first, self.second):
            urwid.connect_signal(edit, "postchange", lambda *_: self._changed())
        self._changed()

    def rows(self) -> list[urwid.Widget]:
        return [field(f"{label}:", urwid.AttrMap(edit, "dim", focus_map="focus"))
                for label, edit in ((self.first_label, self.first),
                                    (self.second_label, self.second))] + [field("", self.meter)]

    @property
    def password(self) -> str:
        return self.first.edit_text

    def entered(self) -> bool:
        return bool(self.first.edit_text or self.second.edit_text)

    def strength(self) -> Strength:
        return password_strength(self.password)

    def _changed(self) -> None:
        self.weak_accepted = False
        if not self.password:
            self.meter.set_text(("dim", "Strength: (nothing typed)"))
        else:
            strength = self.strength()
            reason = f" - {strength.reason}" if strength.reason else ""
            self.meter.set_text((STYLE.get(strength.label), f"Strength: {strength.label}{reason}"))

    def problem(self, required: bool) -> str | None:
        """What keeps the pair from being used, naming the field; None when it can be."""
        if not self.password:
            if self.second.edit_text:
                return f"{self.first_label}: type the password here as well."
            return f"{self.first_label}: enter a password." if required else None
        if "\0" in self.password:
            return f"{self.first_label}: cannot contain a NUL character."
        if self.second.edit_text != self.password:
            return f"{self.second_label}: does not match {self.first_label}; type it again."
        return None

    def needs_confirmation(self) -> Strength | None:
        """The strength when it is weak and the person has not said "use it anyway"."""
        if not self.password or self.weak_accepted:
            return None
        strength = self.strength()
        return None if strength.acceptable else strength

    def ask_weak(self, app, strength: Strength, on_yes: Callable[[], None]) -> None:
        def accept() -> None:
            self.weak_accepted = True
            on_yes()
        reason = strength.reason.rstrip(".") or "it is easy to guess"
        app.confirm("Weak password", f"The password is weak: {reason}. Use it anyway?", accept)

    def clear(self) -> None:
        for edit in (self.first, self.second):
            edit.set_edit_text("")
