"""The kickstart's secrets registered before its %pre scripts run.

A %pre that echoes a password (or a URL with one) writes it to program.log and its
ks-script log; the final parse, which registers every secret, only comes after the
%pre scripts. So a lenient parse of everything comes first: missing %includes (a %pre
may write them) and errors are passed over silently here, since the final parse reports
them with their file:line. The raw text is searched for URLs with passwords as well, for
the `%include` lines, script bodies and any line after one the parse could not get past.
"""
from __future__ import annotations

import logging

from installer.credentials import url_passwords
from installer.errors import KickstartError
from installer.logs import register_secret

from . import secrets
from .parser import LocatingParser, collecting_warnings
from .pykickstart_adapter import QuietErrors
from .reader import Reader
from .version import make_handler

log = logging.getLogger("anaconda.kickstart")


class LenientParser(QuietErrors, LocatingParser):
    """Reads on past bad commands and missing %includes, and prints nothing."""

    def __init__(self, handler, reader: Reader):
        super().__init__(handler, reader, missingIncludeIsFatal=False)


def register_urls(sources: list[tuple[str, str]]) -> None:
    """The passwords of every URL in the text: an `%include` of one is fetched (and a
    failed fetch logged) before any parse registers anything."""
    for _, text in sources:
        for password in url_passwords(text):
            register_secret(password)


def register_before_pre(sources: list[tuple[str, str]], version: str | None,
                        reader: Reader) -> None:
    """Register every secret the kickstart text holds, as far as it can be read now."""
    register_urls(sources)
    handler = make_handler(version)
    parser = LenientParser(handler, reader)
    with collecting_warnings(parser, []):
        for location, text in sources:
            try:
                parser.readKickstartFromString(text, reset=False, name=location)
            except KickstartError:
                log.debug("%s: the early read for secrets stopped at an error; "
                          "the final parse reports it", location)
    secrets.register_all(handler)
