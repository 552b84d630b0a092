"""Installation source: where the packages come from, checked before anything depends on it.

The state and the check are installer.ui.source's `SourceController`; this screen draws
them and maps keys. A URL typed here is checked in the background when the person leaves
the spoke or presses Check; only a URL that passed goes into the kickstart as `url --url=`.
The software spoke notices the new source on its own (it watches the handler).
"""
from __future__ import annotations

import logging

import urwid

from installer.errors import InstallerError
from installer.ui.repocheck import URL_FORMS
from installer.ui.source import SourceController

from .errors import message_of
from .spoke import SOFTWARE, Spoke
from .widgets import button_row, error_text, field

log = logging.getLogger("anaconda.tui")

HELP = f"""Installation source: the package repository the system is installed from.

Type a repository URL: {URL_FORMS}: the directory that holds repodata/.

Check (or Enter, or leaving with Esc) fetches its repodata/repomd.xml in the background; \
a problem (HTTP error, unknown host, refused connection, not a repository) is shown \
with the URL. Only a URL that passed is used, saved in the kickstart as `url --url=`.

A source from inst.repo= or the kickstart is checked at start; inst.proxy and \
inst.noverifyssl apply."""


class UrlEdit(urwid.Edit):
    """The URL field; Enter checks what was typed."""

    def __init__(self, on_enter):
        super().__init__("")
        self.on_enter = on_enter

    def keypress(self, size, key):
        if key == "enter":
            self.on_enter()
            return None
        return super().keypress(size, key)


class SourceSpoke(Spoke):
    title = "Installation source"
    category = SOFTWARE
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.edit = UrlEdit(self._check_entered)
        self._controller: SourceController | None = None

    @property
    def controller(self) -> SourceController:
        if self._controller is None:
            self._controller = SourceController(self.session, self.app.background("source check"),
                                                on_failed=self._failed)
        return self._controller

    @property
    def check(self):
        return self.controller.check

    def source(self):
        return self.controller.source()

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
        text = self.controller.url_text()
        self.edit.set_edit_text(text)
        self.edit.set_edit_pos(len(text))

    def _state_line(self) -> urwid.Widget:
        if self.check.running:
            return urwid.Text(f"Checking {self.check.location} ...")
        if self.check.error:
            return error_text("Error checking source")
        if self.check.found:
            return urwid.Text(f"Checked: {self.check.found}")
        source = self.source()
        if source is not None and not source.checkable:
            return urwid.Text("Read by the package manager when the software list is loaded")
        return urwid.Text("Not checked")

    def body(self) -> urwid.Widget:
        source = self.source()
        rows: list[urwid.Widget] = [
            field("Current source:", urwid.Text(source.location if source else "Nothing selected")),
            field("Given by:", urwid.Text(source.origin if source else "-")),
            field("Status:", self._state_line()),
            urwid.Divider(),
            field("Repository URL:", urwid.AttrMap(self.edit, "dim", focus_map="focus")),
            field("", urwid.Text(("dim", URL_FORMS))),
            urwid.Divider(),
            button_row([("Check", self._check_entered)]),
        ]
        if self.check.error:
            rows += [urwid.Divider(), error_text(self.check.error)]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 4
        return urwid.Padding(listbox, left=1, right=1)

    def leave(self) -> bool:
        """Esc: a new (or a failed) URL is checked in the background; a malformed one
        keeps the person here with the reason."""
        if self.controller.wants_check(self.edit.edit_text):
            return self._check_entered(stay=False)
        return True

    def _check_entered(self, stay: bool = True) -> bool:
        try:
            self.controller.enter_url(self.edit.edit_text)
        except InstallerError as exc:
            self.app.message("Installation source", message_of(exc))
            return False
        if stay:
            self.redraw()
        return True

    def _failed(self, message: str) -> None:
        """A typed URL failed its check after the person left the spoke: say so."""
        if self.app.current is not self:
            self.app.message("Error checking source", message)
