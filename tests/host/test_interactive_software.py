"""The source and software spokes against the REAL bundled test repository: its comps read
by the payload's DNF worker process, depsolves run there after each change, at 80x24.

Checked: environments and add-ons with their descriptions from the real comps; the
%packages the choices write; a source entered in the source spoke reloads the software
list; a bad URL is named with what went wrong; a depsolve error (a kickstart asking for
a package no repository has) shows on the hub and in the spoke."""
from __future__ import annotations

import os
import re
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import pytest

from image.testrepo.build import ensure_repo
from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.ui.software import check_software
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.software import SoftwareSpoke
from spokes.tui.source import SourceSpoke
from tests.unit.tui.driver import Driver
from tests.vm.harness import HttpServer

pytestmark = pytest.mark.host


@pytest.fixture(scope="module")
def repo():
    return ensure_repo()


@pytest.fixture(scope="module")
def served(repo):
    """The repository's parent directory over http: /<key>/ is the repository."""
    with HttpServer(repo.parent) as server:
        yield server


def session_for(tmp_path, boot: str = "", kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(boot), log_dir=tmp_path, loaded=loaded)


def hub(session):
    source, software = SourceSpoke(), SoftwareSpoke()
    app = TuiApp(session)
    app.show(Hub([source, software], on_begin=lambda: None, on_quit=lambda: None))
    return Driver(app), source, software


def flat(drive: Driver) -> str:
    return re.sub(r"[│\s]+", " ", drive.screen())


def packages_section(session) -> str:
    text = str(session.handler)
    return text[text.index("%packages"):text.index("%end") + 4]


def test_real_comps_environment_and_addon_to_packages(tmp_path, repo):
    session = session_for(tmp_path, f"inst.repo={repo.as_uri()}")
    drive, source, software = hub(session)
    drive.assert_shows("[x] Installation source", "[x] Software selection", "Minimal Install")
    assert (tmp_path / "packaging.log").exists()  # the worker logged where the installer logs
    shown = drive.press("2").assert_shows(
        "Base environment", "(*) Minimal Install", "Basic functionality.", "( ) Server",
        "A system for servers, with storage tools.", "Additional software for Minimal Install",
        "[ ] Standard", "Common tools of an interactive system", "[ ] Server tools",
        "Dependencies checked:")
    assert len(shown.splitlines()) == 24
    before = software.state.packages
    drive.press("down", "down", "enter")  # Standard
    drive.assert_shows("[x] Standard", "Dependencies checked:")
    assert software.state.packages > before  # the add-on's packages joined the transaction
    assert packages_section(session) == "%packages\n@^minimal-environment\n@standard\n\n%end"
    drive.press("esc").assert_shows("[x] Software selection", "Minimal Install")


def test_busy_while_the_depsolve_runs(tmp_path, repo):
    session = session_for(tmp_path, f"inst.repo={repo.as_uri()}")
    drive, _, software = hub(session)
    drive.assert_shows("[x] Software selection")  # the comps are loaded
    drive.press("2")
    drive.app.handle_key("down", drive.size)
    drive.app.handle_key("enter", drive.size)  # Server; not settled: the worker runs
    assert not software.ready() and software.mark() == "[-]"
    assert software.status() == "Checking software dependencies..."
    drive.assert_shows("(*) Server", "Dependencies checked:")
    assert software.ready() and software.completed()
    assert packages_section(session) == "%packages\n@^server-environment\n\n%end"


def test_source_entered_loads_the_software_list(tmp_path, served, repo):
    session = session_for(tmp_path)
    drive, source, software = hub(session)
    drive.assert_shows("[!] Installation source", "Nothing selected",
                       "[!] Software selection", "Installation source not set up")
    bad = served.url("no-such-dir/")
    drive.press("1").type(bad).press("enter")
    shown = flat(drive)
    assert f"{bad}: the server answered HTTP 404" in shown and "repodata/repomd.xml" in shown
    url = served.url(repo.name + "/")
    drive.press(*["backspace"] * len(bad)).type(url)
    drive.press("esc")  # checked, written, and the software spoke follows
    drive.assert_shows("[x] Installation source", "[x] Software selection", "Minimal Install")
    assert source.status() == url  # the hub's column cuts it short
    assert f'url --url="{url}"' in str(session.handler)
    assert software.state.comps is not None and software.state.comps.environment("server-environment")


def test_depsolve_error_from_the_kickstart_is_shown(tmp_path, repo):
    session = session_for(tmp_path, kickstart=f'url --url="{repo.as_uri()}"\n'
                          "%packages\n@^minimal-environment\nno-such-package\n%end\n")
    drive, _, software = hub(session)
    drive.assert_shows("[!] Software selection", "Error checking software")
    assert software.status().startswith("Error checking software dependencies: not in any "
                                         "repository: no-such-package")
    assert not software.completed() and software.ready()
    drive.press("1")  # the only spoke the kickstart left incomplete
    shown = flat(drive)
    assert "(*) Minimal Install" in shown
    assert ("Error checking software dependencies: not in any repository: no-such-package; fix "
            "the names, add a repository, or use %packages --ignoremissing") in shown


def test_unknown_environment_and_unreachable_source(tmp_path, repo):
    session = session_for(tmp_path, kickstart=f'url --url="{repo.as_uri()}"\n'
                          "%packages\n@^no-such-environment\n%end\n")
    result = check_software(session.handler, session.options, tmp_path, read_comps=True)
    assert [e.id for e in result.comps.environments] == ["minimal-environment", "server-environment"]
    assert result.error_kind == "MissingPackages" and "@^no-such-environment" in result.error
    session = session_for(tmp_path, "inst.repo=file:///nonexistent/repo")
    drive, _, software = hub(session)
    drive.assert_shows("[!] Installation source", "Error checking source",
                       "[!] Software selection", "Error loading the software")
    assert "file:///nonexistent/repo" in software.status()
    drive.press("1")
    assert "file:///nonexistent/repo: the directory /nonexistent/repo does not exist" in flat(drive)


def test_missing_package_can_be_skipped_from_the_spoke(tmp_path, repo):
    session = session_for(tmp_path, kickstart=f'url --url="{repo.as_uri()}"\n'
                          "%packages\n@^minimal-environment\nno-such-package\n%end\n")
    drive, _, software = hub(session)
    drive.assert_shows("[!] Software selection")
    drive.press("1")
    assert "Press i to install without them (%packages --ignoremissing)." in flat(drive)
    drive.press("i").assert_shows("Dependencies checked:")
    assert software.completed()
    assert packages_section(session).startswith("%packages --ignoremissing\n@^minimal-environment\n")
    drive.press("esc").assert_shows("[x] Software selection")


def test_kickstart_hub_shows_the_software_spoke_once_its_depsolve_fails(tmp_path, repo):
    """With a kickstart the hub lists only what is missing (here a root password); a
    depsolve that fails after the hub was built must still bring the software spoke up,
    or Begin is blocked by a spoke nobody can see."""
    from tests.unit.tui.test_hub import ToggleSpoke

    session = session_for(tmp_path, kickstart=f'url --url="{repo.as_uri()}"\n'
                          "%packages\n@^minimal-environment\nno-such-package\n%end\n")
    rootpw = ToggleSpoke("Root password", "USER SETTINGS", True)
    app = TuiApp(session)
    app.show(Hub([SourceSpoke(), SoftwareSpoke(), rootpw], on_begin=lambda: None,
                 on_quit=lambda: None))
    drive = Driver(app)
    shown = drive.assert_shows("1) [!] Software selection", "2) [!] Root password")
    assert "Installation source" not in shown  # complete: not shown with a kickstart


def _live_workers(ours: set[int]) -> int:
    """Children of this process running the DNF worker, counted until they are reaped (a
    zombie still counts: its pid is remembered from when its command line was readable)."""
    from pathlib import Path

    me, alive = str(os.getpid()), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if stat.rpartition(")")[2].split()[1] != me:  # field 4: the parent's pid
            continue
        pid = int(entry.name)
        if b"payload.worker" in cmdline:
            ours.add(pid)
        if pid in ours:
            alive += 1
    return alive


@contextmanager
def worker_peak(seen: set[int]) -> Iterator[list[int]]:
    """The most DNF workers alive at once while the block runs: `peak[0]` afterwards."""
    peak, stop = [0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _live_workers(seen))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join(10)


def test_quick_toggles_never_stack_dnf_workers(tmp_path, small_repo):
    """Ten add-on toggles in a row through the controller: each supersedes the check
    before it, whose worker is terminated and reaped before the next one starts; the
    result shown is the depsolve of the last selection."""

    from installer.ui.software import SoftwareController

    session = session_for(tmp_path, f"inst.repo={small_repo.as_uri()}")
    controller = SoftwareController(session)
    controller.follow_source()
    assert controller.wait(120) and controller.state.comps is not None
    controller.pick_environment("bare-environment")
    assert controller.wait(120) and not controller.state.error

    seen: set[int] = set()
    with worker_peak(seen) as peak:
        for n in range(10):
            controller.toggle_addon(("tools", "extras")[n % 2])
            time.sleep(0.05)  # a person's quick key presses: workers get to start
        assert controller.wait(120)
    assert peak[0] == 1, f"{peak[0]} DNF workers alive at once"
    assert len(seen) > 1  # the sampler saw the workers: each toggle started (or queued) one
    assert _live_workers(seen) == 0
    assert packages_section(session) == "%packages\n@^bare-environment\n@extras\n@tools\n\n%end"
    state = controller.state
    expected = check_software(session.handler, session.options, tmp_path)
    assert not state.error and not state.busy and controller.completed()
    assert state.packages == expected.packages and expected.packages > 0


# ---- single packages, against the real repositories ------------------------------------
def test_search_and_add_a_package_from_the_real_repository(tmp_path, repo):
    """The package list comes with the comps from the one survey worker; the search finds
    the bundled repository's openssh packages by name and summary, adding one grows the
    real depsolve, and a name the repository lacks is refused by name."""
    session = session_for(tmp_path, f"inst.repo={repo.as_uri()}")
    drive, _, software = hub(session)
    drive.assert_shows("[x] Software selection", "Minimal Install")
    index = software.state.index
    assert index is not None and len(index) > 100
    log = (tmp_path / "packaging.log").read_text()
    assert f"Package list for the search: {len(index)} packages" in log
    before = software.state.packages
    drive.press("2", "s").type("ssh")
    shown = drive.assert_shows("Search packages: ssh", "[ ] openssh-server",
                               "secure shell (SSH) server")
    assert len(shown.splitlines()) == 24
    rows = [line.split()[2] for line in shown.splitlines() if line.startswith(" [ ] ")]
    assert rows[0] == "openssh-client" and "openssh-server" in rows
    drive.press(*["down"] * (rows.index("openssh-server") + 1), " ")
    drive.assert_shows("[+] openssh-server", "Added openssh-server.", "Dependencies checked:")
    assert software.state.packages > before
    drive.press(*["backspace"] * 3).type("no-such-package").press("enter")
    assert "No package is named no-such-package in the installation source's" in flat(drive)
    drive.press("esc").assert_shows("Packages", "[+] openssh-server")
    assert packages_section(session) == "%packages\n@^minimal-environment\nopenssh-server\n\n%end"


def test_weak_dependencies_and_excludes_change_the_real_transaction(tmp_path, small_repo):
    """app-c recommends extra-f (tests/repos/smallrepo.py): --exclude-weakdeps drops it,
    and so does -extra-f; a kickstart's %packages pre-fills the screen, and a package it
    excludes is still found by the search (to be taken back)."""
    from installer.ui.software import SoftwareController

    session = session_for(tmp_path, kickstart=f'url --url="{small_repo.as_uri()}"\n'
                          "%packages\n@^bare-environment\napp-c\n-doc-e\n%end\n")
    controller = SoftwareController(session)
    controller.follow_source()
    assert controller.wait(120) and not controller.state.error
    assert controller.listed_packages() == [("+", "app-c"), ("-", "doc-e")]
    assert [r.name for r in controller.search("doc-e").rows] == ["doc-e"]
    controller.forget("doc-e")
    with_weak = controller.state.packages
    controller.set_exclude_weakdeps(True)
    assert controller.wait(120) and controller.state.packages == with_weak - 1
    controller.set_exclude_weakdeps(False)
    controller.add_spec("-extra-f")
    assert controller.wait(120) and controller.state.packages == with_weak - 1
    assert [r.name for r in controller.search("extra-f").rows] == ["extra-f"]  # still found
    assert packages_section(session) == "%packages\n@^bare-environment\napp-c\n-extra-f\n\n%end"


def test_package_edits_and_searches_never_stack_dnf_workers(tmp_path, small_repo):
    """Searches start no worker at all; quick package edits supersede each other's
    depsolve like add-on toggles do, one worker alive at a time; the last result is the
    depsolve of the last selection."""
    import threading

    from installer.ui.software import SoftwareController

    session = session_for(tmp_path, f"inst.repo={small_repo.as_uri()}")
    controller = SoftwareController(session)
    controller.follow_source()
    assert controller.wait(120) and controller.state.index is not None
    seen: set[int] = set()
    for text in ("a", "ap", "app", "app-", "tool", "test package"):
        assert controller.search(text).rows
    assert not controller.runner.busy and _live_workers(seen) == 0 and not seen

    with worker_peak(seen) as peak:
        for n in range(10):
            [lambda: controller.add_spec("tool-j"), lambda: controller.exclude("doc-e"),
             lambda: controller.forget("tool-j"),
             lambda: controller.set_exclude_weakdeps(n > 5)][n % 4]()
            controller.search("tool")
            time.sleep(0.05)
        controller.add_spec("app-d")
        assert controller.wait(120)
    assert peak[0] == 1, f"{peak[0]} DNF workers alive at once"
    assert len(seen) > 1 and _live_workers(seen) == 0
    assert packages_section(session) == ("%packages --exclude-weakdeps\n@^test-environment\n"
                                         "app-d\ntool-j\n-doc-e\n\n%end")
    expected = check_software(session.handler, session.options, tmp_path)
    assert not controller.state.error and controller.state.packages == expected.packages
