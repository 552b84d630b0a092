"""Password hashing for the saved kickstart and the target's shadow file.

Uses the system's libxcrypt through ctypes (Python's `crypt` module is gone in 3.13):
yescrypt (`$y$`) where libxcrypt offers it, SHA-512 (`$6$`) otherwise. Boot loader
passwords use GRUB's own PBKDF2 format, which is what `grub2-mkpasswd-pbkdf2` writes.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import logging
import os

log = logging.getLogger("anaconda.passwords")

CRYPT_PREFIXES = ("$y$", "$6$")
HASH_PREFIXES = ("$y$", "$gy$", "$7$", "$6$", "$5$", "$2b$", "$2y$", "$1$", "$sha1$")


@functools.cache
def _libcrypt() -> ctypes.CDLL:
    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name, use_errno=True)
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    return lib


@functools.cache
def best_method() -> str:
    """The strongest prefix the system's libxcrypt can both salt and verify."""
    for prefix in CRYPT_PREFIXES:
        salt = _libcrypt().crypt_gensalt(prefix.encode(), 0, None, 0)
        if salt and salt.decode().startswith(prefix):
            return prefix
    raise RuntimeError("libcrypt offers neither yescrypt nor SHA-512")


def crypt_password(password: str, prefix: str | None = None) -> str:
    """Hash for /etc/shadow and `rootpw --iscrypted`.

    yescrypt at libxcrypt's default cost works in 16 MiB of scratch memory. Hashed in
    the installer's own process, that showed as its peak RSS (issue 19), and after the
    first hash glibc raises its mmap threshold, so the next 16 MiB comes from the heap
    and stays there, incompressible, for the rest of the install. So the hash is made in
    a forked child, whose memory goes back to the system when it exits."""
    if "\0" in password:
        raise ValueError("a password cannot contain a NUL byte")
    method = prefix or best_method()
    return _in_child(_crypt, password, method)


def _in_child(function, *args) -> str:
    """function(*args) in a forked child; its string result (or error) comes back on a pipe."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no Python-level cleanup, no atexit handlers
        code = 0
        try:
            os.close(read_end)
            try:
                message = b"ok\0" + function(*args).encode()
            except Exception as exc:  # noqa: BLE001 - carried to the parent as text
                message = b"error\0" + str(exc).encode()
            view = memoryview(message)
            while view:
                view = view[os.write(write_end, view):]
        except BaseException:  # noqa: BLE001 - the parent reports an empty answer
            code = 1
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    kind, _, text = answer.partition(b"\0")
    if kind == b"ok":
        return text.decode()
    raise RuntimeError(text.decode() or "the password hashing child gave no answer")


def _crypt(password: str, method: str) -> str:
    lib = _libcrypt()
    setting = lib.crypt_gensalt(method.encode(), 0, None, 0)
    if not setting:
        raise RuntimeError(f"crypt_gensalt failed: errno {ctypes.get_errno()}")
    hashed = lib.crypt(password.encode(), setting)
    if not hashed or hashed.startswith(b"*"):
        raise RuntimeError(f"crypt failed: errno {ctypes.get_errno()}")
    return hashed.decode()


def verify_password(password: str, hashed: str) -> bool:
    if "\0" in password:
        return False
    return _in_child(_crypt_with, password, hashed) == hashed  # the same 16 MiB as hashing


def _crypt_with(password: str, setting: str) -> str:
    result = _libcrypt().crypt(password.encode(), setting.encode())
    return result.decode() if result else ""


def is_crypted(text: str) -> bool:
    return text.startswith(HASH_PREFIXES)


GRUB_PREFIX = "grub.pbkdf2.sha512."


def grub_password(password: str, iterations: int = 10000) -> str:
    """The `grub.pbkdf2.sha512.N.SALT.HASH` form GRUB's password_pbkdf2 expects."""
    salt = os.urandom(64)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"{GRUB_PREFIX}{iterations}.{salt.hex().upper()}.{digest.hex().upper()}"
