"""cryptsetup writes the Argon2 memory cost planning gave the LUKS2 format: the format
planned for a 192 MiB guest (and one with the kickstart's --pbkdf-memory) is created by
blivet, through libblockdev and libcryptsetup, on an image file the test makes, and
`cryptsetup luksDump` shows that cost in the key slot.

SAFETY: a plain file under tmp_path is formatted; no loop device, device-mapper mapping
or disk is touched (luksFormat and luksDump on a file need neither).
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from blivet.formats import get_format

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.kickstart import apply_kickstart
from tests.unit.disk_images import sparse_session

pytestmark = pytest.mark.host

PASSPHRASE = "secret-for-test"


def planned_pbkdf_args(tmp_path, options: str):
    """The pbkdf arguments of / in `autopart --type=plain --encrypted` planned on sparse
    files for a machine whose MemTotal is a 192 MiB guest's."""
    session = sparse_session(tmp_path, ["20 GiB"], "bios", "165 MiB")
    ks = ("clearpart --all --initlabel\n"
          f"autopart --type=plain --noswap --encrypted --passphrase={PASSPHRASE} {options}\n")
    apply_kickstart(session, parse([("test.ks", ks)], None, Reader()).handler)
    (root,) = [d for d in session.blivet.devices if d.format.type == "luks"]
    return root.format.pbkdf_args


@pytest.mark.skipif(shutil.which("cryptsetup") is None, reason="needs cryptsetup")
@pytest.mark.parametrize("options, memory_kib", [("", 70656), ("--pbkdf-memory=50000", 50000)])
def test_luksdump_shows_the_planned_memory_cost(tmp_path, options, memory_kib):
    args = planned_pbkdf_args(tmp_path, options)
    image = tmp_path / "luks.img"
    with open(image, "wb") as handle:
        handle.truncate(32 * 1024 * 1024)
    get_format("luks", device=str(image), passphrase=PASSPHRASE, luks_version="luks2",
               pbkdf_args=args).create()
    dump = subprocess.run(["cryptsetup", "luksDump", str(image)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^\s*PBKDF:\s*argon2id$", dump, re.M), dump
    assert re.findall(r"^\s*Memory:\s*(\d+)$", dump, re.M) == [str(memory_kib)], dump
