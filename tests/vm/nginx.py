"""A real provisioning web server for the fleet tests and bench/fleet.py: Debian's nginx
(package `nginx`, what `nginx-light` installs) on 127.0.0.1, started with a configuration
of its own in a run directory, so nothing of the host's nginx set-up is read or touched.

It serves one directory the way a plain site would: the PXE files, stage2, a repository,
and kickstarts chosen per machine by an nginx `map` on the `X-RHN-Provisioning-MAC-0`
header the installer sends with `inst.ks.sendmac` (as Cobbler and Foreman pick a host's
kickstart). Every machine is given a port of its own, so the access log's `$server_port`
says which machine asked for what: the guests all come from 127.0.0.1 through qemu's user
network, and all have 10.0.2.15.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

NGINX = "/usr/sbin/nginx"

#: one access-log line: port, status, body bytes, request time, the request line
LOG_FORMAT = '$server_port $status $body_bytes_sent $request_time "$request"'
_LOG_LINE = re.compile(r'^(\d+) (\d{3}) (\d+) ([\d.]+) "(\S+) (\S+)[^"]*"$')


@dataclass(frozen=True)
class Served:
    """One request as the access log has it."""
    port: int
    status: int
    bytes: int
    seconds: float
    method: str
    path: str


def _config(root: Path, run: Path, ports: list[int], kickstarts: dict[str, str],
            repo_rate: str | None) -> str:
    """nginx.conf text. `kickstarts` maps a MAC to the file name under root/kickstarts/."""
    listens = "\n".join(f"        listen 127.0.0.1:{port};" for port in ports)
    macs = "\n".join(f'        "~*\\s{mac}$" "{name}";' for mac, name in kickstarts.items())
    rate = f"limit_rate {repo_rate};" if repo_rate else ""
    return f"""# written by tests/vm/nginx.py for one run
daemon off;
master_process on;
worker_processes 2;
user root root;
pid {run}/nginx.pid;
error_log {run}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format served '{LOG_FORMAT}';
    access_log {run}/access.log served;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {run}/client;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    map $http_x_rhn_provisioning_mac_0 $machine_kickstart {{
        default "";
{macs}
    }}
    server {{
{listens}
        root {root};
        location /ks/ {{
            # any name under /ks/ (Anaconda asks for <IP>-kickstart when given a
            # directory): the file the MAC header picks, 404 for a machine not listed
            try_files /kickstarts/$machine_kickstart =404;
        }}
        location /repo/ {{ {rate} }}
    }}
}}
"""


class Nginx:
    """`Nginx(root, ports, kickstarts)`: start with `start()` or as a context manager.
    `stop()` and `start()` again restart it on the same ports with the same log (an outage);
    `cpu_seconds()` is the CPU time nginx's processes used over all its runs so far."""

    def __init__(self, root: Path, run_dir: Path, ports: list[int],
                 kickstarts: dict[str, str], repo_rate: str | None = None) -> None:
        self.root = Path(root).absolute()
        self.run_dir = Path(run_dir).absolute()
        self.ports = list(ports)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf = self.run_dir / "nginx.conf"
        self.conf.write_text(_config(self.root, self.run_dir, self.ports, kickstarts, repo_rate))
        self.access_log = self.run_dir / "access.log"
        self._proc: subprocess.Popen | None = None
        self._cpu_before = 0.0  # CPU of earlier runs

    def start(self, timeout: float = 10.0) -> None:
        if not Path(NGINX).exists():
            raise FileNotFoundError(f"{NGINX} missing: install Debian's `nginx`")
        test = subprocess.run([NGINX, "-t", "-q", "-e", str(self.run_dir / "error.log"),
                               "-c", str(self.conf)], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx rejects {self.conf}: {test.stderr.strip()}")
        self._proc = subprocess.Popen([NGINX, "-e", str(self.run_dir / "error.log"),
                                       "-c", str(self.conf)], start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self._listening():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: see {self.run_dir / 'error.log'}")
            time.sleep(0.05)

    def _listening(self) -> bool:
        for port in self.ports:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) != 0:
                    return False
        return True

    def _pids(self) -> list[int]:
        if self._proc is None or self._proc.poll() is not None:
            return []
        children = Path(f"/proc/{self._proc.pid}/task/{self._proc.pid}/children")
        try:
            workers = [int(p) for p in children.read_text().split()]
        except OSError:
            workers = []
        return [self._proc.pid] + workers

    def _cpu_now(self) -> float:
        """utime + stime of the master and its workers (still running), in seconds."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def cpu_seconds(self) -> float:
        return self._cpu_before + self._cpu_now()

    def stop(self) -> None:
        """Fast shutdown (SIGTERM): open transfers are cut, as a server going away."""
        if self._proc is None:
            return
        self._cpu_before += self._cpu_now()
        if self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        self._proc = None

    def served(self, at_least: int = 0, timeout: float = 10.0) -> list[Served]:
        """Every request logged so far. nginx writes a request's line after the client has
        its answer, so a caller that just made N requests asks for `at_least` N: this
        waits (up to `timeout` s) for the lines still to come."""
        deadline = time.monotonic() + timeout
        while True:
            rows = []
            if self.access_log.exists():
                for line in self.access_log.read_text(errors="replace").splitlines():
                    m = _LOG_LINE.match(line)
                    if m:
                        rows.append(Served(int(m[1]), int(m[2]), int(m[3]), float(m[4]), m[5], m[6]))
            if len(rows) >= at_least or time.monotonic() >= deadline:
                return rows
            time.sleep(0.05)

    def __enter__(self) -> Nginx:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
