"""The installation source as the screens see it: which one, and whether it answers.

Read from the kickstart (`url`, else the unsupported `cdrom`/`harddrive`/`nfs`/`liveimg`)
or the boot option `inst.repo`; a URL the person entered goes back into `url --url=`.
Proxy and TLS settings come from the same rules the install uses
(installer/payload_request.py), so what is checked here is what DNF will be given.
"""
from __future__ import annotations

from dataclasses import dataclass

from installer.bootopts import BootOptions
from installer.credentials import url_passwords
from installer.errors import PayloadError
from installer.logs import register_secret
from installer.payload_request import proxy_for, ssl_verify
from installer.sources import SourceMounts

from .repocheck import RepoFound, check_repository

#: Installation source commands other than `url` that this installer does not install from.
OTHER_SOURCES = ("cdrom", "harddrive", "nfs", "liveimg")


@dataclass(frozen=True)
class SourceInfo:
    location: str  # as shown and as checked
    origin: str  # where it came from, for the screen
    checkable: bool = True  # a URL; a mirror list is read by DNF, not checked here
    problem: str = ""  # known to be unusable without any check
    proxy: str = ""
    verify_ssl: bool = True


def current_source(handler, options: BootOptions, seen: set[str]) -> SourceInfo | None:
    """The base repository an install would use: the kickstart's, else inst.repo."""
    url = handler.url
    origin = "the kickstart (url)" if "url" in seen else "entered here"
    if url.seen and url.url:
        return SourceInfo(url.url, origin, proxy=proxy_for(url.proxy or "", options),
                          verify_ssl=ssl_verify(url, options))
    if url.seen and (url.mirrorlist or url.metalink):
        kind = "mirror list" if url.mirrorlist else "metalink"
        return SourceInfo(f"{kind} {url.mirrorlist or url.metalink}", origin, checkable=False)
    for name in OTHER_SOURCES:
        command = getattr(handler, name, None)
        if command is not None and command.seen:
            return _command_source(name, command)
    if options.repo is not None:
        return SourceInfo(options.repo.location, "the boot option inst.repo",
                          proxy=proxy_for("", options), verify_ssl=ssl_verify(None, options))
    return None


def _command_source(name: str, command) -> SourceInfo:
    """The kickstart's cdrom/harddrive/nfs as the source forms inst.repo takes (checked by
    mounting them read-only); liveimg installs an image, so there is no repository."""
    origin = f"the kickstart ({name})"
    if name == "cdrom":
        return SourceInfo("cdrom", origin)
    if name == "harddrive":
        return SourceInfo(f"hd:{command.partition}:{command.dir or '/'}", origin)
    if name == "nfs":
        options = f"{command.opts}:" if command.opts else ""
        return SourceInfo(f"nfs:{options}{command.server}:{command.dir}", origin)
    return SourceInfo(f"live image {command.url}", origin, checkable=False)


def entered_source(handler, options: BootOptions, url: str) -> SourceInfo:
    """A URL typed into the spoke, checked with the kickstart's or the boot proxy; a
    password inside it is registered with the log redactor at once."""
    for password in url_passwords(url):
        register_secret(password)
    return SourceInfo(url, "entered here", proxy=proxy_for(handler.url.proxy or "", options),
                      verify_ssl=ssl_verify(handler.url, options))


def check_source(source: SourceInfo) -> RepoFound:
    """Fetch the source's repomd.xml; hd:/cdrom are mounted read-only for the look."""
    if source.problem:
        raise PayloadError(source.problem)
    scheme = source.location.partition(":")[0].lower()
    if scheme in ("http", "https", "ftp", "file"):
        return check_repository(source.location, source.proxy, source.verify_ssl)
    with SourceMounts() as mounts:
        found = check_repository(mounts.url_for(source.location))
    return RepoFound(source.location, found.revision)


def write_url(handler, url: str) -> None:
    """A checked URL becomes the kickstart's source: `url --url=URL`, the only one."""
    command = handler.url
    command.url, command.mirrorlist, command.metalink = url, "", ""
    command.seen = True
    for name in OTHER_SOURCES:
        other = getattr(handler, name, None)
        if other is not None:
            other.seen = False
