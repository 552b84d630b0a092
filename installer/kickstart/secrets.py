"""Passwords and passphrases in the kickstart model: found, masked, hashed, never written.

Account and boot loader passwords are hashed inside the handler as soon as it is
loaded, so plaintext lives no longer than parsing; the install uses the hashes. LUKS
passphrases cannot be hashed (storage needs them) and are left out of every saved
kickstart. Every plaintext found is registered with the log redactor first.
"""
from __future__ import annotations

import contextlib
from typing import Iterator
from urllib.parse import urlsplit, urlunsplit

from installer import passwords
from installer.logs import register_secret

#: Attributes that hold something a user would call a password or passphrase.
SECRET_ATTRS = ("password", "passphrase", "backuppassphrase", "hw_passphrase", "wpakey",
                "rev_password", "key")
#: Of those, the ones that are dropped from saved kickstarts (they cannot be hashed).
DROPPED_ATTRS = ("passphrase", "backuppassphrase", "hw_passphrase", "wpakey", "rev_password")
PROXY_ATTRS = ("proxy",)


def objects(handler) -> Iterator[tuple[str, object]]:
    """Every command object and every data object (part, user, repo, ...) in the handler."""
    seen: set[int] = set()
    for name, command in handler.commands.items():
        if command is None or id(command) in seen:
            continue
        seen.add(id(command))
        yield name, command
        items = command.dataList() if hasattr(command, "dataList") else None
        for item in items or []:
            yield name, item


def _proxy_password(url: str | None) -> str | None:
    if not url:
        return None
    try:
        return urlsplit(url if "://" in url else "http://" + url).password
    except ValueError:
        return None


def register_all(handler) -> None:
    """Tell the log redactor about every plaintext secret in the kickstart."""
    for name, obj in objects(handler):
        for attr in SECRET_ATTRS:
            value = getattr(obj, attr, None)
            if isinstance(value, str) and value and not (
                    attr == "password" and getattr(obj, "isCrypted", False)):
                if name == "sshkey" and attr == "key":
                    continue  # public keys are not secrets
                register_secret(value)
        for attr in PROXY_ATTRS:
            register_secret(_proxy_password(getattr(obj, attr, None)))


def hash_in_place(handler) -> None:
    """Replace plaintext account and boot loader passwords by their hashes."""
    for name, obj in objects(handler):
        password = getattr(obj, "password", None)
        if not password or getattr(obj, "isCrypted", True):
            continue
        if name in ("rootpw", "user", "sshpw"):
            obj.password = passwords.crypt_password(password)
            obj.isCrypted = True
        elif name == "bootloader":
            obj.password = passwords.grub_password(password)
            obj.isCrypted = True


def _strip_credentials(url: str) -> str:
    parts = urlsplit(url if "://" in url else "http://" + url)
    if not parts.password and not parts.username:
        return url
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


@contextlib.contextmanager
def without_unhashable(handler):
    """Temporarily remove passphrases and proxy credentials, e.g. to serialise the handler."""
    saved: list[tuple[object, str, object]] = []
    try:
        for _, obj in objects(handler):
            for attr in DROPPED_ATTRS:
                if getattr(obj, attr, None):
                    saved.append((obj, attr, getattr(obj, attr)))
                    setattr(obj, attr, "")
            for attr in PROXY_ATTRS:
                value = getattr(obj, attr, None)
                if isinstance(value, str) and value and _proxy_password(value) is not None:
                    saved.append((obj, attr, value))
                    setattr(obj, attr, _strip_credentials(value))
        yield handler
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


@contextlib.contextmanager
def unseen_bootloader_left_out(handler):
    """pykickstart prints an unseen `bootloader` as `--location=none`, which read back
    would mean "no boot loader", the opposite of what a missing command means (install
    it, as in Anaconda): so it is left out of the text while serialising."""
    command = getattr(handler, "bootloader", None)
    if command is None or command.seen or command.location != "none":
        yield handler
        return
    command.location = None
    try:
        yield handler
    finally:
        command.location = "none"


def safe_text(handler) -> str:
    """The handler serialised with every password hashed and every passphrase left out."""
    hash_in_place(handler)
    with without_unhashable(handler), unseen_bootloader_left_out(handler):
        return str(handler)
