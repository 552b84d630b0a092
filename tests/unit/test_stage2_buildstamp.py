"""stage2's /.buildstamp: the [Main] keys of Anaconda's images (lorax writes them), which
Anaconda reads with configparser and public `%post --nochroot` scripts copy or read."""
from __future__ import annotations

import configparser
import re

from image.boot import stage2


def parsed(text: str) -> configparser.SectionProxy:
    config = configparser.ConfigParser()
    config.read_string(text)
    return config["Main"]


def test_the_keys_anaconda_reads():
    main = parsed(stage2.buildstamp("0.1.0", 0, "x86_64"))
    assert main["Product"] == "anaconda-lean" and main["Version"] == "0.1.0"
    assert main.getboolean("IsFinal") is True and main["UUID"] == "197001010000.x86_64"
    assert "BugURL" in main


def test_a_pre_release_is_not_final():
    for version in ("0.2.0rc1", "1.0b2", "1.0.dev3"):
        assert parsed(stage2.buildstamp(version, 0, "x86_64")).getboolean("IsFinal") is False


def test_written_at_the_root_of_the_tree_with_the_installers_version(tmp_path):
    stage2.write_buildstamp(tmp_path)
    text = (tmp_path / ".buildstamp").read_text()
    assert text.startswith("[Main]\nProduct=anaconda-lean\n")
    from installer import __version__
    assert f"Version={__version__}\n" in text
    assert (tmp_path / ".buildstamp").stat().st_mode & 0o777 == 0o644
    assert re.search(r"^UUID=\d{12}\.\w+$", text, re.M)
