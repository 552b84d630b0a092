"""Log lines on the wire: remote syslog over UDP and a virtio-serial port.

Shared by the installer (installer/remote_log.py) and the DNF worker (logfile.py): the
worker is its own process and payload may not import installer, so the wire format lives
here, at the bottom, and both sides send the same lines.

Each log record becomes RFC 5424 syslog messages (rsyslog's default parser chain takes
them on its UDP input, port 514 by default):

    <142>1 2026-12-05T11:52:01.123456+00:00 10.0.2.15 anaconda 412 - - INFO anaconda.install: Installing packages

PRI is facility local1 (Anaconda's) with the record's severity; HOSTNAME tells machines
apart (the host name, or the address the machine sends from when the host name is the
image's placeholder); APP-NAME tells the files apart (anaconda, program, storage,
packaging, as the log files are named); PROCID is the sending process (the DNF worker
has its own). The message is the log file's line without its time. A record of several
lines is sent as one message per line, and a long line in pieces, so no receiver's
length limit cuts anything off; the text is redacted *before* it is cut, so a secret is
never split past the redactor. Sending never blocks the install for long and never
fails it: what cannot be sent is counted in `dropped` and left out.
"""
from __future__ import annotations

import errno
import logging
import os
import socket
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Callable

SYSLOG_PORT = 514
VIRTIO_NAME = "org.fedoraproject.anaconda.log.0"  # Anaconda's default port name
VIRTIO_DIR = "/dev/virtio-ports"
FACILITY_LOCAL1 = 17
#: bytes of MSG in one datagram: with the header well inside rsyslog's default 8 KiB
MAX_MSG = 4000
SEND_TIMEOUT = 0.5  # seconds a full socket buffer may hold a log call up
#: host names that say nothing about the machine (the boot image names itself anaconda)
PLACEHOLDER_HOSTS = {"", "localhost", "localhost.localdomain", "anaconda", "(none)"}
#: logger name prefix -> APP-NAME; the longest matching prefix wins
APP_NAMES = {"anaconda": "anaconda", "anaconda.program": "program",
             "anaconda.storage": "storage", "blivet": "storage",
             "anaconda.payload": "packaging", "dnf": "packaging", "librepo": "packaging"}
MESSAGE_FORMAT = "%(levelname)s %(name)s: %(message)s"


@dataclass(frozen=True)
class RemoteTarget:
    """Where log lines go: kind "syslog" (host, port) or "virtio" (path of the port)."""

    kind: str
    host: str = ""
    port: int = SYSLOG_PORT
    path: str = ""
    level: int = logging.INFO
    #: an open descriptor of the virtio port, handed to the DNF worker: a port may be
    #: open in one process at a time (EBUSY), so the worker writes through the installer's
    fd: int = -1

    def describe(self) -> str:
        if self.kind == "virtio":
            return f"virtio port {self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"syslog udp://{host}:{self.port}"

    def to_dict(self) -> dict:
        return asdict(self)


def severity(levelno: int) -> int:
    """syslog severity of a Python level: debug 7, info 6, warning 4, error 3, critical 2."""
    if levelno >= logging.CRITICAL:
        return 2
    if levelno >= logging.ERROR:
        return 3
    if levelno >= logging.WARNING:
        return 4
    return 6 if levelno >= logging.INFO else 7


def app_name(logger_name: str) -> str:
    best = ""
    for prefix in APP_NAMES:
        if (logger_name == prefix or logger_name.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return APP_NAMES.get(best, "anaconda")


def _header_field(text: str, limit: int) -> str:
    """A printable-ASCII header field without spaces, as RFC 5424 wants; '-' if empty."""
    cleaned = "".join(c for c in text if 33 <= ord(c) <= 126)[:limit]
    return cleaned or "-"


def split_message(text: str, limit: int = MAX_MSG) -> list[str]:
    """One piece per line, each at most `limit` bytes of UTF-8 (cut between characters)."""
    pieces = []
    for line in text.splitlines() or [""]:
        data = line.encode("utf-8", "replace")
        while len(data) > limit:
            cut = limit
            while cut > 0 and (data[cut] & 0xC0) == 0x80:  # not inside a character
                cut -= 1
            pieces.append(data[:cut].decode("utf-8", "replace"))
            data = data[cut:]
        pieces.append(data.decode("utf-8", "replace"))
    return pieces


def syslog_lines(record: logging.LogRecord, message: str, hostname: str,
                 pid: int | None = None) -> list[bytes]:
    """The RFC 5424 messages for one record whose formatted, redacted text is `message`."""
    pri = FACILITY_LOCAL1 * 8 + severity(record.levelno)
    stamp = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="microseconds")
    head = (f"<{pri}>1 {stamp} {_header_field(hostname, 255)} "
            f"{_header_field(app_name(record.name), 48)} {pid or os.getpid()} - - ")
    return [(head + piece).encode("utf-8", "replace") for piece in split_message(message)]


def machine_name(local_address: str = "") -> str:
    """The HOSTNAME field: the host name, else the address this machine sends from."""
    name = socket.gethostname()
    if name.lower() in PLACEHOLDER_HOSTS:
        return local_address or name or "-"
    return name


class _WireHandler(logging.Handler):
    """Formats and redacts a record once, then writes its lines with `_send`. Errors are
    counted, never raised (the install goes on without remote logs)."""

    def __init__(self, target: RemoteTarget, redact: Callable[[str], str]):
        super().__init__(target.level)
        self.target = target
        self.redact = redact
        self.hostname = machine_name()
        self.dropped = 0
        self.sent = 0
        self.last_error: str = ""
        self.setFormatter(logging.Formatter(MESSAGE_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.redact(self.format(record))
            for line in syslog_lines(record, message, self.hostname):
                self._send(line)
        except Exception as exc:  # noqa: BLE001 - a log line must never fail the install
            self.dropped += 1
            self.last_error = f"{exc.__class__.__name__}: {exc}"

    def _send(self, line: bytes) -> None:
        raise NotImplementedError


class SyslogUdpHandler(_WireHandler):
    """RFC 5424 over UDP to target.host:target.port (resolved once, at creation)."""

    def __init__(self, target: RemoteTarget, redact: Callable[[str], str]):
        super().__init__(target, redact)
        family, kind, proto, _, address = socket.getaddrinfo(
            target.host, target.port, type=socket.SOCK_DGRAM)[0]
        self.sock = socket.socket(family, kind, proto)
        self.sock.settimeout(SEND_TIMEOUT)
        self.address = address
        try:  # no packet is sent: this only picks the route, to learn our address
            self.sock.connect(address)
            local = self.sock.getsockname()[0]
        except OSError:
            local = ""
        self.hostname = machine_name(local)

    def _send(self, line: bytes) -> None:
        try:
            self.sock.send(line)
            self.sent += 1
        except OSError as exc:  # refused (ICMP), unreachable, buffer full past the timeout
            self.dropped += 1
            self.last_error = str(exc)

    def close(self) -> None:
        self.sock.close()
        super().close()


class VirtioPortHandler(_WireHandler):
    """The same lines, newline-terminated, written to a virtio-serial port. Opened
    non-blocking: with nobody on the host side a write would wait for ever."""

    def __init__(self, target: RemoteTarget, redact: Callable[[str], str]):
        if target.fd < 0:
            fd = os.open(target.path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
            target = replace(target, fd=fd)
        super().__init__(target, redact)
        self.fd = target.fd

    def _send(self, line: bytes) -> None:
        try:
            os.write(self.fd, line + b"\n")
            self.sent += 1
        except OSError as exc:
            self.dropped += 1
            if exc.errno != errno.EAGAIN:
                self.last_error = str(exc)

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
        super().close()


def inherited_fds(targets: list[dict]) -> tuple[int, ...]:
    """The descriptors a child process that streams to `targets` must inherit."""
    return tuple(t["fd"] for t in targets if t.get("kind") == "virtio" and t.get("fd", -1) >= 0)


def open_handler(target: RemoteTarget, redact: Callable[[str], str]) -> logging.Handler:
    """A handler for `target`; OSError (no such port, a host that does not resolve)
    is the caller's to report."""
    if target.kind == "virtio":
        return VirtioPortHandler(target, redact)
    if target.kind == "syslog":
        return SyslogUdpHandler(target, redact)
    raise ValueError(f"unknown remote log kind {target.kind!r}")
