"""The language spoke at 80x24 with real langtable data (read by a child process):
type-to-filter, language then locale, the proposals for keyboard and time zone, the
plain-console filter, the table released on leaving, a partial kickstart kept."""
from __future__ import annotations


from installer.bootopts import parse_cmdline
from installer.ui import localization
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.language import LanguageSpoke
from spokes.tui.timedate import TimeSpoke
from tests.unit.tui.driver import Driver


def make(console: bool = False, kickstart: str | None = None, settle: bool = True):
    """The two localization spokes on a real hub; the language spoke is number 1."""
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    session = new_session(parse_cmdline(""), log_dir=None, loaded=loaded)
    language = LanguageSpoke(console=console)
    app = TuiApp(session)
    app.show(Hub([language, TimeSpoke()], on_begin=lambda: None, on_quit=lambda: None))
    if settle:
        app.settle()
    return Driver(app), session, language


def kickstart(session) -> str:
    return output_text(session.handler)


def unsettled(drive: Driver) -> str:
    """The screen as drawn now, before queued background results are delivered."""
    return "\n".join(r.decode() for r in drive.app.root.render(drive.size, focus=True).text)


def test_not_ready_until_loaded_then_english_by_default():
    drive, session, language = make(settle=False)
    # the table arrives through the UI thread's queue, which only settle() empties
    assert not language.ready()
    raw = unsettled(drive)
    assert "[-] Language settings" in raw and "Loading languages..." in raw
    drive.assert_shows("1) [x] Language settings", "English (United States)")
    assert "lang en_US.UTF-8" in kickstart(session)


def test_type_to_filter_choose_czech_proposes_keyboard_and_timezone():
    drive, session, _ = make()
    drive.press("1").assert_shows("Language settings", "Language:   English (United States)",
                                  "Filter:", "* English")
    shown = drive.type("cest").assert_shows("Filter: cest", "1 of ", "Čeština (Czech)")
    assert "English" not in shown.split("Filter:")[1]
    drive.press("enter").assert_shows("Locales of Čeština (Czech):",
                                      "cs_CZ.UTF-8        Čeština (Česko)")
    drive.press("enter").assert_shows("INSTALLATION SUMMARY", "[x] Language settings",
                                      "Čeština (Česko)", "[x] Time settings",
                                      "Europe/Prague timezone")
    text = kickstart(session)
    assert "lang cs_CZ.UTF-8" in text
    assert "keyboard --xlayouts='cz'" in text
    assert "timezone Europe/Prague --utc" in text


def test_english_name_filter_arrows_and_locale_choice():
    drive, session, _ = make()
    drive.press("1").type("english")
    drive.press("enter").assert_shows("Locales of English:", "* en_US.UTF-8",
                                      "en_GB.UTF-8        English (United Kingdom)")
    drive.press("down", "down", "enter")  # from the filter into the list, then one down
    assert session.handler.lang.lang == "en_GB.UTF-8"
    text = kickstart(session)
    assert "keyboard --xlayouts='gb'" in text and "timezone Europe/London" in text


def test_non_ascii_layout_gets_us_and_a_switch():
    drive, session, _ = make()
    drive.press("1").type("russian").press("enter")
    drive.type("ru_RU").press("enter")
    assert session.handler.lang.lang == "ru_RU.UTF-8"
    assert ("keyboard --xlayouts='ru','us' --switch='grp:alt_shift_toggle'"
            in kickstart(session))


def test_esc_on_locales_goes_back_to_languages_then_hub():
    drive, session, _ = make()
    drive.press("1").type("deutsch").press("enter").assert_shows("Locales of Deutsch (German):")
    drive.press("esc").assert_shows("Filter: deutsch", "Deutsch (German)")
    drive.press("esc").assert_shows("INSTALLATION SUMMARY", "English (United States)")
    assert session.handler.lang.lang == "en_US.UTF-8"


def test_plain_console_hides_undrawable_languages_and_says_how_many():
    drive, _, _ = make(console=True)
    shown = drive.press("1").assert_shows("languages need a graphical console and are not "
                                          "shown", "Filter:")
    total = len(localization.cached_language_table().languages)
    hidden = int(shown.split("languages need")[0].split()[-1])
    assert 0 < hidden < total
    assert f"{total - hidden} of {total - hidden}" in shown
    drive.type("japan").assert_shows("0 of ")
    drive.press(*["backspace"] * 5).type("russ").assert_shows("Русский (Russian)")


def test_graphical_terminal_shows_every_language():
    drive, _, _ = make(console=False)
    shown = drive.press("1").type("japan").assert_shows("日本語 (Japanese)", "1 of ")
    assert "graphical console" not in shown


def test_table_released_on_leaving_and_reloaded_on_return():
    drive, _, language = make()
    drive.press("1")
    assert localization.cached_language_table() is not None
    drive.type("cest").press("enter", "enter")
    assert localization.cached_language_table() is None and language.table is None
    drive.app.handle_key("1", drive.size)  # reloading: shown until the UI thread gets it
    assert "Loading the list of languages..." in unsettled(drive)
    drive.assert_shows("Čeština (Česko)  (cs_CZ.UTF-8)", "* Čeština (Czech)")
    drive.press("esc")
    assert localization.cached_language_table() is None


def test_user_timezone_and_kickstart_keyboard_are_not_overridden():
    drive, session, _ = make()
    session.handler.keyboard.vc_keymap = "us"  # as a partial kickstart gives it
    session.seen.add("keyboard")
    drive.press("2", "enter").type("amer").press("enter").type("new_york").press("enter")
    drive.press("esc")
    assert session.handler.timezone.timezone == "America/New_York"
    drive.press("1").type("cest").press("enter", "enter")
    text = kickstart(session)
    assert "lang cs_CZ.UTF-8" in text
    assert "timezone America/New_York --utc" in text
    assert "keyboard --vckeymap=us" in text and "'cz'" not in text


def test_a_later_choice_replaces_the_earlier_proposal():
    drive, session, _ = make()
    drive.press("1").type("deutsch").press("enter").type("de_DE").press("enter")
    assert session.handler.timezone.timezone == "Europe/Berlin"
    drive.press("1").type("cest").press("enter", "enter")
    text = kickstart(session)
    assert "timezone Europe/Prague" in text and "keyboard --xlayouts='cz'" in text


def test_partial_kickstart_prefills_and_is_kept():
    drive, session, _ = make(kickstart="lang de_DE.UTF-8\ntimezone Europe/Vienna\n")
    drive.assert_shows("Deutsch (Deutschland)", "Europe/Vienna timezone")
    drive.press("1").assert_shows("Deutsch (Deutschland)  (de_DE.UTF-8)", "* Deutsch (German)")
    drive.press("enter").assert_shows("* de_DE.UTF-8")
    drive.press("down", "down", "enter")  # into the list at de_DE, then de_AT
    text = kickstart(session)
    assert "lang de_AT.UTF-8" in text
    assert "timezone Europe/Vienna" in text and "--utc" not in text  # as the kickstart said
    assert "keyboard --xlayouts='at (nodeadkeys)'" in text  # the kickstart gave none


def test_a_failed_load_is_said_and_the_default_stays(monkeypatch):
    """A real child that fails (exit status 1, no output) stands for a broken langtable."""
    localization.release_language_table()
    monkeypatch.setattr(localization.sys, "executable", "/bin/false")
    drive, session, _ = make()
    drive.assert_shows("1) [x] Language settings", "en_US.UTF-8")
    drive.press("1").assert_shows("The list of languages could not be loaded",
                                  "reading langtable failed")
    drive.press("esc").assert_shows("INSTALLATION SUMMARY")
    assert "lang en_US.UTF-8" in kickstart(session)


def test_help_is_specific():
    drive, _, _ = make()
    drive.press("1", "f1").assert_shows("Help", "Language settings: the language of the installed",
                                  "finds", "Čeština")


def test_filtering_never_reloads_the_table():
    """Each key only scans the folded labels: no reload, no re-import (the time per key is
    bench/tui.py's figure, not a test's)."""
    drive, _, _ = make()
    drive.press("1")
    table = localization.cached_language_table()
    for _ in range(3):
        drive.type("sloven")
        drive.screen()
        drive.press(*["backspace"] * 6)
        drive.screen()
    assert localization.cached_language_table() is table
