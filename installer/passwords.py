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
    """Hash for /etc/shadow and `rootpw --iscrypted`."""
    if "\0" in password:
        raise ValueError("a password cannot contain a NUL byte")
    lib = _libcrypt()
    setting = lib.crypt_gensalt((prefix or best_method()).encode(), 0, None, 0)
    if not setting:
        raise RuntimeError(f"crypt_gensalt failed: errno {ctypes.get_errno()}")
    hashed = lib.crypt(password.encode(), setting)
    if not hashed or hashed.startswith(b"*"):
        raise RuntimeError(f"crypt failed: errno {ctypes.get_errno()}")
    return hashed.decode()


def verify_password(password: str, hashed: str) -> bool:
    if "\0" in password:
        return False
    result = _libcrypt().crypt(password.encode(), hashed.encode())
    return bool(result) and result.decode() == hashed


def is_crypted(text: str) -> bool:
    return text.startswith(HASH_PREFIXES)


GRUB_PREFIX = "grub.pbkdf2.sha512."


def grub_password(password: str, iterations: int = 10000) -> str:
    """The `grub.pbkdf2.sha512.N.SALT.HASH` form GRUB's password_pbkdf2 expects."""
    salt = os.urandom(64)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"{GRUB_PREFIX}{iterations}.{salt.hex().upper()}.{digest.hex().upper()}"
