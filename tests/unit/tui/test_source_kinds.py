"""The installation source spoke's kinds at 80x24, driven by keys: a mirror list through an
HTTP proxy with a password (real servers on 127.0.0.1), NFS and hd: with their fields
checked and named, the boot medium from a kickstart. The real hd: and NFS sources are in
tests/host/test_source_spoke_*.py; no host disk is looked at here (the hd: list is
limited to the loop devices of the session's --image files: none)."""
from __future__ import annotations

import pytest

from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.source import SourceSpoke
from tests.unit.test_ui_source import Proxy, proxy, socket_without_listener  # noqa: F401
from tests.unit.tui.driver import Driver, open_spoke
from tests.unit.tui.test_source import (dialog, flat, ks_text, pick_kind, session_for, shows,
                                        with_hub)
from tests.vm.harness import HttpServer

SECRET = "pr0xy-S3cret"


@pytest.fixture
def served(tmp_path):
    (tmp_path / "good/repodata").mkdir(parents=True)
    (tmp_path / "good/repodata/repomd.xml").write_text("<repomd><revision>5</revision></repomd>")
    with HttpServer(tmp_path) as server:
        (tmp_path / "mirrors.txt").write_text(server.url("good/") + "\n")
        yield server


def no_images(tmp_path):
    disk = tmp_path / "disk.img"
    disk.write_bytes(b"")
    return [disk]


def test_mirror_list_through_a_proxy_with_a_password(served, proxy):  # noqa: F811
    session = session_for()
    spoke = SourceSpoke()
    drive = with_hub(session, spoke)
    drive.press("1")
    pick_kind(drive, "mirrorlist")
    shows(drive, "(X) Mirror list URL", "Mirror list URL:", "Proxy (optional):")
    mirrors = served.url("mirrors.txt")
    drive.type(mirrors).press("down").type(f"http://installer@127.0.0.1:{proxy}")
    drive.press("down").type(SECRET)
    shows(drive, "Proxy password: " + "*" * len(SECRET))
    assert SECRET not in drive.screen()
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    hub = drive.assert_shows("[x] Installation source", "mirror list http://127.0.0.1")
    assert SECRET not in hub
    text = ks_text(session)
    assert f'url --mirrorlist="{mirrors}" --proxy="http://installer:{SECRET}@127.0.0.1:{proxy}"' \
        in text  # the handler keeps it for the install; the saved file leaves it out
    assert Proxy.seen and Proxy.seen[-1][0] == served.url("good/repodata/repomd.xml")
    shown = drive.press("1").assert_shows("Current source:       mirror list http://",
                                          "entered here", "on a mirror of 1", "(X) Mirror list URL",
                                          f"Proxy (optional):     http://installer@127.0.0.1:{proxy}",
                                          "Proxy password:       " + "*" * len(SECRET))
    assert SECRET not in shown


def test_nfs_fields_are_named_and_an_unreachable_server_reported(tmp_path):
    session = session_for(images=no_images(tmp_path))
    spoke = SourceSpoke()
    drive = open_spoke(spoke, session)
    pick_kind(drive, "nfs")
    shows(drive, "(X) NFS server", "NFS server:", "Directory:", "Mount options:",
          "optional, e.g. vers=4,port=2049")
    drive.type("nfs.example.com:/srv").press("down").type("srv/repo").press("enter")
    shown = dialog(drive)
    assert "NFS server 'nfs.example.com:/srv': enter a host name or an IP address" in shown
    assert "NFS directory 'srv/repo': give the exported path, absolute" in shown
    drive.press("enter")  # OK
    assert not spoke.controller.runner.busy and not session.handler.nfs.seen
    with socket_without_listener() as port:
        drive.press("up", "end", *["backspace"] * 30).type("127.0.0.1")
        drive.press("down", "home", "/").press("down").type(f"vers=4,port={port}")
        drive.press("enter")
        shown = flat(drive)
    assert "Error checking source" in shown and "127.0.0.1:/srv/repo" in shown
    assert "nfs " not in ks_text(session) and not spoke.completed()


def test_disk_source_without_partitions_takes_a_typed_device(tmp_path):
    session = session_for(images=no_images(tmp_path))
    spoke = SourceSpoke()
    drive = open_spoke(spoke, session)
    pick_kind(drive, "hd")
    shows(drive, "(X) Disk: ISO/tree (hd:)", "Partition:", "ISO or directory:",
          "No partition with a file system found; type the device.")
    drive.type("no-such-disk-xyz9").press("down").type("isos/f.iso").press("enter")
    assert dialog(drive) == ("ISO or directory 'isos/f.iso': give an absolute path on the "
                             "partition, e.g. /isos/Fedora.iso or /repo (or / for its top) < OK >")
    drive.press("enter").press("home").type("/").press("enter")
    shows(drive, "Error checking source", "device /dev/no-such-disk-xyz9 does not exist")
    assert "harddrive" not in ks_text(session)
    assert spoke.status() == "Error checking source"


def test_boot_medium_from_the_kickstart_is_shown():
    """Shown without the check (which would look at this machine's optical drives)."""
    app = TuiApp(session_for(kickstart="cdrom\n"))
    spoke = SourceSpoke()
    spoke.app = app
    app.show(spoke)
    drive = Driver(app)
    shows(drive, "Current source: cdrom", "the kickstart (cdrom)", "(X) Boot medium (cdrom)",
          "The installer's boot medium (a CD, DVD or USB stick with repodata/)")
    assert "\ncdrom\n" in ks_text(app.session)
