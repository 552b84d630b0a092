"""Fleet robustness, with a real nginx serving several machines that network-boot at once
(tests/vm/fleet.py): the server going away for 30 s in the middle of the package
downloads does not fail the installs, and a machine the server has no kickstart for stops
with the reason on its console while the others install."""
from __future__ import annotations

import threading
import time

import pytest

from image.boot.build import ensure_image
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.fleet import all_downloading, boot_fleet, installed, machines, make_site

pytestmark = pytest.mark.vm

OUTAGE = 30  # seconds


@pytest.fixture(scope="module")
def image():
    return ensure_image()


def test_server_outage_during_package_downloads(image, tmp_path):
    """big-i (6 MB) comes at 64 KB/s, so each machine is mid-download when nginx stops;
    nginx comes back after 30 s and both machines finish."""
    fleet = machines(2)
    site = make_site(tmp_path, image, ensure_small_repo(), fleet, packages="tool-j\nbig-i",
                     repo_rate="64k")
    finished = threading.Event()
    outage: dict[str, float] = {}

    def take_the_server_away() -> None:
        while not finished.is_set() and not all_downloading(site, fleet):
            time.sleep(0.5)
        if finished.is_set():
            return
        outage["stopped"] = time.monotonic()
        site.nginx.stop()
        time.sleep(OUTAGE)
        site.nginx.start()
        outage["back"] = time.monotonic()

    with site.nginx:
        operator = threading.Thread(target=take_the_server_away, daemon=True)
        operator.start()
        try:
            results = boot_fleet(site, fleet)
        finally:
            finished.set()
            operator.join(timeout=OUTAGE + 30)
    assert outage.get("back", 0) - outage.get("stopped", 0) >= OUTAGE, outage
    for machine in fleet:
        result = results[machine.name]
        text = result.console_text
        assert "Downloading packages failed" in text and "trying again in" in text, \
            result.summary()
        assert result.succeeded, result.summary()
        assert result.values["hostname"] == machine.hostname, result.summary()
        assert installed(result) == {"tool-j", "big-i"}, result.summary()
        assert result.exit_state == "poweroff", result.summary()
        big = [row for row in site.served_to(machine) if row.path.endswith("/big-i-1.0-1.noarch.rpm")]
        assert big and big[-1].status == 200 and big[-1].bytes > 6_000_000, big


def test_unknown_machine_stops_and_the_others_install(image, tmp_path):
    fleet = machines(1, unknown=1)
    known, stranger = fleet
    site = make_site(tmp_path, image, ensure_small_repo(), fleet)
    with site.nginx:
        results = boot_fleet(site, fleet)
    url = site.url(stranger, "ks/10.0.2.15-kickstart")
    lost = results[stranger.name]
    assert (f"ERROR: cannot fetch the kickstart {url}: the server answered HTTP 404 Not Found "
            "(not retried") in lost.console_text, lost.summary()
    assert "EMERGENCY SHELL" in lost.console_text and lost.exit_state == "stopped", lost.summary()
    assert [row.status for row in site.served_to(stranger) if row.path.startswith("/ks/")] == [404]
    done = results[known.name]
    assert done.succeeded and done.exit_state == "poweroff", done.summary()
    assert done.values["hostname"] == known.hostname, done.summary()
    assert installed(done) == {"tool-j"}, done.summary()
