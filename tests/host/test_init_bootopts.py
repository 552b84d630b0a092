"""The initrd init's boot-option functions, run by busybox's sh on the host: the
functions are cut out of image/boot/init as they are and run in a private mount
namespace where /proc/cmdline is a test file and /run a tmpfs; what would touch the
network, disks or the console (fetch, findfs, mdev, sleep, mediacheck) is stubbed.

inst.wait_for_disks (OEMDRV and device waits), inst.stage2.all, inst.mediacheck's
verdicts and inst.noshell's effect on a failure; the VM tier boots the real thing."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.host

INIT = (REPO / "image/boot/init").read_text()
FUNCTIONS = ("say", "getarg", "hasarg", "getbool", "no_shell", "emergency", "disk_wait",
             "oemdrv", "device", "held_in_ram", "stage2_url", "stage2_all", "media_check",
             "media_check_skipped", "get_stage2")
STUBS = """
mdev() { :; }
sleep() { echo "sleep $1" >> /run/calls; }
fetch() {
    echo "fetch $1" >> /run/calls
    case "$1" in *bad*) echo "404 Not Found" > /run/anaconda-lean/wget.err; return 1 ;; esac
    echo data > "$2"
}
read() { :; }
"""


def function(name: str) -> str:
    """The text of `name() {...}` in the init: one line, or up to the closing `}` line."""
    lines = INIT.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{name}() {{"))
    if lines[start].rstrip().endswith("}"):
        return lines[start]
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    return "\n".join(lines[start:end + 1])


def run_init(tmp_path: Path, cmdline: str, body: str, stubs: str = "") -> tuple[int, str, str]:
    """Run `body` after the init's functions (and the stubs) with this kernel command line;
    returns the exit code, the output and the calls the stubs recorded."""
    (tmp_path / "cmdline").write_text(cmdline + "\n")
    script = tmp_path / "script.sh"
    script.write_text("\n".join(function(name) for name in FUNCTIONS) + STUBS + stubs
                      + "\nMEDIA_CHECKED=''\n" + body + "\n")
    wrapper = (f"mount --bind {tmp_path}/cmdline /proc/cmdline && mount -t tmpfs tmpfs /run && "
               f"mkdir -p /run/anaconda-lean /run/install && : > /run/calls && "
               f"busybox sh {script}; code=$?; cat /run/calls > {tmp_path}/calls; exit $code")
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr, (tmp_path / "calls").read_text()


def test_getbool(tmp_path):
    code, out, _ = run_init(tmp_path, "quiet inst.noshell inst.mediacheck=0 rd.live.check=1 "
                            "inst.a=on inst.b=off inst.c inst.c=no inst.d=no inst.d",
                            "for n in inst.noshell inst.mediacheck rd.live.check inst.a inst.b "
                            "inst.c inst.d inst.e; do getbool $n && echo $n=on; done; true")
    assert code == 0, out
    assert out.split() == ["inst.noshell=on", "rd.live.check=on", "inst.a=on", "inst.d=on"]


@pytest.mark.parametrize("cmdline, sleeps", [("", 5), ("inst.wait_for_disks=2", 2),
                                              ("inst.wait_for_disks=0", 0)])
def test_oemdrv_is_waited_for(tmp_path, cmdline, sleeps):
    code, out, calls = run_init(tmp_path, cmdline, "oemdrv; echo rc=$?",
                                stubs="findfs() { return 1; }\n")
    assert "rc=1" in out and calls.count("sleep 1") == sleeps
    assert ("looking for a disk labelled OEMDRV for up to" in out) == bool(sleeps)


def test_oemdrv_found_late(tmp_path):
    stubs = ("mknod /run/oemdrv b 7 250\n"  # a node only: nothing opens it
             "findfs() { echo x >> /run/looks; [ $(wc -l < /run/looks) -ge 3 ] && echo /run/oemdrv; }\n")
    code, out, calls = run_init(tmp_path, "", "dev=$(oemdrv) && echo found=$dev", stubs)
    assert "found=/run/oemdrv" in out and calls.count("sleep 1") == 2


@pytest.mark.parametrize("cmdline, tries", [("", 10), ("inst.wait_for_disks=3", 10),
                                            ("inst.wait_for_disks=14", 14)])
def test_device_waits_at_least_ten_seconds(tmp_path, cmdline, tries):
    code, out, calls = run_init(tmp_path, cmdline, "device LABEL=NONE; echo rc=$?",
                                stubs="findfs() { return 1; }\n")
    assert "rc=1" in out and calls.count("sleep 1") == tries


def test_stage2_all_tries_in_order(tmp_path):
    cmdline = ("inst.stage2=hd:LABEL=X inst.stage2=http://a.test/bad/ "
               "inst.stage2=http://b.test/good/ inst.stage2=http://c.test/ inst.stage2.all")
    code, out, calls = run_init(tmp_path, cmdline, 'get_stage2; echo "IMG=$IMG UPD=$UPD"')
    assert code == 0, out
    assert calls.splitlines() == ["fetch http://a.test/bad/images/install.img",
                                  "fetch http://b.test/good/images/install.img",
                                  "fetch http://b.test/good/images/updates.img"]
    assert "inst.stage2.all: hd:LABEL=X skipped (only http, https and ftp" in out
    assert "stage2: http://a.test/bad/ failed: 404 Not Found" in out
    assert "IMG=/run/install/install.img UPD=/run/install/updates.img" in out


def test_stage2_all_none_fetched_is_an_emergency(tmp_path):
    cmdline = "inst.stage2=http://a.test/bad1 inst.stage2=ftp://b.test/bad2 inst.stage2.all inst.noshell"
    code, out, calls = run_init(tmp_path, cmdline, "get_stage2; echo not reached",
                                stubs="no_shell() { exit 7; }\n")
    assert code == 7 and "not reached" not in out
    assert ("ERROR: inst.stage2.all: no stage2 could be fetched from: http://a.test/bad1 "
            "ftp://b.test/bad2") in out


def test_without_stage2_all_only_the_last_counts(tmp_path):
    code, out, calls = run_init(tmp_path, "inst.stage2=http://a.test/x/ inst.stage2=http://b.test/y/",
                                "get_stage2")
    assert calls.splitlines()[0] == "fetch http://b.test/y/images/install.img"


@pytest.mark.parametrize("rc, said", [
    (0, "media check: /dev/sr0 is as it was made"),
    (3, "WARNING: media check of /dev/sr0 not done (said above why); going on"),
    (1, "ERROR: media check FAILED: /dev/sr0 does not match the checksum embedded"),
])
def test_media_check_verdicts(tmp_path, rc, said):
    stubs = f"mediacheck() {{ echo checked $1; return {rc}; }}\nno_shell() {{ exit 7; }}\n"
    code, out, _ = run_init(tmp_path, "rd.live.check inst.noshell", "media_check /dev/sr0 < /dev/null",
                            stubs)
    assert said in out and "checked /dev/sr0" in out
    assert code == (7 if rc == 1 else 0)


def test_media_check_only_when_asked(tmp_path):
    stubs = "mediacheck() { echo checked; }\n"
    code, out, _ = run_init(tmp_path, "inst.mediacheck=0", "media_check /dev/sr0; media_check_skipped",
                            stubs)
    assert out.strip() == ""
    code, out, _ = run_init(tmp_path, "inst.mediacheck", "media_check_skipped", stubs)
    assert "stage2 was not read from a disc or an ISO image (network or initrd): nothing to check" in out


def test_noshell_means_no_emergency_shell(tmp_path):
    stubs = "sleep() { exit 7; }\n"  # no_shell's endless wait ends the test's shell
    code, out, _ = run_init(tmp_path, "inst.noshell", "emergency something broke", stubs)
    assert code == 7
    assert "ERROR: something broke" in out and "no shell (inst.noshell)" in out
    assert "EMERGENCY SHELL" not in out
