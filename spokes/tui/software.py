"""Software selection: a base environment from the source's comps, then its add-ons.

Anaconda's text-mode choices on one scrolling screen: environments (one of them) with
their descriptions, then the add-on groups of the chosen one (any number). Each change
goes into %packages at once (`@^environment`, `@group`) and the payload's depsolve runs
again in its child process; the hub's mark waits for it and shows its error. The comps
are loaded once a source is known and again whenever the source changes (the spoke
compares the handler's source with the one it loaded from, so the source spoke needs
no link to it).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

import urwid

from installer.errors import InstallerError
from installer.ui.software import (Comps, SoftwareCheck, check_software,
                                            describe_selection, group_names, ignore_missing,
                                            select_environment, source_key, toggle_group)

from .spoke import SOFTWARE, Spoke
from .widgets import error_text

log = logging.getLogger("anaconda.tui")

HELP = """Software selection: what is installed.

Base environment: pick exactly one with the arrow keys and Enter (or space); it is \
marked (*). Additional software: the add-on groups for that environment; Enter or space \
turns each one on [x] or off [ ].

Every change is checked at once: the package manager works out the whole set of \
packages in the background ("Checking software dependencies...") and an error, such as \
a package no repository has, is shown at the bottom. Fix it here or in the \
Installation source; for packages no repository has, the key i installs without them \
(%packages --ignoremissing).

The choice is saved in the kickstart's %packages section as @^environment and @group \
lines; packages the kickstart listed are kept."""

LOADING, CHECKING = "Downloading package metadata...", "Checking software dependencies..."


@dataclass
class SoftwareState:
    comps: Comps | None = None
    loaded_from: tuple | None = None  # source_key the comps belong to
    busy: str = ""  # LOADING or CHECKING while the worker runs
    packages: int | None = None  # in the last successful depsolve
    error: str = ""  # the last load or depsolve error
    error_kind: str = ""  # the payload's classification of it (MissingPackages...)
    generation: int = 0  # results of an older run are dropped


class Option(urwid.WidgetWrap):
    """An environment or an add-on: mark and name, the description indented under it."""

    def __init__(self, key: str, mark: str, name: str, description: str,
                 on_press: Callable[[str], None]):
        self.key, self.on_press = key, on_press
        lines = [urwid.Text(f"{mark} {name}")]
        if description:
            lines.append(urwid.Padding(urwid.Text(("dim", description)), left=4))
        super().__init__(urwid.AttrMap(urwid.Pile(lines), None, focus_map="focus"))

    def selectable(self) -> bool:
        return True

    def keypress(self, size, key):
        if key in ("enter", " "):
            self.on_press(self.key)
            return None
        return key


class SoftwareSpoke(Spoke):
    title = "Software selection"
    category = SOFTWARE
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.state = SoftwareState()
        self._listbox: urwid.ListBox | None = None

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        self._follow_source()

    def ready(self) -> bool:
        self._follow_source()
        return not self.state.busy

    def completed(self) -> bool:
        state = self.state
        return state.comps is not None and not state.busy and not state.error \
            and state.packages is not None

    def status(self) -> str:
        state = self.state
        if state.loaded_from is None:
            return "Installation source not set up"
        if state.busy:
            return state.busy
        if state.comps is None:
            return f"Error loading the software list: {state.error}"
        if state.error:
            return f"Error checking software dependencies: {state.error}"
        return describe_selection(self.handler, state.comps)

    # ---- background work ---------------------------------------------------------------
    def _follow_source(self) -> None:
        """(Re)load the comps when the source differs from the one they came from."""
        key = source_key(self.handler, self.session.options)
        if key == self.state.loaded_from:
            return
        self.state = SoftwareState(loaded_from=key, generation=self.state.generation)
        if key is not None:
            log.info("Software: loading the comps of %s", key)
            self._run(read_comps=True)

    def _run(self, read_comps: bool) -> None:
        state = self.state
        state.generation += 1
        generation = state.generation
        state.busy = LOADING if read_comps else CHECKING
        handler, session = self.handler, self.session

        def done(result: SoftwareCheck | None, error: BaseException | None) -> None:
            if generation != state.generation or state is not self.state:
                return
            state.busy = ""
            if error is not None:
                state.error = error.message if isinstance(error, InstallerError) else str(error)
                state.error_kind, state.packages = "", None
                return
            if read_comps:
                state.comps = result.comps
            state.error, state.error_kind = result.error, result.error_kind
            state.packages = None if result.error else result.packages
            if read_comps and self._write_default():
                self._run(read_comps=False)  # the check above was of the empty selection

        self.app.run_background("software-check", lambda: check_software(
            handler, session.options, session.log_dir, read_comps=read_comps), done)

    # ---- choices -----------------------------------------------------------------------
    def _shown_environment(self) -> str | None:
        """The kickstart's @^environment, or the source's default before any choice."""
        packages, comps = self.handler.packages, self.state.comps
        if packages.environment:
            env = comps.environment(packages.environment) if comps else None
            return env.id if env else packages.environment
        if not packages.seen and comps is not None:
            default = comps.default_environment()
            return default.id if default else None
        return None

    def pick_environment(self, env_id: str) -> None:
        if self.state.comps is None or env_id == self.handler.packages.environment:
            return
        select_environment(self.handler, self.state.comps, env_id)
        self._changed()

    def toggle_addon(self, group_id: str) -> None:
        if self.state.comps is None:
            return
        shown = self._shown_environment()
        if not self.handler.packages.seen and shown:
            # the default environment becomes explicit, or @group alone would replace it
            select_environment(self.handler, self.state.comps, shown, with_defaults=False)
        toggle_group(self.handler, group_id)
        self._changed()

    def _changed(self) -> None:
        if self.state.loaded_from is not None:
            self._run(read_comps=False)
        self.redraw()

    # ---- the screen --------------------------------------------------------------------
    def skip_missing(self) -> None:
        """What the install would offer after the fact, chosen before: skip the names no
        repository has (`%packages --ignoremissing`)."""
        ignore_missing(self.handler)
        self._changed()

    def shortcut(self, key: str) -> bool:
        if key == "i" and self.state.error_kind == "MissingPackages" and not self.state.busy:
            self.skip_missing()
            return True
        return False

    def enter(self) -> None:
        """Opening the spoke again retries a software list that failed to load."""
        self._follow_source()
        state = self.state
        if state.loaded_from is not None and state.comps is None and not state.busy:
            self._run(read_comps=True)

    def _write_default(self) -> bool:
        """The source's default environment, written into %packages as soon as the list is
        known: what the hub says ("Minimal Install") is then what the kickstart says, even
        when nobody opens this spoke. A kickstart's own %packages is never replaced."""
        shown = self._shown_environment()
        if shown and not self.handler.packages.seen and self.state.comps is not None:
            select_environment(self.handler, self.state.comps, shown, with_defaults=False)
            return True
        return False

    def leave(self) -> bool:
        self._write_default()
        return True

    def _rows(self) -> list[urwid.Widget]:
        comps = self.state.comps
        if comps is None:
            return []
        rows: list[urwid.Widget] = [urwid.Text(("category", "Base environment"))]
        shown = self._shown_environment()
        for env in comps.environments:
            mark = "(*)" if env.id == shown else "( )"
            rows.append(Option(env.id, mark, env.name, env.description, self.pick_environment))
        addons = comps.addons(shown)
        if addons:
            env = comps.environment(shown)
            rows += [urwid.Divider(), urwid.Text(("category", f"Additional software for {env.name}"))]
            chosen = set(group_names(self.handler))
            for group, _default in addons:
                mark = "[x]" if group.id in chosen else "[ ]"
                rows.append(Option("@" + group.id, mark, group.name, group.description,
                                   lambda key: self.toggle_addon(key[1:])))
        return rows

    def _footer(self) -> urwid.Widget:
        state = self.state
        if state.loaded_from is None:
            text = urwid.Text("No installation source yet: set one up in Installation source.")
        elif state.busy:
            text = urwid.Text(state.busy)
        elif state.comps is None:
            text = error_text(f"Error loading the software list: {state.error}")
        elif state.error:
            text = error_text(f"Error checking software dependencies: {state.error}")
            if state.error_kind == "MissingPackages":
                text = urwid.Pile([text, urwid.Text("Press i to install without them "
                                                    "(%packages --ignoremissing).")])
        elif state.packages is not None:
            text = urwid.Text(f"Dependencies checked: {state.packages} packages to install.")
        else:
            text = urwid.Text("")
        return urwid.Pile([urwid.Divider("-"), text])

    def body(self) -> urwid.Widget:
        focused = getattr(self._listbox.focus, "key", None) if self._listbox is not None else None
        rows = self._rows() or [urwid.Text("Nothing to choose from yet: the environments "
                                           "come from the installation source.")]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        keys = [getattr(row, "key", None) for row in rows]
        if focused is not None and focused in keys:
            listbox.focus_position = keys.index(focused)
        elif any(isinstance(row, Option) for row in rows):
            listbox.focus_position = next(i for i, r in enumerate(rows) if isinstance(r, Option))
        self._listbox = listbox
        return urwid.Padding(urwid.Frame(listbox, footer=self._footer()), left=1, right=1)
