"""inst.singlelang: the language is not asked. The hub leaves the language spoke out and
the kickstart the TUI hands on carries the kickstart's lang, else inst.lang, else
en_US.UTF-8 (Anaconda's rule)."""
from __future__ import annotations

import pytest

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from spokes.tui.frontend import TuiFrontend
from spokes.tui.language import LanguageSpoke
from spokes.tui.spoke import LOCALIZATION
from tests.unit.tui.driver import Driver
from tests.unit.tui.test_hub import ToggleSpoke


def session_for(boot: str, kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(boot), log_dir=None, loaded=loaded)


@pytest.mark.parametrize("boot, kickstart, lang", [
    ("inst.singlelang", None, "en_US.UTF-8"),
    ("inst.singlelang inst.lang=cs_CZ.UTF-8", None, "cs_CZ.UTF-8"),
    ("inst.singlelang inst.lang=cs_CZ.UTF-8", "lang de_DE.UTF-8\n", "de_DE.UTF-8"),
])
def test_the_language_is_set_and_not_asked(boot, kickstart, lang):
    session = session_for(boot, kickstart)
    assert session.handler.lang.lang == lang and not session.ask_language
    assert not LanguageSpoke(console=False).shown(session)


def test_without_singlelang_the_language_is_asked():
    session = session_for("inst.lang=cs_CZ.UTF-8")
    assert session.ask_language and LanguageSpoke(console=False).shown(session)
    assert session.handler.lang.lang == "cs_CZ.UTF-8"  # asked, starting from inst.lang


def test_the_hub_leaves_the_language_spoke_out():
    session = session_for("inst.singlelang inst.lang=cs_CZ.UTF-8")
    front = TuiFrontend(spokes_factory=lambda: [
        LanguageSpoke(console=False), ToggleSpoke("Root password", LOCALIZATION, True, False)])
    shown = Driver(front.build(session, lambda f: ([], None))).assert_shows(
        "INSTALLATION SUMMARY", "1) [!] Root password")
    assert "Language settings" not in shown
