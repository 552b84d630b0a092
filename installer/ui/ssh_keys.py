"""SSH public keys for the root and user spokes: each checked as an OpenSSH public key
and kept as kickstart `sshkey --username=NAME "KEY"` lines.

The installed system appends the key to the user's authorized_keys as given, where sshd
silently ignores a line it cannot read; so a pasted key with a missing character, a
private key, or a key file's path is named here, while the person can still fix it. The
check reads the key blob itself (the wire format of RFC 4253: length-prefixed strings),
not only its first word, and refuses DSA keys, which OpenSSH no longer accepts.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import struct
from dataclasses import dataclass

log = logging.getLogger("anaconda.tui")

#: key type -> how many length-prefixed fields its blob holds (type included)
FIELDS = {
    "ssh-ed25519": 2, "ssh-rsa": 3, "ecdsa-sha2-nistp256": 3, "ecdsa-sha2-nistp384": 3,
    "ecdsa-sha2-nistp521": 3, "sk-ssh-ed25519@openssh.com": 3,
    "sk-ecdsa-sha2-nistp256@openssh.com": 4,
}
CERT_SUFFIX = "-cert-v01@openssh.com"
RSA_MIN_BITS = 1024  # OpenSSH refuses shorter RSA keys
ACCEPTED = "ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa or a security-key (sk-) type"
EXAMPLE = "ssh-ed25519 AAAAC3Nza... you@host"


@dataclass(frozen=True)
class SshKey:
    """One checked key: the text as given (written to the kickstart) and what shows it."""

    text: str
    kind: str
    fingerprint: str  # SHA256:..., as `ssh-keygen -l` prints it
    comment: str

    def describe(self) -> str:
        return f"{self.kind} {self.fingerprint} {self.comment or '(no comment)'}".rstrip()


def _strings(blob: bytes) -> list[bytes]:
    """The length-prefixed strings of a key blob; ValueError when it is not made of them."""
    found, at = [], 0
    while at < len(blob):
        if at + 4 > len(blob):
            raise ValueError("truncated")
        (size,) = struct.unpack(">I", blob[at:at + 4])
        at += 4
        if at + size > len(blob):
            raise ValueError("truncated")
        found.append(blob[at:at + size])
        at += size
    return found


def _split_options(line: str) -> tuple[str, str]:
    """authorized_keys options before the key (`from="10.0.0.0/8",no-pty ssh-ed25519 ...`):
    they end at the first blank outside double quotes."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"' and (index == 0 or line[index - 1] != "\\"):
            quoted = not quoted
        elif char in " \t" and not quoted:
            return line[:index], line[index:].strip()
    return line, ""


def parse_key(text: str, label: str = "SSH key") -> SshKey:
    """Check one public key line; ValueError naming `label` and what is accepted."""
    line = " ".join(text.split())
    if not line:
        raise ValueError(f"{label}: paste a public key, such as {EXAMPLE}.")
    if "PRIVATE KEY" in line:
        raise ValueError(f"{label}: this is a private key. Paste the public one (the .pub "
                         "file, e.g. ~/.ssh/id_ed25519.pub).")
    if line.startswith(("/", "~")) and " " not in line:
        raise ValueError(f"{label}: '{line}' looks like a file's path; paste the line inside "
                         "the .pub file instead.")
    words = line.split(" ")
    if words[0] not in FIELDS and not words[0].endswith(CERT_SUFFIX) and words[0] != "ssh-dss":
        options, rest = _split_options(line)
        if rest and rest.split(" ")[0] in FIELDS:
            if '"' in options:
                raise ValueError(f"{label}: options with double quotes (from=\"...\") cannot "
                                 "be kept in a kickstart sshkey line; paste the key without them.")
            words = rest.split(" ")
    kind = words[0]
    if kind == "ssh-dss":
        raise ValueError(f"{label}: DSA keys (ssh-dss) are no longer accepted by OpenSSH; "
                         f"use {ACCEPTED}.")
    if kind not in FIELDS and not kind.endswith(CERT_SUFFIX):
        shown = kind if len(kind) <= 24 else kind[:21] + "..."
        raise ValueError(f"{label}: '{shown}' is not an OpenSSH public key type. Paste a line "
                         f"like {EXAMPLE}; accepted types: {ACCEPTED}.")
    if len(words) < 2:
        raise ValueError(f"{label}: the {kind} key has no key data after its type.")
    try:
        blob = base64.b64decode(words[1], validate=True)
        fields = _strings(blob)
    except (binascii.Error, ValueError):
        raise ValueError(f"{label}: the {kind} key data is damaged or cut short; "
                         "paste the whole line again.") from None
    if not fields or fields[0].decode("ascii", "replace") != kind:
        raise ValueError(f"{label}: the key data is not a {kind} key; paste the whole "
                         "line again.")
    _check_fields(kind, fields, label)
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return SshKey(line, kind, f"SHA256:{digest}", " ".join(words[2:]))


def _check_fields(kind: str, fields: list[bytes], label: str) -> None:
    if kind.endswith(CERT_SUFFIX):
        return  # a certificate's layout varies with its type; sshd checks its signature
    if len(fields) != FIELDS[kind]:
        raise ValueError(f"{label}: the {kind} key data is damaged; paste the whole line "
                         "again.")
    if kind in ("ssh-ed25519", "sk-ssh-ed25519@openssh.com") and len(fields[1]) != 32:
        raise ValueError(f"{label}: the {kind} key data is damaged; paste the whole line "
                         "again.")
    if kind.startswith(("ecdsa-", "sk-ecdsa-")) and \
            fields[1].decode("ascii", "replace") != kind.split("-")[-1].split("@")[0]:
        raise ValueError(f"{label}: the {kind} key names another curve; paste the whole "
                         "line again.")
    if kind == "ssh-rsa":
        bits = int.from_bytes(fields[2], "big").bit_length()
        if bits < RSA_MIN_BITS:
            raise ValueError(f"{label}: the RSA key has {bits} bits; OpenSSH needs at least "
                             f"{RSA_MIN_BITS} (better: ssh-ed25519).")


def parse_keys(lines: list[str], label: str = "SSH key") -> list[SshKey]:
    """Every key, numbered in the message when there are several."""
    keys = []
    for number, line in enumerate(lines, 1):
        keys.append(parse_key(line, f"{label} {number}" if len(lines) > 1 else label))
    return keys


# ---- the kickstart ------------------------------------------------------------------------

def keys_of(handler, username: str) -> list[str]:
    """The keys `sshkey` lines give `username`, in their order."""
    return [k.key for k in handler.sshkey.sshUserList if k.username == username]


def set_keys(handler, username: str, keys: list[str], old_username: str | None = None) -> None:
    """`username`'s keys become `keys` (in place of `old_username`'s when the account was
    renamed): the first of them where that user's first line was, other users' lines
    untouched."""
    entries = handler.sshkey.sshUserList
    names = {username, old_username or username}
    at = next((i for i, k in enumerate(entries) if k.username in names), len(entries))
    kept = [k for k in entries if k.username not in names]
    at = min(at, len(kept))
    new = [handler.SshKeyData(username=username, key=key) for key in keys]
    entries[:] = kept[:at] + new + kept[at:]
    if keys or old_username:
        log.info("SSH keys for %s: %d", username, len(keys))


def drop_keys(handler, username: str) -> None:
    handler.sshkey.sshUserList[:] = [k for k in handler.sshkey.sshUserList
                                     if k.username != username]

