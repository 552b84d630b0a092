"""The one place the TUI turns an exception into words for a label or a dialog.

Spokes receive errors from background work (`done(result, error)`) and from the UI
models' checks; none of them formats an exception itself, they call `message_of` (or
`sentence`, for a message shown on its own) and `failure` (the install's end); the
problems that keep a person on a screen are shown by `refuse`. The
cmdline front end's one place is spokes/cmdline.py's `error`; exit codes are
installer/main.py's `main`.
"""
from __future__ import annotations

import logging
from typing import Sequence

from installer.errors import InstallerError
from installer.errors import message_of as describe
from installer.logs import redact

log = logging.getLogger("anaconda.tui")

LOG_HINT = "the traceback is in /tmp/anaconda.log"


def message_of(error: BaseException) -> str:
    """installer.errors.message_of, secrets redacted: what the TUI shows for `error`."""
    return redact(describe(error))


def sentence(error: BaseException) -> str:
    """`message_of`, first letter capitalised: for a message shown on its own line."""
    text = message_of(error)
    return text[:1].upper() + text[1:]


def failure(error: BaseException) -> InstallerError:
    """The install ended with `error`: a typed one as it is, anything else is a bug,
    logged with its traceback and said as an internal error."""
    if isinstance(error, InstallerError):
        return error
    log.error("Internal error during the install", exc_info=error)
    return InstallerError(f"internal error (a bug): {error}; {LOG_HINT}")


def refuse(spoke, label, problems: str | Sequence[str]) -> bool:
    """Show what keeps the person on the screen in `label` (an urwid.Text), one problem a
    line in the error colour, and redraw; returns False, which is "stay" for `leave`."""
    lines = [problems] if isinstance(problems, str) else list(problems)
    label.set_text(("error", "\n".join(lines)))
    spoke.redraw()
    return False
