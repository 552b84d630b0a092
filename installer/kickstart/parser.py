"""pykickstart's parser, taught to say which file and line every problem is on.

pykickstart counts lines per file but forgets which file an error came from once
%include nests, and %ksappend shifts line numbers because it is spliced in as text before
parsing. Here every file (main, %include, %ksappend) is read through a `_LineSource`
that knows its file name and current line, kept on a stack; whatever is raised or warned
is tagged with the innermost location. %ksappend is expanded at its own line, so the
appended lines keep their own file:line.
"""
from __future__ import annotations

import contextlib
import os
import shlex
import warnings
from dataclasses import dataclass
from typing import Callable

from pykickstart.errors import KickstartError as PykickstartError
from pykickstart.parser import KickstartParser
from pykickstart.sections import NullSection

from installer.errors import KickstartError

from .addons import AddonSection
from .pykickstart_adapter import feed
from .reader import Reader, is_url
from .scripts import interpreter_given


@dataclass
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class _LineSource:
    """Lines of one kickstart file with %ksappend files spliced in, tracking file:line.

    Quacks like pykickstart's PutBackIterator: iteration, `put` of one line back, and
    a final "" marking the end of the file.
    """

    def __init__(self, text: str, name: str, read: Callable[[str], str]):
        self._lines = iter(text.splitlines(True) + [""])
        self._frames: list[list] = [[name, 0, self._lines]]  # file, line, lines left
        self._read = read
        self._buffer: str | None = None
        self.last = ""  # the line returned last: a section's header, when one opens

    @property
    def location(self) -> Location:
        name, line, _ = self._frames[-1]
        return Location(name, line)

    def __iter__(self):
        return self

    def put(self, line: str) -> None:
        self._buffer = line
        self._frames[-1][1] -= 1

    def __next__(self) -> str:
        self.last = self._next()
        return self.last

    def _next(self) -> str:
        if self._buffer is not None:
            line, self._buffer = self._buffer, None
            self._frames[-1][1] += 1
            return line
        while len(self._frames) > 1:
            frame = self._frames[-1]
            try:
                line = next(frame[2])
            except StopIteration:
                self._frames.pop()
                continue
            frame[1] += 1
            return line
        frame = self._frames[0]
        line = next(self._lines)
        if not line:
            return line
        frame[1] += 1
        stripped = line.strip()
        if stripped.startswith("%ksappend"):
            args = shlex.split(stripped)
            if len(args) != 2:
                raise KickstartError("%ksappend takes exactly one URL or path", frame[0], frame[1])
            text = self._read(args[1])
            self._frames.append([args[1], 0, iter(text.splitlines(True))])
            return self._next()
        return line


@dataclass
class CommandSeen:
    name: str
    location: Location
    #: option names as written (`--hostname`), never their values (they may be secrets)
    options: tuple[str, ...] = ()


class LocatingParser(KickstartParser):
    """KickstartParser that reads through `Reader` and records where things are."""

    def __init__(self, handler, reader: Reader, missing_include_note: str | None = None,
                 **kwargs):
        self.reader = reader
        #: set when a missing %include is expected (its %pre did not run): warn, with this
        self.missing_include_note = missing_include_note
        self.sources: list[_LineSource] = []
        self.commands_seen: list[CommandSeen] = []
        self.sections_seen: list[CommandSeen] = []  # %post, %packages...: header and options
        self.registered_sections: dict = {}
        self.files_read: list[str] = []
        super().__init__(handler, **kwargs)

    @property
    def location(self) -> Location | None:
        return self.sources[-1].location if self.sources else None

    def registerSection(self, obj):
        """Also kept by name, so the disposition check can read a section's options; its
        public `handleHeader` and `finalize` are wrapped to record where it was."""
        self.registered_sections[obj.sectionOpen] = obj
        self._track(obj)
        super().registerSection(obj)

    def _track(self, obj) -> None:
        """Remember where each section's header was and its options (for the disposition
        check) and each script's header (for error messages about it later)."""
        handle_header, finalize = obj.handleHeader, obj.finalize
        opened: dict = {}

        def header(lineno, args):
            opened["at"] = self.location
            line = self.sources[-1].last if self.sources else ""
            if opened["at"] is not None:
                options = tuple(w.split("=", 1)[0] for w in line.split()[1:] if w.startswith("-"))
                self.sections_seen.append(CommandSeen(args[0], opened["at"], options))
            # pykickstart says /bin/sh when no --interpreter is given: keep which it was
            opened["given"] = interpreter_given(obj, line)
            return handle_header(lineno, args)

        def end():
            scripts = getattr(self.handler, "scripts", [])
            before = len(scripts)
            finalize()
            for script in scripts[before:]:
                script.location = opened.get("at")
                script.interp_given = opened.get("given", False)

        obj.handleHeader, obj.finalize = header, end

    def setupSections(self):
        """pykickstart's sections, with %addon and %anaconda recorded on the handler
        (addons.py) instead of swallowed."""
        super().setupSections()
        for opener in ("%addon", "%anaconda"):
            self.registerSection(AddonSection(self.handler, where=lambda: self.location,
                                              sectionOpen=opener))

    def handleCommand(self, lineno, args):
        if self.location:
            options = tuple(a.split("=", 1)[0] for a in args[1:] if a.startswith("-"))
            self.commands_seen.append(CommandSeen(args[0], self.location, options))
        return super().handleCommand(lineno, args)

    def _resolve(self, name: str) -> str:
        """Relative %include paths are relative to the including file, as in pykickstart."""
        if is_url(name) or os.path.isabs(name) or os.path.exists(name) or not self.sources:
            return name
        parent = self.sources[-1].location.file
        if is_url(parent):
            return parent.rsplit("/", 1)[0] + "/" + name
        return os.path.join(os.path.dirname(os.path.abspath(parent)), name)

    def readKickstart(self, f, reset=True):
        name = self._resolve(f)
        try:
            text = self.reader.read(name)
        except KickstartError as exc:
            if not self.sources:
                raise
            if self.missing_include_note and exc.problem == "no such file":
                warnings.warn(f"%include {f}: no such file; not checked "
                              f"({self.missing_include_note})")
                return
            raise PykickstartError(f"%include {f}: {exc.message}") from None  # at its line
        self.readKickstartFromString(text, reset=reset, name=name)

    def readKickstartFromString(self, s, reset=True, name="<kickstart>"):
        source = _LineSource(s, name, self.reader.read)
        self.sources.append(source)
        self.files_read.append(name)
        try:
            feed(self, source, reset)
        except KickstartError as exc:
            if exc.file is None:
                loc = source.location
                raise KickstartError(exc.message, loc.file, loc.line) from None
            raise
        except PykickstartError as exc:
            loc = source.location
            raise KickstartError(_problem(exc), loc.file, loc.line) from None
        except ValueError as exc:  # shlex: unbalanced quotes and the like
            loc = source.location
            raise KickstartError(f"cannot split this line into words: {exc}",
                                 loc.file, loc.line) from None
        except (Exception, SystemExit) as exc:  # pykickstart's own bugs must not be tracebacks
            loc = source.location
            raise KickstartError(f"this line cannot be parsed ({exc.__class__.__name__}: {exc})",
                                 loc.file, loc.line) from exc
        finally:
            self.sources.pop()


def _problem(exc: PykickstartError) -> str:
    """pykickstart's message without its "problem occurred on line N" wrapping."""
    message = str(exc.message or "").strip()
    return message or "this line cannot be parsed"


class PrePassParser(LocatingParser):
    """The first pass Anaconda makes: only %pre sections, everything else skipped.

    A %pre may write a file that a later %include reads, so missing includes are not
    fatal here; the full parse after the %pre scripts ran checks everything.
    """

    def __init__(self, handler, reader: Reader):
        super().__init__(handler, reader, missingIncludeIsFatal=False)

    def handleCommand(self, lineno, args):
        return None

    def setupSections(self):
        super().setupSections()
        for opener in list(self.registered_sections):
            if opener != "%pre":
                self.registerSection(NullSection(self.handler, sectionOpen=opener))


@contextlib.contextmanager
def collecting_warnings(parser: LocatingParser, into: list[str]):
    """Record pykickstart's warnings, each tagged with the file:line being parsed."""

    def show(message, category, filename, lineno, file=None, line=None):
        where = f"{parser.location}: " if parser.location else ""
        into.append(f"{where}{message}")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        yield into
