"""The time spoke at 80x24 on the real tz database: region and city by typing, Etc/UTC,
the UTC and NTP switches into the kickstart (what installer/configure reads back), a
partial kickstart shown and kept, an invalid zone never set."""
from __future__ import annotations

from installer.bootopts import parse_cmdline
from installer.configure.timesync import ntp_wanted
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.timedate import TimeSpoke
from tests.unit.tui.driver import Driver, open_spoke


def session_for(kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(""), log_dir=None, loaded=loaded)


def on_hub(session):
    """The time spoke alone on a real hub: number 1."""
    app = TuiApp(session)
    app.show(Hub([TimeSpoke()], on_begin=lambda: None, on_quit=lambda: None))
    return Driver(app)


def lines(session) -> list[str]:
    return output_text(session.handler).splitlines()


def test_not_set_by_default_and_mandatory():
    session = session_for()
    drive = on_hub(session)
    drive.assert_shows("1) [!] Time settings", "Timezone is not set",
                       "Please complete the items marked [!]: Time settings")
    drive.press("1").assert_shows("Time zone:  not set",
                                  "[X] Hardware clock in UTC (not local time)",
                                  "[X] Network time: synchronise the clock with NTP servers",
                                  "< Set time zone >")
    assert not any(line.startswith("timezone") for line in lines(session))


def test_utc_unticked_before_a_zone_is_kept():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("up", "up", " ").assert_shows("[ ] Hardware clock in UTC")
    assert not any(line.startswith("timezone") for line in lines(session))
    drive.press("down", "down", "enter").type("etc").press("enter").type("utc").press("enter")
    drive.assert_shows("Time zone:  Etc/UTC", "[ ] Hardware clock in UTC")
    assert "timezone Etc/UTC" in lines(session)


def test_region_then_city_by_typing():
    session = session_for()
    drive = on_hub(session)
    drive.press("1", "enter").assert_shows("Choose a region:", "11 of 11", "Europe", "Pacific")
    drive.type("eur").assert_shows("Filter: eur", "1 of 11")
    drive.press("enter").assert_shows("Choose a city in Europe:", "64 of 64",
                                      "Amsterdam", "Berlin")
    drive.type("prag").assert_shows("1 of ")
    drive.press("enter").assert_shows("Time zone:  Europe/Prague", "< Set time zone >")
    drive.press("esc").assert_shows("1) [x] Time settings", "Europe/Prague timezone",
                                    "Ready: nothing is written")
    assert "timezone Europe/Prague --utc" in lines(session)


def test_city_names_show_spaces_and_find_underscores():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("t").type("america").press("enter")
    drive.type("new_york").assert_shows("New York", "1 of ")
    drive.press("enter")
    assert session.handler.timezone.timezone == "America/New_York"


def test_etc_utc_reachable():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("enter").type("etc").press("enter").assert_shows("Choose a city in Etc:",
                                                                 "GMT+5")
    drive.type("utc").press("enter").assert_shows("Time zone:  Etc/UTC")
    assert "timezone Etc/UTC --utc" in lines(session)


def test_arrows_in_the_region_list():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("enter", "down", "down", "enter")  # into the list at Africa, then America
    drive.assert_shows("Choose a city in America:")


def test_clock_and_ntp_switches_go_into_the_kickstart():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("enter").type("europe").press("enter").type("berlin").press("enter")
    drive.press("up", " ").assert_shows("[ ] Network time")
    drive.press("up", " ").assert_shows("[ ] Hardware clock in UTC")
    text = lines(session)
    assert "timezone Europe/Berlin" in text and "timesource --ntp-disable" in text
    assert ntp_wanted(session.handler) is False
    drive.press(" ").press("down", " ").assert_shows("[X] Hardware clock", "[X] Network time")
    text = lines(session)
    assert "timezone Europe/Berlin --utc" in text
    assert not any("ntp-disable" in line for line in text)


def test_esc_steps_back_one_page_at_a_time():
    session = session_for()
    drive = on_hub(session)
    drive.press("1", "enter").type("asia").press("enter").assert_shows("Choose a city in Asia:")
    drive.press("esc").assert_shows("Choose a region:", "Filter:")
    drive.press("esc").assert_shows("< Set time zone >")
    drive.press("esc").assert_shows("INSTALLATION SUMMARY", "Timezone is not set")
    assert session.handler.timezone.timezone == ""


def test_no_match_selects_nothing():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("enter").type("mars").assert_shows("0 of 11")
    drive.press("enter").assert_shows("Choose a region:")
    assert session.handler.timezone.timezone == ""


def test_partial_kickstart_shown_and_kept():
    session = session_for("timezone America/New_York\ntimesource --ntp-disable\n")
    drive = on_hub(session)
    drive.assert_shows("[x] Time settings", "America/New_York timezone")
    drive.press("1").assert_shows("Time zone:  America/New_York", "[ ] Hardware clock in UTC",
                                  "[ ] Network time")
    drive.press("enter").assert_shows("* America")
    drive.press("esc", "esc")
    text = lines(session)
    assert "timezone America/New_York" in text and "timesource --ntp-disable" in text


def test_old_nontp_option_read_and_replaced_by_timesource():
    session = session_for("timezone Europe/Prague --utc --nontp\n")
    drive = open_spoke(TimeSpoke(), session)
    drive.assert_shows("[X] Hardware clock in UTC", "[ ] Network time")
    drive.press("up", " ", " ")  # NTP on, then off again: the F40 form is written
    text = lines(session)
    assert "timezone Europe/Prague --utc" in text and "timesource --ntp-disable" in text


def test_invalid_zone_is_shown_and_incomplete():
    session = session_for()
    session.handler.timezone.timezone = "Mars/Olympus"  # only possible from outside
    spoke = TimeSpoke()
    drive = open_spoke(spoke, session)
    assert not spoke.completed() and spoke.status() == "Mars/Olympus is not a valid timezone"
    drive.assert_shows("Mars/Olympus is not in the time zone database")
    drive.press("enter").type("etc").press("enter").type("utc").press("enter")
    assert spoke.completed() and spoke.status() == "Etc/UTC timezone"


def test_filter_survives_a_help_dialog():
    session = session_for()
    drive = open_spoke(TimeSpoke(), session)
    drive.press("enter").type("pac")
    drive.press("f1").assert_shows("Help", "UTC itself is in the region")
    drive.press("enter").assert_shows("Filter: pac", "1 of 11", "Pacific")
