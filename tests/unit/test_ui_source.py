"""The installation source controller (installer.ui.source) without a screen: an entered
source is checked off the calling thread, only one that passed goes into the kickstart,
a newer check supersedes an older one; every kind of source (URL, mirror list, metalink,
cdrom, hd:, NFS) and a proxy with a password. Real HTTP servers and a real HTTP proxy on
127.0.0.1; no urwid here."""
from __future__ import annotations

import base64
import http.server
import logging
import subprocess
import sys
import threading
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.errors import InstallerError
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.logs import redact
from installer.ui.repos_form import URL_KINDS, SourceForm, write_source
from installer.ui.session import new_session
from installer.ui.source import SourceController
from tests.vm.harness import HttpServer

ROOT = Path(__file__).resolve().parents[2]
REPOMD = "<repomd><revision>42</revision></repomd>"


def repo(root, name: str = "repo"):
    (root / name / "repodata").mkdir(parents=True)
    (root / name / "repodata/repomd.xml").write_text(REPOMD)
    return root / name


def controller(boot: str = "", kickstart: str | None = None, **kwargs) -> SourceController:
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return SourceController(new_session(parse_cmdline(boot), log_dir=None, loaded=loaded),
                            **kwargs)


def test_the_controllers_need_no_urwid():
    """Importing the UI-model layer's controllers loads no toolkit."""
    code = ("import sys, installer.ui.source, installer.ui.repos, installer.ui.destination; "
            "sys.exit('urwid' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_nothing_selected_is_incomplete():
    source = controller()
    source.setup()
    assert source.ready() and not source.completed()
    assert source.status() == "Nothing selected" and source.form() == SourceForm()


def test_typed_url_is_checked_and_written_to_the_handler(tmp_path):
    url = f"file://{repo(tmp_path)}"
    source = controller()
    assert source.wants_check(SourceForm(url=url))
    source.enter_url(str(repo(tmp_path, "other")))  # a bare path becomes file://
    assert source.wait(10)
    source.enter_url(url)
    assert source.wait(10)
    assert source.check.found == "repository metadata found (repodata/repomd.xml, revision 42)"
    assert source.completed() and source.status() == url
    assert f'url --url="{url}"' in output_text(source.handler)
    assert not source.wants_check(SourceForm(url=url))


def test_failed_url_is_kept_for_correction_and_reported(tmp_path):
    heard = []
    source = controller(on_failed=heard.append)
    missing = f"file://{tmp_path}/nothing"
    source.enter_url(missing)
    assert source.wait(10)
    assert source.check.error.endswith("does not exist") and heard == [source.check.error]
    assert not source.completed() and source.status() == "Error checking source"
    assert source.form() == SourceForm(url=missing)
    assert source.wants_check(SourceForm(url=missing))  # a retry
    assert "url " not in output_text(source.handler)


def test_malformed_url_is_refused_at_once():
    source = controller()
    with pytest.raises(InstallerError, match="nfs is not a URL .*choose Boot medium, Disk or NFS"):
        source.enter_url("nfs:server:/path")
    assert not source.check.running and not source.runner.busy


def test_every_wrong_field_is_named_with_what_it_accepts():
    source = controller()
    with pytest.raises(InstallerError) as nfs:
        source.enter(SourceForm("nfs", server="host:/export", directory="export", options="a b"))
    assert nfs.value.message.splitlines() == [
        "NFS server 'host:/export': enter a host name or an IP address, e.g. nfs.example.com "
        "or 192.168.1.5 (the directory goes in its own field)",
        "NFS directory 'export': give the exported path, absolute, e.g. /exports/fedora "
        "(a tree, an ISO file, or a directory of ISOs)",
        "NFS options 'a b': mount options separated by commas, without spaces or ':', "
        "e.g. vers=4,port=2049"]
    with pytest.raises(InstallerError) as hd:
        source.enter(SourceForm("hd", partition="", path="isos/x.iso"))
    assert hd.value.message.splitlines() == [
        "Partition is empty: choose one of the list or enter a device such as sdb1, "
        "/dev/sdb1, LABEL=NAME or UUID=UUID",
        "ISO or directory 'isos/x.iso': give an absolute path on the partition, e.g. "
        "/isos/Fedora.iso or /repo (or / for its top)"]
    with pytest.raises(InstallerError) as url:
        source.enter(SourceForm("mirrorlist", url="mirrors.example.com/list",
                                proxy="http://user:hunter2x@proxy host:3128"))
    lines = url.value.message.splitlines()
    assert lines[0].startswith("Mirror list URL 'mirrors.example.com/list': expected http://")
    assert lines[1] == ("Proxy 'http://user@proxy host:3128': expected [http://|https://|ftp://]"
                        "[USER@]HOST[:PORT] (the password goes in Proxy password)")
    assert redact("hunter2x") == "********"  # registered although the proxy was refused
    with pytest.raises(InstallerError) as proxy:
        source.enter(SourceForm("url", url="http://a.example.com/", proxy="p.example.com:3128",
                                proxy_password="pw-without-user"))
    assert proxy.value.message == ("Proxy password is given but Proxy 'p.example.com:3128' "
                                   "names no user: enter USER@HOST[:PORT]")
    assert not source.runner.busy and not source.handler.url.seen


def test_boot_option_source_is_checked_at_setup(tmp_path):
    url = f"file://{repo(tmp_path)}"
    source = controller(f"inst.repo={url}")
    source.setup()
    assert source.wait(10)
    assert source.completed() and source.check.found and not source.check.entered
    assert source.form() == SourceForm(url=url)
    assert "url " not in output_text(source.handler)  # not typed: the handler is left alone


def test_newest_check_wins(tmp_path, monkeypatch):
    """Two checks in a row: the first one's result is dropped, the second's kept."""
    import installer.ui.source as module

    release = threading.Event()
    real = module.check_source

    def slow(source):
        if "first" in source.location:
            release.wait(10)
        return real(source)
    monkeypatch.setattr(module, "check_source", slow)
    first, second = repo(tmp_path, "first"), repo(tmp_path, "second")
    source = controller()
    source.enter_url(f"file://{first}")
    source.enter_url(f"file://{second}")
    release.set()
    assert source.wait(10)
    assert source.check.location == f"file://{second}" and not source.check.running
    assert f'url --url="file://{second}"' in output_text(source.handler)
    assert "first" not in output_text(source.handler)


# ---- mirror lists and metalinks over HTTP ---------------------------------------------------
@pytest.fixture
def served(tmp_path):
    repo(tmp_path, "good")
    with HttpServer(tmp_path) as server:
        (tmp_path / "mirrors.txt").write_text(
            f"# mirrors\n{server.url('gone/')}\n\n{server.url('good/')}\n")
        (tmp_path / "empty.txt").write_text("# no mirror today\n")
        (tmp_path / "metalink.xml").write_text(
            '<?xml version="1.0"?><metalink version="3.0"><files><file name="repomd.xml">'
            f'<resources><url protocol="http" type="http">{server.url("good")}'
            '/repodata/repomd.xml</url></resources></file></files></metalink>')
        yield server


def test_mirror_list_is_checked_through_its_mirrors(served):
    source = controller()
    source.enter(SourceForm("mirrorlist", url=served.url("mirrors.txt")))
    assert source.wait(20)
    assert source.check.found.endswith("revision 42) on a mirror of 2"), source.check.error
    assert ("GET", "/gone/repodata/repomd.xml", 404) in served.requests
    assert ("GET", "/good/repodata/repomd.xml", 200) in served.requests
    assert f'url --mirrorlist="{served.url("mirrors.txt")}"' in output_text(source.handler)
    assert source.status() == f"mirror list {served.url('mirrors.txt')}"
    assert source.form() == SourceForm("mirrorlist", url=served.url("mirrors.txt"))


def test_metalink_is_checked_and_a_wrong_kind_is_named(served):
    source = controller()
    source.enter(SourceForm("metalink", url=served.url("metalink.xml")))
    assert source.wait(20)
    assert source.check.found.endswith("on a mirror of 1"), source.check.error
    assert f'url --metalink="{served.url("metalink.xml")}"' in output_text(source.handler)
    source.enter(SourceForm("mirrorlist", url=served.url("metalink.xml")))
    assert source.wait(20)
    assert source.check.error == (f"{served.url('metalink.xml')}: this is a metalink, not a "
                                  "mirror list: choose Metalink")
    source.enter(SourceForm("mirrorlist", url=served.url("empty.txt")))
    assert source.wait(20)
    assert source.check.error == (f"{served.url('empty.txt')}: the mirror list names no "
                                  "repository URL")
    source.enter(SourceForm("metalink", url=served.url("mirrors.txt")))
    assert source.wait(20)
    assert "this is not a metalink (no <metalink> element)" in source.check.error
    assert f'url --metalink="{served.url("metalink.xml")}"' in output_text(source.handler)


# ---- a proxy with a password ------------------------------------------------------------------
class Proxy(http.server.BaseHTTPRequestHandler):
    """A forwarding HTTP proxy that wants user:secret (Proxy-Authorization: Basic)."""

    seen: list[tuple[str, str]] = []

    def do_GET(self):
        auth = self.headers.get("Proxy-Authorization", "")
        self.seen.append((self.path, auth))
        if auth != "Basic " + base64.b64encode(b"installer:pr0xy-S3cret").decode():
            self.send_response(407, "Proxy Authentication Required")
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
            self.end_headers()
            return
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(self.path, timeout=10) as answer:
                body, status = answer.read(), answer.status
        except urllib.error.HTTPError as exc:
            body, status = b"", exc.code
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy():
    Proxy.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_proxy_with_a_password_is_used_and_never_logged_nor_saved(served, proxy):
    records, logger = Records(), logging.getLogger("anaconda")
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        source = controller()
        url = served.url("good/")
        source.enter(SourceForm("url", url=url, proxy=f"http://installer@127.0.0.1:{proxy}",
                                proxy_password="wrong"))
        assert source.wait(20)
        assert "HTTP 407 Proxy Authentication Required" in source.check.error
        assert not source.handler.url.seen
        secret_proxy = f"http://installer:pr0xy-S3cret@127.0.0.1:{proxy}"
        source.enter(SourceForm("url", url=url, proxy=f"installer@127.0.0.1:{proxy}",
                                proxy_password="pr0xy-S3cret", noverifyssl=True))
        assert source.wait(20)
        assert source.check.found, source.check.error
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
    assert Proxy.seen[-1][0] == served.url("good/repodata/repomd.xml")
    assert source.handler.url.proxy == secret_proxy.removeprefix("http://")  # for the install
    saved = output_text(source.handler)
    assert f'url --url="{url}" --proxy="installer@127.0.0.1:{proxy}" --noverifyssl' in saved
    assert "pr0xy-S3cret" not in saved
    assert records.lines and not [line for line in records.lines if "pr0xy-S3cret" in line]
    assert redact(f"x {secret_proxy}") == f"x http://installer:********@127.0.0.1:{proxy}"
    assert "pr0xy-S3cret" not in repr(source.check) and "pr0xy-S3cret" not in source.status()
    assert source.form() == SourceForm("url", url=url, proxy=f"installer@127.0.0.1:{proxy}",
                                       proxy_password="pr0xy-S3cret", noverifyssl=True)


# ---- the kickstart's source commands ------------------------------------------------------------
@pytest.mark.parametrize("line, form", [
    ("cdrom", SourceForm("cdrom")),
    ("harddrive --partition=LABEL=SRC --dir=/isos/x.iso",
     SourceForm("hd", partition="LABEL=SRC", path="/isos/x.iso")),
    ("nfs --server=nfs.example.com --dir=/exports/f --opts=vers=4,port=2049",
     SourceForm("nfs", server="nfs.example.com", directory="/exports/f",
                options="vers=4,port=2049")),
    ('url --mirrorlist="http://m.example.com/list" --proxy=http://p.example.com:3128 --noverifyssl',
     SourceForm("mirrorlist", url="http://m.example.com/list", proxy="http://p.example.com:3128",
                noverifyssl=True)),
    ("url --url=http://a.example.com/r --proxy=https://me:p%40ss@p.example.com:8080",
     SourceForm("url", url="http://a.example.com/r", proxy="https://me@p.example.com:8080",
                proxy_password="p%40ss")),
])
def test_kickstart_source_prefills_the_form(line, form):
    source = controller(kickstart=line + "\n")
    assert source.form() == form
    assert source.source().origin.startswith("the kickstart (")
    other_kind = {"partition": "sdz9"} if form.kind in URL_KINDS else {"url": "http://x.example.com/"}
    assert not source.wants_check(replace(form, **other_kind))  # unchanged: nothing to check


def test_boot_option_forms_prefill_the_form():
    assert controller("inst.repo=nfs:vers=4:10.0.0.1:/srv/repo").form() == \
        SourceForm("nfs", server="10.0.0.1", directory="/srv/repo", options="vers=4")
    assert controller("inst.repo=hd:sdb1:/repo").form() == \
        SourceForm("hd", partition="sdb1", path="/repo")
    assert controller("inst.repo=cdrom").form() == SourceForm("cdrom")


def test_each_kind_is_the_only_source_command_written():
    source = controller(kickstart='url --url="http://a.example.com/repo"\n')
    handler = source.handler
    write_source(handler, SourceForm("hd", partition="sdb1", path="/isos/f.iso"))
    text = output_text(handler)
    assert 'harddrive --dir="/isos/f.iso" --partition=sdb1' in text and "url " not in text
    write_source(handler, SourceForm("nfs", server="10.0.0.1", directory="/srv", options="vers=4"))
    text = output_text(handler)
    assert 'nfs --server=10.0.0.1 --dir="/srv" --opts="vers=4"' in text
    assert "harddrive" not in text
    write_source(handler, SourceForm("cdrom"))
    text = output_text(handler)
    assert "\ncdrom\n" in text and "nfs " not in text
    assert source.status() == "cdrom" and source.source().origin == "entered here"


def test_unreachable_nfs_and_missing_device_are_reported_not_written(tmp_path):
    """The check mounts hd:/NFS read-only (installer/sources.py): a device or a server that
    is not there is an error naming it, and the handler keeps no source."""
    source = controller()
    source.enter(SourceForm("hd", partition="no-such-disk-xyz9", path="/repo"))
    assert source.wait(20)
    assert source.check.error == "device /dev/no-such-disk-xyz9 does not exist"
    assert source.status() == "Error checking source" and not source.handler.harddrive.seen
    with socket_without_listener() as port:
        source.enter(SourceForm("nfs", server="127.0.0.1", directory="/export",
                                options=f"vers=4,port={port}"))
        assert source.wait(60)
    assert "127.0.0.1:/export" in source.check.error, source.check.error
    assert not source.handler.nfs.seen and not source.completed()


class socket_without_listener:
    def __enter__(self) -> int:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc) -> None:
        pass
