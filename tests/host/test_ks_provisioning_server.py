"""A provisioning server for the tests of per-machine kickstarts: a real HTTP server that
records every request's headers and picks the kickstart by the headers or the path, as
Cobbler, Foreman and Satellite do; files under its directory (a repository, stage2) are
served as they are.

Used on loopback by tests/host/test_ks_provisioning.py and tests/vm/test_ks_provisioning.py,
and run as a program inside a private network namespace:
    python -m tests.host.test_ks_provisioning_server ADDRESS PORT DIRECTORY RECORD
serves DIRECTORY, answers any .../<IP>-kickstart from DIRECTORY/by-ip/<IP> and writes what it
saw (and the headers installer/kickstart/provisioning.py gives in its namespace) to RECORD
as JSON lines.
"""
from __future__ import annotations

import functools
import http.server
import json
import sys
import threading
from pathlib import Path
from typing import Callable

#: chooser(path, headers) -> (status, body), or None to serve the path as a file
Chooser = Callable[[str, dict], "tuple[int, bytes] | None"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass

    def do_GET(self) -> None:
        headers = dict(self.headers.items())
        answer = self.server.choose(self.path, headers)  # type: ignore[attr-defined]
        status = answer[0] if answer else None
        self.server.record(self.path, headers, status)  # type: ignore[attr-defined]
        if answer is None:
            return super().do_GET()
        status, body = answer
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


class ProvisioningServer:
    """Serves `directory`; `choose` answers the kickstart requests. `requests` lists
    (path, headers, status or None when served from the directory)."""

    def __init__(self, directory: Path, choose: Chooser, address: str = "127.0.0.1",
                 port: int = 0, on_request: Callable[[dict], None] | None = None) -> None:
        self.requests: list[tuple[str, dict, int | None]] = []
        self._lock = threading.Lock()
        self._on_request = on_request
        handler = functools.partial(_Handler, directory=str(directory))
        self._server = _Server((address, port), handler)
        self._server.choose = choose  # type: ignore[attr-defined]
        self._server.record = self._record  # type: ignore[attr-defined]
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"provisioning:{self.port}")
        self._thread.start()

    def _record(self, path: str, headers: dict, status: int | None) -> None:
        with self._lock:
            self.requests.append((path, headers, status))
        if self._on_request is not None:
            self._on_request({"path": path, "headers": headers, "status": status})

    def kickstart_requests(self) -> list[tuple[str, dict, int | None]]:
        return [r for r in self.requests if r[0].startswith("/ks/")]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "ProvisioningServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def provisioning_headers(headers: dict) -> dict:
    """The headers of a request that inst.ks.sendmac and inst.ks.sendsn send."""
    return {k: v for k, v in headers.items()
            if k.startswith("X-RHN-Provisioning-MAC-") or k == "X-System-Serial-Number"}


def by_mac(kickstarts: dict[str, str]) -> Chooser:
    """A chooser as Cobbler's: the kickstart of the first MAC header it knows; 404 else."""
    def choose(path: str, headers: dict):
        if not path.startswith("/ks/"):
            return None
        for name, value in sorted(provisioning_headers(headers).items()):
            mac = value.split(" ")[-1]
            if name.startswith("X-RHN-Provisioning-MAC-") and mac in kickstarts:
                return 200, kickstarts[mac].encode()
        return 404, b"no kickstart for this machine\n"
    return choose


def by_ip_files(directory: Path) -> Chooser:
    """Any .../<IP>-kickstart from directory/by-ip/<IP>; 404 when there is none."""
    def choose(path: str, headers: dict):
        name = path.rsplit("/", 1)[1]
        if not name.endswith("-kickstart"):
            return None
        if (directory / "by-ip" / name[:-10]).is_file():
            return 200, (directory / "by-ip" / name[:-10]).read_bytes()
        return 404, b"no kickstart for this machine\n"
    return choose


def main(argv: list[str]) -> None:
    from installer.kickstart.provisioning import headers

    address, port, directory, record = argv[0], int(argv[1]), Path(argv[2]), Path(argv[3])

    def write(entry: dict) -> None:
        with record.open("a") as f:
            f.write(json.dumps(entry) + "\n")

    write({"expected": headers(True, True)})
    server = ProvisioningServer(directory, by_ip_files(directory), address, port, on_request=write)
    write({"listening": server.port})
    threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1:])
