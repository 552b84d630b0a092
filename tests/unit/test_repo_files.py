"""`repo --install` writes the repository into the target; one whose URL carries
credentials is readable by root only (issue 14: secrets)."""
from __future__ import annotations

import stat

from payload.dnf_install import write_repo_files
from payload.model import InstallRequest, PackageSelection, RepoSpec


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_repo_files_with_credentials_are_private(tmp_path):
    repos = [RepoSpec("plain", baseurl=["http://mirror.example/os/"], install=True),
             RepoSpec("secret", baseurl=["http://user:s3cret@mirror.example/os/"], install=True),
             RepoSpec("listed", mirrorlist="https://u:p@mirror.example/list", install=True),
             RepoSpec("not-installed", baseurl=["http://mirror.example/x/"])]
    request = InstallRequest(root=str(tmp_path), repos=repos, selection=PackageSelection(),
                             cache_dir=str(tmp_path / "cache"))
    write_repo_files(request)
    repos_dir = tmp_path / "etc/yum.repos.d"
    assert _mode(repos_dir / "plain.repo") == 0o644
    assert _mode(repos_dir / "secret.repo") == 0o600
    assert _mode(repos_dir / "listed.repo") == 0o600
    assert "baseurl=http://user:s3cret@mirror.example/os/" in (repos_dir / "secret.repo").read_text()
    assert not (repos_dir / "not-installed.repo").exists()
