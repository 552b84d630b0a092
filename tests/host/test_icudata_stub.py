"""stage2's empty ICU data library, built with gcc and loaded in place of the host's real
one: libxml2 (through libcomps) and DNF's repository loading still work, and ICU asked for
a converter fails with an error code instead of crashing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from image.boot import icudata
from image.testrepo.build import ensure_repo

HOST_LIBDIR = Path("/usr/lib/x86_64-linux-gnu")


@pytest.fixture
def stub_tree(tmp_path) -> Path:
    real = icudata.real_library(Path("/"))
    if real is None or shutil.which("gcc") is None:
        pytest.skip("needs the host's libicu72 and gcc (debian-packages.txt)")
    libdir = tmp_path / icudata.LIBDIR
    libdir.mkdir(parents=True)
    shutil.copy2(real, libdir / real.name)
    saved = icudata.replace_with_stub(tmp_path)
    assert saved > 30_000_000  # 31 MB of data gone
    (libdir / f"libicudata.so.{icudata.major_version(real)}").symlink_to(real.name)
    return tmp_path


def run_with_stub(tree: Path, code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, LD_LIBRARY_PATH=str(tree / icudata.LIBDIR))
    return subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True,
                          text=True, timeout=120)


def test_stub_exports_the_symbol_and_soname(stub_tree):
    stub = icudata.real_library(stub_tree)
    dynamic = subprocess.run(["readelf", "-d", "--dyn-syms", str(stub)], capture_output=True,
                             text=True, check=True).stdout
    major = icudata.major_version(stub)
    assert f"[libicudata.so.{major}]" in dynamic and f"icudt{major}_dat" in dynamic
    assert stub.stat().st_size < 20_000


def test_libxml2_and_dnf_work_with_the_stub(stub_tree):
    repo = ensure_repo()
    code = f"""
import ctypes, glob, libcomps
maps = open('/proc/self/maps').read()
comps = libcomps.Comps()
errors = comps.fromxml_f(glob.glob('{repo}/repodata/*-comps.xml')[0])
import dnf
base = dnf.Base()
base.conf.cachedir = '{stub_tree}/cache'
base.conf.reposdir = []
base.conf.releasever = '12'
base.repos.add_new_repo('t', base.conf, baseurl=['{repo.as_uri()}'])
base.fill_sack(load_system_repo=False)
maps = open('/proc/self/maps').read()
print('STUB', '{stub_tree}' in maps and 'libicudata' in maps)
print('GROUPS', len(comps.groups), 'ENVS', len(comps.environments), 'ERRORS', errors)
print('PACKAGES', len(base.sack.query().available()))
"""
    result = run_with_stub(stub_tree, code)
    assert result.returncode == 0, result.stderr[-2000:]
    out = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert out["STUB"] == "True"  # libxml2 loaded ICU, and it was the stub
    groups = out["GROUPS"].split()
    assert int(groups[0]) > 0 and int(groups[2]) > 0 and groups[4] == "0"
    assert int(out["PACKAGES"]) > 100


def test_icu_asked_for_a_converter_fails_cleanly(stub_tree):
    major = icudata.major_version(icudata.real_library(stub_tree))
    code = f"""
import ctypes
uc = ctypes.CDLL('libicuuc.so.{major}')
err = ctypes.c_int(0)
conv = getattr(uc, 'ucnv_open_{major}')
conv.restype = ctypes.c_void_p
handle = conv(b'ISO-2022-JP', ctypes.byref(err))
print(handle, err.value)
"""
    result = run_with_stub(stub_tree, code)
    assert result.returncode == 0, result.stderr[-2000:]
    handle, err = result.stdout.split()
    assert handle == "None" and int(err) > 0  # U_*_ERROR, not a crash
    # the real data library does know the converter: the test can tell the difference
    real = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert real.stdout.split()[0] != "None"
