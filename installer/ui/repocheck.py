"""Is this URL a package repository? Answered by fetching its repodata/repomd.xml.

The installation source spoke checks a URL the moment it is entered, so a typo or a
server that is down is reported there, naming the URL and what went wrong (HTTP status,
DNS, refused connection, not a repository), instead of as a DNF failure much later.
Only the small repomd.xml is read, with the standard library: DNF (and its memory)
stays in the payload's child process, which reads the rest when it loads the comps.
"""
from __future__ import annotations

import logging
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from installer.bootopts.values import parse_source
from installer.errors import PayloadError

log = logging.getLogger("anaconda.tui")

URL_FORMS = "http://HOST/PATH, https://HOST/PATH, ftp://HOST/PATH or file:///PATH"
REPOMD = "repodata/repomd.xml"
MAX_REPOMD = 4 << 20  # a repomd.xml is a few KiB; more is not repository metadata


@dataclass(frozen=True)
class RepoFound:
    url: str
    revision: str  # repomd's <revision>, "" when it has none

    def summary(self) -> str:
        found = f"repository metadata found ({REPOMD}"
        return found + (f", revision {self.revision})" if self.revision else ")")


def parse_url(text: str, field: str = "Repository URL") -> str:
    """The URL as it goes into `url --url=`; a bare absolute path becomes file://PATH."""
    text = text.strip()
    if not text:
        raise PayloadError(f"{field} is empty; enter {URL_FORMS}")
    if text.startswith("/"):
        text = "file://" + text
    try:
        source = parse_source(text)
    except ValueError as exc:
        problem = f"expected {URL_FORMS}" if str(exc).startswith("expected ") else str(exc)
        raise PayloadError(f"{field} {text!r}: {problem}") from None
    if source.scheme not in ("http", "https", "ftp", "file"):
        raise PayloadError(f"{field} {text!r}: {source.scheme} sources are given at boot "
                           f"(inst.repo=); here enter {URL_FORMS}")
    return text


def repomd_url(url: str) -> str:
    return url.rstrip("/") + "/" + REPOMD


def _revision(data: bytes) -> str:
    match = re.search(rb"<revision>\s*([^<\s]+)\s*</revision>", data)
    return match.group(1).decode("ascii", "replace") if match else ""


def _check_content(url: str, data: bytes) -> RepoFound:
    if b"<repomd" not in data[:4096]:
        raise PayloadError(f"{url}: {REPOMD} is there but is not repository metadata "
                           "(no <repomd> element): this is not a package repository")
    return RepoFound(url, _revision(data))


def _check_directory(url: str, path: Path) -> RepoFound:
    if not path.exists():
        raise PayloadError(f"{url}: the directory {path} does not exist")
    if not path.is_dir():
        raise PayloadError(f"{url}: {path} is not a directory (an ISO image is given as "
                           "inst.repo=hd:DEVICE:/PATH at boot)")
    repomd = path / REPOMD
    if not repomd.is_file():
        raise PayloadError(f"{url}: {path} is not a repository: it has no {REPOMD}")
    with repomd.open("rb") as f:
        return _check_content(url, f.read(MAX_REPOMD))


def _opener(proxy: str, verify_ssl: bool) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if proxy:
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy, "ftp": proxy}))
    if not verify_ssl:
        handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
    return urllib.request.build_opener(*handlers)


def _network_problem(url: str, reason: object, timeout: float) -> str:
    parts = urlsplit(url)
    host = parts.hostname or "?"
    where = f"{host}:{parts.port}" if parts.port else host
    if isinstance(reason, socket.gaierror):
        return f"{url}: the host name {host} cannot be resolved (DNS: {reason.strerror})"
    if isinstance(reason, ConnectionRefusedError):
        return f"{url}: {where} refused the connection (no server listening there?)"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{url}: no answer from {where} within {timeout:g} s"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"{url}: the server's TLS certificate cannot be verified ({reason.verify_message}); "
                "boot with inst.noverifyssl to accept it")
    if isinstance(reason, OSError) and reason.strerror:
        return f"{url}: cannot reach {where}: {reason.strerror}"
    return f"{url}: cannot reach {where}: {reason}"


def _check_remote(url: str, proxy: str, verify_ssl: bool, timeout: float) -> RepoFound:
    target = repomd_url(url)
    try:
        with _opener(proxy, verify_ssl).open(target, timeout=timeout) as answer:
            data = answer.read(MAX_REPOMD)
    except urllib.error.HTTPError as exc:
        hint = " (is this the directory that holds repodata/?)" if exc.code == 404 else ""
        raise PayloadError(f"{url}: the server answered HTTP {exc.code} {exc.reason} "
                           f"for {REPOMD}{hint}") from None
    except urllib.error.URLError as exc:
        raise PayloadError(_network_problem(url, exc.reason, timeout)) from None
    except OSError as exc:  # a timeout or reset while reading
        raise PayloadError(_network_problem(url, exc, timeout)) from None
    return _check_content(url, data)


def check_repository(url: str, proxy: str = "", verify_ssl: bool = True,
                     timeout: float = 20) -> RepoFound:
    """Fetch `url`'s repomd.xml; PayloadError says why it is not a usable repository."""
    source = parse_source(url)
    log.info("Checking the repository at %s", url)
    if source.scheme == "file":
        return _check_directory(url, Path(source.path))
    return _check_remote(url, proxy, verify_ssl, timeout)
