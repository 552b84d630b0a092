"""Typed installer errors and the exit code each one ends a run with.

Every failure a user can cause or fix is one of these, raised with a message that names
the place (file:line, boot option, disk, URL) and what would be accepted. Front ends turn
them into an exit code or a dialog in exactly one place each.
"""
from __future__ import annotations


class InstallerError(Exception):
    """Base of all errors a user can act on; `exit_code` is the cmdline front end's."""

    exit_code = 1
    kind = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(InstallerError):
    """Bad command-line flags: the same class of mistake as a bad kickstart."""

    exit_code = 2
    kind = "usage error"


class BootOptionError(InstallerError):
    """A boot option (or its CLI flag) has a value the installer cannot use."""

    exit_code = 2
    kind = "boot option error"


class KickstartError(InstallerError):
    """The kickstart cannot be read, parsed or accepted; names file:line when known."""

    exit_code = 2
    kind = "kickstart error"

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        self.problem = message
        if file and line:
            message = f"{file}:{line}: {message}"
        elif file:
            message = f"{file}: {message}"
        super().__init__(message)


class StorageError(InstallerError):
    exit_code = 3
    kind = "storage error"


class PayloadError(InstallerError):
    """Sources, packages, the DNF worker. `reason` is the payload's classification of a
    worker failure (MissingPackages, DownloadError, ...; payload/events.PayloadFailure),
    empty for problems found on the installer's side (a source that cannot be mounted)."""

    exit_code = 4
    kind = "payload error"

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class ScriptError(InstallerError):
    """A kickstart script with --erroronfail failed; the message points at its log."""

    exit_code = 5
    kind = "script error"


class ConfigurationError(InstallerError):
    """Configuring the installed system failed (locale, users, services, ...)."""

    exit_code = 6
    kind = "configuration error"


class InsufficientMemoryError(InstallerError):
    exit_code = 7
    kind = "not enough memory"


def os_error_text(error: OSError) -> str:
    """"No space left on device (/mnt/sysroot/usr/x)": the errno text and the file, which
    is what a person can act on (the errno number and Python's wording are not)."""
    text = error.strerror or " ".join(str(error).split()) or type(error).__name__
    return f"{text} ({error.filename})" if error.filename else text


def message_of(error: BaseException) -> str:
    """What a person reads for `error`, for every front end and UI model:
    - a typed error (InstallerError, storage's StorageProblem): its `message`, which names
      the place and what would be accepted;
    - OSError: the errno text and the file;
    - ValueError: its text (the UI models' checks raise it with a message for a person);
    - anything else, a bug: `Type: text` (whoever caught it logged the traceback)."""
    message = getattr(error, "message", None)
    if isinstance(message, str):
        return message
    if isinstance(error, OSError):
        return os_error_text(error)
    if isinstance(error, ValueError):
        return str(error)
    return f"{type(error).__name__}: {error}"


#: Documented in the README; keep both in step.
EXIT_CODES: dict[int, str] = {
    0: "installation finished (or --validate: the kickstart is valid)",
    1: "internal error (a bug: the traceback is in anaconda.log); --validate: kickstart invalid",
    2: "bad input: kickstart, boot option or command-line flag",
    3: "storage error",
    4: "payload (package installation) error",
    5: "a kickstart script with --erroronfail failed",
    6: "configuring the installed system failed",
    7: "not enough memory",
    130: "interrupted (Ctrl-C)",
}
