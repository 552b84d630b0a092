"""The keyboard spoke at 80x24 on a real hub beside the language and time spokes: the lists
filtered by typing, a keymap checked by the real loadkeys (a dry run: never loaded on
this host's console), layouts added, reordered and removed, the switching option, an
unknown keymap refused on screen, a kickstart's keyboard pre-filled, and a choice that a
later language leaves alone. Each checks the kickstart the session would save."""
from __future__ import annotations

import shutil
from pathlib import Path

from installer.bootopts import parse_cmdline
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.keyboards import ConsoleKeymaps
from installer.ui.keyboard import KeyboardModel
from installer.ui.session import new_session
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.keyboard import KeyboardSpoke
from spokes.tui.language import LanguageSpoke
from spokes.tui.timedate import TimeSpoke
from tests.unit.tui.driver import Driver

SIMPLE_MAP = "keymaps 0-1\nkeycode 30 = a A\n"


def make(tmp_path: Path, *keymaps: str, kickstart: str | None = None):
    """Language 1, Keyboard 2, Time 3; keymaps for loadkeys in a directory of the test."""
    directory = tmp_path / "keymaps" / "i386"
    directory.mkdir(parents=True)
    for name in keymaps:
        (directory / f"{name}.map").write_text(SIMPLE_MAP)
    assert shutil.which("loadkeys"), "loadkeys is missing: install Debian's kbd package"
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    session = new_session(parse_cmdline(""), log_dir=None, loaded=loaded, dry_run=True)
    model = KeyboardModel(session.handler, session.seen, session.dry_run,
                          ConsoleKeymaps(tmp_path / "keymaps"))
    app = TuiApp(session)
    app.show(Hub([LanguageSpoke(console=False), KeyboardSpoke(model), TimeSpoke()],
                 on_begin=lambda: None, on_quit=lambda: None))
    app.settle()
    return Driver(app), session


def keyboard_line(session) -> str:
    lines = output_text(session.handler).splitlines()
    return next((l for l in lines if l.startswith("keyboard")), "")


def test_the_hub_lists_it_under_localization_and_follows_the_language(tmp_path):
    drive, session = make(tmp_path)
    shown = drive.assert_shows("LOCALIZATION", "1) [x] Language settings", "2) [ ] Keyboard",
                               "Not set (us by default)", "3) [!] Time settings")
    assert shown.index("Keyboard") < shown.index("Time settings")
    drive.press("1").type("russ").press("enter").type("ru_RU").press("enter")
    drive.assert_shows("2) [x] Keyboard", "ru, us")
    drive.press("2").assert_shows("Console keymap:  ru (from the X layouts)",
                                  "This console:    ru is not loaded yet (l loads it)",
                                  "Switching:       grp:alt_shift_toggle (Alt+Shift)",
                                  "ru                       Russian  (default)",
                                  "us                       English (US)")
    assert keyboard_line(session) == ("keyboard --xlayouts='ru','us' "
                                      "--switch='grp:alt_shift_toggle'")


def test_choose_a_keymap_by_typing_it_is_checked_not_loaded(tmp_path):
    drive, session = make(tmp_path, "de-latin1-nodeadkeys")
    drive.press("2", "k").assert_shows("Console keymap (a name no entry matches",
                                       "Filter:", "de-latin1-nodeadkeys")
    shown = drive.type("no dead").assert_shows("de-latin1-nodeadkeys     German (no dead keys)",
                                               "sg                       German (Switzerland, "
                                               "no dead keys)", "3 of ")
    assert "English" not in shown.split("Filter:")[1]
    drive.press("enter").assert_shows(
        "Console keymap:  de-latin1-nodeadkeys",
        "This console:    de-latin1-nodeadkeys checked by loadkeys; not loaded (dry")
    assert keyboard_line(session) == "keyboard --vckeymap=de-latin1-nodeadkeys"
    drive.press("esc").assert_shows("2) [x] Keyboard", "de-latin1-nodeadkeys")


def test_an_unknown_keymap_is_refused_on_screen(tmp_path):
    drive, session = make(tmp_path, "mine")
    drive.press("2", "k").type("nosuch").assert_shows("0 of ")
    drive.press("enter").assert_shows("Console keymap: 'nosuch' is not a keymap loadkeys",
                                      "expected a console", "Filter: nosuch")
    assert keyboard_line(session) == ""
    drive.press(*["backspace"] * 6).type("english (us)").press("enter")  # listed, not in the dir
    drive.assert_shows("Console keymap: 'us' is not a keymap loadkeys finds")
    drive.press("esc").assert_shows("Console keymap:  none (the console keeps its keymap)")
    drive.press("esc").assert_shows("2) [ ] Keyboard")
    assert keyboard_line(session) == ""


def test_a_keymap_only_in_the_keymap_directory_is_taken_as_typed(tmp_path):
    drive, session = make(tmp_path, "mine")
    drive.press("2", "k").type("mine").assert_shows("0 of ")
    drive.press("enter").assert_shows("Console keymap:  mine", "mine checked by loadkeys")
    assert keyboard_line(session) == "keyboard --vckeymap=mine"


def test_layouts_added_moved_up_removed_and_switching(tmp_path):
    drive, session = make(tmp_path, "us")
    drive.press("2", "a").type("czech (qwerty)").assert_shows("cz (qwerty)  ", "1 of ")
    # kbd-model-map's console keymap for the layout, missing here: a note, not a refusal
    drive.press("enter").assert_shows("cz (qwerty)              Czech (QWERTY)  (default)",
                                      "Console keymap:  cz-lat2 (from the X layouts)",
                                      "not loaded: 'cz-lat2' is not a keymap loadkeys finds")
    drive.press("a").type("english (us)").press("enter")
    assert keyboard_line(session) == "keyboard --xlayouts='cz (qwerty)','us'"
    # cz (qwerty) then us: kbd-model-map has cz-qwerty for exactly these, not in the dir
    drive.assert_shows("Console keymap:  cz-qwerty (from the X layouts)")
    drive.press("down", "u").assert_shows("us                       English (US)  (default)",
                                          "Console keymap:  us (from the X layouts)",
                                          "us checked by loadkeys")
    assert keyboard_line(session) == "keyboard --xlayouts='us','cz (qwerty)'"
    drive.press("s").type("alt+shift").press("enter")
    drive.assert_shows("Switching:       grp:alt_shift_toggle (Alt+Shift)")
    assert keyboard_line(session) == ("keyboard --xlayouts='us','cz (qwerty)' "
                                      "--switch='grp:alt_shift_toggle'")
    drive.press("down", "d")  # the focus stays on the layout last changed: us, then down
    assert keyboard_line(session) == ("keyboard --xlayouts='us' "
                                      "--switch='grp:alt_shift_toggle'")
    drive.press("s").type("none").press("enter").assert_shows("Switching:       none")
    assert keyboard_line(session) == "keyboard --xlayouts='us'"


def test_an_unknown_layout_is_refused_on_screen(tmp_path):
    drive, session = make(tmp_path)
    drive.press("2", "a").type("zz").press("enter")
    drive.assert_shows("X layout: 'zz' is not an X keyboard layout; expected a layout such as")
    assert keyboard_line(session) == ""


def test_a_choice_survives_a_later_language(tmp_path):
    drive, session = make(tmp_path, "mine")
    drive.press("1").type("russ").press("enter").type("ru_RU").press("enter")
    drive.press("2", "k").type("mine").press("enter", "esc")
    drive.press("1").type("cest").press("enter", "enter")
    assert session.handler.lang.lang == "cs_CZ.UTF-8"
    assert keyboard_line(session) == ("keyboard --vckeymap=mine --xlayouts='ru','us' "
                                      "--switch='grp:alt_shift_toggle'")


def test_use_now_takes_the_proposal_as_the_choice(tmp_path):
    drive, session = make(tmp_path, "ru")
    drive.press("1").type("russ").press("enter").type("ru_RU").press("enter")
    drive.press("2", "l").assert_shows("ru checked by loadkeys; not loaded (dry run)")
    drive.press("esc", "1").type("cest").press("enter", "enter")
    assert "--xlayouts='ru','us'" in keyboard_line(session)


def test_a_kickstart_keyboard_prefills_and_counts_complete(tmp_path):
    """With a kickstart the hub lists what it left out (the time zone) and the optional
    spokes beside it: the keyboard is number 1 there, complete."""
    drive, session = make(tmp_path, "mine",
                          kickstart="keyboard --vckeymap=mine --xlayouts='cz (qwerty)'\n")
    drive.assert_shows("1) [x] Keyboard", "mine; cz (qwerty)", "2) [!] Time settings")
    drive.press("1").assert_shows("Console keymap:  mine",
                                  "mine checked by loadkeys; not loaded (dry run)",
                                  "cz (qwerty)              Czech (QWERTY)  (default)")
    drive.press("esc")
    assert keyboard_line(session) == "keyboard --vckeymap=mine --xlayouts='cz (qwerty)'"


def test_a_kickstart_keymap_this_console_lacks_is_said_and_kept(tmp_path):
    drive, session = make(tmp_path, "mine", kickstart="keyboard --vckeymap=cz-qwerty\n")
    drive.assert_shows("1) [x] Keyboard", "cz-qwerty")
    drive.press("1").assert_shows(
        "This console:    not loaded: 'cz-qwerty' is not a keymap loadkeys finds")
    drive.press("a").type("english (us)").press("enter")
    assert keyboard_line(session) == "keyboard --vckeymap=cz-qwerty --xlayouts='us'"
    drive.press("k").type("mine").press("enter", "esc").assert_shows("1) [x] Keyboard", "mine")
    assert keyboard_line(session) == "keyboard --vckeymap=mine --xlayouts='us'"


def test_help_is_specific(tmp_path):
    drive, _ = make(tmp_path)
    drive.press("2", "f1").assert_shows("Help", "It is loaded on this",
                                        "the language leaves it alone")
