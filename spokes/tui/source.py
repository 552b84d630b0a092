"""Installation source: where the packages come from, checked before anything depends on it.

The source is the kickstart's `url`, else the boot option inst.repo. A URL typed here is
checked in the background (its repodata/repomd.xml fetched) when the person leaves the
spoke or presses Check; only a URL that passed goes into the kickstart as `url --url=`.
The software spoke notices the new source on its own (it watches the handler).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import urwid

from installer.errors import InstallerError
from installer.ui.repocheck import URL_FORMS, parse_url
from installer.ui.software import (SourceInfo, check_source, current_source,
                                            entered_source, write_url)

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


@dataclass
class SourceCheck:
    """The last check: of which source, whether it still runs, what it found."""

    location: str = ""
    running: bool = False
    found: str = ""
    error: str = ""
    entered: bool = False  # typed here: written to the kickstart when it passes
    generation: int = 0  # results of an older check are dropped


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
        self.check = SourceCheck()
        self.edit = UrlEdit(self._check_entered)

    # ---- hub semantics -----------------------------------------------------------------
    def source(self) -> SourceInfo | None:
        return current_source(self.handler, self.session.options, self.session.seen)

    def setup(self) -> None:
        source = self.source()
        if source is not None and source.problem:
            self.check.error = source.problem
        elif source is not None and source.checkable:
            self._start(source, entered=False)

    def ready(self) -> bool:
        return not self.check.running

    def completed(self) -> bool:
        return self.source() is not None and not self.check.error and not self.check.running

    def status(self) -> str:
        if self.check.running:
            return "Checking source..."
        if self.check.error:
            return "Error checking source"
        source = self.source()
        return source.location if source is not None else "Nothing selected"

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        source = self.source()
        if self.check.entered and self.check.error:
            text = self.check.location  # the URL that failed, to correct
        else:
            text = source.location if source is not None and source.checkable else ""
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
        text = self.edit.edit_text.strip()
        source = self.source()
        current = source.location if source is not None else ""
        retry = self.check.error and text == self.check.location
        if text and (text != current or retry) and not self.check.running:
            return self._check_entered(stay=False)
        return True

    def _check_entered(self, stay: bool = True) -> bool:
        try:
            url = parse_url(self.edit.edit_text)
        except InstallerError as exc:
            self.app.message("Installation source", exc.message)
            return False
        self._start(entered_source(self.handler, self.session.options, url), entered=True)
        if stay:
            self.redraw()
        return True

    # ---- the check, off the UI thread ------------------------------------------------------
    def _start(self, source: SourceInfo, entered: bool) -> None:
        check = self.check
        check.generation += 1
        generation = check.generation
        check.location, check.running, check.entered = source.location, True, entered
        check.found = check.error = ""

        def done(found, error) -> None:
            if generation != check.generation:
                return
            check.running = False
            if error is not None:
                check.error = error.message if isinstance(error, InstallerError) else \
                    f"{source.location}: {error}"
                if entered and self.app.current is not self:
                    self.app.message("Error checking source", check.error)
                return
            check.found = found.summary()
            if entered:
                write_url(self.handler, source.location)
                log.info("Installation source set to %s", source.location)

        self.app.run_background("source-check", lambda: check_source(source), done)
