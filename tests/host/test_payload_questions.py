"""A failed payload asks the front end: missing packages may be skipped, a download may be
retried, anything else aborts; the unattended answer is always Abort. Real dnf into a real
installroot (--dirinstall) from the small test repository; the person answering is a
front end with scripted answers."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import PayloadError
from installer.frontend import Question
from installer.install import ABORT, IGNORE_MISSING, InstallRun, execute
from installer.kickstart.load import load
from installer.kickstart.reader import Reader
from spokes.cmdline import CmdlineFrontend
from tests.host.test_payload_needs import installed


class Answering(CmdlineFrontend):
    """The cmdline front end, but a person answers each question with the next answer."""

    def __init__(self, answers: list[str]):
        super().__init__()
        self.answers, self.asked = answers, []

    def ask(self, question: Question) -> str:
        self.asked.append(question)
        return self.answers.pop(0)


KICKSTART = """\
rootpw --lock
%packages --nocore
base-a
not-in-any-repo
%end
"""


def run_with(tmp_path: Path, small_repo: Path, frontend) -> InstallRun:
    ks = tmp_path / "ks.cfg"
    ks.write_text(KICKSTART)
    options = parse_cmdline(f"inst.repo={small_repo.as_uri()}")
    logs = tmp_path / "logs"
    logs.mkdir()
    loaded = load([str(ks)], reader=Reader(), log_dir=logs)
    run = InstallRun(loaded=loaded, options=options, log_dir=logs, target_root=tmp_path / "root",
                     frontend=frontend)
    execute(run, end_action=False)
    return run


def test_missing_packages_skipped_when_the_person_says_so(tmp_path, small_repo):
    front = Answering([IGNORE_MISSING])
    run = run_with(tmp_path, small_repo, front)
    (question,) = front.asked
    assert question.choices == (IGNORE_MISSING, ABORT) and "not-in-any-repo" in question.text
    assert "base-a" in installed(tmp_path / "root")
    saved = (tmp_path / "root/root/anaconda-ks.cfg").read_text()
    assert "%packages --nocore --ignoremissing" in saved  # what was done is what is saved
    assert run.handler.packages.handleMissing


def test_unattended_answer_is_abort(tmp_path, small_repo, capsys):
    with pytest.raises(PayloadError) as failed:
        run_with(tmp_path, small_repo, CmdlineFrontend())
    assert "not-in-any-repo" in failed.value.message
    assert "Software installation failed: abort (non-interactive" in capsys.readouterr().err
