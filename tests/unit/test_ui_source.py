"""The installation source controller (installer.ui.source) without a screen: a typed URL
is checked off the calling thread, only one that passed goes into the kickstart, a newer
check supersedes an older one. No urwid here."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import InstallerError
from installer.kickstart.writeout import output_text
from installer.ui.session import new_session
from installer.ui.source import SourceController

ROOT = Path(__file__).resolve().parents[2]
REPOMD = "<repomd><revision>42</revision></repomd>"


def repo(root, name: str = "repo"):
    (root / name / "repodata").mkdir(parents=True)
    (root / name / "repodata/repomd.xml").write_text(REPOMD)
    return root / name


def controller(boot: str = "", **kwargs) -> SourceController:
    return SourceController(new_session(parse_cmdline(boot), log_dir=None), **kwargs)


def test_the_controllers_need_no_urwid():
    """Importing the UI-model layer's controllers loads no toolkit."""
    code = ("import sys, installer.ui.source, installer.ui.destination; "
            "sys.exit('urwid' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_nothing_selected_is_incomplete():
    source = controller()
    source.setup()
    assert source.ready() and not source.completed()
    assert source.status() == "Nothing selected" and source.url_text() == ""


def test_typed_url_is_checked_and_written_to_the_handler(tmp_path):
    url = f"file://{repo(tmp_path)}"
    source = controller()
    assert source.wants_check(url)
    source.enter_url(str(repo(tmp_path, "other")))  # a bare path becomes file://
    assert source.wait(10)
    source.enter_url(url)
    assert source.wait(10)
    assert source.check.found == "repository metadata found (repodata/repomd.xml, revision 42)"
    assert source.completed() and source.status() == url
    assert f'url --url="{url}"' in output_text(source.handler)
    assert not source.wants_check(url)


def test_failed_url_is_kept_for_correction_and_reported(tmp_path):
    heard = []
    source = controller(on_failed=heard.append)
    missing = f"file://{tmp_path}/nothing"
    source.enter_url(missing)
    assert source.wait(10)
    assert source.check.error.endswith("does not exist") and heard == [source.check.error]
    assert not source.completed() and source.status() == "Error checking source"
    assert source.url_text() == missing and source.wants_check(missing)  # a retry
    assert "url " not in output_text(source.handler)


def test_malformed_url_is_refused_at_once():
    source = controller()
    with pytest.raises(InstallerError, match="nfs sources are given at boot"):
        source.enter_url("nfs:server:/path")
    assert not source.check.running and not source.runner.busy


def test_boot_option_source_is_checked_at_setup(tmp_path):
    url = f"file://{repo(tmp_path)}"
    source = controller(f"inst.repo={url}")
    source.setup()
    assert source.wait(10)
    assert source.completed() and source.check.found and not source.check.entered
    assert source.url_text() == url
    assert "url " not in output_text(source.handler)  # not typed: the handler is left alone


def test_newest_check_wins(tmp_path, monkeypatch):
    """Two checks in a row: the first one's result is dropped, the second's kept."""
    import installer.ui.source as module

    release = threading.Event()
    real = module.check_source

    def slow(source):
        if "first" in source.location:
            release.wait(10)
        return real(source)
    monkeypatch.setattr(module, "check_source", slow)
    first, second = repo(tmp_path, "first"), repo(tmp_path, "second")
    source = controller()
    source.enter_url(f"file://{first}")
    source.enter_url(f"file://{second}")
    release.set()
    assert source.wait(10)
    assert source.check.location == f"file://{second}" and not source.check.running
    assert f'url --url="file://{second}"' in output_text(source.handler)
    assert "first" not in output_text(source.handler)
