"""Software selection: a base environment from the source's comps, then its add-ons,
then single packages.

Anaconda's text-mode choices on one scrolling screen: environments (one of them) with
their descriptions, the add-on groups of the chosen one (any number), then what Anaconda's
text mode leaves to a kickstart: packages added or excluded one by one (found with the
search, software_packages.py) and --exclude-weakdeps. The state and the work (comps and
package list loading, the depsolve after each change, in the DNF worker) are the
controller's (installer/ui/software.py); this screen draws them and maps keys.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.software import SoftwareController

from .software_packages import MARKS, PackageSearchScreen
from .spoke import SOFTWARE, Spoke
from .storage_widgets import Line
from .widgets import error_text

HELP = """Software selection: what is installed.

Base environment: pick exactly one with the arrows and Enter (or space), marked (*). \
Additional software: its add-on groups, each on [x] or off [ ].
Packages: s (or /) searches the source's packages by name or summary to add [+] or \
exclude [-] one; d, Enter or space on a listed one takes it off. Exclude weak \
dependencies: leave out what packages only recommend.

Each change is checked in the background; an error shows at the bottom. For packages \
no repository has, i installs without them (%packages --ignoremissing).

Saved in %packages as @^environment and @group lines, names and -names."""

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

    def release(self) -> None:
        self.controller.release()

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

    def open_search(self) -> None:
        self.app.show(PackageSearchScreen(self.controller))

    def forget(self, name: str) -> None:
        self.controller.forget(name)
        self.redraw()

    def toggle_weakdeps(self) -> None:
        self.controller.set_exclude_weakdeps(not self.handler.packages.excludeWeakdeps)
        self.redraw()

    def keys_hint(self) -> str:
        return "F1 Help  Esc Done  Enter/Space Select  s Search packages  d Remove package"

    def shortcut(self, key: str) -> bool:
        if key in ("s", "/"):
            self.open_search()
            return True
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
        return rows + self._package_rows()

    def _package_rows(self) -> list[urwid.Widget]:
        """The single packages of %packages with their summaries, the search, weak deps."""
        rows: list[urwid.Widget] = [urwid.Divider(), urwid.Text(("category", "Packages"))]
        for mark, name in self.controller.listed_packages():
            note, problem = self.controller.package_note(name)
            summary = ("error", note) if problem else note
            forget = lambda name=name: self.forget(name)  # noqa: E731
            row = Line([f"{MARKS[mark]} {name:<24} ", summary],
                       {"enter": forget, " ": forget, "d": forget, "delete": forget})
            row.key = f"{mark}{name}"
            rows.append(row)
        search = Option("search", "  ", "Search packages... (s)", "", lambda _k: self.open_search())
        weak = "[x]" if self.handler.packages.excludeWeakdeps else "[ ]"
        rows += [search, Option("weakdeps", weak, "Exclude weak dependencies "
                                "(--exclude-weakdeps)", "", lambda _k: self.toggle_weakdeps())]
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
        if focused is not None and focused not in keys and focused[:1] in MARKS:
            focused = "search"  # the package taken off the list: stay in that section
        if focused is not None and focused in keys:
            listbox.focus_position = keys.index(focused)
        elif any(isinstance(row, (Option, Line)) for row in rows):
            listbox.focus_position = next(i for i, r in enumerate(rows)
                                          if isinstance(r, (Option, Line)))
        self._listbox = listbox
        return urwid.Padding(urwid.Frame(listbox, footer=self._footer()), left=1, right=1)
