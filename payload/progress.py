"""DNF's download and transaction callbacks turned into payload events."""
from __future__ import annotations

import logging
import time

import dnf.callback

from .events import EventWriter

log = logging.getLogger("anaconda.payload")

ACTIONS = {dnf.callback.PKG_INSTALL: "Installing", dnf.callback.PKG_UPGRADE: "Upgrading",
           dnf.callback.PKG_REINSTALL: "Reinstalling", dnf.callback.PKG_DOWNGRADE: "Downgrading",
           dnf.callback.PKG_VERIFY: "Verifying", dnf.callback.PKG_SCRIPTLET: "Running scriptlet",
           dnf.callback.TRANS_PREPARATION: "Preparing transaction",
           dnf.callback.TRANS_POST: "Finishing transaction",
           dnf.callback.PKG_CLEANUP: "Cleaning up", dnf.callback.PKG_REMOVE: "Removing",
           dnf.callback.PKG_OBSOLETE: "Obsoleting", dnf.callback.PKG_ERASE: "Erasing"}


class DownloadEvents(dnf.callback.DownloadProgress):
    """Bytes and packages; at most a few events a second, plus one per finished package."""

    def __init__(self, events: EventWriter, interval: float = 0.5):
        self.events = events
        self.interval = interval
        self.total_files = self.total_bytes = 0
        self.files_done = 0
        self.done_by_payload: dict[int, int] = {}
        self.last_sent = 0.0
        #: package -> librepo's message for each download that failed: the real cause
        #: (a curl error, an HTTP status), where DNF's own error often only says that
        #: "all mirrors were already tried" for the packages queued behind it
        self.failures: dict[str, str] = {}

    def start(self, total_files, total_size, total_drpms=0):
        self.total_files, self.total_bytes = total_files, total_size
        log.info("Downloading %d packages, %.1f MiB", total_files, total_size / 2**20)
        self._send("Downloading packages", force=True)

    def progress(self, payload, done):
        self.done_by_payload[id(payload)] = done
        self._send(f"Downloading {payload}")

    def end(self, payload, status, err_msg):
        if status == dnf.callback.STATUS_MIRROR:  # one mirror failed; the next may serve it
            log.warning("Download of %s from a mirror failed: %s", payload, err_msg)
            self.failures.setdefault(str(payload).removesuffix(".rpm"), str(err_msg))
            return
        self.done_by_payload[id(payload)] = payload.download_size
        if status == dnf.callback.STATUS_FAILED:
            log.warning("Download of %s failed: %s", payload, err_msg)
            self.failures.setdefault(str(payload).removesuffix(".rpm"), str(err_msg))
            return
        if status in (dnf.callback.STATUS_OK, dnf.callback.STATUS_ALREADY_EXISTS):
            self.files_done += 1
        self._send(f"Downloaded {payload}", force=True)

    def _send(self, message: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_sent < self.interval:
            return
        self.last_sent = now
        done = sum(self.done_by_payload.values())
        self.events.send("download", message, done=done / self.total_bytes if self.total_bytes else 1.0,
                         count=self.files_done, total=self.total_files,
                         bytes_done=done, bytes_total=self.total_bytes)


class TransactionEvents(dnf.callback.TransactionProgress):
    """Package i of n; scriptlet output and errors go to packaging.log."""

    def __init__(self, events: EventWriter, total: int):
        self.events = events
        self.total = total
        self.last_key: tuple | None = None
        self.installed = 0

    def progress(self, package, action, ti_done, ti_total, ts_done, ts_total):
        key = (str(package), action)
        if key == self.last_key:
            return
        self.last_key = key
        verb = ACTIONS.get(action, "Processing")
        if action in (dnf.callback.PKG_INSTALL, dnf.callback.PKG_UPGRADE,
                      dnf.callback.PKG_REINSTALL, dnf.callback.PKG_DOWNGRADE):
            self.installed += 1
            message = f"{verb} {package} ({self.installed}/{self.total})"
            log.info("%s", message)
            self.events.send("install", message, done=self.installed / max(self.total, 1),
                             count=self.installed, total=self.total)
        elif action in (dnf.callback.TRANS_PREPARATION, dnf.callback.TRANS_POST):
            self.events.send("install", verb, done=self.installed / max(self.total, 1),
                             count=self.installed, total=self.total)

    def error(self, message):
        log.error("RPM transaction: %s", message)

    def scriptout(self, msgs):
        if msgs:
            for line in msgs.decode(errors="replace").splitlines() if isinstance(msgs, bytes) \
                    else str(msgs).splitlines():
                log.info("scriptlet: %s", line)
