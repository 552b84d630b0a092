"""Events the DNF worker sends to the installer, one JSON object per line.

Kept tiny and explicit: the worker runs in its own process, so this is the whole
interface between them.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import IO


class PayloadFailure(Exception):
    """The payload's one error type, on both sides of the pipe: raised by DNF code in the
    worker (sent as an `error` event) and by the runner in the installer (the worker's
    error event, its death, a malformed line). `kind` classifies it (RepoError,
    MissingPackages, DepsolveError, DownloadError, SignatureError, TransactionError,
    WorkerDied, MalformedEvent, Internal); `message` says why, for a person. The installer
    turns it into its PayloadError in one place (installer/payload_request.run_payload)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message


class MalformedEvent(PayloadFailure):
    """A line from the worker that is not an event (a crash's output, a protocol bug)."""

    def __init__(self, message: str):
        super().__init__("MalformedEvent", message)


@dataclass
class PayloadEvent:
    kind: str  # phase, download, warning (in the download), install, log, comps, error, done
    message: str = ""
    done: float = 0.0  # fraction of the current phase, 0..1
    count: int = 0  # packages done
    total: int = 0  # packages in all
    bytes_done: int = 0
    bytes_total: int = 0
    error: str = ""  # for kind=error: the exception class

    def to_line(self) -> str:
        return json.dumps(asdict(self)) + "\n"

    @classmethod
    def from_line(cls, line: str) -> "PayloadEvent":
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise TypeError(f"a JSON {type(data).__name__}, not an object")
            return cls(**data)
        except (ValueError, TypeError) as exc:
            shown = line.strip()
            shown = shown if len(shown) <= 200 else shown[:200] + "..."
            raise MalformedEvent(f"the package installer process sent a malformed event "
                                 f"{shown!r} ({exc}); see packaging.log") from None


class EventWriter:
    def __init__(self, stream: IO[str]):
        self.stream = stream

    def send(self, kind: str, message: str = "", **values) -> None:
        self.stream.write(PayloadEvent(kind, message, **values).to_line())
        self.stream.flush()
