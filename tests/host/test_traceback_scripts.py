"""%traceback: run after an internal error (a bug), after %onerror as in Anaconda, with
the traceback in the log directory's anaconda-tb-*; never for an error a user can act on
(an InstallerError) nor for Ctrl-C. The internal error comes through the front-end seam
the installer really calls (its progress callback raising), before any package work."""
from __future__ import annotations

import stat

import pytest

from installer.errors import ScriptError
from tests.host.test_failures import Frontend as RecordingFrontend

pytestmark = pytest.mark.host

SCRIPTS = """%onerror
echo onerror >> {order}
%end
%traceback
echo traceback >> {order}
cat {logs}/anaconda-tb-* > {copy}
%end
%traceback --interpreter=/bin/sh
echo second-traceback >> {order}
%end
"""


class Frontend(RecordingFrontend):
    """Raises `error` at the first progress event."""

    def __init__(self, error: BaseException | None):
        super().__init__()
        self.error = error

    def progress(self, event):
        if self.error is not None:
            raise self.error


def install_run(tmp_path, small_repo, error, extra: str = ""):
    from installer.bootopts import parse_cmdline
    from installer.install import InstallRun
    from installer.kickstart.load import load
    from installer.kickstart.reader import Reader

    logs = tmp_path / "logs"
    logs.mkdir()
    ks = tmp_path / "ks.cfg"
    ks.write_text("lang en_US.UTF-8\nrootpw --lock\n%packages --nocore\nbase-a\n%end\n" + extra +
                  SCRIPTS.format(order=tmp_path / "order", logs=logs, copy=tmp_path / "tb-copy"))
    loaded = load([str(ks)], reader=Reader(), log_dir=logs)
    return InstallRun(loaded=loaded, options=parse_cmdline(f"inst.repo={small_repo.as_uri()}"),
                      log_dir=logs, target_root=tmp_path / "root", frontend=Frontend(error))


def test_an_internal_error_runs_onerror_then_traceback(tmp_path, small_repo):
    from installer.install import execute

    run = install_run(tmp_path, small_repo, RuntimeError("a bug in a progress callback"))
    with pytest.raises(RuntimeError):
        execute(run, end_action=False)
    assert (tmp_path / "order").read_text() == "onerror\ntraceback\nsecond-traceback\n"
    (tb,) = (tmp_path / "logs").glob("anaconda-tb-*")
    assert stat.S_IMODE(tb.stat().st_mode) == 0o600
    text = tb.read_text()
    assert text.startswith("Traceback (most recent call last):")
    assert text.rstrip().endswith("RuntimeError: a bug in a progress callback")
    assert (tmp_path / "tb-copy").read_text() == text  # the %traceback script read it
    saved = tmp_path / "root/var/log/anaconda"
    assert (saved / tb.name).read_text() == text
    assert (saved / "ks-script-traceback-1.log").exists()
    assert (saved / "ks-script-traceback-2.log").exists()


@pytest.mark.parametrize("error", [None, KeyboardInterrupt()], ids=["installer-error", "interrupt"])
def test_no_traceback_scripts_for_an_installer_error_or_an_interrupt(tmp_path, small_repo, error):
    from installer.install import execute

    failing = "%pre-install --erroronfail\nexit 3\n%end\n" if error is None else ""
    run = install_run(tmp_path, small_repo, error, failing)
    with pytest.raises(ScriptError if error is None else KeyboardInterrupt):
        execute(run, end_action=False)
    assert (tmp_path / "order").read_text() == "onerror\n"
    assert not list((tmp_path / "logs").glob("anaconda-tb-*"))
    assert not list((tmp_path / "logs").glob("ks-script-traceback-*"))
