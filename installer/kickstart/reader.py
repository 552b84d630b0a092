"""Reading kickstart text from files and URLs, with errors that say what is wrong.

pykickstart's own loader raises bare UnicodeDecodeErrors on non-UTF-8 input and reads
binary files as if they were text; the installer wants "line 3: byte 0xe9 is not UTF-8".
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from installer.errors import KickstartError

log = logging.getLogger("anaconda.kickstart")

MAX_BYTES = 8 * 1024 * 1024


def is_url(location: str) -> bool:
    return location.split(":", 1)[0].lower() in ("http", "https", "ftp") and "://" in location


def decode(data: bytes, location: str) -> str:
    """Bytes to text, refusing binary files and naming the line of a non-UTF-8 byte."""
    if len(data) > MAX_BYTES:
        raise KickstartError(f"the file is {len(data)} bytes; a kickstart may have at most "
                             f"{MAX_BYTES} bytes", location)
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise KickstartError("this is not a text file (it contains NUL bytes); "
                             "a kickstart is UTF-8 text", location, line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KickstartError(f"byte 0x{data[exc.start]:02x} is not valid UTF-8; "
                             "save the kickstart as UTF-8", location, line) from None


#: 4xx statuses that may change by asking again (a timeout, too many requests); 5xx always may
RETRIED_STATUSES = {408, 429}


@dataclass
class Reader:
    """Fetches kickstart text; shared by the main file, %include and %ksappend.

    Network kickstarts: `headers` go with every request (inst.ks.sendmac, inst.ks.sendsn:
    `provisioning.headers`); a URL ending in `/` asks for `<IP>-kickstart` in it; a server
    that does not answer yet, a name that does not resolve yet or a 5xx answer is asked
    again up to `retries` times in all, waiting `backoff` seconds, then twice as long each
    time; any other 4xx answer (a 404: no kickstart for this machine there) is final.
    Each failed attempt is logged and said through `say` (the front end's console)."""

    proxy: str | None = None
    verify_ssl: bool = True
    retries: int = 5
    backoff: float = 2.0
    timeout: float = 30.0
    headers: dict[str, str] = field(default_factory=dict)
    say: Callable[[str], None] | None = None
    #: where a local path is really read from, when something else holds it (a dry run's
    #: confined %pre writes its /tmp files into a private directory); None: as given
    redirect: Callable[[str], Path | None] | None = None
    #: what was read through `redirect`: the path as named -> where it was read
    redirected: dict[str, Path] = field(default_factory=dict)

    @classmethod
    def for_boot_options(cls, options, say: Callable[[str], None] | None = None) -> "Reader":
        """The reader the boot options ask for: inst.proxy, inst.noverifyssl,
        inst.ks.sendmac, inst.ks.sendsn."""
        from installer.kickstart.provisioning import headers

        return cls(proxy=options.proxy.authenticated_url() if options.proxy else None,
                   verify_ssl=not options.noverifyssl, say=say,
                   headers=headers(options.ks_sendmac, options.ks_sendsn))

    def read(self, location: str) -> str:
        return decode(self.read_bytes(location), location)

    def read_bytes(self, location: str) -> bytes:
        if is_url(location):
            return self._fetch(location)
        path = Path(location.removeprefix("file://") if location.startswith("file://")
                    else location.removeprefix("file:"))
        if self.redirect and path.is_absolute():
            inside, path = str(path), self.redirect(str(path)) or path
            if str(path) != inside:
                self.redirected[inside] = path
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise KickstartError("no such file", location) from None
        except IsADirectoryError:
            raise KickstartError("is a directory, not a kickstart file", location) from None
        except OSError as exc:
            raise KickstartError(f"cannot read: {exc.strerror}", location) from None

    def _tell(self, text: str) -> None:
        log.warning("%s", text)
        if self.say is not None:
            self.say(text)

    def _fetch(self, url: str) -> bytes:
        import requests  # only network kickstarts pay for it

        from installer.kickstart.provisioning import per_machine_url

        proxies = {"http": self.proxy, "https": self.proxy, "ftp": self.proxy} if self.proxy else None
        wait, problem, asked = self.backoff, "", url
        for attempt in range(1, self.retries + 1):
            try:
                asked = per_machine_url(url)  # the address may come only with the network
                reply = requests.get(asked, timeout=self.timeout, verify=self.verify_ssl,
                                     proxies=proxies, headers=self.headers)
            except requests.exceptions.SSLError as exc:
                raise KickstartError(f"TLS error ({exc}); inst.noverifyssl skips the check",
                                     url) from None
            except requests.RequestException as exc:
                problem = f"cannot connect: {exc.__class__.__name__}"
            except OSError as exc:  # no route yet to learn this machine's address from
                problem = str(exc)
            else:
                if reply.status_code == 200:
                    return reply.content
                problem = f"the server answered HTTP {reply.status_code} {reply.reason}".rstrip()
                if reply.status_code < 500 and reply.status_code not in RETRIED_STATUSES:
                    raise KickstartError(f"{problem} (not retried: asking again would not "
                                         "change it)", asked)
            if attempt == self.retries:
                break
            self._tell(f"kickstart {url}: attempt {attempt} of {self.retries} failed "
                       f"({problem}); trying again in {wait:g} s")
            time.sleep(wait)
            wait *= 2
        raise KickstartError(f"{problem} (gave up after {self.retries} attempts)", asked)
