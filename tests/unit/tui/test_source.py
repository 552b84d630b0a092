"""The installation source spoke at 80x24: the source from inst.repo or the kickstart, a
typed URL checked in the background against a real HTTP server on 127.0.0.1 (repomd.xml
fetched), clear errors naming the URL, and `url --url=` in the kickstart only once the
URL passed. No DNF here: the check reads repodata/repomd.xml only."""
from __future__ import annotations

import http.server
import re
import threading

import pytest

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.source import SourceSpoke
from tests.unit.tui.driver import Driver, open_spoke
from tests.vm.harness import HttpServer

REPOMD = """<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1700000000</revision></repomd>
"""


@pytest.fixture
def served(tmp_path):
    """A directory tree on a real HTTP server: /repo/ is a repository, /empty/ is not."""
    (tmp_path / "repo/repodata").mkdir(parents=True)
    (tmp_path / "repo/repodata/repomd.xml").write_text(REPOMD)
    (tmp_path / "empty").mkdir()
    (tmp_path / "html/repodata").mkdir(parents=True)
    (tmp_path / "html/repodata/repomd.xml").write_text("<html>Welcome to nginx</html>")
    with HttpServer(tmp_path) as server:
        yield server


def session_for(boot: str = "", kickstart: str | None = None, images=()):
    """`images`: the --image files of a dry run; the hd: list looks only at their loop
    devices (none here), never at the host's disks."""
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(boot), log_dir=None, loaded=loaded, images=list(images))


def with_hub(session, spoke):
    app = TuiApp(session)
    app.show(Hub([spoke], on_begin=lambda: None, on_quit=lambda: None))
    return Driver(app)


def ks_text(session) -> str:
    return str(session.handler)


def flat(drive: Driver) -> str:
    """The screen as one line: wrapped text and dialog borders do not split a phrase."""
    return re.sub(r"[│\s]+", " ", drive.screen())


def shows(drive: Driver, *texts: str) -> str:
    shown = flat(drive)
    for text in texts:
        assert text in shown, f"{text!r} not on screen:\n{drive.screen()}"
    return shown


def dialog(drive: Driver) -> str:
    """The text inside the dialog box, its wrapped lines joined."""
    inside = [line[line.index("│") + 1:line.rindex("│")].strip()
              for line in drive.screen().splitlines() if line.count("│") >= 2]
    return " ".join(part for part in inside if part)


KINDS = ("url", "mirrorlist", "metalink", "cdrom", "hd", "nfs")


def pick_kind(drive: Driver, kind: str) -> Driver:
    """Keys only: up to the kinds (two rows of three), to the first, over to `kind`, Space,
    then down into its first field."""
    index = KINDS.index(kind)
    drive.press(*["up"] * 8, "left", "left", "left", *["down"] * (index // 3),
                *["right"] * (index % 3), " ", *["down"] * (2 - index // 3))
    return drive


def replace_url(drive: Driver, url: str) -> None:
    drive.press(*["backspace"] * 200)
    drive.type(url)


def test_source_from_boot_option_is_checked_at_start(served):
    url = served.url("repo/")
    session = session_for(f"inst.repo={url}")
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.assert_shows("[x] Installation source", url)
    drive.press("1")
    shown = drive.assert_shows("Current source:", url, "the boot option inst.repo",
                               "Checked: repository metadata found", "revision 1700000000",
                               "Repository URL:", "< Check", "< Add repository >",
                               "(X) Repository URL", "( ) NFS server", "Additional repositories")
    assert len(shown.splitlines()) == 24
    assert ("GET", "/repo/repodata/repomd.xml", 200) in served.requests
    drive.press("esc")
    assert "url " not in ks_text(session)  # inst.repo stays a boot option


def test_nothing_selected_is_mandatory_and_incomplete():
    spoke = SourceSpoke()
    drive = with_hub(session_for(), spoke)
    drive.assert_shows("[!] Installation source", "Nothing selected")
    drive.press("1").assert_shows("Current source:       Nothing selected", "Not checked")
    drive.press("esc")  # an empty field: nothing to check, back to the hub
    assert isinstance(drive.app.current, Hub)


def test_typed_url_is_checked_on_leaving_and_written_to_the_kickstart(served):
    session = session_for()
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    url = served.url("repo/")
    drive.press("1").type(url)
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    drive.assert_shows("[x] Installation source", url)
    assert f'url --url="{url}"' in ks_text(session)
    drive.press("1").assert_shows("entered here", "Checked: repository metadata found")


def test_malformed_url_keeps_the_person_in_the_spoke_with_the_reason():
    session = session_for()
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.press("1").type("hd:sdb1:/repo")
    drive.press("esc")
    shows(drive, "Installation source", "Repository URL 'hd:sdb1:/repo': hd is not a URL",
          "those choose Boot medium, Disk or NFS server as the", "https://HOST/PATH")
    drive.press("enter")  # OK
    assert drive.app.current is spoke
    replace_url(drive, "www.example.com/repo")
    drive.press("esc")
    shows(drive, "'www.example.com/repo': expected", "http://HOST/PATH")
    assert "url " not in ks_text(session)


def test_http_404_names_the_url_and_the_status(served):
    session = session_for()
    spoke = SourceSpoke()
    drive = open_spoke(spoke, session)
    url = served.url("empty/")
    drive.type(url).press("enter")
    shows(drive, "Error checking source", f"{url}: the server answered HTTP 404 File not found "
          "for repodata/repomd.xml (is this the directory that holds repodata/?)")
    assert spoke.status() == "Error checking source" and not spoke.completed()
    assert not session.handler.url.seen


def test_not_a_repository_and_unknown_host_and_refused(served, tmp_path):
    spoke = SourceSpoke()
    drive = open_spoke(spoke, session_for())
    drive.type(served.url("html/")).press("enter")
    shows(drive, "is not repository metadata (no <repomd> element): this is not a package "
          "repository")
    replace_url(drive, "http://no-such-host.invalid/repo/")
    drive.press("enter")
    shows(drive, "http://no-such-host.invalid/repo/: the host name no-such-host.invalid cannot be "
          "resolved (DNS")
    with socket_closed() as port:
        replace_url(drive, f"http://127.0.0.1:{port}/repo/")
        drive.press("enter")
        shows(drive, f"127.0.0.1:{port} refused the connection")
    replace_url(drive, str(tmp_path / "missing"))
    drive.press("enter")
    shows(drive, f"the directory {tmp_path / 'missing'} does not exist")
    replace_url(drive, "file://" + str(tmp_path / "repo"))
    drive.press("enter").assert_shows("Checked: repository metadata found")
    assert spoke.handler.url.url == "file://" + str(tmp_path / "repo")


class socket_closed:
    """A port on 127.0.0.1 with nobody listening."""

    def __enter__(self) -> int:
        import socket
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def __exit__(self, *exc) -> None:
        pass


def test_not_ready_while_checking_and_error_dialog_on_the_hub(tmp_path):
    """A slow server: the hub shows [-] and "Checking source..."; the failure, which
    arrives after the person left the spoke, comes up as a dialog naming the URL."""
    release = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            release.wait(10)
            self.send_error(403, "Forbidden")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        session = session_for()
        spoke = SourceSpoke()
        drive = with_hub(session, spoke)
        url = f"http://127.0.0.1:{server.server_address[1]}/repo/"
        drive.press("1").type(url)
        drive.app.handle_key("esc", drive.size)  # no settle: the check is still running
        assert not spoke.ready() and spoke.status() == "Checking source..."
        assert spoke.mark() == "[-]"
        release.set()
        drive.assert_shows("Error checking source", "HTTP 403 Forbidden", "[!] Installation")
        assert not session.handler.url.seen
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_kickstart_url_prefills_and_another_source_command_is_checked(served, tmp_path):
    url = served.url("repo")
    session = session_for(kickstart=f'url --url="{url}"\n')
    drive = open_spoke(SourceSpoke(), session)
    drive.assert_shows("the kickstart (url)", "Checked: repository metadata found")
    assert drive.app.current.edit.edit_text == url
    assert "(X) Repository URL" in drive.screen()
    spoke = SourceSpoke()
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    drive = open_spoke(spoke, session_for(kickstart="harddrive --partition=LABEL=NO-SUCH-DISK-XYZ "
                                          "--dir=/repo\n", images=[disk]))
    shows(drive, "the kickstart (harddrive)", "hd:LABEL=NO-SUCH-DISK-XYZ:/repo",
          "no device has LABEL=NO-SUCH-DISK-XYZ")
    assert not spoke.completed()
    shows(drive, "(X) Disk: ISO/tree (hd:)", "Partition: LABEL=NO-SUCH-DISK-XYZ",
          "ISO or directory: /repo")
    pick_kind(drive, "url").type(url).press("enter")
    text = ks_text(spoke.session)
    assert f'url --url="{url}"' in text and "harddrive" not in text


def test_help_is_specific():
    drive = open_spoke(SourceSpoke(), session_for())
    drive.press("f1")
    assert "Help" in drive.screen()
    text = dialog(drive)
    for words in ("the directory that holds repodata/", "Disk (hd:): a partition",
                  "its password in Proxy password (never logged nor saved)",
                  "only a source that passed is used", "Enter or e edits it, d removes it"):
        assert words in text, text
