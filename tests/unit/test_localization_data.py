"""The data side of the localization spokes: langtable read in a child process (real
langtable), the console-displayable rule, the cache that is released, real time zones,
and the NTP switch as the configure layer reads it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from installer.configure.timesync import ntp_wanted
from installer.ui import localization
from installer.kickstart.version import make_handler

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table():
    localization.release_language_table()
    loaded = localization.language_table()
    yield loaded
    localization.release_language_table()


def test_langtable_stays_out_of_the_installer_process():
    """Checked in a fresh interpreter: another test may import langtable into this one."""
    code = ("import sys\nfrom installer.ui import localization\n"
            "table = localization.language_table()\n"
            "assert table.find('cs_CZ.UTF-8')\n"
            "print('langtable' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_table_is_cached(table):
    assert localization.cached_language_table() is table
    assert localization.language_table() is table  # cached: no second child


def test_languages_with_native_and_english_names(table):
    czech, cs_cz = table.find("cs_CZ.UTF-8")
    assert czech.label == "Čeština (Czech)"
    assert (cs_cz.native, cs_cz.english) == ("Čeština (Česko)", "Czech (Czechia)")
    assert cs_cz.layouts == ("cz",) and cs_cz.timezone == "Europe/Prague"
    english = next(lang for lang in table.languages if lang.code == "en")
    assert english.label == "English"
    assert english.locales[0].name == "en_US.UTF-8"
    assert english.locales[0].native == "English (United States)"


def test_each_locale_listed_once_under_its_language(table):
    names = [info.name for lang in table.languages for info in lang.locales]
    assert len(names) == len(set(names))
    assert all("_" not in lang.code for lang in table.languages)
    assert table.find("he_IL.UTF-8")[0].code == "he"  # not the old code iw
    assert table.find("sr_RS.UTF-8@latin")[0].code == "sr"


def test_locale_names_match_loosely(table):
    assert table.find("cs_CZ.utf8")[1].name == "cs_CZ.UTF-8"
    assert table.find("de_DE")[1].name == "de_DE.UTF-8"
    assert table.find("xx_YY.UTF-8") is None


def test_layouts_proposed_in_kickstart_form_with_ascii_fallback(table):
    assert table.find("de_DE.UTF-8")[1].layouts == ("de (nodeadkeys)",)
    russian = table.find("ru_RU.UTF-8")[1]
    assert russian.layouts == ("ru", "us") and russian.switch == ("grp:alt_shift_toggle",)


def test_console_displayable_rule():
    for text in ("English", "Čeština", "Русский", "Ελληνικά", "Français (Canada)"):
        assert localization.console_displayable(text), text
    for text in ("日本語", "العربية", "हिन्दी",
                 "Tiếng Việt"):
        assert not localization.console_displayable(text), text


def test_console_offers_fewer_and_counts_the_rest(table):
    everything, none_hidden = table.offered(console=False)
    shown, hidden = table.offered(console=True)
    assert none_hidden == 0 and len(everything) == len(table.languages)
    assert hidden > 0 and len(shown) + hidden == len(table.languages)
    codes = {lang.code for lang in shown}
    assert {"cs", "ru", "el", "en"} <= codes and not {"ja", "ar", "hi"} & codes


def test_plain_console_from_term():
    assert localization.plain_console("linux") and localization.plain_console("vt220")
    assert not localization.plain_console("xterm-256color")
    assert not localization.plain_console("tmux-256color")


def test_fold_ignores_case_and_accents():
    assert "cest" in localization.fold("Čeština (Czech)")
    assert localization.fold("ÉIRE") == "eire"
    assert localization.fold("New_York") == "new york"


def test_release_clears_the_cache_and_a_reload_works(table):
    localization.release_language_table()
    assert localization.cached_language_table() is None
    again = localization.language_table()
    assert again is not table and again == table


def test_time_zones_real_data():
    assert localization.is_valid_timezone("Europe/Prague")
    assert localization.is_valid_timezone("Etc/UTC")
    assert not localization.is_valid_timezone("Mars/Olympus")
    assert not localization.is_valid_timezone("localtime")
    assert "Etc" in localization.regions() and "Europe" in localization.regions()
    assert "Prague" in localization.cities("Europe")
    assert "UTC" in localization.cities("Etc")
    assert "Argentina/Buenos_Aires" in localization.cities("America")
    assert localization.city_label("Argentina/Buenos_Aires") == "Argentina/Buenos Aires"


def test_set_timezone_only_valid_and_utc_first():
    handler = make_handler()
    with pytest.raises(ValueError, match="Mars/Olympus"):
        localization.set_timezone(handler, "Mars/Olympus")
    assert handler.timezone.timezone == "" and "timezone" not in str(handler)
    localization.set_timezone(handler, "Europe/Prague")
    assert "timezone Europe/Prague --utc" in str(handler)
    handler.timezone.isUtc = False
    localization.set_timezone(handler, "Europe/Vienna")  # a later zone keeps the choice
    assert "timezone Europe/Vienna\n" in str(handler)
    given = make_handler()
    given.timezone.seen = True  # a kickstart's `timezone` without --utc: local time
    localization.set_timezone(given, "Europe/Prague")
    assert not given.timezone.isUtc


def test_ntp_switch_is_what_the_configure_layer_reads():
    handler = make_handler()
    handler.timezone.timezone = "Europe/Prague"
    handler.timezone.seen = True
    assert localization.ntp_enabled(handler) and ntp_wanted(handler) is True
    localization.set_ntp(handler, False)
    assert not localization.ntp_enabled(handler) and ntp_wanted(handler) is False
    assert "timesource --ntp-disable" in str(handler)
    localization.set_ntp(handler, True)
    assert localization.ntp_enabled(handler) and "ntp-disable" not in str(handler)


def test_ntp_switch_on_an_old_handler_uses_nontp():
    handler = make_handler("RHEL8")
    handler.timezone.timezone = "UTC"
    localization.set_ntp(handler, False)
    assert "timezone UTC --nontp" in str(handler)
    assert not localization.ntp_enabled(handler)
