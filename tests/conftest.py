"""Shared test helpers: run the real `anaconda` program, serve files over loopback http."""
from __future__ import annotations

import functools
import http.server
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ANACONDA = Path(sys.executable).parent / "anaconda"


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    log_dir: Path

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture(scope="session")
def small_repo() -> Path:
    """The small test repository (tests/repos/smallrepo.py), built once and cached."""
    from tests.repos.smallrepo import ensure_small_repo

    return ensure_small_repo()


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on now (for the servers the tests start)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _interruptible() -> None:
    """Ctrl-C as a terminal sends it: a test run started in the background by a shell
    inherits SIGINT ignored, and the interrupt tests would then test nothing."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def anaconda(tmp_path, small_repo):
    """Run the installed `anaconda` entry point with its logs in a private directory.

    Unless `repo` says otherwise, the small test repository is the installation source
    (as `inst.repo=`), so kickstarts without a url command install from it.
    """
    log_dir = tmp_path / "logs"

    def run(*args: str, timeout: float = 300, boot: str = "", repo: str | None = "small") -> Outcome:
        if repo == "small":
            repo = small_repo.as_uri()
        if repo:
            boot = f"{boot} inst.repo={repo}".strip()
        argv = [str(ANACONDA), "--logdir", str(log_dir), "--boot-options", boot, *args]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, cwd=REPO, preexec_fn=_interruptible)
        return Outcome(proc.returncode, proc.stdout, proc.stderr, log_dir)

    return run


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_dir(tmp_path):
    """Serve a fresh directory on 127.0.0.1; yields (directory, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port
