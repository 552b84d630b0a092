"""packaging.log as the DNF worker writes it: private whatever the umask, secrets masked.

The worker is its own process, so the installer's redactor (installer/logs.py) is not in
it, and payload may not import installer: the strings to mask come in the request
(`InstallRequest.secrets`). Every line is masked after formatting, tracebacks included,
whichever logger wrote it: the worker's own, dnf's, or librepo's (through libdnf).
"""
from __future__ import annotations

import logging
import os

MASK = "********"
FORMAT = "%(asctime)s,%(msecs)03d %(levelname)s %(name)s: %(message)s"
#: logger -> level written to packaging.log; librepo at INFO would log every URL fetched
LOGGERS = {"anaconda.payload": logging.DEBUG, "dnf": logging.INFO, "librepo": logging.WARNING}


class MaskingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str]):
        super().__init__(FORMAT, "%H:%M:%S")
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def open_private(path: str) -> logging.Handler:
    """Append to `path`, created 0600 (and made 0600 if it was not)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return logging.StreamHandler(os.fdopen(fd, "a", encoding="utf-8", errors="replace"))


def setup(path: str, secrets: list[str], level: int = 0) -> None:
    """Send the worker's, dnf's and librepo's logging to packaging.log, masked; `level`
    (inst.loglevel) drops what is below it."""
    if not path:
        return
    handler = open_private(path)
    handler.setFormatter(MaskingFormatter(secrets))
    handler.setLevel(level)
    for name, level in LOGGERS.items():
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
