"""Software selection: a base environment from the source's comps, then its add-ons.

Anaconda's text-mode choices on one scrolling screen: environments (one of them) with
their descriptions, then the add-on groups of the chosen one (any number). The state and
the work (comps loading, the depsolve after each change, in the DNF worker) are the
controller's (installer/ui/software.py); this screen draws them and maps keys.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.software import SoftwareController

from .spoke import SOFTWARE, Spoke
from .widgets import error_text

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
        self._controller: SoftwareController | None = None
        self._listbox: urwid.ListBox | None = None

    @property
    def controller(self) -> SoftwareController:
        """Made once the spoke is in an app: its DNF work runs in the app's "depsolve"
        background, whose results come back on the UI thread."""
        if self._controller is None:
            self._controller = SoftwareController(self.session, self.app.background("depsolve"))
        return self._controller

    @property
    def state(self):
        return self.controller.state

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        self.controller.follow_source()

    def ready(self) -> bool:
        return self.controller.ready()

    def completed(self) -> bool:
        return self.controller.completed()

    def status(self) -> str:
        return self.controller.status()

    # ---- keys --------------------------------------------------------------------------
    def pick_environment(self, env_id: str) -> None:
        self.controller.pick_environment(env_id)
        self.redraw()

    def toggle_addon(self, group_id: str) -> None:
        self.controller.toggle_addon(group_id)
        self.redraw()

    def shortcut(self, key: str) -> bool:
        if key == "i" and self.controller.can_skip_missing():
            self.controller.skip_missing()
            self.redraw()
            return True
        return False

    def enter(self) -> None:
        self.controller.enter()

    def leave(self) -> bool:
        self.controller.write_default()
        return True

    # ---- the screen --------------------------------------------------------------------
    def _rows(self) -> list[urwid.Widget]:
        comps = self.state.comps
        if comps is None:
            return []
        rows: list[urwid.Widget] = [urwid.Text(("category", "Base environment"))]
        shown = self.controller.shown_environment()
        for env in comps.environments:
            mark = "(*)" if env.id == shown else "( )"
            rows.append(Option(env.id, mark, env.name, env.description, self.pick_environment))
        addons = comps.addons(shown)
        if addons:
            env = comps.environment(shown)
            rows += [urwid.Divider(), urwid.Text(("category", f"Additional software for {env.name}"))]
            chosen = self.controller.chosen_groups()
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
