"""The fleet's web server (tests/vm/nginx.py) on the host, with real nginx and real HTTP
requests: the kickstart is chosen by the MAC header as the README's nginx lines say, an
unknown MAC gets 404, the access log tells machines apart by port and kinds apart by
path, and a stop and start again (an outage) keeps one log."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.conftest import free_port
from tests.vm.fleet import kind_of, traffic
from tests.vm.nginx import Nginx

KNOWN = "52:54:00:f1:00:01"


def get(port: int, path: str, mac: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if mac:
        request.add_header("X-RHN-Provisioning-MAC-0", f"eth0 {mac}")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture
def server(tmp_path):
    www = tmp_path / "www"
    (www / "kickstarts").mkdir(parents=True)
    (www / "kickstarts" / "node1.ks").write_text("network --hostname=node1\n")
    (www / "repo" / "Packages").mkdir(parents=True)
    (www / "repo" / "Packages" / "a.rpm").write_bytes(b"x" * 5000)
    (www / "pxe" / "images").mkdir(parents=True)
    (www / "pxe" / "vmlinuz").write_bytes(b"k" * 100)
    (www / "pxe" / "images" / "install.img").write_bytes(b"s" * 300)
    ports = [free_port(), free_port()]
    nginx = Nginx(www, tmp_path / "run", ports, {KNOWN: "node1.ks"})
    with nginx:
        yield nginx, ports


def test_kickstart_by_mac_header(server):
    nginx, (one, two) = server
    assert get(one, "/ks/10.0.2.15-kickstart", KNOWN.upper()) == (200, b"network --hostname=node1\n")
    assert get(two, "/ks/10.0.2.15-kickstart", "52:54:00:f1:00:09")[0] == 404
    assert get(two, "/ks/10.0.2.15-kickstart")[0] == 404  # no header (no inst.ks.sendmac)


def test_log_by_machine_and_kind(server):
    nginx, (one, two) = server
    get(one, "/pxe/vmlinuz")
    get(one, "/pxe/images/install.img")
    get(one, "/repo/Packages/a.rpm")
    get(two, "/ks/x", KNOWN)
    served = nginx.served(at_least=4)
    by_port = {port: traffic([r for r in served if r.port == port]) for port in (one, two)}
    assert by_port[one] == {"boot": (1, 100), "stage2": (1, 300), "repository": (1, 5000),
                            "kickstart": (0, 0)}
    assert by_port[two]["kickstart"][0] == 1 and by_port[two]["repository"] == (0, 0)
    assert kind_of("/pxe/initrd.img") == "boot" and kind_of("/elsewhere") == "other"


def test_stop_and_start_again_keeps_one_log(server):
    nginx, (one, _) = server
    assert get(one, "/repo/Packages/a.rpm")[0] == 200
    nginx.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{one}/repo/Packages/a.rpm", timeout=5)
    nginx.start()
    assert get(one, "/repo/Packages/a.rpm")[0] == 200
    assert [r.status for r in nginx.served(at_least=2)] == [200, 200]  # one log over both runs
