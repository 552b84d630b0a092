"""`anaconda --validate FILE`: ksvalidator's job, exit 0 when valid and 1 when not."""
from __future__ import annotations

from tests.conftest import REPO


def test_valid_kickstart(anaconda):
    result = anaconda("--validate", str(REPO / "data/ks/minimal.ks"))
    assert result.code == 0, result.text
    assert "valid" in result.out


def test_invalid_kickstart_names_file_and_line(anaconda, tmp_path):
    ks = tmp_path / "bad.ks"
    ks.write_text("lang en_US.UTF-8\n\npart / --size=x\n")
    result = anaconda("--validate", str(ks))
    assert result.code == 1
    assert f"{ks}:3: argument --size: invalid int value: 'x'" in result.err
    assert "Traceback" not in result.text


def test_validate_follows_includes_and_runs_no_pre(anaconda, tmp_path):
    """As ksvalidator: no %pre runs, so an include one may write is a warning only; an
    include that exists is followed and checked."""
    marker = tmp_path / "pre-ran"
    ks = tmp_path / "inc.ks"
    ks.write_text(f"%pre\ntouch {marker}\n%end\n%include {tmp_path}/missing.ks\n")
    result = anaconda("--validate", str(ks))
    assert result.code == 0, result.text
    assert f"warning: {ks}:4: %include {tmp_path}/missing.ks: no such file" in result.err
    assert not marker.exists()
    (tmp_path / "missing.ks").write_text("part / --size=x\n")
    result = anaconda("--validate", str(ks))
    assert result.code == 1 and f"{tmp_path}/missing.ks:1:" in result.err
    assert not marker.exists()


def test_validate_version_and_strict(anaconda, tmp_path):
    ks = tmp_path / "w.ks"
    ks.write_text("timezone Etc/UTC --isUtc\n")
    loose = anaconda("--validate", str(ks))
    assert loose.code == 0 and f"warning: {ks}:1:" in loose.err
    assert anaconda("--validate", str(ks), "--ksstrict").code == 1
    assert anaconda("--validate", str(ks), "--ks-version", "F99").code == 1
