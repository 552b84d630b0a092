"""Additional repositories in the source spoke at 80x24, by keys: `a` adds one (its own
screen), Enter/e edits, d removes (asked first); each is checked against a real HTTP server
on 127.0.0.1 and is in the kickstart as `repo` only once it passed; wrong fields are named
on the repository screen; a kickstart's repositories are listed and checked at start."""
from __future__ import annotations

import pytest

from spokes.tui.hub import Hub
from spokes.tui.source import SourceSpoke
from spokes.tui.source_repo import RepoScreen
from tests.unit.tui.test_source import dialog, ks_text, session_for, shows, with_hub
from tests.vm.harness import HttpServer


@pytest.fixture
def served(tmp_path):
    for name in ("base", "updates"):
        (tmp_path / name / "repodata").mkdir(parents=True)
        (tmp_path / name / "repodata/repomd.xml").write_text("<repomd></repomd>")
    with HttpServer(tmp_path) as server:
        yield server


def repo_lines(session) -> list[str]:
    return [line for line in ks_text(session).splitlines() if line.startswith("repo ")]


def test_add_edit_and_remove_a_repository(served):
    session = session_for(f"inst.repo={served.url('base/')}")
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.assert_shows("[x] Installation source")  # the boot option's source checked
    drive.press("1", "down", "down", "down", "a")  # URL, proxy, its password, the TLS box: a
    assert isinstance(drive.app.current, RepoScreen)
    shows(drive, "Add a repository", "Name:", "(X) Base URL", "( ) Mirror list", "Cost (optional):",
          "Include only:", "Exclude:", "Proxy (optional):", "[ ] Keep on the installed system",
          "< Save", "< Cancel")
    drive.type("updates").press("down", "down").type(served.url("updates/"))
    drive.press("down").type("20").press("down").type("kernel*, bash").press("down").type("foo")
    drive.press("down", "down", "down", "down", " ")  # Keep on the installed system
    drive.press("esc")
    assert drive.app.current is spoke
    shows(drive, "Additional repositories", f"[x] updates {served.url('updates/')}",
          "checked, cost 20, only kernel*,bash, not foo, kept on the system")
    assert repo_lines(session) == [
        f'repo --name="updates" --baseurl={served.url("updates/")} --cost=20 '
        '--includepkgs="kernel*,bash" --excludepkgs="foo" --install']
    drive.press(*["down"] * 12, "e")  # the last line: the repository
    shows(drive, "Repository updates", "Name:", "updates", "Cost (optional):", "20")
    drive.press("down", "down", "down", "end", "backspace", "backspace").type("5")
    drive.press("esc")
    assert "--cost=5 " in repo_lines(session)[0] and len(repo_lines(session)) == 1
    drive.press("esc")
    drive.assert_shows("[x] Installation source", "(+1 repository)")
    drive.press("1", *["down"] * 12, "d")
    assert dialog(drive) == (f"Remove the repository updates ({served.url('updates/')})? "
                             "< Remove >  < Keep   >")
    drive.press("enter")
    shows(drive, "Additional repositories (a add, Enter/e edit, d remove): none")
    assert repo_lines(session) == []


def test_wrong_fields_are_named_and_a_failing_repository_is_shown(served):
    session = session_for(f"inst.repo={served.url('base/')}")
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.assert_shows("[x] Installation source")
    drive.press("1", "down", "down", "down", "a")
    drive.type("bad name").press("down", "down").type("example.com/repo")
    drive.press("down").type("cheap").press("esc")
    assert isinstance(drive.app.current, RepoScreen)
    shows(drive, "Name 'bad name': use only letters, digits, '_', '.', ':' or '-'",
          "Base URL 'example.com/repo': expected http://HOST/PATH",
          "Cost 'cheap': enter a whole number, 0 or more")
    drive.press("up", "up", "up", "up", "home", "right", "right", "right", "delete").type("-")
    drive.press("down", "down", "home", *["delete"] * 20).type(served.url("missing/"))
    drive.press("down", "end", *["backspace"] * 5)
    drive.press("esc")
    assert drive.app.current is spoke
    shows(drive, f"[!] bad-name {served.url('missing/')}", "error", "HTTP 404 File not found")
    assert repo_lines(session) == [] and not spoke.completed()
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    drive.assert_shows("[!] Installation source", "Error checking a repository")


def test_cancel_keeps_nothing_and_kickstart_repositories_are_listed(served):
    ks = f'repo --name=kept --baseurl={served.url("updates/")} --cost=7\n'
    session = session_for(f"inst.repo={served.url('base/')}", kickstart=ks)
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.assert_shows("[x] Installation source", "(+1 repository)")
    drive.press("1")
    shows(drive, f"[x] kept {served.url('updates/')} checked, cost 7")
    drive.press("down", "down", "down", "a").type("other")
    drive.press(*["down"] * 12, "right", "enter")  # Cancel
    assert drive.app.current is spoke
    assert [line.split()[1] for line in repo_lines(session)] == ['--name="kept"']


def test_typing_survives_a_visit_to_the_repository_screen(served):
    session = session_for()
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.press("1").type(served.url("base/"))
    drive.press("down", "down", "down", "a", "esc")  # an untouched form adds nothing
    assert drive.app.current is spoke and spoke.repos.entries == []
    shows(drive, f"Repository URL: {served.url('base/')}", "Not checked")
    drive.press("esc")
    drive.assert_shows("[x] Installation source")
    assert f'url --url="{served.url("base/")}"' in ks_text(session)
