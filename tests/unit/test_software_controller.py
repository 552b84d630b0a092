"""installer/ui/software.py without urwid and without DNF: the controller's state, the
%packages its choices write, and the DNF work it hands to its single "depsolve" runner."""
from __future__ import annotations

import json

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import PayloadError
from installer.ui.comps import Comps
from installer.ui.packages import PackageIndex
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


LISTING = "bash\tThe GNU Bourne Again shell\nnano\tA small text editor\nvim\tThe VIM editor\n" \
    "vim-minimal\tA minimal version of the VIM editor\n"


def loaded(boot: str = "inst.repo=http://example.com/repo/") -> tuple[SoftwareController, Runner]:
    """Comps and package list delivered as the worker's survey brings them; the default
    environment's check still waits in the runner."""
    ctl, runner = controller(boot)
    ctl.follow_source()
    runner.finish(SoftwareCheck(comps=Comps.from_json(COMPS), index=PackageIndex(LISTING),
                                packages=3))
    return ctl, runner


def test_typed_packages_are_checked_against_the_list_and_each_edit_is_one_check():
    ctl, runner = loaded()
    assert len(runner.submitted) == 1
    assert ctl.add_spec(" vim ") == "Added vim"
    assert ctl.add_spec("-nano") == "Excluded nano (-nano)"
    assert ctl.add_spec("vim-*") == "Added vim-*"
    ctl.set_exclude_weakdeps(True)
    ctl.set_exclude_weakdeps(True)  # no change: no check
    assert len(runner.submitted) == 5
    for wrong, said in (("emacs", "no package is named emacs in the installation source"),
                        ("-emacs", "no package is named emacs"), ("ema*", "no package matches ema*"),
                        ("vim nano", "give one package name"), ("@core", "groups are chosen above"),
                        ("", "nothing: give one package name")):
        with pytest.raises(PayloadError) as raised:
            ctl.add_spec(wrong)
        assert said in raised.value.message
    assert len(runner.submitted) == 5  # refused names start no check
    assert ctl.listed_packages() == [("+", "vim"), ("+", "vim-*"), ("-", "nano")]
    assert str(ctl.handler).count("%packages --exclude-weakdeps\n@^minimal-environment\n"
                                  "vim\nvim-*\n-nano\n") == 1
    ctl.include("nano")  # from the search: taking the exclusion back
    ctl.forget("vim-*")
    assert ctl.listed_packages() == [("+", "vim"), ("+", "nano")]


def test_search_and_summaries_come_from_the_list_without_a_worker():
    ctl, runner = loaded()
    before = len(runner.submitted)
    assert [r.name for r in ctl.search("VIM").rows] == ["vim", "vim-minimal"]
    assert [r.name for r in ctl.search("small").rows] == ["nano"]
    assert ctl.summary("nano") == "A small text editor" and ctl.summary("emacs") is None
    assert ctl.known("vim*") and not ctl.known("emacs")
    assert len(runner.submitted) == before


def test_a_package_before_any_choice_keeps_the_default_environment():
    ctl, runner = loaded()
    runner.finish(SoftwareCheck(packages=3))
    assert ctl.handler.packages.environment == "minimal-environment"
    ctl.handler.packages.seen = False  # as before write_default (a source changed under it)
    ctl.handler.packages.environment = None
    ctl.include("bash")
    assert "%packages\n@^minimal-environment\nbash\n" in str(ctl.handler)


def test_before_the_list_is_loaded_a_typed_name_waits():
    ctl, runner = controller("inst.repo=http://example.com/repo/")
    ctl.follow_source()
    with pytest.raises(PayloadError, match="still loading"):
        ctl.add_spec("vim")
    assert ctl.search("vim").rows == [] and len(runner.submitted) == 1
    assert ctl.package_note("vim") == ("", False)  # nothing to say before the list
    runner.finish(SoftwareCheck(error="cannot download repomd.xml", error_kind="RepoError"))
    with pytest.raises(PayloadError, match="could not be loaded"):
        ctl.add_spec("vim")
