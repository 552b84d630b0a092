"""Which pykickstart syntax version the handler speaks."""
from __future__ import annotations

import re

from pykickstart import version as ksversion

from installer.errors import KickstartError


def newest_fedora() -> str:
    """The newest Fedora syntax pykickstart knows: the default, as in Anaconda."""
    fedora = [(number, name) for name, number in ksversion.versionMap.items()
              if re.fullmatch(r"F\d+", name)]
    return max(fedora)[1]


def make_handler(name: str | None = None):
    """A fresh handler for version `name` (F40, RHEL9, DEVEL, ...), newest Fedora if None."""
    name = name or newest_fedora()
    key = name.upper()
    if key not in ksversion.versionMap:
        known = sorted((n for n in ksversion.versionMap if re.fullmatch(r"(F|RHEL)\d+", n)),
                       key=lambda n: ksversion.versionMap[n])
        raise KickstartError(f"--ks-version {name!r} is not a kickstart syntax version; "
                             f"expected one of DEVEL, {', '.join(known[-12:])} (and older)")
    return ksversion.makeVersion(ksversion.versionMap[key])
