"""A loopback NFS server for tests: nfs-ganesha in user space, exporting one directory.

The host kernel here has no nfsd (and no NFS client), so the kernel's server cannot be
used; ganesha (Debian's nfs-ganesha with its VFS back end, nfs-ganesha-vfs) serves NFSv4
on a free port of 127.0.0.1, read-only, without rpcbind, and without the 90 s grace
period. It is stopped (and reaped) when the `with` block ends, also after a failure.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.conftest import free_port

GANESHA = "/usr/bin/ganesha.nfsd"
CONFIG = """NFS_CORE_PARAM {{
  Protocols = 4;
  NFS_Port = {port};
  Bind_addr = 127.0.0.1;
  Enable_NLM = false;
  Enable_RQUOTA = false;
}}
NFSV4 {{
  Graceless = true;
  RecoveryBackend = fs;
  RecoveryRoot = {state};
}}
EXPORT {{
  Export_Id = 1;
  Path = {export};
  Pseudo = {export};
  Access_Type = RO;
  Squash = No_Root_Squash;
  Protocols = 4;
  Transports = TCP;
  SecType = sys;
  FSAL {{ Name = VFS; }}
}}
"""


@dataclass
class NfsServer:
    export: Path
    port: int

    @property
    def options(self) -> str:
        """What a client needs to reach it: NFSv4 on its port."""
        return f"vers=4,port={self.port}"



def unavailable() -> str | None:
    """Why no server can run here, or None."""
    if not Path(GANESHA).exists():
        return "nfs-ganesha is not installed (debian-packages.txt lists it; run make setup)"
    if not list(Path("/usr/lib/x86_64-linux-gnu/ganesha").glob("libfsalvfs*")):
        return "nfs-ganesha-vfs (ganesha's VFS back end) is not installed"
    return None


@contextmanager
def nfs_server(export: Path, workdir: Path, timeout: float = 30) -> Iterator[NfsServer]:
    """ganesha serving `export` (an absolute directory) until the block ends."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "state").mkdir(exist_ok=True)
    port = free_port()
    config = workdir / "ganesha.conf"
    config.write_text(CONFIG.format(port=port, state=workdir / "state", export=export))
    log = workdir / "ganesha.log"
    proc = subprocess.Popen([GANESHA, "-F", "-f", str(config), "-L", str(log),
                             "-p", str(workdir / "ganesha.pid"), "-N", "NIV_EVENT"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_ready(proc, port, log, timeout)
        yield NfsServer(export, port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir / "state", ignore_errors=True)


def _wait_ready(proc: subprocess.Popen, port: int, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"ganesha.nfsd exited with {proc.returncode}: {_tail(log)}")
        text = log.read_text(errors="replace") if log.exists() else ""
        if "NFS SERVER INITIALIZED" in text:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return
        time.sleep(0.2)
    raise RuntimeError(f"ganesha.nfsd did not start within {timeout} s: {_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
