"""Is this URL a package repository? Answered by fetching its repodata/repomd.xml.

A mirror list or metalink is fetched too, then the repomd.xml of its first mirrors.

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

from installer.bootopts.values import parse_proxy, parse_source
from installer.credentials import url_passwords
from installer.errors import PayloadError
from installer.logs import register_secret

log = logging.getLogger("anaconda.tui")

URL_FORMS = "http://HOST/PATH, https://HOST/PATH, ftp://HOST/PATH or file:///PATH"
REPOMD = "repodata/repomd.xml"
MAX_REPOMD = 4 << 20  # a repomd.xml is a few KiB; more is not repository metadata


@dataclass(frozen=True)
class RepoFound:
    url: str
    revision: str  # repomd's <revision>, "" when it has none
    mirrors: int = 0  # a mirror list's or metalink's count of mirrors

    def summary(self) -> str:
        found = f"repository metadata found ({REPOMD}"
        found += f", revision {self.revision})" if self.revision else ")"
        return found + (f" on a mirror of {self.mirrors}" if self.mirrors else "")


def parse_url(text: str, field: str = "Repository URL", other_kinds: str = "") -> str:
    """The URL as it goes into `--url=`/`--baseurl=`; a bare absolute path becomes
    file://PATH. `other_kinds`: where an hd:/nfs:/cdrom location is entered instead."""
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
        where = other_kinds or "a repository here is reached by URL"
        raise PayloadError(f"{field} {text!r}: {source.scheme} is not a URL ({where}); "
                           f"enter {URL_FORMS}")
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


def _fetch(url: str, shown: str, what: str, proxy: str, verify_ssl: bool,
           timeout: float) -> bytes:
    """`url`'s first MAX_REPOMD bytes; a PayloadError names `shown` (what the person
    entered) and what went wrong (`what`: the file asked for, in an HTTP error's words)."""
    if urlsplit(url).scheme == "file":
        path = Path(parse_source(url).path)
        if not path.is_file():
            raise PayloadError(f"{shown}: there is no file {path}")
        with path.open("rb") as f:
            return f.read(MAX_REPOMD)
    try:
        with _opener(proxy, verify_ssl).open(url, timeout=timeout) as answer:
            return answer.read(MAX_REPOMD)
    except urllib.error.HTTPError as exc:
        hint = " (is this the directory that holds repodata/?)" if exc.code == 404 and \
            what == REPOMD else ""
        raise PayloadError(f"{shown}: the server answered HTTP {exc.code} {exc.reason} "
                           f"for {what}{hint}") from None
    except urllib.error.URLError as exc:
        raise PayloadError(_network_problem(shown, exc.reason, timeout)) from None
    except OSError as exc:  # a timeout or reset while reading
        raise PayloadError(_network_problem(shown, exc, timeout)) from None


def _check_remote(url: str, proxy: str, verify_ssl: bool, timeout: float) -> RepoFound:
    return _check_content(url, _fetch(repomd_url(url), url, REPOMD, proxy, verify_ssl, timeout))


def check_repository(url: str, proxy: str = "", verify_ssl: bool = True,
                     timeout: float = 20) -> RepoFound:
    """Fetch `url`'s repomd.xml; PayloadError says why it is not a usable repository."""
    source = parse_source(url)
    log.info("Checking the repository at %s", url)
    if source.scheme == "file":
        return _check_directory(url, Path(source.path))
    return _check_remote(url, proxy, verify_ssl, timeout)


#: How many mirrors of a list are tried before the list is called unusable.
MIRRORS_TRIED = 3
METALINK_URL_RE = re.compile(rb"<url[^>]*>\s*([^<\s]+?)/repodata/repomd\.xml\s*</url>")


def _mirrors_in_list(data: bytes) -> list[str]:
    """A mirror list (DNF's format): one repository URL a line, '#' comments."""
    lines = (line.strip() for line in data.decode("utf-8", "replace").splitlines())
    return [line for line in lines if line and not line.startswith("#") and "://" in line]


def _mirrors_in_metalink(url: str, data: bytes) -> list[str]:
    if b"<metalink" not in data[:4096]:
        raise PayloadError(f"{url}: this is not a metalink (no <metalink> element); a "
                           "plain list of mirror URLs is a mirror list")
    return [m.decode("utf-8", "replace") for m in METALINK_URL_RE.findall(data)]


def check_mirrors(url: str, kind: str, proxy: str = "", verify_ssl: bool = True,
                  timeout: float = 20) -> RepoFound:
    """Fetch a mirror list or metalink (`kind`), then the repomd.xml of its first mirrors
    until one answers: DNF needs at least one working mirror, so that is what is checked."""
    words = "mirror list" if kind == "mirrorlist" else kind
    log.info("Checking the %s at %s", words, url)
    data = _fetch(url, url, words, proxy, verify_ssl, timeout)
    if kind == "metalink":
        mirrors = _mirrors_in_metalink(url, data)
    else:
        if b"<metalink" in data[:4096]:
            raise PayloadError(f"{url}: this is a metalink, not a mirror list: choose Metalink")
        mirrors = _mirrors_in_list(data)
    if not mirrors:
        raise PayloadError(f"{url}: the {words} names no repository URL")
    problems = []
    for mirror in mirrors[:MIRRORS_TRIED]:
        try:
            found = check_repository(mirror, proxy, verify_ssl, timeout)
        except PayloadError as exc:
            problems.append(exc.message)
            continue
        return RepoFound(url, found.revision, mirrors=len(mirrors))
    raise PayloadError(f"{url}: none of the first {len(problems)} mirrors of the {words} is a "
                       f"usable repository: " + "; ".join(problems))


PROXY_FORMS = "[http://|https://|ftp://][USER@]HOST[:PORT]"


def _proxy_parts(text: str) -> tuple[str, str, str, str]:
    """(scheme or "", user, password, host part) of `[SCHEME://][USER[:PASSWORD]@]HOST...`."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    userinfo, at, host = rest.rpartition("@")
    user, _, password = userinfo.partition(":") if at else ("", "", "")
    return scheme, user, password, host


def split_proxy(text: str) -> tuple[str, str]:
    """A proxy as the screens show it: (the proxy without its password, the password),
    so the password can sit in a masked field."""
    scheme, user, password, host = _proxy_parts(text.strip())
    head = f"{scheme}://" if scheme else ""
    return f"{head}{user + '@' if user else ''}{host}", password


def join_proxy(proxy: str, password: str) -> str:
    """The proxy as `--proxy=` takes it: USER:PASSWORD@ when both are given."""
    scheme, user, _, host = _proxy_parts(proxy.strip())
    if not (password and user):
        return proxy.strip()
    head = f"{scheme}://" if scheme else ""
    return f"{head}{user}:{password}@{host}"


def proxy_problems(proxy: str, password: str) -> list[str]:
    """What is wrong with the Proxy and Proxy password fields, each named; a password is
    registered with the log redactor before anything can log it."""
    in_proxy = url_passwords(proxy, proxy=True)
    for secret in [password, *in_proxy]:
        register_secret(secret)
    text = proxy.strip()
    if not text:
        return ["Proxy password is given but there is no Proxy: enter USER@HOST[:PORT] "
                "or clear the password"] if password else []
    shown = split_proxy(text)[0]
    if in_proxy or any(c.isspace() for c in text):
        return [f"Proxy {shown!r}: expected {PROXY_FORMS}" +
                (" (the password goes in Proxy password)" if in_proxy else "")]
    try:
        parse_proxy(text)
    except ValueError:
        return [f"Proxy {shown!r}: expected {PROXY_FORMS}"]
    if password and not _proxy_parts(text)[1]:
        return [f"Proxy password is given but Proxy {shown!r} names no user: enter "
                "USER@HOST[:PORT]"]
    return []
