"""NFS installation sources end to end: `nfs --server --dir --opts` and
`inst.repo=nfs:OPTIONS:SERVER:/PATH` (a tree, an ISO file) against a loopback NFS server
(tests/host/nfsserver.py) exporting a copy of the small test repository.

This host's kernel has neither nfsd nor an NFS client (no module to load), so the server
is nfs-ganesha in user space and the installer reads the export the way it does on such
a host: with libnfs (installer/sources.py); on the boot image the kernel mounts it.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.host.nfsserver import NfsServer, nfs_server, unavailable

pytestmark = [pytest.mark.host, pytest.mark.skipif(unavailable() is not None,
                                                    reason=unavailable() or "")]

KS = """lang en_US.UTF-8
timezone Etc/UTC
rootpw --lock
{source}
%packages --nocore
app-c
%end
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory, small_repo) -> NfsServer:
    work = tmp_path_factory.mktemp("nfs")
    export = work / "export"
    shutil.copytree(small_repo, export / "repo", symlinks=True)
    (export / "iso").mkdir()
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "REPO", "-o",
                    str(export / "iso/repo.iso"), str(small_repo)], check=True)
    with nfs_server(export, work / "server") as running:
        yield running


def install(anaconda, tmp_path: Path, source: str, boot: str = ""):
    ks = tmp_path / "nfs.ks"
    ks.write_text(KS.format(source=source))
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks),
                      boot=boot, repo=None)
    return result, target, ks


def assert_installed(result, target: Path) -> None:
    assert result.code == 0, result.text
    assert (target / "usr/bin/app-c").is_file()
    assert not list(Path("/var/tmp").glob("anaconda-nfs-*")), "the NFS copy was left behind"


def test_nfs_command(anaconda, server, tmp_path):
    result, target, ks = install(anaconda, tmp_path, f"nfs --server=127.0.0.1 "
                                 f"--dir={server.export}/repo --opts={server.options}")
    assert_installed(result, target)
    log = (result.log_dir / "anaconda.log").read_text()
    assert f"({ks}:4: nfs)" in log
    assert f'nfs --server=127.0.0.1 --dir="{server.export}/repo" --opts="{server.options}"' in \
        (target / "root/anaconda-ks.cfg").read_text()


def test_inst_repo_nfs_iso(anaconda, server, tmp_path):
    result, target, _ = install(anaconda, tmp_path, "",
                                boot=f"inst.repo=nfs:{server.options}:127.0.0.1:{server.export}/iso/repo.iso")
    assert_installed(result, target)


def test_inst_repo_nfs_directory_of_isos(anaconda, server, tmp_path):
    result, target, _ = install(anaconda, tmp_path, "",
                                boot=f"inst.repo=nfs:{server.options}:127.0.0.1:{server.export}/iso")
    assert_installed(result, target)
    assert "using the ISO image repo.iso" in (result.log_dir / "anaconda.log").read_text()
