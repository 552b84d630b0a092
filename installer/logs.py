"""Installer logging: one file per concern, timestamped, secrets masked, copied to the target.

Files (in the log directory, /tmp on the installer image as in Anaconda):
  anaconda.log   the installer's own story, plus every warning from the files below
  program.log    every external command: argv, exit code and output
  storage.log    the storage layer and blivet
  packaging.log  the payload and dnf
  memory.log     memory samples through the install (installer/memory/sampler.py)
Secrets registered with `register_secret` are replaced by ******** in every line written,
whatever logger wrote it: the last line of defence behind never logging them at all.
The same loggers also stream to remote targets (`attach_remote`, installer/remote_log.py:
inst.syslog, the kickstart's logging --host, inst.virtiolog), redacted the same way.
"""
from __future__ import annotations

import logging
import os
import shutil
import threading
from pathlib import Path

MASK = "********"
LOG_FILES = {
    "anaconda.log": ("anaconda",),
    "program.log": ("anaconda.program",),
    "storage.log": ("anaconda.storage", "blivet"),
    "packaging.log": ("anaconda.payload", "dnf"),
}
_secrets: set[str] = set()
_lock = threading.Lock()
#: handlers streaming every log file's lines elsewhere (remote syslog, a virtio port)
_remote: list[logging.Handler] = []


def register_secret(secret: str | None) -> None:
    """Mask this string from now on in every log line and console message."""
    if secret and len(secret) >= 3:
        with _lock:
            _secrets.add(secret)


def registered_secrets() -> list[str]:
    """What `redact` masks, for a child process that logs on its own (the DNF worker)."""
    with _lock:
        return sorted(_secrets)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


FORMAT = "%(asctime)s,%(msecs)03d %(levelname)s %(name)s: %(message)s"
DATEFMT = "%H:%M:%S"


def _file_handler(path: Path, level: int) -> logging.Handler:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    handler = logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8", errors="replace"))
    handler.setFormatter(RedactingFormatter(FORMAT, DATEFMT))
    handler.setLevel(level)
    return handler


class _WarningsTo(logging.Handler):
    """Forwards warnings of a separate log to anaconda.log, so one file tells the story."""

    def __init__(self, target: logging.Handler):
        super().__init__(logging.WARNING)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        self.target.handle(record)


def file_level(debug: bool = False, loglevel: str | None = None) -> int:
    """The lowest level the log files keep: inst.loglevel when given, else debug with
    inst.debug, else info."""
    if loglevel:
        return logging.getLevelName(loglevel.upper())
    return logging.DEBUG if debug else logging.INFO


def setup_logging(log_dir: Path, debug: bool = False, loglevel: str | None = None) -> Path:
    """Attach the log files; safe to call again (handlers are replaced, not doubled)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    level = file_level(debug, loglevel)
    for name in {name for loggers in LOG_FILES.values() for name in loggers}:
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            if handler not in _remote:  # a remote stream outlives a new log directory
                handler.close()
        logger.setLevel(logging.DEBUG)
        logger.propagate = False
    main_handler = _file_handler(log_dir / "anaconda.log", level)
    logging.getLogger("anaconda").addHandler(main_handler)
    for filename, loggers in LOG_FILES.items():
        if filename == "anaconda.log":
            continue
        handler = _file_handler(log_dir / filename, level)
        for name in loggers:
            logging.getLogger(name).addHandler(handler)
            logging.getLogger(name).addHandler(_WarningsTo(main_handler))
    for remote in _remote:
        _add_to_log_loggers(remote)
    return log_dir / "anaconda.log"


def _add_to_log_loggers(handler: logging.Handler) -> None:
    for name in {name for loggers in LOG_FILES.values() for name in loggers}:
        logging.getLogger(name).addHandler(handler)


def attach_remote(handler: logging.Handler) -> None:
    """Stream every logger of LOG_FILES to `handler` too (once each: the separate logs do
    not propagate, so nothing arrives twice). It must redact, as payload/remotelog.py's
    handlers do with the `redact` they are given."""
    _remote.append(handler)
    _add_to_log_loggers(handler)


def remote_handlers() -> list[logging.Handler]:
    return list(_remote)


def detach_remote() -> None:
    """Stop and close every remote stream (tests; the end of a run)."""
    for handler in _remote:
        for name in {name for loggers in LOG_FILES.values() for name in loggers}:
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    _remote.clear()


def log_paths(log_dir: Path) -> list[Path]:
    """Every log file the installer and its scripts wrote, in a stable order."""
    paths = [log_dir / name for name in LOG_FILES]
    paths += sorted(log_dir.glob("ks-script-*.log"))
    paths += sorted(log_dir.glob("anaconda-tb-*"))  # an internal error's traceback
    paths += [log_dir / extra for extra in ("memory.log", "initrd-shrink.log", "interactive-ks.cfg")]
    return [p for p in paths if p.is_file()]


def copy_logs(log_dir: Path, target_root: Path) -> Path:
    """Copy the logs to TARGET/var/log/anaconda/, readable by root only."""
    for handler in logging.getLogger("anaconda").handlers:
        handler.flush()
    dest = target_root / "var/log/anaconda"
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o700)
    for path in log_paths(log_dir):
        copy = dest / path.name
        shutil.copyfile(path, copy)
        os.chmod(copy, 0o600)
    return dest
