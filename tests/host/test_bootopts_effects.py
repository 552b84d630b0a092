"""Boot options with an effect a host run can see: inst.selinux, inst.loglevel and
inst.waitfornet in a real `anaconda --dirinstall` (inside a network namespace with no
route, so the wait runs out); inst.multilib reaching DNF's configuration; and
inst.mediacheck on a real small ISO, built and implanted by image/boot/iso.py and checked
by image/boot/mediacheck, the script the initrd runs."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from image.boot.iso import implant_checksum
from installer.bootopts import parse_cmdline
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.payload_request import build_request
from installer.sources import SourceMounts
from payload.model import InstallRequest
from tests.conftest import ANACONDA, REPO, Outcome

pytestmark = pytest.mark.host

SMALL_KS = (REPO / "tests/data/small.ks").read_text()
MEDIACHECK = REPO / "image/boot/mediacheck"
SECRET = "Hunter2rdpPass"


def run_without_network(tmp_path: Path, small_repo: Path, boot: str, kickstart: str) -> Outcome:
    (tmp_path / "ks.cfg").write_text(kickstart)
    logs = tmp_path / "logs"
    argv = ["unshare", "--net", str(ANACONDA), "--logdir", str(logs), "--boot-options",
            f"{boot} inst.repo={small_repo.as_uri()}", "--cmdline", "--dirinstall",
            str(tmp_path / "root"), "--kickstart", str(tmp_path / "ks.cfg")]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, cwd=REPO)
    return Outcome(proc.returncode, proc.stdout, proc.stderr, logs)


def test_selinux_loglevel_waitfornet_in_a_dirinstall(tmp_path, small_repo):
    root = tmp_path / "root"
    (root / "etc/selinux/targeted/policy").mkdir(parents=True)  # a target with SELinux
    (root / "etc/selinux/config").write_text("SELINUX=enforcing\nSELINUXTYPE=targeted\n")
    boot = f"inst.selinux=0 inst.loglevel=warning inst.waitfornet=2 inst.vnc inst.rdp.password={SECRET}"
    started = time.monotonic()
    result = run_without_network(tmp_path, small_repo, boot,
                                 SMALL_KS.replace("rootpw --lock\n", "rootpw --lock\nselinux --enforcing\n"))
    assert result.code == 0, result.text
    assert time.monotonic() - started >= 2
    # inst.selinux=0 wins over `selinux --enforcing`, in the target and in the saved kickstart
    assert (root / "etc/selinux/config").read_text() == "SELINUX=disabled\nSELINUXTYPE=targeted\n"
    assert "selinux --disabled" in (root / "root/anaconda-ks.cfg").read_text()
    # inst.waitfornet: said on the console, and the install went on
    assert "Waiting up to 2 s for the network (inst.waitfornet=2)" in result.out
    assert "No network connectivity after 2 s (inst.waitfornet); going on" in result.out
    # inst.loglevel=warning: the log files hold warnings only
    anaconda_log = (result.log_dir / "anaconda.log").read_text()
    assert "inst.waitfornet=2: no network connectivity" in anaconda_log
    assert "'inst.vnc' ignored: this installer has only a text interface" in anaconda_log
    for name in ("anaconda.log", "packaging.log", "program.log"):
        text = (result.log_dir / name).read_text() if (result.log_dir / name).exists() else ""
        assert " INFO " not in text and " DEBUG " not in text, name
    # the unused RDP password is nowhere
    everything = result.text + "".join(p.read_text() for p in result.log_dir.glob("*.log"))
    assert SECRET not in everything


def test_multilib_reaches_dnf(tmp_path):
    import dnf  # noqa: F401  (host tier: the system's python3-dnf)
    from payload.dnf_install import configure

    handler = parse([("ks.cfg", "%packages\nbase-a\n%end\n")], None, Reader()).handler
    policies = {}
    for boot in ("", "inst.multilib"):
        options = parse_cmdline(f"{boot} inst.repo=http://repo.example.test/os/")
        with SourceMounts() as mounts:
            request = build_request(handler, options, tmp_path / "root", tmp_path, mounts)
        request = InstallRequest.from_json(request.to_json())  # as the worker receives it
        policies[boot] = configure(request).conf.multilib_policy
    assert policies == {"": "best", "inst.multilib": "all"}


def make_iso(tmp_path: Path, name: str) -> Path:
    tree = tmp_path / f"tree-{name}"
    (tree / "images").mkdir(parents=True)
    (tree / "images/install.img").write_bytes(bytes(range(256)) * 8192)  # 2 MiB
    iso = tmp_path / f"{name}.iso"
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-R", "-J", "-V", "MEDIACHECK-T",
                    "-o", str(iso), str(tree)], check=True, capture_output=True)
    return iso


def mediacheck(medium: Path) -> subprocess.CompletedProcess:
    """The initrd's script, run by busybox's sh as there."""
    return subprocess.run(["busybox", "sh", str(MEDIACHECK), str(medium)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120)


@pytest.mark.skipif(not shutil.which("checkisomd5"), reason="needs isomd5sum")
def test_mediacheck_on_a_real_iso(tmp_path):
    plain = make_iso(tmp_path, "plain")
    result = mediacheck(plain)
    assert result.returncode == 3 and "carries no embedded checksum" in result.stdout

    iso = make_iso(tmp_path, "good")
    implant_checksum(iso)
    result = mediacheck(iso)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"PASS: {iso} matches its embedded MD5" in result.stdout

    bad = tmp_path / "bad.iso"
    shutil.copyfile(iso, bad)
    with open(bad, "r+b") as handle:  # one byte inside install.img's data
        handle.seek(bad.stat().st_size // 2)
        byte = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([byte[0] ^ 0xFF]))
    result = mediacheck(bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"FAIL: {bad} does not match the MD5 embedded when its ISO was made" in result.stdout
