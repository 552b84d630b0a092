"""`%addon NAME [options]` sections, kept as data instead of dropped.

pykickstart only knows that `%addon` exists: its parser swallows the section whole
(a NullSection), so `%addon com_redhat_kdump --enable` would vanish without a word.
Here each addon section is recorded on the handler (`addons_of(handler)`), with its
header options, its body lines and the file:line of its header, so the addons this
installer applies (kdump) can read it, the disposition check can warn about the others
by name, and the saved kickstart writes every one of them back out.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from pykickstart.sections import Section

ATTRIBUTE = "addon_sections"


@dataclass
class AddonSeen:
    name: str  # com_redhat_kdump, org_fedora_oscap, ...; "" for %anaconda
    args: list[str] = field(default_factory=list)  # header words after the name
    lines: list[str] = field(default_factory=list)  # body, without %end
    file: str | None = None
    line: int | None = None
    section: str = "%addon"  # or Anaconda's removed %anaconda

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.file and self.line else "kickstart"

    def __str__(self) -> str:
        words = [self.section, *([self.name] if self.name else []), *self.args]
        header = " ".join(shlex.quote(word) for word in words)
        body = "".join(line if line.endswith("\n") else line + "\n" for line in self.lines)
        return f"{header}\n{body}%end\n"


def addons_of(handler) -> list[AddonSeen]:
    """The addon sections parsed into `handler`, in kickstart order (a list the handler owns)."""
    found = getattr(handler, ATTRIBUTE, None)
    if found is None:
        found = []
        setattr(handler, ATTRIBUTE, found)
    return found


def addon(handler, name: str) -> AddonSeen | None:
    """The last section of addon `name` (a later one replaces an earlier, as in Anaconda)."""
    for seen in reversed(addons_of(handler)):
        if seen.section == "%addon" and seen.name == name:
            return seen
    return None


def addons_text(handler) -> str:
    return "".join(f"\n{seen}" for seen in addons_of(handler))


class AddonSection(Section):
    """Records each `%addon` (or `%anaconda`, with sectionOpen=) on the handler; `where`
    gives the parser's current file:line."""

    sectionOpen = "%addon"
    allLines = True

    def __init__(self, handler, where=None, sectionOpen: str = "%addon", **kwargs):
        super().__init__(handler, **kwargs)
        self.sectionOpen = sectionOpen
        self._where = where
        self._current: AddonSeen | None = None

    def handleHeader(self, lineno, args):
        super().handleHeader(lineno, args)
        location = self._where() if self._where else None
        named = self.sectionOpen == "%addon"
        name = args[1] if named and len(args) > 1 else ""
        self._current = AddonSeen(name, list(args[2 if named else 1:]),
                                  file=location.file if location else None,
                                  line=location.line if location else lineno,
                                  section=self.sectionOpen)

    def handleLine(self, line):
        if self._current is not None:
            self._current.lines.append(line)

    def finalize(self):
        super().finalize()
        if self._current is not None:
            addons_of(self.handler).append(self._current)
            self._current = None
