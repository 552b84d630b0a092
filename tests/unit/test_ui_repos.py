"""Additional repositories (installer.ui.repos) without a screen: added, edited, removed;
each checked in the background against a real HTTP server on 127.0.0.1 and written to
the kickstart as `repo` only once it passed; every wrong field named."""
from __future__ import annotations

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import InstallerError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.ui.repos import ReposController
from installer.ui.repos_extra import RepoForm
from installer.ui.session import new_session
from tests.vm.harness import HttpServer

REPOMD = "<repomd><revision>9</revision></repomd>"


@pytest.fixture
def served(tmp_path):
    for name in ("updates", "extras"):
        (tmp_path / name / "repodata").mkdir(parents=True)
        (tmp_path / name / "repodata/repomd.xml").write_text(REPOMD)
    with HttpServer(tmp_path) as server:
        (tmp_path / "mirrors").write_text(server.url("extras/") + "\n")
        yield server


def repos(kickstart: str | None = None, boot: str = "", heard: list | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    session = new_session(parse_cmdline(boot), log_dir=None, loaded=loaded)
    return ReposController(session, on_failed=(heard.append if heard is not None else None))


def repo_lines(controller) -> list[str]:
    return [line for line in output_text(controller.handler).splitlines()
            if line.startswith("repo ")]


def test_added_repository_is_checked_then_written(served):
    controller = repos()
    entry = controller.save(RepoForm(name="updates", url=served.url("updates/"), cost="50",
                                     includepkgs="kernel*, bash", excludepkgs="foo bar",
                                     noverifyssl=True, install=True))
    assert controller.wait(20)
    assert entry.found and not entry.error and entry.written == "updates"
    assert repo_lines(controller) == [
        f'repo --name="updates" --baseurl={served.url("updates/")} --cost=50 '
        '--includepkgs="kernel*,bash" --excludepkgs="foo,bar" --noverifyssl --install']
    assert ("GET", "/updates/repodata/repomd.xml", 200) in served.requests
    again = repos(kickstart=output_text(controller.handler))  # the saved kickstart reads back
    assert [e.form for e in again.entries] == [entry.form]


def test_failed_repository_stays_out_of_the_kickstart_until_corrected(served):
    heard: list[str] = []
    controller = repos(heard=heard)
    entry = controller.save(RepoForm(name="extras", url=served.url("nothing-here/")))
    assert controller.wait(20)
    assert "HTTP 404" in entry.error and entry.written is None
    assert heard == [f"Repository extras: {entry.error}"]
    assert controller.problems() == [f"extras: {entry.error}"] and repo_lines(controller) == []
    controller.save(RepoForm(name="extras", kind="mirrorlist", url=served.url("mirrors")),
                    entry.id)
    assert controller.wait(20)
    assert not entry.error and entry.found.endswith("on a mirror of 1")
    assert repo_lines(controller) == [f'repo --name="extras" --mirrorlist={served.url("mirrors")}']


def test_edit_renames_in_place_and_remove_deletes(served):
    controller = repos(kickstart=f'repo --name=first --baseurl={served.url("updates/")}\n'
                                 f'repo --name=second --baseurl={served.url("extras/")}\n')
    controller.setup()
    assert controller.wait(20)
    assert [e.state() for e in controller.entries] == ["checked", "checked"]
    assert [e.origin for e in controller.entries] == ["the kickstart"] * 2
    first = controller.entries[0]
    controller.save(RepoForm(name="renamed", url=served.url("updates/"), cost="10"), first.id)
    assert controller.wait(20)
    lines = repo_lines(controller)
    assert lines[0].startswith('repo --name="renamed"') and "--cost=10" in lines[0]
    assert lines[1].startswith('repo --name="second"') and len(lines) == 2
    controller.remove(controller.entries[1].id)
    assert [line.split()[1] for line in repo_lines(controller)] == ['--name="renamed"']
    controller.remove(first.id)
    assert repo_lines(controller) == [] and controller.entries == []


def test_every_wrong_field_is_named():
    controller = repos(kickstart="repo --name=taken --baseurl=http://a.example.com/r\n",
                       boot="inst.addrepo=boot,http://b.example.com/r")
    with pytest.raises(InstallerError) as caught:
        controller.save(RepoForm(name="taken", kind="metalink", url="ftp:/nohost", cost="-1",
                                 includepkgs="ok, b@d", proxy="proxy.example.com:99999"))
    assert caught.value.message.splitlines() == [
        "Name 'taken' is taken by another repository; choose another",
        "Metalink 'ftp:/nohost': ftp URL without a host; expected ftp://HOST/PATH",
        "Cost '-1': enter a whole number, 0 or more (lower is preferred; DNF's default is "
        "1000), or leave it empty",
        "Include only 'b@d': package names or globs (e.g. kernel*, foo-tools) separated by "
        "commas or spaces",
        "Proxy 'proxy.example.com:99999': expected [http://|https://|ftp://][USER@]HOST[:PORT]"]
    for name, problem in (("anaconda", "is the installation source's own"),
                          ("boot", "is taken by another repository"),
                          ("has space", "use only letters, digits"), ("", "Name is empty")):
        with pytest.raises(InstallerError, match=problem):
            controller.save(RepoForm(name=name, url="http://c.example.com/r"))
    assert len(controller.entries) == 1 and not controller.busy()
