"""The README's main job on the host: `anaconda --cmdline --dirinstall` of data/ks/minimal.ks
(@^minimal-environment) from the bundled test repository, served over http on loopback,
checked with rpm from outside and from inside the installed tree."""
from __future__ import annotations

import functools
import http.server
import subprocess
import threading

import pytest

from image.testrepo.build import ensure_repo
from tests.conftest import REPO

pytestmark = pytest.mark.host

SAMPLE = ["bash", "coreutils", "systemd", "util-linux", "linux-image-amd64", "e2fsprogs",
          "anaconda-test-setup"]


@pytest.fixture(scope="module")
def served_repo():
    repo = ensure_repo()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(repo)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def rpm(root, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", *args],
                          capture_output=True, text=True)


def test_minimal_environment_dirinstall(anaconda, tmp_path, served_repo):
    target = tmp_path / "sysroot"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart",
                      str(REPO / "data/ks/minimal.ks"), repo=served_repo)
    assert result.code == 0, result.text[-3000:]
    assert "Downloading packages" in result.out and "Installing packages: Installing" in result.out
    installed = set(rpm(target, "-qa", "--qf", "%{NAME}\n").stdout.split())
    assert len(installed) > 100
    assert set(SAMPLE) <= installed
    verify = rpm(target, "-V", "--noconfig", *SAMPLE)  # configuration edits /etc/shadow
    assert verify.returncode == 0, verify.stdout + verify.stderr
    inside = subprocess.run(["chroot", str(target), "/bin/sh", "-c", "rpm -qa | wc -l; echo ok"],
                            capture_output=True, text=True)
    assert inside.stdout.split() == [str(len(installed)), "ok"], inside.stderr
    assert (target / "bin").is_symlink() and (target / "etc/passwd").read_text().startswith("root:")
    assert not (target / "var/cache/anaconda-dnf").exists()
