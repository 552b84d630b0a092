"""installer/ui/software.py without urwid and without DNF: the controller's state, the
%packages its choices write, and the DNF work it hands to its single "depsolve" runner."""
from __future__ import annotations

import json

from installer.bootopts import parse_cmdline
from installer.ui.comps import Comps
from installer.ui.session import new_session
from installer.ui.software import CHECKING, SoftwareCheck, SoftwareController

COMPS = json.dumps({  # shaped like payload/comps.py's JSON
    "environments": [{"id": "minimal-environment", "name": "Minimal Install", "description": "",
                      "groups": ["core"], "options": [["standard", False]]}],
    "groups": [{"id": "core", "name": "Core", "description": "", "visible": True},
               {"id": "standard", "name": "Standard", "description": "", "visible": True}],
})


class Runner:
    """Records the work instead of running it; `finish` delivers a result."""

    def __init__(self):
        self.submitted, self.cancelled = [], 0

    def submit(self, work, on_done=None):
        self.submitted.append((work, on_done))

    def cancel(self):
        self.cancelled += 1

    def finish(self, result):
        self.submitted.pop()[1](result)


def controller(boot: str = "") -> tuple[SoftwareController, Runner]:
    runner = Runner()
    return SoftwareController(new_session(parse_cmdline(boot), log_dir=None), runner), runner


def test_without_a_source_nothing_runs():
    ctl, runner = controller()
    ctl.follow_source()
    assert ctl.ready() and not ctl.completed() and not runner.submitted
    assert ctl.status() == "Installation source not set up"


def test_loaded_comps_write_the_default_then_each_toggle_is_one_check():
    ctl, runner = controller("inst.repo=http://example.com/repo/")
    ctl.follow_source()
    assert len(runner.submitted) == 1 and not ctl.ready()
    runner.finish(SoftwareCheck(comps=Comps.from_json(COMPS), packages=3))
    assert ctl.state.busy == CHECKING and len(runner.submitted) == 1  # the default, checked
    assert ctl.handler.packages.environment == "minimal-environment"
    for _ in range(3):
        ctl.toggle_addon("standard")
    assert len(runner.submitted) == 4  # the runner supersedes all but the last
    runner.finish(SoftwareCheck(packages=7))
    assert ctl.completed() and ctl.state.packages == 7 and ctl.status() == "Minimal Install"
    assert ctl.chosen_groups() == {"standard"}


def test_missing_packages_can_be_skipped_and_a_failure_is_shown():
    ctl, runner = controller("inst.repo=http://example.com/repo/")
    ctl.follow_source()
    runner.finish(SoftwareCheck(comps=Comps.from_json(COMPS), error="not in any repository: x",
                                error_kind="MissingPackages"))
    runner.finish(SoftwareCheck(error="not in any repository: x", error_kind="MissingPackages"))
    assert ctl.can_skip_missing() and not ctl.completed()
    assert ctl.status() == "Error checking software dependencies: not in any repository: x"
    ctl.skip_missing()
    assert "--ignoremissing" in str(ctl.handler)
    runner.finish(RuntimeError("worker gone"))
    assert ctl.state.error == "RuntimeError: worker gone" and ctl.ready()  # a bug says its type
