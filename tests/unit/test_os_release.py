"""storage.os_release: the one reader of an installed system's os-release."""
from __future__ import annotations

from storage import os_release


def test_quotes_comments_and_the_usr_lib_fallback(tmp_path):
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_text(
        '# comment\nNAME="Fedora Linux"\nVERSION="40 (Server Edition)"\nID=fedora\n'
        "PRETTY_NAME='Fedora Linux 40 (Server Edition)'\nbroken line\nVARIANT=\"unbalanced\n")
    found = os_release.read(tmp_path)
    assert found.id == "fedora" and found.name == "Fedora Linux"
    assert found.title == "Fedora Linux 40 (Server Edition)"
    assert os_release.os_id(tmp_path) == "fedora"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text("NAME=Debian\nVERSION_ID=12\nID=debian\n")
    assert os_release.read(tmp_path).title == "Debian 12"  # /etc wins, no PRETTY_NAME


def test_no_file_or_an_unsafe_id(tmp_path):
    assert os_release.read(tmp_path) is None and os_release.os_id(tmp_path) == "linux"
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/os-release").write_text('ID="../../evil dir"\n')
    assert os_release.os_id(tmp_path) == "linux"
