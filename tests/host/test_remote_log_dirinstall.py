"""Remote syslog through the real program: a `--dirinstall` from the small repository
(served over loopback http with a password in its URL) streams its logs to a UDP syslog
receiver on 127.0.0.1, asked for by the kickstart's `logging --host --port` or by
`inst.syslog`. Lines of anaconda.log, of the DNF worker's packaging log and of program
output arrive as RFC 5424 messages tagged with the host name and the log's name, and
neither the root password (`rootpw --plaintext`, echoed by %pre and %post) nor the
repository password ever arrives."""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest

pytestmark = pytest.mark.host

ROOT_PW = "Remote-Root-4711"
URL_PW = "Remote-Url-0815"
RFC5424 = re.compile(r"<(?P<pri>\d{1,3})>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 "
                     r"(?P<host>[!-~]+) (?P<app>[!-~]+) (?P<pid>\d+) - - (?P<msg>.*)", re.S)


@pytest.fixture
def syslog_server():
    """A UDP syslog receiver on 127.0.0.1: (port, list of datagrams)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    got: list[bytes] = []
    stop = threading.Event()

    def receive():
        while not stop.is_set():
            try:
                got.append(sock.recv(65536))
            except socket.timeout:
                continue

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    try:
        yield sock.getsockname()[1], got
    finally:
        stop.set()
        thread.join()
        sock.close()


def kickstart(repo_url: str, logging_line: str) -> str:
    return f"""lang en_US.UTF-8
timezone Etc/UTC
rootpw --plaintext {ROOT_PW}
url --url={repo_url}
{logging_line}
%pre
echo "pre sees {ROOT_PW}"
%end
%packages
@^test-environment
%end
%post --nochroot
echo "post sees {ROOT_PW} in $ANA_INSTALL_PATH"
%end
"""


@pytest.mark.parametrize("how", ["kickstart", "inst.syslog"])
def test_dirinstall_streams_every_log_redacted(anaconda, tmp_path, http_dir, small_repo,
                                               syslog_server, how):
    port, got = syslog_server
    www, base = http_dir
    (www / "repo").symlink_to(small_repo)
    repo_url = base.replace("http://", f"http://loguser:{URL_PW}@") + "/repo/"
    line = f"logging --host=127.0.0.1 --port={port}" if how == "kickstart" else ""
    ks = tmp_path / "ks.cfg"
    ks.write_text(kickstart(repo_url, line))
    boot = f"inst.syslog=127.0.0.1:{port}" if how == "inst.syslog" else ""
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart",
                      str(ks), boot=boot, repo=None)
    assert result.code == 0, result.text
    time.sleep(0.5)  # the last datagrams on loopback
    lines = [d.decode("utf-8") for d in got]
    parsed = [RFC5424.fullmatch(l) for l in lines]
    assert lines and all(parsed), [l for l, m in zip(lines, parsed) if not m][:3]
    by_app: dict[str, list] = {}
    for match in parsed:
        by_app.setdefault(match["app"], []).append(match)
    assert {"anaconda", "packaging", "program"} <= set(by_app), sorted(by_app)
    assert {m["host"] for m in parsed} == {socket.gethostname()}
    # anaconda.log's story, from its first streamed line to the end
    first = "inst.syslog: logs stream to" if how == "inst.syslog" else "kickstart logging: logs stream to"
    assert first in by_app["anaconda"][0]["msg"]
    assert any("Finished in" in m["msg"] for m in by_app["anaconda"])
    if how == "inst.syslog":  # on from the start: the %pre output is streamed too
        assert any("pre sees ********" in m["msg"] for m in by_app["program"])
    assert any("post sees ********" in m["msg"] for m in by_app["program"])
    # the DNF worker streams itself: another process, the repository URL masked
    worker = {m["pid"] for m in by_app["packaging"]} - {m["pid"] for m in by_app["anaconda"]}
    assert worker, "no packaging line came from the DNF worker's own process"
    assert any(f"loguser:********@" in m["msg"] for m in by_app["packaging"]
               if m["pid"] in worker), [m["msg"] for m in by_app["packaging"]][:10]
    # each line also in its log file (same redacted text, the time left to the header)
    anaconda_log = (result.log_dir / "anaconda.log").read_text()
    assert by_app["anaconda"][-1]["msg"].split(": ", 1)[1] in anaconda_log
    for secret in (ROOT_PW, URL_PW):
        assert not any(secret in l for l in lines), secret
    assert int(by_app["anaconda"][0]["pri"]) == 17 * 8 + 6  # local1.info
