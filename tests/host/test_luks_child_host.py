"""LUKS2 formatting derives its key in a child process (storage/luks_child.py): the
installer's peak RSS does not carry Argon2's memory cost, and the format is the same.

SAFETY: plain files under tmp_path are formatted; no loop device, device-mapper mapping or
disk is touched (luksFormat on a file needs neither).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.host,
              pytest.mark.skipif(shutil.which("cryptsetup") is None, reason="needs cryptsetup")]

REPO = Path(__file__).resolve().parents[2]
COST_KIB = 65536

FORMAT = """
import re, sys
from blivet.formats import get_format
from blivet.formats.luks import LUKS2PBKDFArgs
from storage.luks_child import route_key_derivation
hwm = lambda: int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
if sys.argv[2] == "routed":
    route_key_derivation()
image = sys.argv[1]
with open(image, "wb") as handle:
    handle.truncate(32 * 1024 * 1024)
fmt = get_format("luks", device=image, passphrase="secret-for-test", luks_version="luks2",
                 pbkdf_args=LUKS2PBKDFArgs(type="argon2id", max_memory_kb=%d, iterations=4))
before = hwm()
fmt.create()
print(hwm() - before)
""" % COST_KIB


def _format(image: Path, how: str) -> int:
    out = subprocess.run([sys.executable, "-c", FORMAT, str(image), how], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1])


def test_format_in_a_child_keeps_argon2_out_of_the_installer(tmp_path):
    grown_in_process = _format(tmp_path / "control.img", "in-process")
    assert grown_in_process > COST_KIB // 2, f"the control did not use Argon2's memory: {grown_in_process} KiB"
    grown = _format(tmp_path / "luks.img", "routed")
    assert grown < 8 * 1024, f"the installer grew by {grown} KiB formatting LUKS2"
    dump = subprocess.run(["cryptsetup", "luksDump", str(tmp_path / "luks.img")], capture_output=True,
                          text=True, check=True).stdout
    assert re.findall(r"^\s*Memory:\s*(\d+)$", dump, re.M) == [str(COST_KIB)], dump
    check = subprocess.run(["cryptsetup", "open", "--test-passphrase", "--key-file=-",
                            str(tmp_path / "luks.img")], input="secret-for-test", text=True,
                           capture_output=True)
    assert check.returncode == 0, check.stderr


def test_a_failure_in_the_child_is_blivets_usual_error(tmp_path):
    code = ("from blivet.formats import get_format\n"
            "from blivet.errors import LUKSError\n"
            "from storage.luks_child import route_key_derivation\n"
            "route_key_derivation()\n"
            f"fmt = get_format('luks', device={str(tmp_path / 'absent.img')!r}, passphrase='x', luks_version='luks2')\n"
            "try:\n"
            "    fmt._setup()\n"
            "except LUKSError as exc:\n"
            "    print('LUKSError', exc)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, capture_output=True,
                         text=True).stdout
    assert out.startswith("LUKSError Failed to initialize device"), out
