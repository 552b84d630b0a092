"""Passwords and passphrases in the kickstart model: found, masked, hashed, never written.

Account and boot loader passwords are hashed inside the handler as soon as it is
loaded, so plaintext lives no longer than parsing; the install uses the hashes. LUKS
passphrases cannot be hashed (storage needs them) and are left out of every saved
kickstart, as are the passwords inside URLs (`url`, `repo`, `--proxy`...: the user is
kept, `http://user@host/`). Every plaintext found is registered with the log redactor first.
"""
from __future__ import annotations

import contextlib
from typing import Iterator

from installer import passwords
from installer.credentials import url_passwords, without_url_passwords
from installer.logs import register_secret

#: Attributes that hold something a user would call a password or passphrase.
SECRET_ATTRS = ("password", "passphrase", "hw_passphrase", "wpakey", "wepkey", "password_in",
                "key")
#: Of those, the ones that are dropped from saved kickstarts (they cannot be hashed).
DROPPED_ATTRS = ("passphrase", "hw_passphrase", "wpakey", "wepkey")
#: Commands whose `password` is hashed on load; the rest (iscsi, vnc...) is masked.
ACCOUNT_COMMANDS = ("rootpw", "user", "sshpw")
#: Where `hash_in_place` keeps (command, plaintext) -> hash on the handler, so the
#: original kickstart can show the same hash instead of its plaintext (original.py).
HASHES_ATTR = "anaconda_password_hashes"


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


def _url_values(obj) -> Iterator[tuple[str, str]]:
    """(attribute, value) of every string attribute that holds a URL with a password."""
    for attr, value in vars(obj).items():
        if isinstance(value, str) and "@" in value and url_passwords(value, proxy=attr == "proxy"):
            yield attr, value


def register_all(handler) -> None:
    """Tell the log redactor about every plaintext secret in the kickstart: passwords,
    passphrases and the passwords inside any URL (sources, repositories, proxies)."""
    for name, obj in objects(handler):
        for attr in SECRET_ATTRS:
            value = getattr(obj, attr, None)
            if isinstance(value, str) and value and not (
                    attr == "password" and getattr(obj, "isCrypted", False)):
                if name == "sshkey" and attr == "key":
                    continue  # public keys are not secrets
                register_secret(value)
        for attr, value in _url_values(obj):
            for password in url_passwords(value, proxy=attr == "proxy"):
                register_secret(password)


def hash_in_place(handler) -> None:
    """Replace plaintext account and boot loader passwords by their hashes, remembering
    which plaintext became which hash (`hashes`)."""
    made = hashes(handler)
    for name, obj in objects(handler):
        password = getattr(obj, "password", None)
        if not password or getattr(obj, "isCrypted", True) or getattr(obj, "sshkey", False):
            continue  # nothing to hash, a hash already, or sshpw's public key
        if name in ACCOUNT_COMMANDS:
            obj.password = passwords.crypt_password(password)
        elif name == "bootloader":
            obj.password = passwords.grub_password(password)
        else:
            continue
        obj.isCrypted = True
        made[(name, password)] = obj.password
    setattr(handler, HASHES_ATTR, made)


def hashes(handler) -> dict[tuple[str, str], str]:
    """(command, plaintext) -> the hash `hash_in_place` put in its place."""
    return dict(getattr(handler, HASHES_ATTR, {}))


@contextlib.contextmanager
def without_unhashable(handler):
    """Temporarily remove passphrases and URL passwords, e.g. to serialise the handler."""
    saved: list[tuple[object, str, object]] = []
    try:
        for _, obj in objects(handler):
            for attr in DROPPED_ATTRS:
                if getattr(obj, attr, None):
                    saved.append((obj, attr, getattr(obj, attr)))
                    setattr(obj, attr, "")
            for attr, value in list(_url_values(obj)):
                saved.append((obj, attr, value))
                setattr(obj, attr, without_url_passwords(value, proxy=attr == "proxy"))
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
