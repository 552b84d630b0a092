"""Every use of pykickstart's (and argparse's) private API, in one place, each with why no
public API serves. Nothing else in the installer touches those privates; when pykickstart
changes one of them, this file is the one to read.

- `feed`: `KickstartParser._reset` and `_stateMachine`. The public
  `readKickstartFromString` builds its own line iterator from the text; file:line across
  `%include` and `%ksappend` needs our own iterator (parser.py's `_LineSource`), and only
  the state machine takes one.
- `QuietErrors`: overrides `KickstartParser._tryFunc`. The public `errorsAreFatal=False`
  keeps going past a bad line but prints the error to stderr, where the TUI is drawn and
  which may hold a secret from the line; the early read for secrets must stay silent.
- `option_parser`: `_getParser()` of a command or section. Commands keep the result as
  `op` only for some names, and sections never do; it is the only way to the options a
  header or command line accepts.
- `option_spellings`: argparse's `_actions`; `ArgumentParser` has no public list of its
  options.
- `option_actions`: argparse's `_option_string_actions`; argparse has no public lookup of
  an option string (abbreviations included) to its action.
"""
from __future__ import annotations

import argparse


def feed(parser, lines, reset: bool) -> None:
    """Run `parser`'s state machine over `lines` (a PutBackIterator-like source)."""
    if reset:
        parser._reset()
    parser._stateMachine(lines)


class QuietErrors:
    """Mixin for a KickstartParser: a line that fails is counted and passed over, silently."""

    def _tryFunc(self, fn):
        try:
            fn()
        except Exception:  # noqa: BLE001 - the final parse reports it with file:line
            self.errorsCount += 1


def option_parser(obj) -> argparse.ArgumentParser | None:
    """The option parser of a pykickstart command or section; None when it has none."""
    getter = getattr(obj, "_getParser", None)
    return getter() if getter else None


def option_spellings(parser: argparse.ArgumentParser | None) -> tuple[tuple[str, ...], ...]:
    """Every option of a parser as the tuple of its spellings (`--size`, `-s`)."""
    if parser is None:
        return ()
    return tuple(tuple(action.option_strings) for action in parser._actions
                 if action.option_strings)


def option_actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Each option string of a parser and its action."""
    return parser._option_string_actions
