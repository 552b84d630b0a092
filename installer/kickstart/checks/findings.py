"""What the checks found, each with its file:line, and where a command came from.

Anaconda's storage checker reports every problem of a plan at once so a person fixes the
kickstart in one round; the checks here do the same: each check adds errors and warnings
to one `Findings`, and only the caller decides to stop.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from installer.errors import KickstartError


@dataclass(frozen=True)
class Where:
    """file:line of a command; either may be unknown (a handler made in code)."""

    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or (f"kickstart line {self.line}" if self.line else "kickstart")


@dataclass
class Findings:
    errors: list[tuple[Where, str]] = field(default_factory=list)
    warnings: list[tuple[Where, str]] = field(default_factory=list)

    def error(self, where: Where, problem: str) -> None:
        self.errors.append((where, problem))

    def warn(self, where: Where, problem: str) -> None:
        self.warnings.append((where, problem))

    def warning_lines(self) -> list[str]:
        return [f"{where}: {problem}" for where, problem in _in_file_order(self.warnings)]

    def raise_errors(self) -> None:
        """One KickstartError naming every problem, each on its own line with its place,
        in the order of the kickstart; the first one's place is the error's own."""
        if not self.errors:
            return
        (first, problem), *rest = _in_file_order(self.errors)
        if rest:
            problem += "".join(f"\n  {where}: {other}" for where, other in rest)
            problem += f"\n  ({len(self.errors)} problems; nothing was written)"
        raise KickstartError(problem, first.file, first.line)


def _in_file_order(found: list[tuple[Where, str]]) -> list[tuple[Where, str]]:
    """By line within each file, the files in the order their first finding came."""
    files: dict[str | None, int] = {}
    for where, _ in found:
        files.setdefault(where.file, len(files))
    return sorted(found, key=lambda item: (files[item[0].file], item[0].line or 0))


def location_of(loaded, command: str) -> tuple[str | None, int | None]:
    """file, line of the last time `command` was seen (the one that counts)."""
    for seen in reversed(loaded.commands_seen):
        if seen.name == command:
            return seen.location.file, seen.location.line
    return None, None


def where_of(loaded, *names: str) -> Where:
    """The last `names` command (aliases such as part/partition) or, for a handler made
    in code, the command's own line number."""
    for seen in reversed(loaded.commands_seen):
        if seen.name in names:
            return Where(seen.location.file, seen.location.line)
    command = getattr(loaded.handler, names[0], None)
    return Where(_first_file(loaded), getattr(command, "lineno", None) or None)


def where_each(loaded, items: list, *names: str) -> list[Where]:
    """file:line of each data object of a list command (part, user, repo...): pykickstart
    appends one object per line, so the n-th object is the n-th line of that command."""
    seen = [Where(s.location.file, s.location.line) for s in loaded.commands_seen if s.name in names]
    if len(seen) == len(items):
        return seen
    return [Where(_first_file(loaded), getattr(item, "lineno", None) or None) for item in items]


def _first_file(loaded) -> str | None:
    return loaded.sources[0][0] if getattr(loaded, "sources", None) else None
