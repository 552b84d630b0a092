"""/etc/machine-id: generated at install time, never left empty or "uninitialized".

systemd (machine-id(5), "First Boot Semantics") treats a missing or "uninitialized"
machine-id as the first boot, and on a first boot it runs `systemctl preset-all`: every
unit goes back to its package preset, which would silently undo `services --disabled`
and anything else the installer enabled or disabled (an empty file does not count as
a first boot, but then the ID is only committed if /etc is writable at boot). The
machine-id(5) advice for "a custom image created for a specific machine", which an
install is, is to populate it during installation. A valid ID already there (systemd's
package scriptlet made one) is kept.
"""
from __future__ import annotations

import logging
import re
import uuid

from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

MACHINE_ID = "etc/machine-id"
VALID = re.compile(r"^[0-9a-f]{32}$")
SYSTEMD_MARKERS = ("usr/lib/systemd/systemd", "lib/systemd/systemd")


def new_machine_id() -> str:
    """32 lowercase hex digits of a random (version 4) UUID, as systemd generates them."""
    return uuid.uuid4().hex


def configure_machine_id(target: Target) -> None:
    if not any(target.exists(p) for p in SYSTEMD_MARKERS):
        log.info("The target has no systemd: /etc/machine-id not written")
        return
    path = target.path(MACHINE_ID)
    if path.is_file() and VALID.match(path.read_text().strip()):
        log.info("/etc/machine-id already set, kept")
        return
    write_file(target, MACHINE_ID, new_machine_id() + "\n", mode=0o444)
