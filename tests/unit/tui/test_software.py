"""The software selection spoke at 80x24 without DNF: the comps choices are given as the
worker sends them (payload/comps.py's JSON), with no source, so no depsolve runs; what is
checked is the layout, the keys and the %packages the spoke writes. The real comps and
depsolve are in tests/host/test_interactive_software.py."""
from __future__ import annotations

import json
import re

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.ui.comps import Comps, describe_selection, select_environment
from installer.ui.packages import PackageIndex
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.software import SoftwareSpoke
from tests.unit.tui.driver import Driver, open_spoke

#: Shaped like the bundled test repository's comps, plus a default add-on and a group
#: that no environment offers.
COMPS = json.dumps({
    "environments": [
        {"id": "minimal-environment", "name": "Minimal Install", "description": "Basic functionality.",
         "groups": ["core"], "options": [["standard", False], ["debugging", True]]},
        {"id": "server-environment", "name": "Server",
         "description": "A system for servers, with storage tools.",
         "groups": ["core", "standard", "server-tools"], "options": []}],
    "groups": [
        {"id": "core", "name": "Core", "description": "Smallest bootable system.", "visible": True},
        {"id": "standard", "name": "Standard", "description": "Common tools of an interactive system.",
         "visible": True},
        {"id": "server-tools", "name": "Server tools", "description": "LVM, LUKS, RAID tools.",
         "visible": True},
        {"id": "debugging", "name": "Debugging Tools", "description": "Tools to debug programs.",
         "visible": True},
        {"id": "hidden", "name": "Hidden", "description": "Not for people.", "visible": False}],
})


def session_for(kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(""), log_dir=None, loaded=loaded)


def with_comps(session) -> tuple[SoftwareSpoke, Driver]:
    spoke = SoftwareSpoke()
    drive = open_spoke(spoke, session)
    spoke.state.comps = Comps.from_json(COMPS)
    spoke.redraw()
    return spoke, drive


def flat(drive: Driver) -> str:
    return re.sub(r"[│\s]+", " ", drive.screen())


def packages_section(session) -> str:
    text = str(session.handler)
    return text[text.index("%packages"):text.index("%end") + 4]


def test_without_a_source_it_says_so_and_stays_incomplete():
    spoke = SoftwareSpoke()
    app = TuiApp(session_for())
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    drive = Driver(app)
    drive.assert_shows("[!] Software selection", "Installation source not set up")
    drive.press("1").assert_shows("No installation source yet: set one up in Installation source.")
    assert not spoke.completed()


def test_layout_environments_then_addons_of_the_chosen_one():
    spoke, drive = with_comps(session_for())
    shown = drive.assert_shows("Base environment", "(*) Minimal Install", "    Basic functionality.",
                               "( ) Server", "Additional software for Minimal Install",
                               "[ ] Standard", "[ ] Debugging Tools", "[ ] Server tools")
    lines = shown.splitlines()
    assert len(lines) == 24
    # the environment's own add-ons first, then other visible groups; core (in it) and
    # hidden (not user-visible) are not offered
    assert lines.index(" [ ] Standard") < lines.index(" [ ] Debugging Tools") < \
        lines.index(" [ ] Server tools")
    assert "Core" not in shown and "Hidden" not in shown


def test_choosing_environment_and_addon_writes_packages():
    spoke, drive = with_comps(session_for())
    drive.press("down", "enter")  # Server
    drive.assert_shows("(*) Server", "( ) Minimal Install")
    shown = drive.assert_shows("Additional software for Server", "[ ] Debugging Tools")
    assert "Standard" not in shown  # part of Server already: not an add-on
    drive.press("up", "enter")  # back to Minimal: its default add-on comes with it
    drive.assert_shows("(*) Minimal Install", "[ ] Standard", "[x] Debugging Tools")
    drive.press("down", "down", " ")  # Standard on
    drive.assert_shows("[x] Standard")
    assert spoke._listbox.focus.key == "@standard"  # the focus stays after the redraw
    assert packages_section(spoke.session) == \
        "%packages\n@^minimal-environment\n@debugging\n@standard\n\n%end"
    drive.press("down", "enter")  # Debugging off
    assert packages_section(spoke.session) == "%packages\n@^minimal-environment\n@standard\n\n%end"


def test_kickstart_packages_prefill_and_unrelated_groups_stay():
    session = session_for("%packages\n@^server-environment\n@my-own-group\nvim-tiny\n-nano\n%end\n")
    spoke, drive = with_comps(session)
    drive.assert_shows("( ) Minimal Install", "(*) Server")
    drive.press("up", "enter")  # Minimal
    assert packages_section(session) == ("%packages\n@^minimal-environment\n@debugging\n"
                                         "@my-own-group\nvim-tiny\n-nano\n\n%end")
    drive.press("down", "enter")  # Server again: Minimal's add-on goes, the own group stays
    assert packages_section(session) == ("%packages\n@^server-environment\n@my-own-group\n"
                                         "vim-tiny\n-nano\n\n%end")


def test_environment_named_by_its_name_and_custom_selection():
    session = session_for("%packages\n@^Minimal Install\n%end\n")
    spoke, drive = with_comps(session)
    drive.assert_shows("(*) Minimal Install")
    assert describe_selection(session.handler, spoke.state.comps) == "Minimal Install"
    custom = session_for("%packages\nbash\n%end\n")
    assert describe_selection(custom.handler, Comps.from_json(COMPS)) == "Custom software selected"


def test_default_environment_is_written_when_accepted():
    session = session_for()
    spoke, drive = with_comps(session)
    assert "%packages" not in str(session.handler)  # nothing chosen: nothing written yet
    assert spoke.leave()
    assert packages_section(session) == "%packages\n@^minimal-environment\n\n%end"


def test_addon_toggled_before_any_choice_keeps_the_default_environment():
    session = session_for()
    spoke, drive = with_comps(session)
    drive.press("down", "down", "enter")  # Standard, with no environment chosen yet
    assert packages_section(session) == "%packages\n@^minimal-environment\n@standard\n\n%end"
    drive.assert_shows("[x] Standard", "[ ] Debugging Tools")  # as shown before the toggle


def test_select_environment_only_drops_addons_of_the_previous_one():
    session = session_for("%packages\n@^minimal-environment\n@standard\n@core\n%end\n")
    select_environment(session.handler, Comps.from_json(COMPS), "server-environment")
    assert [g.name for g in session.handler.packages.groupList] == ["core"]


def test_help_is_specific():
    _, drive = with_comps(session_for())
    drive.press("f1")
    shown = flat(drive)
    assert "Base environment: pick exactly one" in shown and "@^environment and @group" in shown


# ---- single packages ------------------------------------------------------------------
#: shaped like the worker's "packages" event (payload/worker.py's package_list)
LISTING = ("bash\tGNU Bourne Again SHell\nnano\tsmall, friendly text editor\n"
           "neovim\theavily refactored vim fork\nopenssh-server\tsecure shell (SSH) server\n"
           "shellcheck\tlint tool for scripts\nvim\tVi IMproved - enhanced vi editor\n"
           "vim-tiny\tVi IMproved - compact version\nzsh\tshell with lots of features\n")


def with_packages(session) -> tuple[SoftwareSpoke, Driver]:
    spoke, drive = with_comps(session)
    spoke.state.index = PackageIndex(LISTING)
    spoke.redraw()
    return spoke, drive


def test_kickstart_packages_excludes_and_weakdeps_prefill_the_packages_section():
    session = session_for("%packages --exclude-weakdeps\n@^server-environment\nvim-tiny\nemacs\n"
                          "vim*\nemacs-*\n-nano\n%end\n")
    spoke, drive = with_packages(session)
    drive.press(*["down"] * 7)  # scrolled to the packages
    shown = drive.assert_shows(
        "Packages", " [+] vim-tiny                 Vi IMproved - compact version",
        " [+] emacs                    not in the installation source",
        " [+] vim*                     (every package matching)",
        " [+] emacs-*                  no package in the installation source matches",
        " [-] nano                     small, friendly text editor",
        "Search packages... (s)", "[x] Exclude weak dependencies (--exclude-weakdeps)",
        "s Search packages  d Remove package")
    assert len(shown.splitlines()) == 24


def test_packages_taken_off_the_list_and_weak_dependencies_toggled():
    session = session_for("%packages\n@^server-environment\nvim-tiny\n-nano\n%end\n")
    spoke, drive = with_packages(session)
    drive.press(*["down"] * 3)  # Server, Debugging Tools, then vim-tiny
    assert spoke._listbox.focus.key == "+vim-tiny"
    drive.press("d")
    assert spoke._listbox.focus.key == "search"  # the cursor stays in the section
    drive.press("up", "enter")  # -nano taken back too
    drive.press("down", "down", " ")  # Exclude weak dependencies
    drive.assert_shows("[x] Exclude weak dependencies")
    assert "vim-tiny" not in drive.screen() and "nano" not in drive.screen()
    assert packages_section(session) == "%packages --exclude-weakdeps\n@^server-environment\n\n%end"
    drive.press("enter")
    assert packages_section(session) == "%packages\n@^server-environment\n\n%end"


def test_search_finds_by_name_and_summary_and_adds_or_excludes():
    session = session_for()
    spoke, drive = with_packages(session)
    drive.press("s").assert_shows("Software selection: packages", "Search packages:",
                                  "8 packages", "Type part of a package's name or summary.",
                                  "Enter Add typed  Space/+ Add  - Exclude")
    shown = drive.type("vim").assert_shows("3 found")
    lines = shown.splitlines()
    assert lines[3:6] == [" [ ] vim                          Vi IMproved - enhanced vi editor",
                          " [ ] vim-tiny                     Vi IMproved - compact version",
                          " [ ] neovim                       heavily refactored vim fork"]
    drive.press("down", " ")  # vim added
    drive.press("down", "-")  # vim-tiny excluded
    drive.assert_shows(" [+] vim ", " [-] vim-tiny ", "Excluded vim-tiny (-vim-tiny).")
    drive.press("-")  # again: neither
    drive.assert_shows(" [ ] vim-tiny ", "vim-tiny: neither added nor excluded.")
    drive.type("x")  # typing in the results goes on in the search field
    drive.assert_shows("Search packages: vimx", "0 found")
    drive.press(*["backspace"] * 4).type("SHELL")  # summaries too, any case
    shown = drive.assert_shows("[ ] bash", "[ ] openssh-server", "[ ] zsh", "4 found")
    assert shown.index("shellcheck") < shown.index("bash")  # a name holding it comes first
    drive.press("down", "down", "down", "enter")  # openssh-server
    assert packages_section(session) == ("%packages\n@^minimal-environment\nopenssh-server\n"
                                         "vim\n\n%end")
    drive.press("esc").assert_shows(" [+] openssh-server", " [+] vim ")


def test_typed_names_are_added_as_in_a_kickstart_and_unknown_ones_named():
    session = session_for()
    spoke, drive = with_packages(session)
    drive.press("/").type("emacs-nox").press("enter")
    flat_shown = flat(drive)
    assert ("No package is named emacs-nox in the installation source's repositories; "
            "search for part of its name or summary.") in flat_shown
    assert "%packages" not in str(session.handler)
    drive.press(*["backspace"] * 9).type("-nano").press("enter")
    drive.assert_shows("Excluded nano (-nano).", "Search packages:  ")
    drive.type("vim-*").press("enter").assert_shows("Added vim-*.")
    assert packages_section(session) == "%packages\n@^minimal-environment\nvim-*\n-nano\n\n%end"


def test_search_help_is_specific():
    _, drive = with_packages(session_for())
    drive.press("s", "f1")
    shown = flat(drive)
    assert "Enter in the search field adds what is typed" in shown
    assert "-name to exclude" in shown and "< OK >" in shown  # all of it fits at 80x24


def test_beginning_drops_the_package_list():
    spoke, drive = with_packages(session_for())
    assert spoke.controller.search("vim").rows
    spoke.release()
    assert spoke.state.index is None and not spoke.controller.runner.busy
