"""`firewall`, `%addon com_redhat_kdump` and `authselect` applied by the target's own tools:
a real `--dirinstall` of the bundled test repository with firewalld and kdump-tools (Debian
12 packages as RPMs; firewall-offline-cmd runs on the target's python3), checked file by
file; one without them, where each command is warned of with its line and the package to
add; and the authselect/kdumpctl calls against stand-in tools in a minimal chroot."""
from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from installer.configure import authselect, kdump
from installer.configure.target import Target
from installer.errors import ConfigurationError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from tests.host.test_configure_dirinstall import anaconda_log, run_anaconda, wants

pytestmark = pytest.mark.host

KICKSTART = """\
lang en_US.UTF-8
rootpw --lock
firewall --enabled --service=ssh --port=1234:tcp --trust=eth1 --remove-service=dhcpv6-client
authselect select sssd
%packages
firewalld
kdump-tools
%end
%addon com_redhat_kdump --enable --reserve-mb=256
%end
"""
#: Core only: neither firewalld nor kdump-tools nor authselect
WITHOUT = KICKSTART.replace("firewalld\nkdump-tools\n", "")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("firewall-kdump")
    outcome, target = run_anaconda(tmp, KICKSTART)
    assert outcome.code == 0, outcome.text[-3000:]
    return outcome, target, tmp / "ks.cfg"


def test_firewall_zones(installed):
    outcome, target, _ = installed
    public = (target / "etc/firewalld/zones/public.xml").read_text()
    assert '<service name="ssh"/>' in public
    assert '<port port="1234" protocol="tcp"/>' in public
    assert "dhcpv6-client" not in public  # the packaged public zone has it; removed
    assert '<interface name="eth1"/>' in (target / "etc/firewalld/zones/trusted.xml").read_text()
    assert wants(target, "firewalld.service") == ["multi-user.target.wants"]
    program = (outcome.log_dir / "program.log").read_text()
    assert (f"Running: chroot {target} firewall-offline-cmd --enabled --trust=eth1 "
            "--port=1234:tcp --remove-service=dhcpv6-client --service=ssh") in program
    # the target's python wrote no byte code into its system directories
    assert not list((target / "usr/lib/python3/dist-packages/firewall").rglob("__pycache__"))


def test_kdump_tools(installed):
    _, target, ks = installed
    assert wants(target, "kdump-tools.service") == ["basic.target.wants"]
    assert "USE_KDUMP=1\n" in (target / "etc/default/kdump-tools").read_text()
    # where grub-mkconfig takes crashkernel= from on a kdump-tools system
    dropin = (target / kdump.DEBIAN_GRUB).read_text()
    assert dropin == (f"# Written by the installer for %addon com_redhat_kdump at {ks}:9.\n"
                      'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=256M"\n')


def test_authselect_warned_with_its_line(installed):
    outcome, _, ks = installed
    assert (f"WARNING anaconda.configure: {ks}:4: authselect: authselect is not installed on "
            "the target") in anaconda_log(outcome)


def test_saved_kickstart_keeps_the_commands(installed):
    _, target, _ = installed
    saved = (target / "root/anaconda-ks.cfg").read_text()
    assert "firewall --enabled" in saved and "--remove-service=dhcpv6-client" in saved
    assert "%addon com_redhat_kdump --enable --reserve-mb=256\n%end" in saved
    assert "authselect select sssd" in saved


def test_missing_tools_are_warned_with_line_and_package(tmp_path):
    outcome, target = run_anaconda(tmp_path, WITHOUT)
    assert outcome.code == 0, outcome.text[-3000:]
    log = anaconda_log(outcome)
    ks = tmp_path / "ks.cfg"
    assert (f"{ks}:3: firewall: the installed system has no firewall-offline-cmd, so the "
            "firewall is not configured; add firewalld to %packages") in log
    assert (f"{ks}:7: %addon com_redhat_kdump: the installed system has no kdump, so no crash "
            "kernel is set up; add kdump-utils") in log and "kdump-tools (Debian)" in log
    assert f"{ks}:4: authselect: authselect is not installed" in log
    assert not (target / "etc/firewalld").exists()
    # not only in the log: on the console too, where the person running it looks
    assert (f"anaconda: warning: {ks}:3: firewall: the installed system has no "
            "firewall-offline-cmd") in outcome.err
    assert f"anaconda: warning: {ks}:4: authselect: authselect is not installed" in outcome.err


# ------------------------------------------------ stand-in tools in a minimal chroot

def load(tmp_path: Path, text: str):
    ks = tmp_path / "ks.cfg"
    ks.write_text(text)
    return parse([(str(ks), text)], None, Reader())


def tool(root: Path, path: str, script: str) -> None:
    dest = root / path
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text("#!/bin/sh\n" + script)
    os.chmod(dest, 0o755)


def test_authselect_runs_in_the_target(tmp_path, shell_root):
    tool(shell_root, "usr/bin/authselect", 'echo "$@" > /authselect.args\necho Profile selected\n')
    loaded = load(tmp_path, "authselect select sssd with-mkhomedir\n")
    authselect.configure_authselect(loaded.handler, Target(shell_root, loaded.commands_seen))
    assert (shell_root / "authselect.args").read_text() == "select sssd with-mkhomedir --force\n"


def test_failing_authselect_stops_with_line_and_output(tmp_path, shell_root):
    tool(shell_root, "usr/bin/authselect",
         'echo "[error] Profile \\"nosuch\\" was not found." >&2\nexit 4\n')
    loaded = load(tmp_path, "lang en_US.UTF-8\nauthselect select nosuch\n")
    with pytest.raises(ConfigurationError) as failed:
        authselect.configure_authselect(loaded.handler, Target(shell_root, loaded.commands_seen))
    assert str(failed.value) == (f"{tmp_path}/ks.cfg:2: authselect: authselect select nosuch "
                                 '--force failed: [error] Profile "nosuch" was not found.')


def test_auto_asks_the_targets_kdumpctl(tmp_path, shell_root, caplog):
    tool(shell_root, "usr/bin/kdumpctl",
         '[ "$1 $2" = "get-default-crashkernel kdump" ] && echo 2G-64G:320M,64G-:512M\n')
    loaded = load(tmp_path, "%addon com_redhat_kdump --enable --reserve-mb=auto\n%end\n")
    with caplog.at_level(logging.WARNING):
        assert kdump.kernel_arguments(loaded.handler, shell_root) == \
            ["crashkernel=2G-64G:320M,64G-:512M"]
    assert not caplog.records


def test_unknown_firewalld_service_stops_with_the_line(installed, tmp_path):
    """firewall-offline-cmd refuses a service firewalld does not know and writes nothing:
    the install stops naming the line, instead of leaving the packaged zone unnoticed."""
    from installer.configure.firewall import configure_firewall

    _, target, _ = installed
    before = (target / "etc/firewalld/zones/public.xml").read_text()
    loaded = load(tmp_path, "lang en_US.UTF-8\nfirewall --enabled --service=nosuch --port=4321\n")
    with pytest.raises(ConfigurationError) as failed:
        configure_firewall(loaded.handler, Target(target, loaded.commands_seen))
    assert str(failed.value).startswith(f"{tmp_path}/ks.cfg:2: firewall: firewall-offline-cmd "
                                        "--enabled --service=ssh --port=4321:tcp --service=nosuch "
                                        "failed: ")
    assert "'nosuch' not among existing services" in str(failed.value)
    assert (target / "etc/firewalld/zones/public.xml").read_text() == before
