"""LUKS key derivation in a short-lived child process.

Formatting a LUKS2 device and opening it both run Argon2, which needs its whole memory
cost at once (32 MiB and up, `format_args.choose_luks2_memory`). blivet calls libblockdev
in the installer's own process, so that cost became the installer's peak RSS: 68 MiB in
bench/memory.py's case e at 192 MiB, where the same install without encryption peaks
near 40 (issue 19). The two calls that derive a key, `crypto.luks_format` and
`crypto.luks_open`, are therefore made in a forked child: it makes the same call with the
same arguments and exits, so Argon2's memory goes back to the system at once. What the
parent needs from them is kernel and disk state (the LUKS header, the dm-crypt mapping),
which the child's call leaves behind just as the parent's would. A failure comes back as
the same `BlockDev.CryptoError`, with libblockdev's message.
"""
from __future__ import annotations

import functools
import logging
import os
import pickle

from gi.repository import BlockDev

log = logging.getLogger("anaconda.storage")

ROUTED = ("luks_format", "luks_open")


def call_in_child(function, *args, **kwargs):
    """function(*args, **kwargs) in a forked child; returns its (picklable) result, or
    raises BlockDev.CryptoError with the child's error message."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(read_end)
            try:
                answer = ("ok", function(*args, **kwargs))
            except Exception as exc:  # noqa: BLE001 - carried to the parent
                answer = ("error", str(exc))
            view = memoryview(pickle.dumps(answer))
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:  # noqa: BLE001 - the parent reports the missing answer
            code = 1
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise BlockDev.CryptoError(f"{getattr(function, '__name__', function)} in a child process "
                                   f"gave no answer (wait status {status})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise BlockDev.CryptoError(value)
    return value


def _routed(original):
    @functools.wraps(original)
    def in_child(*args, **kwargs):
        log.debug("crypto.%s in a child process (Argon2's memory stays out of the installer)",
                  getattr(original, "__name__", "call"))
        return call_in_child(original, *args, **kwargs)
    in_child.luks_child_original = original
    return in_child


def route_key_derivation() -> None:
    """Route blivet's LUKS format and open through a child (idempotent)."""
    crypto = BlockDev.crypto
    for name in ROUTED:
        current = getattr(crypto, name)
        if not hasattr(current, "luks_child_original"):
            setattr(crypto, name, _routed(current))
