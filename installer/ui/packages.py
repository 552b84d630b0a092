"""The repository's packages as the software screen searches them, and the %packages
edits for single packages (`name`, `-name`, `--exclude-weakdeps`).

The list comes once per source from the DNF worker's survey (payload/worker.py's
"packages" event: `name TAB summary` lines sorted by name). It is kept as three byte
strings (the lines, the same lower-cased, the lower-cased names), not as Python objects
per package: about 2.2 times the listing, 9 MB for Debian's 63,000 packages (tuples of
str would take some 30 MB, a live DNF sack hundreds). A search is a few bytes.find scans
in C over them, Python touching only the rows it returns: at most some 10 ms per key
for that list on the development host. No DNF, no toolkit.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

log = logging.getLogger("anaconda.ui.packages")

#: rows a search returns at most: a screen shows about fifteen; more means "type more"
SEARCH_LIMIT = 50
#: characters DNF reads as a glob in a %packages name
GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class PackageInfo:
    name: str
    summary: str


@dataclass
class SearchResult:
    rows: list[PackageInfo] = field(default_factory=list)
    more: bool = False  # rows were left out at SEARCH_LIMIT


class PackageIndex:
    """Names and summaries of the source's packages, searchable by part of either."""

    def __init__(self, listing: str):
        #: b"\nname\tsummary\n...": every line framed by newlines, so `\nNAME\t` is exact
        lines = b"\n" + listing.lstrip("\n").encode("utf-8", "replace")
        self._lines = lines if lines.endswith(b"\n") else lines + b"\n"
        #: the same, ASCII lower-cased (bytes.lower keeps every offset): searched with
        #: bytes.find, which is some ten times faster than a case-insensitive regex
        self._lower = self._lines.lower()
        #: b"\nname\n...", lower-cased: the name passes never step through summaries
        self._names = b"\n".join(line.partition(b"\t")[0]
                                 for line in self._lower.split(b"\n")) + b"\n"
        self.count = self._lines.count(b"\n") - 1

    def __len__(self) -> int:
        return self.count

    @property
    def size(self) -> int:
        """Bytes held (for the log: what the search costs in memory)."""
        return len(self._lines) + len(self._lower) + len(self._names)

    # ---- lookups ------------------------------------------------------------------------
    def summary(self, name: str) -> str | None:
        """The summary of package `name` (exact, case-sensitive as DNF is); None if absent."""
        key = b"\n" + name.encode() + b"\t"
        start = self._lines.find(key)
        if start < 0:
            return None
        return self._row_at(start + 1).summary

    def matches(self, spec: str) -> list[str]:
        """Names a %packages entry (a name or a glob) stands for, at most SEARCH_LIMIT."""
        if not set(spec) & GLOB_CHARS:
            return [spec] if self.summary(spec) is not None else []
        pattern = re.compile(rb"\n(" + _glob_regex(spec) + rb")\t")
        found, position = [], 0
        while len(found) < SEARCH_LIMIT:
            match = pattern.search(self._lines, position)
            if match is None:
                break
            found.append(match.group(1).decode("utf-8", "replace"))
            position = match.end(1)
        return found

    def _row_at(self, start: int) -> PackageInfo:
        """The row whose line starts at offset `start` of the lines."""
        tab = self._lines.index(b"\t", start)
        end = self._lines.index(b"\n", tab)
        return PackageInfo(self._lines[start:tab].decode("utf-8", "replace"),
                           self._lines[tab + 1:end].decode("utf-8", "replace"))

    # ---- the search ---------------------------------------------------------------------
    def search(self, text: str, limit: int = SEARCH_LIMIT) -> SearchResult:
        """Packages whose name or summary holds `text` (case-insensitive for ASCII): the
        exact name first, then names that start with it, names that hold it, summaries
        that hold it; alphabetical within each; at most `limit` rows. Each pass is a
        bytes.find loop that stops when the rows are full, so a search costs a few scans
        of the list in C and Python work for the rows it returns only."""
        needle = text.strip().encode("utf-8").lower()
        result = SearchResult()
        if not needle or b"\t" in needle or b"\n" in needle:
            return result
        taken: set[int] = set()  # line offsets in the lines
        exact = self._lower.find(b"\n" + needle + b"\t")
        if exact >= 0:
            self._add(result, taken, exact + 1, limit)
        for start in self._find_all(self._lower, b"\n" + needle):  # names starting with it
            if not self._add(result, taken, start + 1, limit):
                return result
        if not self._names_holding(needle, result, taken, limit):
            return result
        self._summaries_holding(needle, result, taken, limit)
        return result

    def _names_holding(self, needle: bytes, result: SearchResult, taken: set[int],
                       limit: int) -> bool:
        """Names holding `needle` anywhere, found in the names alone; each one's line in
        the lines is found from the previous one's on (both are in the same order)."""
        cursor = 0
        for hit in self._find_all(self._names, needle):
            start = self._names.rfind(b"\n", 0, hit) + 1
            name = self._names[start:self._names.index(b"\n", hit)]
            cursor = self._lower.index(b"\n" + name + b"\t", cursor) + 1
            if not self._add(result, taken, cursor, limit):
                return False
        return True

    def _summaries_holding(self, needle: bytes, result: SearchResult, taken: set[int],
                           limit: int) -> None:
        for hit in self._find_all(self._lower, needle):
            start = self._lower.rfind(b"\n", 0, hit) + 1
            if hit > self._lower.index(b"\t", start) and not self._add(result, taken, start, limit):
                return

    @staticmethod
    def _find_all(haystack: bytes, needle: bytes):
        """Offsets of `needle`, at most one a line (the search goes on at the line's end)."""
        position = haystack.find(needle)
        while position >= 0:
            yield position
            end = haystack.find(b"\n", position + 1)
            if end < 0:
                return
            position = haystack.find(needle, end)

    def _add(self, result: SearchResult, taken: set[int], start: int, limit: int) -> bool:
        """The row at `start` unless taken already; False once the rows are full."""
        if start in taken:
            return True
        if len(result.rows) >= limit:
            result.more = True
            return False
        taken.add(start)
        result.rows.append(self._row_at(start))
        return True


def _glob_regex(spec: str) -> bytes:
    """A %packages glob as a regex over one name: * and ? within the name, [...] kept."""
    out, i = [], 0
    while i < len(spec):
        char = spec[i]
        if char == "*":
            out.append(rb"[^\t\n]*")
        elif char == "?":
            out.append(rb"[^\t\n]")
        elif char == "[" and "]" in spec[i + 1:]:
            end = spec.index("]", i + 1)
            out.append(b"[" + spec[i + 1:end].replace("\\", "\\\\").encode() + b"]")
            i = end
        else:
            out.append(re.escape(char.encode()))
        i += 1
    return b"".join(out)


# ---- %packages edits --------------------------------------------------------------------
def include_package(handler, name: str) -> None:
    """`name` in %packages; an exclusion of it is taken back (DNF would let it win)."""
    packages = handler.packages
    packages.excludedList = [p for p in packages.excludedList if p != name]
    if name not in packages.packageList:
        packages.packageList = packages.packageList + [name]
    packages.seen = True


def exclude_package(handler, name: str) -> None:
    """`-name` in %packages: never installed, not even as a dependency."""
    packages = handler.packages
    packages.packageList = [p for p in packages.packageList if p != name]
    if name not in packages.excludedList:
        packages.excludedList = packages.excludedList + [name]
    packages.seen = True


def forget_package(handler, name: str) -> None:
    """Neither listed nor excluded: back to what the environment and groups bring."""
    packages = handler.packages
    packages.packageList = [p for p in packages.packageList if p != name]
    packages.excludedList = [p for p in packages.excludedList if p != name]
    packages.seen = True


def set_exclude_weakdeps(handler, value: bool) -> None:
    """`%packages --exclude-weakdeps`: Recommends are not installed."""
    handler.packages.excludeWeakdeps = value
    handler.packages.seen = True


def package_mark(handler, name: str) -> str:
    """How a package stands in %packages: "+" listed, "-" excluded, "" neither."""
    if name in handler.packages.packageList:
        return "+"
    if name in handler.packages.excludedList:
        return "-"
    return ""
