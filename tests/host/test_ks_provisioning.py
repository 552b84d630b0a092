"""Per-machine kickstarts against a real HTTP server on loopback that records the request
headers (tests/host/test_ks_provisioning_server.py), from both sides that fetch them:
- the installer's `Reader` (a running system's `--ks URL`, %include URL);
- the boot image's init, its kickstart functions cut out of image/boot/init as they are and
  run by the host's busybox (the static busybox the initrd holds: its sh and wget), in a
  private mount namespace where /proc/cmdline is a test file and /run a tmpfs.
Both send the same headers for the same boot options, read from the same sysfs files.
A bare `inst.ks` is followed through a real DHCP exchange (busybox udhcpd and udhcpc with
the image's udhcpc.script) in a private network namespace. The failure path stops at
`no_shell` (inst.noshell): the emergency shell itself is the VM tier's
(tests/vm/test_ks_provisioning.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import KickstartError
from installer.kickstart.provisioning import headers, mac_headers
from installer.kickstart.reader import Reader
from tests.conftest import REPO, free_port
from tests.host.test_init_bootopts import function
from tests.host.test_ks_provisioning_server import (ProvisioningServer, by_ip_files, by_mac,
                                                    provisioning_headers)

pytestmark = pytest.mark.host

KS = "lang en_US.UTF-8\nrootpw --lock\n"
FUNCTIONS = ("say", "getarg", "hasarg", "getbool", "no_shell", "emergency", "ks_headers",
             "lease", "ks_address", "ks_url", "ks_fetch")
NO_SHELL = "no_shell() { exit 7; }\n"  # the emergency's endless wait ends the test's shell


def host_mac() -> str:
    """The MAC of this host's first interface (as the headers name it)."""
    found = mac_headers()
    if not found:
        pytest.skip("this host has no network interface with an address besides lo")
    return found[0][1].split(" ")[1]



def init_script(body: str) -> str:
    return ("\n".join(function(name) for name in FUNCTIONS) + "\n" + NO_SHELL
            + "KS=/run/install/ks.cfg\nKS_TRIES=5\n" + body + "\n")


def run_init(tmp_path: Path, cmdline: str, body: str) -> tuple[int, str, str]:
    """The init's functions with this kernel command line (and inst.noshell: a failure
    ends the shell), then `body`; the interface the network came up on is lo. Returns the
    exit code, the console and the fetched file."""
    (tmp_path / "cmdline").write_text(cmdline + " inst.noshell\n")
    (tmp_path / "script.sh").write_text(init_script("iface=lo\n" + body))
    wrapper = (f"mount --bind {tmp_path}/cmdline /proc/cmdline && mount -t tmpfs tmpfs /run && "
               f"mkdir -p /run/anaconda-lean /run/install && busybox sh {tmp_path}/script.sh; "
               f"code=$?; cat /run/install/ks.cfg > {tmp_path}/fetched 2>/dev/null; exit $code")
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    fetched = tmp_path / "fetched"
    text = fetched.read_text() if fetched.exists() else ""
    return proc.returncode, proc.stdout + proc.stderr, text


# --------------------------------------------------------------------------- the installer

def test_reader_sends_the_headers_and_asks_for_its_ip(tmp_path):
    options = parse_cmdline("inst.ks.sendmac inst.ks.sendsn")
    with ProvisioningServer(tmp_path, by_mac({host_mac(): KS})) as server:
        text = Reader.for_boot_options(options).read(f"http://127.0.0.1:{server.port}/ks/")
    assert text == KS
    [(path, sent, status)] = server.requests
    assert path == "/ks/127.0.0.1-kickstart" and status == 200
    assert provisioning_headers(sent) == headers(True, True)
    assert "X-RHN-Provisioning-MAC-0" in sent


def test_reader_without_the_switches_sends_none(tmp_path):
    with ProvisioningServer(tmp_path, lambda path, sent: (200, KS.encode())) as server:
        Reader.for_boot_options(parse_cmdline("")).read(f"http://127.0.0.1:{server.port}/a.ks")
    assert provisioning_headers(server.requests[0][1]) == {}


def test_reader_404_is_final(tmp_path):
    said = []
    with ProvisioningServer(tmp_path, by_mac({})) as server:
        url = f"http://127.0.0.1:{server.port}/ks/"
        with pytest.raises(KickstartError) as caught:
            Reader(headers=headers(True, False), say=said.append).read(url)
    assert len(server.requests) == 1 and not said
    message = str(caught.value)
    assert f"{url}127.0.0.1-kickstart" in message and "HTTP 404" in message
    assert "not retried" in message


def test_reader_waits_for_a_server_that_is_not_up_yet(tmp_path):
    port, said = free_port(), []
    servers = []
    starter = threading.Timer(0.6, lambda: servers.append(
        ProvisioningServer(tmp_path, lambda path, sent: (200, KS.encode()), port=port)))
    starter.start()
    try:
        started = time.monotonic()
        text = Reader(backoff=0.4, say=said.append).read(f"http://127.0.0.1:{port}/ks.cfg")
    finally:
        starter.join()
        for server in servers:
            server.stop()
    assert text == KS and time.monotonic() - started >= 0.6
    assert said and said[0].startswith(
        f"kickstart http://127.0.0.1:{port}/ks.cfg: attempt 1 of 5 failed (cannot connect: "
        "ConnectionError); trying again in 0.4 s")
    assert all(f"attempt {n} of 5" in line for n, line in enumerate(said, 1))


def test_reader_retries_5xx_with_growing_waits(tmp_path):
    answers = [(503, b"busy"), (502, b"proxy"), (200, KS.encode())]
    said = []
    with ProvisioningServer(tmp_path, lambda path, sent: answers.pop(0)) as server:
        text = Reader(backoff=0.05, say=said.append).read(f"http://127.0.0.1:{server.port}/k")
    assert text == KS and len(server.requests) == 3
    assert ["HTTP 503" in said[0], "0.05 s" in said[0], "HTTP 502" in said[1],
            "0.1 s" in said[1]] == [True] * 4


def test_reader_gives_up_after_its_attempts(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/ks.cfg"
    with pytest.raises(KickstartError) as caught:
        Reader(retries=3, backoff=0.01).read(url)
    assert url in str(caught.value) and "gave up after 3 attempts" in str(caught.value)


# --------------------------------------------------------------------------- the init

def test_init_sends_what_the_installer_sends(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    with ProvisioningServer(www, by_mac({host_mac(): KS})) as server:
        url = f"http://127.0.0.1:{server.port}/ks/"
        code, out, fetched = run_init(tmp_path, f"inst.ks={url} inst.ks.sendmac inst.ks.sendsn",
                                      f'ks_url "{url}"; ks_fetch "$KS_URL"')
        Reader.for_boot_options(parse_cmdline("inst.ks.sendmac inst.ks.sendsn")).read(url)
    assert code == 0, out
    assert fetched == KS
    (shell_path, shell_sent, _), (python_path, python_sent, _) = server.requests
    assert shell_path == python_path == "/ks/127.0.0.1-kickstart"
    assert provisioning_headers(shell_sent) == provisioning_headers(python_sent) \
        == headers(True, True)
    for name, value in headers(True, True).items():
        assert f"anaconda-init: kickstart: sending {name}: {value}" in out
    assert f"kickstart: fetching {url}127.0.0.1-kickstart (attempt 1 of 5)" in out


def test_init_404_stops_with_the_url_and_the_status(tmp_path):
    with ProvisioningServer(tmp_path, by_mac({})) as server:
        url = f"http://127.0.0.1:{server.port}/ks/"
        code, out, fetched = run_init(tmp_path, "inst.ks.sendmac inst.noshell",
                                      f'ks_url "{url}"; ks_fetch "$KS_URL"; echo not reached')
    assert code == 7 and "not reached" not in out and fetched == ""
    assert len(server.requests) == 1
    assert (f"anaconda-init: ERROR: cannot fetch the kickstart {url}127.0.0.1-kickstart: the "
            "server answered HTTP 404 Not Found (not retried: asking again would not change it)"
            ) in out


def test_init_retries_with_growing_waits(tmp_path):
    answers = [(503, b"busy"), (500, b"oops"), (200, KS.encode())]
    with ProvisioningServer(tmp_path, lambda path, sent: answers.pop(0)) as server:
        url = f"http://127.0.0.1:{server.port}/a.ks"
        started = time.monotonic()
        code, out, fetched = run_init(tmp_path, "", f'ks_fetch "{url}"')
    assert code == 0 and fetched == KS, out
    assert time.monotonic() - started >= 6  # 2 s, then 4 s
    assert ("attempt 1 of 5 failed: server returned error: HTTP/1.1 503 Service Unavailable; "
            "trying again in 2s") in out
    assert ("attempt 2 of 5 failed: server returned error: HTTP/1.1 500 Internal Server Error; "
            "trying again in 4s") in out
    assert f"fetching {url} (attempt 3 of 5)" in out


def test_init_gives_up_on_a_server_that_never_answers(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/a.ks"
    code, out, _ = run_init(tmp_path, "inst.noshell",
                            f'sleep() {{ echo "waited $1"; }}; ks_fetch "{url}"')
    assert code == 7
    assert [line for line in out.splitlines() if line.startswith("waited")] == \
        ["waited 2", "waited 4", "waited 8", "waited 16"]
    assert f"ERROR: cannot fetch the kickstart {url}: " in out
    assert "Connection refused (gave up after 5 attempts)" in out


# --------------------------------------------------------------------------- bare inst.ks

NETNS = r"""
set -e
mount -t sysfs sysfs /sys                 # this namespace's interfaces
mount -t tmpfs tmpfs /run
mkdir -p /run/anaconda-lean /run/install
mount --bind {tmp}/cmdline /proc/cmdline
mount --bind {tmp}/resolv.conf /etc/resolv.conf
ip link set lo up
ip link add veth0 type veth peer name veth1
ip addr add 10.9.0.1/24 dev veth0
ip link set veth0 up
ip link set veth1 up
busybox udhcpd -f {tmp}/udhcpd.conf > {tmp}/udhcpd.log 2>&1 &
dhcpd=$!
{python} -m tests.host.test_ks_provisioning_server 10.9.0.1 80 {www} {tmp}/record \
    > {tmp}/server.log 2>&1 &
server=$!
for i in $(seq 50); do grep -q listening {tmp}/record 2>/dev/null && break; sleep 0.1; done
busybox udhcpc -i veth1 -s {repo}/image/boot/udhcpc.script -q -n -t 5 -T 1
set +e
busybox sh {tmp}/script.sh
code=$?
cat /run/install/ks.cfg > {tmp}/fetched 2>/dev/null
kill $dhcpd $server
exit $code
"""


@pytest.mark.parametrize("dhcp, asked", [
    ("siaddr 10.9.0.1\nboot_file /ks/\n", "/ks/10.9.0.2-kickstart"),  # next-server, filename
    ("", "/kickstart/10.9.0.2-kickstart"),  # neither: the DHCP server and /kickstart/
])
def test_bare_inst_ks_asks_dhcp_next_server_for_its_filename(tmp_path, dhcp, asked):
    www = tmp_path / "www"
    (www / "by-ip").mkdir(parents=True)
    (www / "by-ip/10.9.0.2").write_text(KS)
    (tmp_path / "cmdline").write_text("inst.ks inst.ks.sendmac inst.noshell\n")
    (tmp_path / "resolv.conf").write_text("")
    (tmp_path / "udhcpd.conf").write_text(
        f"start 10.9.0.2\nend 10.9.0.2\ninterface veth0\nlease_file {tmp_path}/leases\n"
        "opt subnet 255.255.255.0\nopt lease 600\n" + dhcp)
    (tmp_path / "script.sh").write_text(init_script(
        'iface=veth1\nks_url ""\nks_fetch "$KS_URL"'))
    script = NETNS.format(tmp=tmp_path, www=www, python=sys.executable, repo=REPO)
    proc = subprocess.run(["unshare", "--net", "--mount", "--uts", "--propagation", "private",
                           "sh", "-c", script], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out + (tmp_path / "server.log").read_text()
    assert (tmp_path / "fetched").read_text() == KS
    records = [json.loads(line) for line in (tmp_path / "record").read_text().splitlines()]
    expected = records[0]["expected"]
    requests = [r for r in records if "path" in r]
    assert [r["path"] for r in requests] == [asked]
    assert provisioning_headers(requests[0]["headers"]) == expected
    assert list(expected) == ["X-RHN-Provisioning-MAC-0", "X-RHN-Provisioning-MAC-1"]
    assert expected["X-RHN-Provisioning-MAC-0"].startswith("veth0 ")
    assert "kickstart: inst.ks without a value: server 10.9.0.1" in out
