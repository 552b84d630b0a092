"""The hub at 80x24: categories in two columns, marks, status lines, Begin disabled
until mandatory spokes are complete, Quit confirmed, F1 help, only what is missing with a
kickstart. The spokes here are minimal test spokes with a settable state."""
from __future__ import annotations

import urwid

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.spoke import LOCALIZATION, SOFTWARE, SYSTEM, USER_SETTINGS, Spoke
from tests.unit.tui.driver import Driver


class ToggleSpoke(Spoke):
    """Complete once opened and left: enough to drive the hub's logic."""

    def __init__(self, title, category, mandatory, done=False, status="not set"):
        super().__init__()
        self.title, self.category, self.mandatory = title, category, mandatory
        self.done, self._status = done, status
        self.help_text = f"help for {title}"

    def completed(self):
        return self.done

    def status(self):
        return "set" if self.done else self._status

    def body(self):
        return urwid.Filler(urwid.Text(f"inside {self.title}"))

    def leave(self):
        self.done = True
        return True

    def release(self):
        self.released = True


def make(kickstart_given=False, done=(), loaded=None):
    session = new_session(parse_cmdline(""), log_dir=None)
    if kickstart_given:
        session.loaded = object()  # only its presence matters to the hub
    if loaded is not None:
        session.loaded = loaded
    spokes = [ToggleSpoke("Language settings", LOCALIZATION, False, True, "English"),
              ToggleSpoke("Software selection", SOFTWARE, True, "Software selection" in done),
              ToggleSpoke("Installation destination", SYSTEM, True, "Installation destination" in done),
              ToggleSpoke("Root password", USER_SETTINGS, True, "Root password" in done)]
    events = []
    app = TuiApp(session)
    app.show(Hub(spokes, on_begin=lambda: events.append("begin"), on_quit=lambda: events.append("quit")))
    return Driver(app), events


def test_hub_layout_marks_and_missing_list():
    drive, _ = make()
    shown = drive.assert_shows("INSTALLATION SUMMARY", "LOCALIZATION", "SOFTWARE", "SYSTEM",
                               "USER SETTINGS", "1) [x] Language settings", "2) [!] Software selection",
                               "set", "Begin Installation",
                               "Please complete the items marked [!]: Software selection,",
                               "destination, Root password")
    lines = shown.splitlines()
    assert len(lines) == 24
    row = next(l for l in lines if "LOCALIZATION" in l)
    assert row.index("SOFTWARE") > 30  # two columns side by side


def test_begin_stays_disabled_until_complete_then_begins():
    drive, events = make()
    drive.press("b").assert_shows("Not ready", "Complete these first: Software selection")
    assert events == []
    drive.press("esc")
    for number in "234":
        drive.press(number).assert_shows("inside")
        drive.press("esc")
    drive.assert_shows("[x] Root password", "Ready: nothing is written")
    assert not any(getattr(s, "released", False) for s in drive.app.screens[0].spokes)
    drive.press("b")
    assert events == ["begin"]
    assert all(s.released for s in drive.app.screens[0].spokes)  # lists dropped before the install


def test_quit_asks_first_and_help_on_f1():
    drive, events = make()
    drive.press("q").assert_shows("Quit the installer?")
    drive.press("esc")  # Esc picks Cancel
    assert events == []
    drive.press("f1").assert_shows("Help", "[!] must be completed")
    drive.press("enter")
    drive.press("q", "enter")
    assert events == ["quit"]


def test_with_kickstart_only_missing_spokes_are_shown():
    drive, _ = make(kickstart_given=True, done=("Software selection", "Installation destination"))
    shown = drive.screen()
    assert "1) [!] Root password" in shown
    assert "Language settings" not in shown and "Software selection" not in shown


def test_too_small_terminal_says_so():
    drive, _ = make()
    drive.size = (60, 20)
    assert "needs at least 80x24" in drive.screen()


class SlowSpoke(ToggleSpoke):
    """Not ready until the test says so, like a spoke waiting for a scan."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_ready = False

    def ready(self):
        return self.is_ready


def kickstart_hub(spokes):
    session = new_session(parse_cmdline(""), log_dir=None)
    session.loaded = object()
    events = []
    app = TuiApp(session)
    app.show(Hub(spokes, on_begin=lambda: events.append("begin"), on_quit=lambda: None))
    return Driver(app), events


def test_kickstart_with_pending_work_begins_by_itself_once_complete():
    slow = SlowSpoke("Installation destination", SYSTEM, True, True)
    drive, events = kickstart_hub([ToggleSpoke("Root password", USER_SETTINGS, True, True), slow])
    drive.assert_shows("1) [-] Installation destination")
    assert events == []
    slow.is_ready = True
    drive.app.redraw()
    drive.screen()
    assert events == ["begin"]


def test_kickstart_pending_spoke_found_incomplete_stays_and_waits_for_begin():
    slow = SlowSpoke("Installation destination", SYSTEM, True, False)
    drive, events = kickstart_hub([ToggleSpoke("Root password", USER_SETTINGS, True, True), slow,
                                   ToggleSpoke("Network & host name", SYSTEM, False, True)])
    slow.is_ready = True
    drive.app.redraw()
    shown = drive.assert_shows("[!] Installation destination", "[x] Network & host name")
    assert "Root password" not in shown and events == []


def test_kickstart_warnings_are_on_the_hub_and_listed_with_w():
    """What a kickstart asks for and this installer does not apply is said on the hub, not
    only in a console line the TUI covers up."""
    from installer.kickstart.checks import check_install
    from installer.kickstart.load import parse
    from installer.kickstart.reader import Reader

    text = "mediacheck\nrealm join example.com\n"
    loaded = parse([("ks.cfg", text)], None, Reader())
    check_install(loaded)
    drive, _ = make(loaded=loaded, done=("Software selection",))
    drive.press("w").assert_shows("Kickstart warnings", "ks.cfg:1: mediacheck: not applied",
                                  "ks.cfg:2: realm: not applied")
    drive.press("enter")
    drive.assert_shows("The kickstart has 2 warning(s)", "key w lists them")
