"""Remote logs: `inst.syslog=HOST[:PORT]`, the kickstart's `logging --host --port` and
`inst.virtiolog[=NAME]`.

Every logger that writes a log file (logs.LOG_FILES) also streams to each target, redacted
by the same `redact` as the files; the DNF worker streams its own packaging lines to the
same targets (`targets()` travels in its request). The wire format is payload/remotelog.py.

As in Anaconda: the boot option wins over the kickstart's host, and the kickstart's
`logging --level` is not applied (it was the level of Anaconda's tty3; pykickstart says it
has no effect from syntax F34 and refuses it from F40, and Anaconda dropped it): the
streams carry what the files do (`inst.loglevel`, `inst.debug`). Without `inst.virtiolog`
the default port is used when it exists, as Anaconda does.
"""
from __future__ import annotations

import logging
from pathlib import Path

from installer.bootopts.values import parse_host_port
from installer.logs import attach_remote, file_level, redact, remote_handlers
from payload.remotelog import VIRTIO_DIR, VIRTIO_NAME, RemoteTarget, open_handler

log = logging.getLogger("anaconda")


def virtio_path(name: str | None) -> str:
    """/dev/virtio-ports/NAME for inst.virtiolog=NAME (a full /dev path is kept)."""
    name = name or VIRTIO_NAME
    return name if name.startswith("/") else f"{VIRTIO_DIR}/{name}"


def _level(options) -> int:
    return file_level(options.debug, options.loglevel)


def _start(target: RemoteTarget, origin: str) -> bool:
    try:
        handler = open_handler(target, redact)
    except OSError as exc:
        log.warning("%s: remote logging to %s is off: %s", origin, target.describe(), exc)
        return False
    attach_remote(handler)
    log.info("%s: logs stream to %s (level %s) from now on", origin, target.describe(),
             logging.getLevelName(target.level))
    return True


def start_from_boot_options(options) -> None:
    """inst.syslog and inst.virtiolog (or Anaconda's default port, when it exists)."""
    level = _level(options)
    if options.syslog:
        host, port = options.syslog
        _start(RemoteTarget("syslog", host=host, port=port, level=level), "inst.syslog")
    path = virtio_path(options.virtiolog)
    if options.virtiolog is not None:
        _start(RemoteTarget("virtio", path=path, level=level), "inst.virtiolog")
    elif Path(path).exists():
        _start(RemoteTarget("virtio", path=path, level=level), f"virtio port {VIRTIO_NAME}")


def apply_kickstart(handler, options) -> None:
    """The kickstart's `logging --host --port`, once it is loaded (Anaconda's order)."""
    command = getattr(handler, "logging", None)
    if command is None or not command.host:
        return
    if options.syslog:
        log.info("kickstart logging --host=%s not used: inst.syslog wins", command.host)
        return
    try:
        host, port = parse_host_port(command.host)
        if command.port:
            text = str(command.port)
            if not text.isdigit() or not 0 < int(text) < 65536:
                raise ValueError(f"--port={text}: expected a number from 1 to 65535")
            port = int(text)
    except ValueError as exc:
        log.warning("kickstart logging --host=%s: %s; remote logging is off", command.host, exc)
        return
    _start(RemoteTarget("syslog", host=host, port=port, level=_level(options)),
           "kickstart logging")


def targets() -> list[dict]:
    """The active targets as plain data, for the DNF worker's request."""
    return [h.target.to_dict() for h in remote_handlers()]
