"""Remote logs (installer/remote_log.py, payload/remotelog.py): the boot options, the RFC
5424 lines, the redaction before anything leaves, and real sockets and FIFOs on loopback."""
from __future__ import annotations

import logging
import os
import re
import socket
import threading
from pathlib import Path

import pytest

from installer import logs, remote_log
from installer.bootopts import parse_cmdline
from installer.bootopts.ignored import IGNORED
from installer.errors import BootOptionError
from installer.kickstart.support import APPLIED, disposition
from installer.kickstart.version import make_handler
from payload import logfile, remotelog
from payload.remotelog import RemoteTarget, split_message, syslog_lines

#: RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
RFC5424 = re.compile(r"<(?P<pri>\d{1,3})>1 (?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00) "
                     r"(?P<host>[!-~]{1,255}) (?P<app>[!-~]{1,48}) (?P<pid>\d+) - - (?P<msg>.*)",
                     re.S)
SECRET = "Remote-Secret-4711"


class Receiver:
    """A UDP syslog receiver on 127.0.0.1: every datagram, decoded."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines: list[str] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopping.is_set():
            try:
                self.lines.append(self.sock.recv(65536).decode())
            except socket.timeout:
                continue

    def wait_for(self, text: str, seconds: float = 5) -> None:
        deadline = threading.Event()
        for _ in range(int(seconds / 0.05)):
            if any(text in line for line in self.lines):
                return
            deadline.wait(0.05)
        raise AssertionError(f"{text!r} not received; got {self.lines}")

    def close(self):
        self.stopping.set()
        self.thread.join()
        self.sock.close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def installer_logs(tmp_path):
    logs.setup_logging(tmp_path)
    logs.register_secret(SECRET)
    yield tmp_path
    logs.detach_remote()


def record(name="anaconda", level=logging.INFO, msg="hello") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, None, None)


# ------------------------------------------------------------------ boot options

def test_syslog_boot_option_forms():
    assert parse_cmdline("inst.syslog=logs.example.com").syslog == ("logs.example.com", 514)
    assert parse_cmdline("inst.syslog=10.0.2.2:5514").syslog == ("10.0.2.2", 5514)
    assert parse_cmdline("inst.syslog=[fd00::1]:600").syslog == ("fd00::1", 600)
    assert parse_cmdline("inst.syslog=fd00::1").syslog == ("fd00::1", 514)
    for bad in ("inst.syslog=host:0", "inst.syslog=host:http", "inst.syslog=[fd00::1",
                "inst.syslog=user@host", "inst.syslog"):
        with pytest.raises(BootOptionError, match="inst.syslog"):
            parse_cmdline(bad)


def test_virtiolog_boot_option_and_port_path():
    assert parse_cmdline("inst.virtiolog").virtiolog == ""
    assert parse_cmdline("inst.virtiolog=my.port.1").virtiolog == "my.port.1"
    assert parse_cmdline("").virtiolog is None
    with pytest.raises(BootOptionError, match="inst.virtiolog"):
        parse_cmdline("inst.virtiolog=../../etc/passwd")
    assert remote_log.virtio_path("") == "/dev/virtio-ports/org.fedoraproject.anaconda.log.0"
    assert remote_log.virtio_path("x.1") == "/dev/virtio-ports/x.1"


def test_no_longer_warned_of_and_logging_is_applied():
    options = parse_cmdline("inst.syslog=h inst.virtiolog")
    assert "inst.syslog" not in IGNORED and "inst.virtiolog" not in IGNORED
    assert not options.warnings
    entry = disposition("logging")
    assert entry.state == APPLIED and set(entry.applied.split()) == {"--host", "--port"}


# ------------------------------------------------------------------ the wire format

def test_rfc5424_line_tags_host_program_and_severity():
    rec = record("anaconda.storage.plan", logging.WARNING, "x")
    (line,) = syslog_lines(rec, "WARNING anaconda.storage.plan: x", "node7", pid=42)
    match = RFC5424.fullmatch(line.decode())
    assert match, line
    assert int(match["pri"]) == 17 * 8 + 4  # local1.warning
    assert (match["host"], match["app"], match["pid"]) == ("node7", "storage", "42")
    assert match["msg"] == "WARNING anaconda.storage.plan: x"


@pytest.mark.parametrize("name,app", [
    ("anaconda", "anaconda"), ("anaconda.install", "anaconda"), ("anaconda.program", "program"),
    ("anaconda.storage", "storage"), ("blivet", "storage"), ("blivet.devices", "storage"),
    ("anaconda.payload", "packaging"), ("dnf", "packaging"), ("librepo", "packaging"),
    ("anaconda.programs", "anaconda")])
def test_program_name_is_the_log_file(name, app):
    assert remotelog.app_name(name) == app


@pytest.mark.parametrize("level,sev", [(logging.DEBUG, 7), (logging.INFO, 6),
                                       (logging.WARNING, 4), (logging.ERROR, 3),
                                       (logging.CRITICAL, 2)])
def test_severity(level, sev):
    assert remotelog.severity(level) == sev


def test_lines_and_long_lines_are_split_between_characters():
    assert split_message("a\nb") == ["a", "b"]
    text = "é" * 3000  # 6000 bytes
    pieces = split_message(text, limit=4001)
    assert "".join(pieces) == text and all(len(p.encode()) <= 4001 for p in pieces)


def test_placeholder_host_name_gives_way_to_the_address(monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "anaconda")
    assert remotelog.machine_name("10.0.2.15") == "10.0.2.15"
    monkeypatch.setattr(socket, "gethostname", lambda: "rack4-node7")
    assert remotelog.machine_name("10.0.2.15") == "rack4-node7"


# ------------------------------------------------------------------ real sockets

def test_every_log_streams_once_redacted(installer_logs, receiver):
    remote_log._start(RemoteTarget("syslog", "127.0.0.1", receiver.port, level=logging.INFO),
                      "test")
    for name in ("anaconda.install", "anaconda.program", "anaconda.storage", "blivet",
                 "anaconda.payload", "dnf"):
        logging.getLogger(name).info("from %s with %s", name, SECRET)
    logging.getLogger("anaconda.storage").debug("below the level")
    receiver.wait_for("from dnf")
    got = [RFC5424.fullmatch(line) for line in receiver.lines if " with " in line]
    assert all(got) and len(got) == 6, receiver.lines  # warnings forwarded to anaconda.log: not twice
    assert [m["app"] for m in got] == ["anaconda", "program", "storage", "storage",
                                       "packaging", "packaging"]
    assert {m["pid"] for m in got} == {str(os.getpid())}
    assert not any(SECRET in line for line in receiver.lines)
    assert all("from" in m["msg"] and "********" in m["msg"] for m in got)
    assert not any("below the level" in line for line in receiver.lines)
    # the files are unchanged by it
    assert "********" in (installer_logs / "storage.log").read_text()


def test_a_secret_on_a_cut_is_redacted_before_the_cut(installer_logs, receiver):
    remote_log._start(RemoteTarget("syslog", "127.0.0.1", receiver.port), "test")
    prefix = "x" * (remotelog.MAX_MSG - len("INFO anaconda: ") - 5)
    logging.getLogger("anaconda").info("%s%s tail", prefix, SECRET)
    receiver.wait_for("tail")
    assert not any(SECRET[:8] in line or SECRET[-8:] in line for line in receiver.lines)


def test_multiline_traceback_arrives_line_by_line(installer_logs, receiver):
    remote_log._start(RemoteTarget("syslog", "127.0.0.1", receiver.port), "test")
    try:
        raise RuntimeError(f"boom {SECRET}")
    except RuntimeError:
        logging.getLogger("anaconda").exception("failed")
    receiver.wait_for("RuntimeError")
    assert any(l.endswith("ERROR anaconda: failed") for l in receiver.lines)
    assert any("Traceback (most recent call last):" in l for l in receiver.lines)
    assert not any(SECRET in l for l in receiver.lines)


def test_a_host_that_does_not_resolve_is_warned_and_nothing_fails(installer_logs):
    assert not remote_log._start(RemoteTarget("syslog", "no-such-host.invalid"), "inst.syslog")
    assert logs.remote_handlers() == []
    assert "remote logging to syslog udp://no-such-host.invalid:514 is off" in \
        (installer_logs / "anaconda.log").read_text()


def test_nobody_listening_drops_lines_without_failing(installer_logs, closed_port):
    remote_log._start(RemoteTarget("syslog", "127.0.0.1", closed_port), "test")
    for n in range(5):
        logging.getLogger("anaconda").info("line %d", n)
    (handler,) = logs.remote_handlers()
    assert handler.sent + handler.dropped >= 5


def test_virtio_port_gets_the_same_lines_and_never_blocks(installer_logs, tmp_path):
    """A FIFO stands for the port: without a reader it cannot be opened (warned, off);
    with a reader that stops reading, lines are dropped instead of blocking the install."""
    fifo = tmp_path / "port"
    os.mkfifo(fifo)
    assert not remote_log._start(RemoteTarget("virtio", path=str(fifo)), "inst.virtiolog")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert remote_log._start(RemoteTarget("virtio", path=str(fifo)), "inst.virtiolog")
        logging.getLogger("anaconda.program").info("  | output with %s", SECRET)
        data = os.read(reader, 65536).decode()
        lines = data.splitlines()
        assert data.endswith("\n") and all(RFC5424.fullmatch(l) for l in lines)
        assert any(RFC5424.fullmatch(l)["app"] == "program" and "output with ********" in l
                   for l in lines)
        for n in range(2000):  # ~200 KB into a 64 KB pipe nobody reads
            logging.getLogger("anaconda").info("filler %d %s", n, "y" * 80)
        (handler,) = logs.remote_handlers()
        assert handler.dropped > 0 and handler.sent > 0
    finally:
        os.close(reader)


def test_setup_logging_again_keeps_the_stream(installer_logs, receiver, tmp_path):
    remote_log._start(RemoteTarget("syslog", "127.0.0.1", receiver.port), "test")
    logs.setup_logging(tmp_path / "again")
    logging.getLogger("anaconda.payload").info("still streaming")
    receiver.wait_for("still streaming")


# ------------------------------------------------------------------ boot options, kickstart

def ks_handler(text: str, version: str):
    from pykickstart.parser import KickstartParser

    handler = make_handler(version)
    KickstartParser(handler).readKickstartFromString(text)
    return handler


def test_boot_option_starts_the_stream_and_wins_over_the_kickstart(installer_logs, receiver):
    options = parse_cmdline(f"inst.syslog=127.0.0.1:{receiver.port}")
    remote_log.start_from_boot_options(options)
    handler = ks_handler("logging --host=192.0.2.1 --port=9\n", "F34")
    remote_log.apply_kickstart(handler, options)
    (only,) = logs.remote_handlers()
    assert only.target.host == "127.0.0.1"
    receiver.wait_for("inst.syslog wins")
    assert remote_log.targets() == [only.target.to_dict()]


def test_kickstart_host_and_port(installer_logs, receiver):
    handler = ks_handler(f"logging --host=127.0.0.1 --port={receiver.port}\n", "F42")
    remote_log.apply_kickstart(handler, parse_cmdline(""))
    (stream,) = logs.remote_handlers()
    assert stream.level == logging.INFO
    logging.getLogger("anaconda").debug("not sent")
    logging.getLogger("anaconda").warning("sent")
    receiver.wait_for("WARNING anaconda: sent")
    assert not any("not sent" in line for line in receiver.lines)


def test_kickstart_level_is_not_applied_the_files_level_is(installer_logs, receiver):
    """Anaconda's --level was tty3's; F33 syntax still parses it: the streams keep
    inst.loglevel's level."""
    handler = ks_handler(f"logging --host=127.0.0.1 --port={receiver.port} --level=error\n",
                         "F33")
    remote_log.apply_kickstart(handler, parse_cmdline("inst.loglevel=debug"))
    (stream,) = logs.remote_handlers()
    assert stream.level == logging.DEBUG


def test_a_bad_kickstart_port_is_warned(installer_logs):
    handler = ks_handler("logging --host=127.0.0.1 --port=70000\n", "F42")
    remote_log.apply_kickstart(handler, parse_cmdline(""))
    assert logs.remote_handlers() == []
    assert "remote logging is off" in (installer_logs / "anaconda.log").read_text()


def test_default_virtio_port_is_used_only_when_it_exists(installer_logs):
    remote_log.start_from_boot_options(parse_cmdline(""))
    assert Path(remote_log.virtio_path("")).exists() == bool(logs.remote_handlers())


# ------------------------------------------------------------------ the DNF worker's side

def test_worker_streams_masked_with_its_own_secrets(tmp_path, receiver):
    target = RemoteTarget("syslog", "127.0.0.1", receiver.port, level=logging.DEBUG)
    saved = {name: list(logging.getLogger(name).handlers) for name in logfile.LOGGERS}
    try:
        logfile.setup(str(tmp_path / "packaging.log"), [SECRET], 0, [target.to_dict()])
        logging.getLogger("dnf").info("repo http://u:%s@host/", SECRET)
        logging.getLogger("librepo").info("below librepo's level")
        receiver.wait_for("repo http://u:********@host/")
    finally:
        for name, handlers in saved.items():
            logger = logging.getLogger(name)
            for handler in list(logger.handlers):
                if handler not in handlers:
                    logger.removeHandler(handler)
                    handler.close()
    (line,) = [l for l in receiver.lines if "repo http" in l]
    assert RFC5424.fullmatch(line)["app"] == "packaging"
    assert "u:********@host" in (tmp_path / "packaging.log").read_text()
    assert not any(SECRET in l or "below librepo" in l for l in receiver.lines)


def test_the_worker_writes_to_the_virtio_port_through_the_installers_descriptor(
        installer_logs, tmp_path):
    """A virtio port opens in one process at a time (EBUSY): the installer's descriptor
    travels in the worker's request and is inherited (payload/runner.py's pass_fds)."""
    fifo = tmp_path / "port"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        assert remote_log._start(RemoteTarget("virtio", path=str(fifo)), "inst.virtiolog")
        (dumped,) = remote_log.targets()
        assert dumped["fd"] >= 0 and remotelog.inherited_fds([dumped]) == (dumped["fd"],)
        worker_side = remotelog.open_handler(RemoteTarget(**dumped), lambda t: t.replace(SECRET, "*"))
        worker_side.handle(record("dnf", msg=f"from the worker {SECRET}"))
        data = os.read(reader, 65536).decode()
        assert "packaging" in data and "from the worker *" in data and SECRET not in data
    finally:
        os.close(reader)
