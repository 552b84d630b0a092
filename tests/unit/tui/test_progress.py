"""Begin Installation to the end: the progress screen fed from a real worker thread,
questions answered in dialogs while the worker waits, failures as dialogs, and the
kickstart the TUI produced saved with the logs. The install itself is a function given to
the front end here; the real one is driven in tests/host/test_tui_tmux.py."""
from __future__ import annotations

import stat

from installer.bootopts import parse_cmdline
from installer.errors import PayloadError
from installer.frontend import Question
from installer.ui.session import Outcome, new_session
from installer.tasks import ProgressEvent
from spokes.tui.app import TuiApp
from spokes.tui.frontend import TuiFrontend
from spokes.tui.progress import ProgressScreen
from spokes.tui.spoke import LOCALIZATION
from tests.unit.tui.driver import Driver
from tests.unit.tui.test_hub import ToggleSpoke


def start(tmp_path, begin, spokes_done=True):
    session = new_session(parse_cmdline(""), log_dir=tmp_path)
    session.handler.lang.lang = "cs_CZ.UTF-8"
    front = TuiFrontend(spokes_factory=lambda: [
        ToggleSpoke("Language settings", LOCALIZATION, True, spokes_done)])
    app = front.build(session, begin)
    return front, Driver(app)


def event(task, message, fraction):
    return ProgressEvent(task=task, index=1, count=2, fraction=fraction, message=message)


def test_progress_then_quit(tmp_path):
    def begin(frontend):
        frontend.progress(event("Installing packages", "Downloaded bash.rpm", 0.4))
        frontend.message("a message from the installer")
        return ["Installation complete; the kickstart asks for no reboot or power off."], None

    front, drive = start(tmp_path, begin)
    drive.press("b")
    shown = drive.assert_shows("INSTALLATION PROGRESS", "Complete", "elapsed 0:00:0",
                               "Installing packages: Downloaded bash.rpm",
                               "a message from the installer", "Installation complete", "< Quit >")
    assert "100 %" in shown
    saved = tmp_path / "interactive-ks.cfg"
    assert "lang cs_CZ.UTF-8" in saved.read_text()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    drive.press("esc")  # no way back to the hub
    drive.assert_shows("INSTALLATION PROGRESS")
    drive.press("enter")
    assert front.app.exit_value == Outcome(0)


def test_question_waits_for_the_answer(tmp_path):
    answers = []

    def begin(frontend):
        answers.append(frontend.ask(Question("Software installation failed", "download of x.rpm failed",
                                             ("Retry", "Abort"), "Abort")))
        return ["done"], None

    front, drive = start(tmp_path, begin)
    drive.press("b")
    drive.assert_shows("Software installation failed", "download of x.rpm failed", "< Retry >", "< Abort >")
    assert answers == [] and front.worker.busy
    drive.press("enter")  # focus starts on the first choice: Retry
    front.worker.wait(5)
    assert answers == ["Retry"]
    drive.assert_shows("Complete")


def test_failure_becomes_a_dialog_with_the_exit_code(tmp_path):
    def begin(frontend):
        raise PayloadError("packages could not be downloaded: bash")

    front, drive = start(tmp_path, begin)
    drive.press("b")
    drive.assert_shows("Installation failed (payload error)", "packages could not be downloaded",
                       "anaconda.log", "< Exit >")
    drive.press("enter")
    assert front.app.exit_value == Outcome(PayloadError.exit_code)


def test_complete_kickstart_goes_straight_to_progress(tmp_path):
    session = new_session(parse_cmdline(""), log_dir=tmp_path)
    session.loaded = object()
    front = TuiFrontend(spokes_factory=lambda: [ToggleSpoke("Root password", LOCALIZATION, True, True)])
    app = front.build(session, lambda f: (["done"], "reboot"))
    Driver(app).screen()
    assert app.exit_value == Outcome(0, "reboot")  # the kickstart asked to reboot: no button


def test_elapsed_time_redraws_every_second_while_running(tmp_path):
    """The main loop's one-second alarm redraws a ticking screen; the clock is the
    screen's, so the test moves it instead of waiting."""
    now = [100.0]
    screen = ProgressScreen(clock=lambda: now[0])
    session = new_session(parse_cmdline(""), log_dir=tmp_path)
    app = TuiApp(session)
    app.show(screen)
    drive = Driver(app)
    drive.assert_shows("elapsed 0:00:00")

    class Loop:  # what _tick needs of urwid's MainLoop: re-arming its alarm
        alarms = []

        def set_alarm_in(self, seconds, callback):
            self.alarms.append(seconds)

    now[0] += 75
    app._tick(Loop())
    drive.assert_shows("elapsed 0:01:15")
    assert Loop.alarms == [1.0] and screen.ticking()
    screen.finish(["done"], "Quit", lambda: None)
    assert not screen.ticking()


def test_the_tui_kickstart_is_among_the_logs_copied_to_the_target(tmp_path):
    from installer.logs import copy_logs

    session = new_session(parse_cmdline(""), log_dir=tmp_path / "logs")
    from spokes.tui.frontend import save_kickstart

    save_kickstart(session)
    dest = copy_logs(tmp_path / "logs", tmp_path / "target")
    assert (dest / "interactive-ks.cfg").read_text().startswith("# Generated by anaconda-lean")
