"""`rpmbuild -bb anaconda.spec` (through `make rpm`) gives a noarch RPM that carries the
entry point, the packages and data, and names the real dependencies."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def rpm_query(rpm, *flags):
    return subprocess.run(["rpm", "-qp", *flags, str(rpm)], capture_output=True, text=True,
                          check=True).stdout


def test_rpm_builds_and_runs(tmp_path):
    top = tmp_path / "rpmbuild"
    subprocess.run(["make", "-s", "rpm", f"RPM_TOP={top}"], cwd=REPO, check=True,
                   capture_output=True)
    (rpm,) = (top / "RPMS/noarch").glob("anaconda-lean-*.noarch.rpm")
    files = rpm_query(rpm, "-l").split()
    assert "/usr/bin/anaconda" in files
    for package in ("installer", "spokes", "storage", "payload"):
        assert any(f.endswith(f"site-packages/{package}/__init__.py") for f in files), package
    assert "/usr/share/anaconda-lean/ks/minimal.ks" in files
    requires = rpm_query(rpm, "--requires")
    for dep in ("python3-kickstart", "python3-blivet", "python3-dnf", "python3-langtable",
                "python3-urwid", "python3-rpm", "libxcrypt"):
        assert dep in requires, dep
    assert rpm_query(rpm, "--qf", "%{ARCH}") == "noarch"

    extract = tmp_path / "root"
    extract.mkdir()
    subprocess.run(f"rpm2cpio {rpm} | cpio -idm --quiet", shell=True, cwd=extract, check=True)
    (sitelib,) = extract.glob("usr/lib/python3*/site-packages")
    # -S: no site hooks, so the checkout's editable install cannot shadow the RPM's files;
    # the dependencies come from the venv and Debian's dist-packages.
    venv_site = next(p for p in sys.path if p.endswith("site-packages") and ".venv" in p)
    env = {"PYTHONPATH": f"{sitelib}:{venv_site}:/usr/lib/python3/dist-packages",
           "PATH": "/usr/bin:/bin"}
    where = subprocess.run([sys.executable, "-S", "-c", "import installer; print(installer.__file__)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(sitelib)), "the test ran the checkout, not the RPM's files"
    result = subprocess.run([sys.executable, "-S", str(extract / "usr/bin/anaconda"), "--validate",
                             str(extract / "usr/share/anaconda-lean/ks/minimal.ks")],
                            env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
