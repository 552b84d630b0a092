"""The bundled test repository (image/testrepo/build.py): Debian 12 packages rewrapped as
RPMs. DNF installs the `core` group from it into a real installroot, and the result is a
merged-/usr system whose shell runs in a chroot. Built once and cached (a few minutes
cold, seconds warm)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import REPO

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from image.testrepo.build import ensure_repo  # noqa: E402
from image.testrepo.rpmspec import evr  # noqa: E402
from image.testrepo.unpack import map_path, parse_relations  # noqa: E402

pytestmark = pytest.mark.host

CORE = ["anaconda-test-filesystem", "anaconda-test-setup", "bash", "coreutils", "dash",
        "util-linux", "systemd", "systemd-sysv", "udev", "kmod", "linux-image-amd64",
        "initramfs-tools", "grub2-common", "grub-pc-bin", "grub-efi-amd64-bin", "e2fsprogs",
        "passwd", "login", "iproute2", "libc6", "rpm"]


@pytest.fixture(scope="module")
def repo() -> Path:
    return ensure_repo()


@pytest.fixture(scope="module")
def root(repo, tmp_path_factory):
    """`dnf group install core` into a fresh installroot; removed afterwards."""
    target = tmp_path_factory.mktemp("installroot")
    proc = subprocess.run(
        ["dnf", "-y", f"--installroot={target}", "--setopt=reposdir=/dev/null",
         f"--repofrompath=t,file://{repo}", "--repo=t", "--setopt=install_weak_deps=False",
         "--nogpgcheck", "--releasever=12", "group", "install", "core"],
        capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    try:
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        yield target
    finally:
        shutil.rmtree(target, ignore_errors=True)


def test_version_and_path_mapping():
    assert evr("1:2.38.1-5+deb12u3") == ("1", "2.38.1", "5+deb12u3")
    assert evr("9.1-1") == ("", "9.1", "1")
    assert evr("3.134") == ("", "3.134", "0")
    assert evr("1.2-3-4") == ("", "1.2_3", "4")
    assert map_path("/bin/sh") == "/usr/bin/sh"
    assert map_path("/lib64/ld-linux-x86-64.so.2") == "/usr/lib64/ld-linux-x86-64.so.2"
    assert map_path("/var/run/sshd") == "/run/sshd"
    assert map_path("/binary") == "/binary"
    assert parse_relations("a (>= 1.0) | b:any, c (<< 2)") == [
        [("a", ">=", "1.0"), ("b", "", "")], [("c", "<<", "2")]]


def test_repository_and_comps(repo):
    assert (repo / "repodata/repomd.xml").is_file()
    assert len(list((repo / "Packages").glob("*.rpm"))) > 150
    comps = ET.parse(repo / "comps.xml").getroot()
    groups = {g.findtext("id"): g for g in comps.findall("group")}
    assert {"core", "standard", "server-tools"} <= set(groups)
    core = {p.text: p.get("type") for p in groups["core"].iter("packagereq")}
    for name in CORE:
        assert core.get(name) == "mandatory", name
    standard = {p.text for p in groups["standard"].iter("packagereq")}
    assert {"openssh-server", "sudo", "less", "locales"} <= standard
    envs = {e.findtext("id"): e for e in comps.findall("environment")}
    minimal = envs["minimal-environment"]
    assert [g.text for g in minimal.find("grouplist")] == ["core"]
    assert [g.text for g in minimal.find("optionlist")] == ["standard"]
    assert [g.text for g in envs["server-environment"].find("grouplist")] == [
        "core", "standard", "server-tools"]
    # the groupfile is part of the index that dnf reads
    assert "group" in (repo / "repodata/repomd.xml").read_text()


def test_warm_cache_is_quick(repo):
    start = time.monotonic()
    assert ensure_repo() == repo
    assert time.monotonic() - start < 60


def test_core_installs_and_verifies(root):
    installed = subprocess.run(["rpm", "--root", str(root), "-qa", "--qf", "%{NAME}\n"],
                               capture_output=True, text=True, check=True).stdout.split()
    for name in CORE:
        assert name in installed, name
    verify = subprocess.run(["rpm", "--root", str(root), "-V", "bash", "coreutils",
                             "anaconda-test-setup", "anaconda-test-filesystem"],
                            capture_output=True, text=True)
    assert verify.returncode == 0 and verify.stdout == "", verify.stdout + verify.stderr


def test_merged_usr_and_system_files(root):
    for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib"),
                         ("lib64", "usr/lib64")):
        assert (root / link).is_symlink() and (root / link).readlink() == Path(target)
    assert (root / "usr/bin/sh").resolve().name == "dash"
    assert (root / "etc/passwd").read_text().startswith("root:x:0:0:")
    assert "sshd:" in (root / "etc/passwd").read_text()
    assert (root / "etc/shadow").stat().st_mode & 0o777 == 0o640
    assert (root / "etc/ld.so.cache").is_file()
    assert not (root / "etc/machine-id").exists() or (root / "etc/machine-id").read_text() == ""
    assert (root / "etc/alternatives/awk").readlink() == Path("/usr/bin/mawk")


def test_kernel_and_modules(root):
    (kernel,) = (root / "boot").glob("vmlinuz-*")
    version = kernel.name.removeprefix("vmlinuz-")
    modules = root / "usr/lib/modules" / version
    assert (modules / "modules.dep").stat().st_size > 0
    assert (modules / "modules.dep.bin").is_file()


def test_chroot_shell_runs(root):
    proc = subprocess.run(["chroot", str(root), "/bin/bash", "-c", "echo ok; ls /; id root"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split()
    assert lines[0] == "ok" and "usr" in lines and "etc" in lines
    assert "uid=0(root)" in proc.stdout
