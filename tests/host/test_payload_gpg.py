"""GPG checking, configured per repository: unsigned packages are refused by a repo with
gpgcheck, signed ones accepted with the repo's own key, and other repos are unaffected."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from payload.events import PayloadFailure
from payload.model import InstallRequest, PackageSelection, RepoSpec
from payload.runner import run_worker
from tests.host.test_payload import rpm_qa


def request(tmp_path: Path, repo: RepoSpec, packages: list[str]) -> InstallRequest:
    return InstallRequest(root=str(tmp_path / "root"), repos=[repo],
                          selection=PackageSelection(packages=packages, nocore=True),
                          cache_dir=str(tmp_path / "cache"), log_file=str(tmp_path / "packaging.log"))


def test_unsigned_package_refused_with_gpgcheck(tmp_path, small_repo):
    repo = RepoSpec("small", baseurl=[small_repo.as_uri()], gpgcheck=True,
                    gpgkey=[(tmp_path / "none.asc").as_uri()])
    with pytest.raises(PayloadFailure) as err:
        run_worker(request(tmp_path, repo, ["tool-j"]), lambda e: None)
    assert err.value.kind == "SignatureError"
    assert "tool-j-1.0-1.noarch from repository small" in err.value.message
    assert rpm_qa(tmp_path / "root") == set()
    # the same repository without gpgcheck installs
    repo.gpgcheck = False
    assert run_worker(request(tmp_path, repo, ["tool-j"]), lambda e: None) == 1


@pytest.fixture
def signed_repo(tmp_path, small_repo):
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "Test Repo <repo@example.test>", "rsa2048", "sign", "never"],
                   env=env, check=True, capture_output=True)
    key = tmp_path / "RPM-GPG-KEY-test"
    key.write_bytes(subprocess.run(["gpg", "--armor", "--export"], env=env, check=True,
                                   capture_output=True).stdout)
    repo = tmp_path / "signed"
    (repo / "Packages").mkdir(parents=True)
    shutil.copy(small_repo / "Packages/tool-j-1.0-1.noarch.rpm", repo / "Packages")
    subprocess.run(["rpmsign", "--define", "_gpg_name Test Repo", "--define", "__gpg /usr/bin/gpg",
                    "--define",
                    f"_gpg_path {home}", "--addsign", str(repo / "Packages/tool-j-1.0-1.noarch.rpm")],
                   env=env, check=True, capture_output=True)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True)
    yield repo, key
    # gpg started an agent for this keyring; it would outlive the test
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True)


def test_signed_package_accepted_with_repo_key(tmp_path, signed_repo):
    repo_dir, key = signed_repo
    repo = RepoSpec("signed", baseurl=[repo_dir.as_uri()], gpgcheck=True, gpgkey=[key.as_uri()])
    assert run_worker(request(tmp_path, repo, ["tool-j"]), lambda e: None) == 1
    assert rpm_qa(tmp_path / "root") == {"tool-j", "gpg-pubkey"}
