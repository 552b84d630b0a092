"""The synthetic 20,000-package repository loads in real dnf, and scale-core really installs.

Why through dnf's Python API rather than our payload code: this pins the generator to what
dnf/libsolv accept, so a later scale failure in payload/ is the payload's, not the repo's.
The repository comes from the shared cache, so only the first run pays for building it.
"""
from __future__ import annotations

import subprocess

import pytest

from image.bigrepo.generate import ensure_bigrepo

pytestmark = pytest.mark.host


@pytest.fixture(scope="module")
def bigrepo():
    return ensure_bigrepo()


def _base(tmp_path, repo):
    import dnf

    base = dnf.Base()
    conf = base.conf
    root = tmp_path / "root"
    root.mkdir()
    for sub in ("cache", "persist", "log"):
        (tmp_path / sub).mkdir()
    conf.installroot = str(root)
    conf.cachedir = str(tmp_path / "cache")
    conf.persistdir = str(tmp_path / "persist")
    conf.logdir = str(tmp_path / "log")
    conf.reposdir = []
    conf.substitutions["releasever"] = "1"
    conf.gpgcheck = False
    conf.assumeyes = True
    base.repos.add_new_repo("big", conf, baseurl=[repo.as_uri()], gpgcheck=False)
    base.fill_sack(load_system_repo=False)
    base.read_comps()
    return base, root


def test_scale_core_installs(tmp_path, bigrepo):
    base, root = _base(tmp_path, bigrepo)
    try:
        available = base.sack.query().available()
        assert len(available) >= 20000
        assert len(available.filter(arch="noarch")) > 1000
        assert len(available.filter(arch="x86_64")) > 1000
        group = base.comps.group_by_pattern("scale-core")
        assert group is not None and group.id == "scale-core"
        assert len(group.mandatory_packages) >= 50
        assert base.comps.environment_by_pattern("scale-environment") is not None
        # Several providers of a virtual provide, and a soname provide with a large fan-in.
        assert len(available.filter(provides="mail-transport-agent")) >= 3
        assert len(available.filter(provides="editor")) >= 3
        assert len(available.filter(requires__glob="libc.so.6(GLIBC_2.*)(64bit)")) > 5000
        assert len(available.filter(requires=["/bin/sh", "/usr/bin/python3"])) > 1000

        base.group_install(group.id, ("mandatory", "default"))
        assert base.resolve()
        installs = list(base.transaction.install_set)
        assert 150 <= len(installs) <= 600
        base.download_packages(installs)
        base.do_transaction()
    finally:
        base.close()

    out = subprocess.run(["rpm", "--root", str(root), "-qa"], capture_output=True, text=True,
                         check=True).stdout.split()
    assert len(out) == len(installs)
    assert {p.split("-")[0] for p in out} >= {"bash", "coreutils", "glibc", "filesystem"}
