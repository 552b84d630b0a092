"""httpblk (image/boot/httpblk), the HTTP half: built as the image builds it, and run in
its `--read`/`--size` modes (the bytes the NBD device would return, without the kernel)
against real local servers: a Python range server that can ignore Range, cut answers
short, close kept-alive connections or start late; busybox httpd; nginx. The NBD protocol
on a socketpair (`--serve-fd`), the test playing the kernel's side. And the init's
stage2_url falling back to the copy into RAM when range requests cannot be used.

The ioctls and the device itself (the kernel's nbd module, which this host does not have)
run in a guest: tests/vm/test_stage2_ondemand.py."""
from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

import pytest

from image.boot import httpblk
from tests.conftest import REPO, free_port
from tests.host.test_init_bootopts import function

pytestmark = pytest.mark.host

SIZE = (1 << 20) + 123  # not a multiple of the device's 4096-byte blocks
DATA = bytes((i * 7 + (i >> 9)) % 251 for i in range(SIZE))
PATH = "/images/install.img"


@pytest.fixture(scope="module")
def binary(tmp_path_factory) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    return httpblk.build(tmp_path_factory.mktemp("httpblk") / "httpblk")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        server = self.server
        with server.lock:
            server.requests.append((self.client_address[1], self.headers.get("Range")))
            count = len(server.requests)
        if self.path != PATH:
            self.send_error(404)
            return
        if count <= server.fail_first:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        match = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range") or "")
        if server.ignore_range or not match:
            self.send_response(200)
            self.send_header("Content-Length", str(SIZE))
            self.end_headers()
            try:
                self.wfile.write(DATA)
            except OSError:
                pass
            return
        first, last = int(match[1]), min(int(match[2]), SIZE - 1)
        if first >= SIZE:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{SIZE}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = DATA[first:last + 1]
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{last}/{SIZE}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.cut_answer_at and count == server.cut_answer_at:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)
        if server.close_each:  # without saying so (no Connection: close): a stale keep-alive
            self.wfile.flush()
            self.close_connection = True


class RangeServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, port: int = 0, ignore_range=False, close_each=False, cut_answer_at=0,
                 fail_first=0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.lock = threading.Lock()
        self.requests: list[tuple[int, str | None]] = []
        self.ignore_range, self.close_each = ignore_range, close_each
        self.cut_answer_at, self.fail_first = cut_answer_at, fail_first
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture
def server_factory():
    servers: list[RangeServer] = []

    def make(**kwargs) -> RangeServer:
        servers.append(RangeServer(**kwargs))
        return servers[-1]
    yield make
    for server in servers:
        server.stop()


def run(binary: Path, port: int, *mode: str, retry: int = 20, timeout: float = 120):
    return subprocess.run([str(binary), "--retry", str(retry), *mode, "127.0.0.1", str(port), PATH,
                           f"127.0.0.1:{port}"], capture_output=True, timeout=timeout)


def expected(pieces: list[tuple[int, int]]) -> bytes:
    """What the device reads: the file, then zeros."""
    padded = DATA + b"\0" * (1 << 20)
    return b"".join(padded[off:off + length] for off, length in pieces)


def spec(pieces: list[tuple[int, int]]) -> str:
    return ",".join(f"{off}:{length}" for off, length in pieces)


PIECES = [(0, 4096), (5000, 100000), (SIZE - 1000, 4096), (SIZE + 5000, 512), (123, 1)]


def test_size_and_ranges_on_one_kept_alive_connection(binary, server_factory):
    server = server_factory()
    sized = run(binary, server.port, "--size")
    assert sized.returncode == 0, sized.stderr
    assert sized.stdout.decode().strip() == str(SIZE)
    server.requests.clear()
    got = run(binary, server.port, "--read", spec(PIECES))
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected(PIECES)
    # the probe's first byte, then one range each (the piece past the end asks nothing)
    assert [r for _, r in server.requests] == [
        "bytes=0-0", "bytes=0-4095", "bytes=5000-104999", f"bytes={SIZE - 1000}-{SIZE - 1}",
        "bytes=123-123"]
    assert len({conn for conn, _ in server.requests}) == 1


def test_a_server_ignoring_range_is_refused_with_status_3(binary, server_factory):
    server = server_factory(ignore_range=True)
    got = run(binary, server.port, "--read", "0:10")
    assert got.returncode == 3
    assert b"ignores Range" in got.stderr
    assert len(server.requests) == 1  # no retries: the init copies the image instead


def test_connections_closed_after_each_answer(binary, server_factory):
    server = server_factory(close_each=True)
    got = run(binary, server.port, "--read", spec(PIECES))
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected(PIECES)
    assert len({conn for conn, _ in server.requests}) == len(server.requests) == 5
    assert b"trying again" not in got.stderr  # a closed keep-alive is no failure


def test_an_answer_cut_short_and_server_errors_are_tried_again(binary, server_factory):
    server = server_factory(cut_answer_at=3, fail_first=1)
    got = run(binary, server.port, "--read", spec(PIECES))
    assert got.returncode == 0, got.stderr
    assert got.stdout == expected(PIECES)
    err = got.stderr.decode()
    assert "the server answered 503; trying again in 1 s" in err
    assert "closed the connection in the middle of an answer; trying again" in err
    assert "answers again" in err


def test_a_server_down_for_a_while(binary, server_factory):
    port = free_port()
    proc = subprocess.Popen([str(binary), "--retry", "60", "--read", spec(PIECES), "127.0.0.1",
                             str(port), PATH, f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(4)
    server_factory(port=port)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out == expected(PIECES)
    assert "cannot connect to 127.0.0.1" in err.decode() and "answers again" in err.decode()


def test_gives_up_after_the_retry_time(binary):
    started = time.monotonic()
    got = run(binary, free_port(), "--read", "0:10", retry=3)
    assert got.returncode == 1
    assert b"gave up after" in got.stderr and b": EIO" in got.stderr
    assert time.monotonic() - started < 15


def test_busybox_httpd(binary, tmp_path):
    if shutil.which("busybox") is None or "httpd" not in subprocess.run(
            ["busybox", "--list"], capture_output=True, text=True).stdout.split():
        pytest.skip("no busybox httpd")
    (tmp_path / "images").mkdir()
    (tmp_path / "images/install.img").write_bytes(DATA)
    port = free_port()
    httpd = subprocess.Popen(["busybox", "httpd", "-f", "-p", f"127.0.0.1:{port}", "-h", str(tmp_path)])
    try:
        for _ in range(50):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        got = run(binary, port, "--read", spec(PIECES))
        assert got.returncode == 0, got.stderr
        assert got.stdout == expected(PIECES)
    finally:
        httpd.kill()
        httpd.wait()


def test_nginx(binary, tmp_path):
    from tests.vm.nginx import NGINX, Nginx
    if not Path(NGINX).exists() or os.geteuid() != 0:
        pytest.skip("no nginx (or not root)")
    root = tmp_path / "root"
    (root / "images").mkdir(parents=True)
    (root / "images/install.img").write_bytes(DATA)
    port = free_port()
    with Nginx(root, tmp_path / "nginx", [port], {}) as nginx:
        got = run(binary, port, "--read", spec(PIECES))
        assert got.returncode == 0, got.stderr
        assert got.stdout == expected(PIECES)
        served = [s for s in nginx.served() if s.path == PATH]
        assert served and {s.status for s in served} == {206}


# --- the NBD protocol, the kernel's side played by the test ----------------------------

REQUEST, REPLY = 0x25609513, 0x67446698


def nbd_request(sock: socket.socket, kind: int, handle: bytes, offset: int, length: int,
                flags: int = 0, payload: bytes = b"") -> None:
    """magic, command flags << 16 | type, handle, offset, length: big-endian (linux/nbd.h)"""
    sock.sendall(struct.pack(">II8sQI", REQUEST, (flags << 16) | kind, handle, offset, length)
                 + payload)


def nbd_reply(sock: socket.socket, length: int) -> tuple[int, bytes, bytes]:
    def exactly(count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            assert chunk, "httpblk closed the socket"
            data += chunk
        return data
    magic, error, handle = struct.unpack(">II8s", exactly(16))
    assert magic == REPLY
    return error, handle, exactly(length) if error == 0 else b""


def serving(binary: Path, server, retry: int) -> tuple[subprocess.Popen, socket.socket]:
    """httpblk answering NBD requests on a socket, the test playing the kernel's side."""
    ours, theirs = socket.socketpair()
    proc = subprocess.Popen([str(binary), "--retry", str(retry), "--serve-fd", str(theirs.fileno()),
                             "127.0.0.1", str(server.port), PATH, f"127.0.0.1:{server.port}"],
                            pass_fds=[theirs.fileno()], stderr=subprocess.PIPE)
    theirs.close()
    return proc, ours


def test_nbd_requests_answered_as_the_kernel_expects(binary, server_factory):
    server = server_factory()
    proc, ours = serving(binary, server, 5)
    try:
        ours.settimeout(60)
        # two reads in flight at once, as the kernel sends them; replies carry the handles
        nbd_request(ours, 0, b"handle-1", 4096, 8192)
        nbd_request(ours, 0, b"handle-2", SIZE - 100, 4096)  # past the end: zeros
        assert nbd_reply(ours, 8192) == (0, b"handle-1", DATA[4096:4096 + 8192])
        assert nbd_reply(ours, 4096) == (0, b"handle-2", DATA[SIZE - 100:] + b"\0" * 3996)
        nbd_request(ours, 1, b"write-01", 0, 512, payload=b"x" * 512)  # read-only: refused
        assert nbd_reply(ours, 0) == (1, b"write-01", b"")  # EPERM
        nbd_request(ours, 3, b"flush-01", 0, 0)
        assert nbd_reply(ours, 0) == (0, b"flush-01", b"")
        nbd_request(ours, 0, b"fua-read", 0, 4096, flags=1)  # command flags are ignored
        assert nbd_reply(ours, 4096) == (0, b"fua-read", DATA[:4096])
        server.cut_answer_at = len(server.requests) + 1  # the next answer breaks off: tried again
        nbd_request(ours, 0, b"retried!", 65536, 131072)
        assert nbd_reply(ours, 131072) == (0, b"retried!", DATA[65536:65536 + 131072])
        nbd_request(ours, 2, b"disc-001", 0, 0)  # NBD_CMD_DISC: the server ends
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        ours.close()
    assert b"answers again" in proc.stderr.read()


def test_an_unreadable_range_is_eio_for_the_kernel(binary, server_factory):
    server = server_factory()
    proc, ours = serving(binary, server, 2)
    try:
        ours.settimeout(60)
        nbd_request(ours, 0, b"ok-first", 0, 4096)
        assert nbd_reply(ours, 4096)[0] == 0
        server.fail_first = 10 ** 9  # from now on only 503 answers
        nbd_request(ours, 0, b"gone-eio", 8192, 4096)
        assert nbd_reply(ours, 4096) == (5, b"gone-eio", b"")  # EIO, no data
        ours.close()  # the device goes away: httpblk ends
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    err = proc.stderr.read()
    assert b"the server answered 503; gave up after" in err and b": EIO" in err


# --- the init's side: stage2_url with httpblk, on the host (no nbd) ---------------------

INIT_FUNCTIONS = ("say", "getarg", "hasarg", "getbool", "held_in_ram", "resolve_ipv4",
                  "stage2_ondemand", "stage2_url")
INIT_STUBS = """
network() { :; }
modprobe() { :; }
mdev() { :; }
fetch() { echo "fetch $1" >> /run/calls; echo data > "$2"; }
"""


def run_init(tmp_path: Path, binary: Path, body: str) -> tuple[int, str, str]:
    (tmp_path / "cmdline").write_text("quiet\n")
    script = tmp_path / "script.sh"
    script.write_text("\n".join(function(name) for name in INIT_FUNCTIONS) + INIT_STUBS
                      + f"\nHTTPBLK={binary}\nNBD={tmp_path}/no-nbd0\n" + body + "\n")
    wrapper = (f"mount --bind {tmp_path}/cmdline /proc/cmdline && mount -t tmpfs tmpfs /run && "
               f"mkdir -p /run/anaconda-lean /run/install && : > /run/calls && "
               f"busybox sh {script}; code=$?; cat /run/calls > {tmp_path}/calls; "
               f"cat /run/anaconda-lean/stage2-in-ram > {tmp_path}/held 2>/dev/null; exit $code")
    proc = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", wrapper],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr, (tmp_path / "calls").read_text()


@pytest.fixture
def root_only():
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("busybox") is None:
        pytest.skip("needs root, unshare and busybox")


def test_init_copies_stage2_when_the_server_ignores_range(binary, server_factory, tmp_path, root_only):
    server = server_factory(ignore_range=True)
    code, out, calls = run_init(tmp_path, binary,
                                f'stage2_url http://127.0.0.1:{server.port}/; echo "IMG=$IMG"')
    assert code == 0, out
    assert (f"stage2: http://127.0.0.1:{server.port}/images/install.img cannot be read on demand: "
            "the server ignores range requests (it answered 200 with the whole file); "
            "copying it to RAM instead") in out
    assert calls.splitlines()[0] == f"fetch http://127.0.0.1:{server.port}/images/install.img"
    assert "IMG=/run/install/install.img" in out
    assert (tmp_path / "held").read_text().strip() == "5"  # the stub's copy: "data\n"


def test_init_says_why_when_the_device_is_missing(binary, server_factory, tmp_path, root_only):
    server = server_factory()
    url = f"http://127.0.0.1:{server.port}/images/install.img"
    code, out, calls = run_init(tmp_path, binary, f'stage2_url {url}; echo "IMG=$IMG"')
    assert code == 0, out
    assert f"stage2: {url} cannot be read on demand: cannot open {tmp_path}/no-nbd0" in out
    assert server.requests[0][1] == "bytes=0-0"
    assert "IMG=/run/install/install.img" in out


@pytest.mark.parametrize("url, why", [
    ("http://user:pw@10.0.0.1/", "a user name in the URL"),
    ("http://[fe80::1]:8080/", "an IPv6 address"),
    ("http://no-such-host.invalid/", "no IPv4 address found for no-such-host.invalid"),
])
def test_init_urls_httpblk_cannot_take(binary, tmp_path, root_only, url, why):
    code, out, calls = run_init(tmp_path, binary, f"stage2_url {url}")
    assert f"cannot be read on demand: {why}" in out, out
    assert calls.startswith("fetch ")


def test_the_initrd_carries_httpblk_and_loads_nbd_only_when_asked():
    from image.boot import initrd
    assert "nbd" in initrd.wanted_modules() and "nbd" in initrd.ON_DEMAND
    assert httpblk.SOURCE in initrd.INPUTS
    assert "HTTPBLK=/bin/httpblk" in (REPO / "image/boot/init").read_text()
