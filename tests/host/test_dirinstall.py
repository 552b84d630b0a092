"""`anaconda --cmdline --dirinstall` end to end on the host: the queue, the files it
writes, script handling, nosave, network kickstarts, and the end-of-install action."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from tests.conftest import REPO

MINIMAL = REPO / "tests/data/small.ks"  # minimal.ks, for the small test repository


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_minimal_runs_end_to_end(anaconda, tmp_path):
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(MINIMAL))
    assert result.code == 0, result.text
    lines = [l for l in result.out.splitlines() if l.startswith("[")]
    percents = [int(re.match(r"\[\s*(\d+)%\]", l).group(1)) for l in lines]
    assert percents == sorted(percents) and percents[-1] == 100
    for step in ("Preparing the target directory", "Installing packages",
                 "Configuring the system", "Saving the kickstart", "Running %post scripts"):
        assert any(step in l for l in lines), step
    assert "poweroff, not done on a host run" in result.out
    assert (target / "etc/locale.conf").read_text() == "LANG=en_US.UTF-8\n"
    assert (target / "etc/vconsole.conf").read_text() == "KEYMAP=us\n"
    assert (target / "etc/hostname").read_text() == "minimal.example.test\n"
    assert os.readlink(target / "etc/localtime") == "../usr/share/zoneinfo/Etc/UTC"
    assert (target / "etc/adjtime").read_text().endswith("UTC\n")
    for name in ("anaconda-ks.cfg", "original-ks.cfg"):
        assert mode(target / "root" / name) == 0o600
    assert (target / "root/original-ks.cfg").read_text() == MINIMAL.read_text()
    saved = (target / "root/anaconda-ks.cfg").read_text()
    assert "@^test-environment" in saved and "autopart --type=lvm" in saved
    logs = target / "var/log/anaconda"
    assert mode(logs) == 0o700
    for name in ("anaconda.log", "program.log", "storage.log", "packaging.log",
                 "ks-script-post-1.log"):
        assert mode(logs / name) == 0o600, name
    assert f"installed into {target}" in (logs / "ks-script-post-1.log").read_text()
    program_log = (logs / "program.log").read_text()
    # no --interpreter: bash, as on Anaconda's platforms (the host has it)
    assert re.search(r"Running: /bin/bash /tmp/ks-script-post-\w+", program_log)
    assert "Exit code of /bin/bash: 0" in program_log
    assert re.search(r"^\d\d:\d\d:\d\d,\d{3} INFO ", (logs / "anaconda.log").read_text(), re.M)


def test_pre_writes_file_that_is_included(anaconda, tmp_path):
    generated = tmp_path / "generated.ks"
    ks = tmp_path / "main.ks"
    ks.write_text(f"""lang en_US.UTF-8
%pre
echo "network --hostname=from-pre.example.test" > {generated}
%end
%include {generated}
""")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    assert result.code == 0, result.text
    assert (tmp_path / "root/etc/hostname").read_text() == "from-pre.example.test\n"
    assert (result.log_dir / "ks-script-pre-1.log").exists()


def test_include_and_ksappend_over_http(anaconda, http_dir, tmp_path):
    www, base = http_dir
    (www / "net.ks").write_text("network --hostname=over-http.example.test\n")
    (www / "lang.ks").write_text("lang de_DE.UTF-8\n")
    (www / "main.ks").write_text(f"%ksappend {base}/lang.ks\ntimezone Etc/UTC\n"
                                 f"%include {base}/net.ks\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--ks", f"{base}/main.ks")
    assert result.code == 0, result.text
    assert (tmp_path / "root/etc/hostname").read_text() == "over-http.example.test\n"
    assert (tmp_path / "root/etc/locale.conf").read_text() == "LANG=de_DE.UTF-8\n"
    # the original is the fetched file, %ksappend not expanded
    assert (tmp_path / "root/root/original-ks.cfg").read_text().startswith("%ksappend")


def test_ks_all_joins_every_kickstart(anaconda, tmp_path):
    (tmp_path / "a.ks").write_text("lang cs_CZ.UTF-8\n")
    (tmp_path / "b.ks").write_text("network --hostname=joined.example.test\n")
    boot = f"inst.ks=file:{tmp_path}/a.ks inst.ks=file:{tmp_path}/b.ks inst.ks.all"
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), boot=boot)
    assert result.code == 0, result.text
    assert (tmp_path / "root/etc/locale.conf").read_text() == "LANG=cs_CZ.UTF-8\n"
    assert (tmp_path / "root/etc/hostname").read_text() == "joined.example.test\n"
    # without inst.ks.all only the first is used
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "one"), boot=boot.rsplit(" ", 1)[0])
    assert result.code == 0, result.text
    assert not (tmp_path / "one/etc/hostname").exists()


def test_post_in_chroot_nochroot_and_log(anaconda, shell_root, tmp_path):
    ks = tmp_path / "post.ks"
    ks.write_text("""lang en_US.UTF-8
%pre-install
echo "pre-install sees $ANA_INSTALL_PATH" > "$ANA_INSTALL_PATH/pre-install.txt"
%end
%post --log=/root/post.log
echo "inside the chroot"
test -e /bin/dash && echo "root is the target"
%end
%post --nochroot
echo outside > "$ANA_INSTALL_PATH/nochroot.txt"
%end
%post --interpreter=/bin/dash
echo "run by dash"
%end
""")
    result = anaconda("--cmdline", "--dirinstall", str(shell_root), "--kickstart", str(ks))
    assert result.code == 0, result.text
    assert (shell_root / "pre-install.txt").read_text() == f"pre-install sees {shell_root}\n"
    assert (shell_root / "root/post.log").read_text() == "inside the chroot\nroot is the target\n"
    assert (shell_root / "nochroot.txt").read_text() == "outside\n"
    logs = shell_root / "var/log/anaconda"
    assert "run by dash" in (logs / "ks-script-post-3.log").read_text()
    assert not list((shell_root / "tmp").glob("ks-script-*")), "script files left behind"


def test_failing_post_with_erroronfail(anaconda, shell_root, tmp_path):
    marker = tmp_path / "onerror-ran"
    ks = tmp_path / "fail.ks"
    ks.write_text(f"""lang en_US.UTF-8
%post --erroronfail
echo "about to fail"
exit 7
%end
%post --nochroot
touch {tmp_path}/second-post-ran
%end
%onerror
touch {marker}
%end
""")
    result = anaconda("--cmdline", "--dirinstall", str(shell_root), "--kickstart", str(ks))
    assert result.code == 5, result.text
    assert f"{ks}:2: %post exited with code 7" in result.err
    assert "about to fail" in result.err  # the script's log on screen
    assert "Traceback" not in result.text
    assert marker.exists(), "%onerror did not run"
    assert not (tmp_path / "second-post-ran").exists(), "queue went on after the failure"
    assert (shell_root / "var/log/anaconda/anaconda.log").exists(), "logs not saved on failure"


def test_failing_post_without_erroronfail_continues(anaconda, shell_root, tmp_path):
    ks = tmp_path / "soft.ks"
    ks.write_text("lang en_US.UTF-8\n%post\nexit 3\n%end\n")
    result = anaconda("--cmdline", "--dirinstall", str(shell_root), "--kickstart", str(ks))
    assert result.code == 0, result.text
    assert re.search(r"%post exited with code 3 .*; continuing", (result.log_dir / "anaconda.log").read_text())


def test_chroot_without_shell_is_a_clear_error(anaconda, tmp_path):
    ks = tmp_path / "noshell.ks"
    ks.write_text("lang en_US.UTF-8\n%post --erroronfail\ntrue\n%end\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "empty"), "--kickstart", str(ks))
    assert result.code == 5, result.text
    assert "the target has no /bin/sh" in result.err and "--nochroot" in result.err


def test_nosave(anaconda, tmp_path):
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "a"), "--kickstart", str(MINIMAL),
                      boot="inst.nosave=all_ks")
    assert result.code == 0, result.text
    assert not list((tmp_path / "a/root").glob("*.cfg"))
    assert (tmp_path / "a/var/log/anaconda/anaconda.log").exists()
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "b"), "--kickstart", str(MINIMAL),
                      "--nosave", "logs,input_ks")
    assert result.code == 0, result.text
    assert not (tmp_path / "b/var/log/anaconda").exists()
    assert not (tmp_path / "b/root/original-ks.cfg").exists()
    assert (tmp_path / "b/root/anaconda-ks.cfg").exists()


def test_reboot_is_reported_not_done_and_nokill(anaconda, tmp_path):
    ks = tmp_path / "reboot.ks"
    ks.write_text("lang en_US.UTF-8\nreboot\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "r"), "--kickstart", str(ks))
    assert result.code == 0 and "reboot, not done on a host run" in result.out
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "n"), "--kickstart", str(ks),
                      boot="inst.nokill")
    assert result.code == 0 and "inst.nokill keeps the system up" in result.out


def test_unknown_boot_option_is_a_logged_warning(anaconda, tmp_path):
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "r"), "--kickstart", str(MINIMAL),
                      boot="quiet inst.frobnicate=1 ks=http://old/ks.cfg")
    assert result.code == 0, result.text
    log = (result.log_dir / "anaconda.log").read_text()
    assert "unknown boot option 'inst.frobnicate=1' ignored" in log
    assert "'ks=http://old/ks.cfg' is the old spelling; use inst.ks=" in log
    assert "inst.frobnicate" in result.err


def test_dry_run_prints_the_plan_and_writes_nothing(anaconda, tmp_path):
    target = tmp_path / "dry"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(MINIMAL),
                      "--dry-run")
    assert result.code == 0, result.text
    assert "Packages requested: @^test-environment" in result.out
    assert "Package transaction: 6 packages to install" in result.out
    assert "    app-d-1.0-1.noarch" in result.out
    plan = [line.split(". ", 1)[1] for line in result.out.splitlines() if re.match(r"  \d+\. ", line)]
    assert plan[0] == "Preparing the target directory" and plan[-1] == "Running %post scripts"
    assert plan.index("Creating users") < plan.index("Saving the kickstart")
    assert "Dry run: nothing was written." in result.out
    assert not target.exists()
