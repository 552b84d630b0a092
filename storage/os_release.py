"""What an installed system says it is: its `/etc/os-release` (or `/usr/lib/os-release`).

Read by the boot loader (the distribution's ID names the EFI directory), by the
destination screen (an existing system shown by name) and by rescue mode (which system
to mount). One parser, so all three agree on a file with quotes, comments or no file.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

#: Where os-release(5) says to look, in order.
PLACES = ("etc/os-release", "usr/lib/os-release")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OsRelease:
    id: str = "linux"
    name: str = "Linux"
    version: str = ""
    pretty_name: str = ""

    @property
    def title(self) -> str:
        """"Fedora Linux 40 (Server Edition)", or the name and version when no PRETTY_NAME."""
        return self.pretty_name or " ".join(p for p in (self.name, self.version) if p)


def parse(text: str) -> dict[str, str]:
    """KEY=value lines, values unquoted as a shell would; comments and junk lines skipped."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            words = shlex.split(value)
        except ValueError:  # an unbalanced quote: take the text as it stands
            words = [value.strip("\"'")]
        values[key.strip()] = " ".join(words)
    return values


def read(root: Path) -> OsRelease | None:
    """The os-release of the system whose root is mounted at `root`; None when it has none
    (not a Linux root, or a root too old or too broken to say)."""
    for place in PLACES:
        path = root / place
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        values = parse(text)
        return OsRelease(id=values.get("ID") or "linux", name=values.get("NAME") or "Linux",
                         version=values.get("VERSION") or values.get("VERSION_ID", ""),
                         pretty_name=values.get("PRETTY_NAME", ""))
    return None


def os_id(root: Path) -> str:
    """The distribution's ID ("fedora", "debian"), "linux" when unknown or when it is not
    a safe directory name (it names the EFI directory)."""
    found = read(root)
    return found.id if found and _SAFE_ID.fullmatch(found.id) else "linux"
