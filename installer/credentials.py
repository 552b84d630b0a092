"""Passwords inside URLs (`http://user:pass@host/`): found and left out.

Sources, repositories, proxies and kickstart locations may carry credentials in the URL;
the password must reach the network but nothing written down. Shared by the boot options
(registered before logging starts), the kickstart's secrets and the saved kickstarts. A
URL is recognised anywhere in a text, so the same functions serve option values, whole
lines and script bodies. A proxy may be written without a scheme (`user:pass@host:3128`):
`proxy=True` reads such a value as http.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

#: SCHEME://USERINFO@ where USERINFO runs to the last '@' before the host's path: a
#: password holding an unescaped '@' is still taken whole.
URL_USERINFO_RE = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s?#'\"]*)@")
BARE = "http://"


def url_passwords(text: str | None, proxy: bool = False) -> list[str]:
    """Every password in a URL in `text`, as written and percent-decoded."""
    text = text or ""
    if proxy and "://" not in text:
        text = BARE + text
    found: list[str] = []
    for match in URL_USERINFO_RE.finditer(text):
        _, sep, password = match["userinfo"].partition(":")
        if sep and password:
            found += [password] if unquote(password) == password else [password, unquote(password)]
    return found


def without_url_passwords(text: str, proxy: bool = False) -> str:
    """`http://user:pass@host/` -> `http://user@host/`: the user kept (a reader of a saved
    kickstart sees whose password to supply), the password left out."""
    bare = proxy and "://" not in text
    if bare:
        text = BARE + text

    def rewrite(match: re.Match) -> str:
        user, sep, password = match["userinfo"].partition(":")
        if not (sep and password):
            return match[0]
        return f"{match['head']}{user}@" if user else match["head"]

    text = URL_USERINFO_RE.sub(rewrite, text)
    return text.removeprefix(BARE) if bare else text
