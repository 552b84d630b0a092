"""The source spoke end to end with a real NFS server and an extra repository over HTTP:
the person picks NFS with the keys, fills server, directory and options, adds a
repository (kept on the system) from its screen; both are checked, the kickstart the
spoke produced installs with `--dirinstall` from the export (tests/host/nfsserver.py:
nfs-ganesha on 127.0.0.1; this host's kernel has no NFS client, so the installer reads
the export with libnfs)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installer.kickstart.writeout import output_text
from spokes.tui.source import SourceSpoke
from tests.host.nfsserver import nfs_server, unavailable
from tests.unit.tui.test_source import ks_text, pick_kind, session_for, shows, with_hub
from tests.vm.harness import HttpServer

pytestmark = [pytest.mark.host, pytest.mark.skipif(unavailable() is not None,
                                                    reason=unavailable() or "")]

TAIL = """lang en_US.UTF-8
timezone Etc/UTC
rootpw --lock
%packages --nocore
app-c
%end
"""


@pytest.fixture
def export(tmp_path, small_repo):
    work = tmp_path / "nfs"
    shutil.copytree(small_repo, work / "export/repo", symlinks=True)
    with nfs_server(work / "export", work / "server") as running:
        yield running


def test_nfs_source_and_extra_repository_install(anaconda, export, small_repo, tmp_path):
    session = session_for(images=[])
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.press("1")
    pick_kind(drive, "nfs")
    directory = f"{export.export}/repo"
    drive.type("127.0.0.1").press("down").type(directory).press("down").type(export.options)
    drive.press("enter")
    shows(drive, "Checked: repository metadata found", "entered here",
          "Current source: NFS 127.0.0.1:/")  # the path wraps
    assert spoke.status() == f"NFS 127.0.0.1:{directory}"
    line = f'nfs --server=127.0.0.1 --dir="{directory}" --opts="{export.options}"'
    assert line in ks_text(session)
    assert not list(Path("/var/tmp").glob("anaconda-nfs-*")), "the check's copy was left behind"
    with HttpServer(small_repo) as http:
        drive.press("down", "down", "down", "a")  # from the options field to the Check row
        drive.type("extra").press("down", "down").type(http.url("")).press("down").type("50")
        drive.press(*["down"] * 6, " ", "esc")  # Keep on the installed system; save
        shows(drive, f"[x] extra {http.url('')}", "checked, cost 50, kept on the system")
        drive.press("esc")
        shows(drive, "[x] Installation source", "repository)")
        assert spoke.status() == f"NFS 127.0.0.1:{directory} (+1 repository)"
        ks = tmp_path / "interactive-ks.cfg"
        ks.write_text(output_text(session.handler) + TAIL)
        result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart",
                          str(ks), repo=None)
    assert result.code == 0, result.text
    target = tmp_path / "root"
    assert (target / "usr/bin/app-c").is_file()
    repo_file = (target / "etc/yum.repos.d/extra.repo").read_text()
    assert f"baseurl={http.url('')}" in repo_file and "cost=50" in repo_file
    saved = (target / "root/anaconda-ks.cfg").read_text()
    assert line in saved
    assert f'repo --name="extra" --baseurl={http.url("")} --cost=50 --install' in saved
