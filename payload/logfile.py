"""packaging.log as the DNF worker writes it: private whatever the umask, secrets masked.

The worker is its own process, so the installer's redactor (installer/logs.py) is not in
it, and payload may not import installer: the strings to mask come in the request
(`InstallRequest.secrets`). Every line is masked after formatting, tracebacks included,
whichever logger wrote it: the worker's own, dnf's, or librepo's (through libdnf).
"""
from __future__ import annotations

import logging
import os

from . import remotelog

MASK = "********"
FORMAT = "%(asctime)s,%(msecs)03d %(levelname)s %(name)s: %(message)s"
#: logger -> level written to packaging.log; librepo at INFO would log every URL fetched
LOGGERS = {"anaconda.payload": logging.DEBUG, "dnf": logging.INFO, "librepo": logging.WARNING}


class MaskingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]):
        super().__init__(FORMAT, "%H:%M:%S")
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return self.mask(super().format(record))

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def open_private(path: str) -> logging.Handler:
    """Append to `path`, created 0600 (and made 0600 if it was not)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8", errors="replace"))


def setup(path: str, secrets: list[str], level: int = 0,
          remote: list[dict] | None = None) -> None:
    """Send the worker's, dnf's and librepo's logging to packaging.log, masked; `level`
    (inst.loglevel) drops what is below it. `remote`: the installer's remote log streams
    (remotelog.RemoteTarget as dicts), which get the same lines, masked the same way."""
    masking = MaskingFormatter(secrets)
    handlers: list[logging.Handler] = []
    if path:
        handler = open_private(path)
        handler.setFormatter(masking)
        handler.setLevel(level)
        handlers.append(handler)
    for target in remote or []:
        try:
            handlers.append(remotelog.open_handler(remotelog.RemoteTarget(**target),
                                                   masking.mask))
        except OSError as exc:
            logging.getLogger("anaconda.payload").warning(
                "remote log %s is off in the DNF worker: %s", target, exc)
    for name, logger_level in LOGGERS.items():
        logger = logging.getLogger(name)
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(logger_level)
        logger.propagate = False
