"""Host and domain names as RFC 1123 allows them.

Checked both where a kickstart is loaded (`network --hostname`) and where a person types
one (the network spoke, DNS search domains), so both refuse the same names in the same
words.
"""
from __future__ import annotations

import re

HOSTNAME_MAX = 64  # HOST_NAME_MAX on Linux
DOMAIN_MAX = 253
#: One dot-separated label: letters, digits and '-', 1-63 characters, no '-' at either end.
LABEL_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def hostname_problem(name: str) -> str | None:
    """None for a good host name or none at all (empty means "none chosen"); else a
    message naming the field and what is accepted."""
    if not name:
        return None
    if len(name) > HOSTNAME_MAX:
        return f"Host name: {len(name)} characters is too long; at most {HOSTNAME_MAX}."
    for label in name.split("."):
        if not LABEL_RE.match(label):
            shown = f"'{label}'" if label else "an empty part"
            return (f"Host name: {shown} is not accepted. Use letters, digits and '-' "
                    "(not first or last) in parts of 1-63 characters separated by dots.")
    return None
