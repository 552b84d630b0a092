"""Which front end a run gets: Anaconda's rules plus issue 7's level 2, decided from the
kickstart alone (urwid is not imported for a cmdline run)."""
from __future__ import annotations

import pytest

from installer.bootopts import parse_cmdline
from installer.ui.frontend_choice import choose_frontend, missing_from_kickstart
from installer.kickstart.version import make_handler
from pykickstart.parser import KickstartParser


def parsed(text: str):
    handler = make_handler()
    KickstartParser(handler).readKickstartFromString(text)
    seen = {name for name in ("autopart", "partition", "rootpw", "user") if getattr(handler, name).seen}
    return handler, seen


@pytest.mark.parametrize("text, disk, missing", [
    ("autopart\nrootpw --lock\n", True, []),
    ("rootpw --lock\n", True, ["Installation destination"]),
    ("rootpw --lock\n", False, []),  # a directory install has no destination
    ("autopart\n", True, ["Root password"]),
    ("autopart\nuser --name=alice --groups=wheel\n", True, []),  # an admin may log in
    ("autopart\nuser --name=bob\n", True, ["Root password"]),
])
def test_missing_from_kickstart(text, disk, missing):
    handler, seen = parsed(text)
    assert missing_from_kickstart(handler, seen, disk_install=disk) == missing


@pytest.mark.parametrize("boot, level, have_ks, missing, tty, expected", [
    ("inst.cmdline", 0, True, ["Root password"], True, "cmdline"),
    ("inst.noninteractive", 0, True, ["Root password"], True, "cmdline"),
    ("", 0, True, [], True, "cmdline"),  # nothing to ask: progress lines
    ("inst.text", 0, True, [], True, "tui"),  # asked for the full-screen progress
    ("inst.text", 2, True, [], True, "cmdline"),  # level 2 drops the TUI when nothing to ask
    ("", 2, True, ["Root password"], True, "tui"),  # ...but not when something must be asked
    ("", 0, True, ["Root password"], False, "cmdline"),  # no terminal: defaults, said so
    ("", 0, False, [], True, "tui"),
    ("", 0, False, [], False, "none"),
])
def test_choose_frontend(boot, level, have_ks, missing, tty, expected):
    choice = choose_frontend(parse_cmdline(boot), level, have_ks, missing, tty)
    assert choice.name == expected
    if expected == "cmdline" and missing and boot not in ("inst.cmdline", "inst.noninteractive"):
        assert "Root password" in choice.reason


@pytest.mark.parametrize("text, mode, expected", [
    ("cmdline\n", "cmdline", "cmdline"),  # even with the layout missing: nothing is asked
    ("text\n", "text", "tui"),
    ("graphical\n", "graphical", "tui"),  # no GUI here: the text UI asks what is missing
    ("text --non-interactive\n", "noninteractive", "cmdline"),  # nothing may be asked
    ("graphical --non-interactive\n", "noninteractive", "cmdline"),
    ("", None, "tui"),
])
def test_the_kickstart_display_mode_command(text, mode, expected):
    from installer.ui.frontend_choice import kickstart_mode

    handler, _ = parsed(text)
    assert kickstart_mode(handler) == mode
    choice = choose_frontend(parse_cmdline(""), 0, True, ["Installation destination"], True, mode)
    assert choice.name == expected


def test_kickstart_text_command_asks_for_the_full_screen_progress():
    assert choose_frontend(parse_cmdline(""), 0, True, [], True, "text").name == "tui"
    assert choose_frontend(parse_cmdline(""), 2, True, [], True, "text").name == "cmdline"
