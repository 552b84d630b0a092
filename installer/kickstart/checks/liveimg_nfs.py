"""`liveimg` and `nfs`: mistakes the install would otherwise meet only after the disks
are written (a URL no client fetches, a checksum that is no sha256, a relative export
path), and what a live image install leaves unused (`%packages`, `repo`), warned as
Anaconda ignores them. Reaching the server is the install's business (installer/liveimg.py,
installer/sources.py), not a check's.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from installer.liveimg import unused_lines
from payload.liveimg import normal_checksum

from .findings import Findings, where_of

LIVEIMG_SCHEMES = ("http", "https", "ftp", "file")


def check_liveimg(loaded, found: Findings) -> None:
    command = loaded.handler.liveimg
    if not command.seen:
        return
    where = where_of(loaded, "liveimg")
    url = command.url or ""
    parts = urlsplit(url)
    if parts.scheme.lower() not in LIVEIMG_SCHEMES or \
            (parts.scheme.lower() != "file" and not parts.hostname):
        found.error(where, f"liveimg --url={url}: expected an http(s)://, ftp:// or file:/// URL "
                    "of a tarball or a file system image")
    if command.checksum and normal_checksum(command.checksum) is None:
        found.error(where, f"liveimg --checksum={command.checksum}: expected the image's sha256 "
                    "(64 hexadecimal digits, as sha256sum prints it)")
    for warning in unused_lines(loaded.handler):
        found.warn(where, warning)


def check_nfs(loaded, found: Findings) -> None:
    command = loaded.handler.nfs
    if not command.seen:
        return
    where = where_of(loaded, "nfs")
    if not (command.dir or "").startswith("/"):
        found.error(where, f"nfs --dir={command.dir}: expected an absolute path on the server, "
                    "e.g. --dir=/exports/fedora")


def check_sources(loaded, found: Findings) -> None:
    check_liveimg(loaded, found)
    check_nfs(loaded, found)
