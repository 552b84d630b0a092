"""/root/original-ks.cfg: the kickstart as it was given, with every secret taken out.

Anaconda keeps the input file verbatim, plaintext passwords and all. Here it is kept line
for line, except that a command line holding a secret is rewritten: an account or boot
loader password (`rootpw`, `user`, `sshpw`, `bootloader --password`) becomes the hash the
handler already holds (`secrets.hash_in_place`) with `--iscrypted`; a LUKS passphrase, a
Wi-Fi key, an iSCSI/VNC/RDP password and the password inside a URL are left out. A comment
line above each rewritten line says what was done. Words are found the way pykickstart
finds them (shlex, the command's own option parser), so `--password=x`, `--password x`,
quoted values and `rootpw PLAIN` are all seen. Section bodies (%packages, scripts) are
kept; whatever a rewrite cannot reach is masked by the log redactor, the last line.
"""
from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass, field

from installer.credentials import without_url_passwords
from installer.logs import redact

from . import secrets
from .pykickstart_adapter import option_actions, option_parser

NOTE = "# anaconda-lean: "
#: Option destinations whose value is left out: it cannot be hashed.
DROPPED_DESTS = {"passphrase": "LUKS passphrase", "hw_passphrase": "passphrase",
                 "wpakey": "Wi-Fi key", "wepkey": "Wi-Fi key", "password_in": "password"}
#: Commands whose `password` is hashed on load; any other command's password is dropped.
HASHED = ("rootpw", "user", "sshpw", "bootloader")
#: Of those, the ones whose line is pointless without its password.
NEEDS_PASSWORD = ("rootpw", "user", "sshpw")
#: Of those, the ones that take the password as a positional word.
POSITIONAL = ("rootpw", "sshpw")
SAFE_WORD_RE = re.compile(r"[^\s'\"\\#]+")


@dataclass
class Word:
    """One word of a command line: an option with its value, a switch, or a positional."""

    text: str  # as written: the option name (`--password`) or the positional itself
    action: argparse.Action | None = None  # the option's, from the command's parser
    value: str | None = None  # an option's value (None: a switch)

    @property
    def dest(self) -> str:
        return self.action.dest if self.action else ""

    def __str__(self) -> str:
        if self.action is None:
            return _quote(self.text)
        return self.text if self.value is None else f"{self.text}={_quote(self.value)}"


@dataclass
class Line:
    command: str
    words: list[Word]
    parser: argparse.ArgumentParser | None = None  # None: not a command pykickstart knows
    notes: list[str] = field(default_factory=list)
    left_out: bool = False  # the whole line must go

    def __str__(self) -> str:
        return " ".join([self.command, *map(str, self.words)])


def _quote(value: str) -> str:
    return value if SAFE_WORD_RE.fullmatch(value) else shlex.quote(value)


def _option(parser: argparse.ArgumentParser, name: str) -> argparse.Action | None:
    """The action for an option as written, abbreviations included, as argparse does."""
    table = option_actions(parser)
    if name in table:
        return table[name]
    if parser.allow_abbrev and name.startswith("--"):
        matches = {table[o] for o in table if o.startswith(name)}
        if len(matches) == 1:
            return matches.pop()
    return None


def split_words(parser: argparse.ArgumentParser, args: list[str]) -> list[Word]:
    """The arguments of a command line grouped as its parser reads them."""
    words: list[Word] = []
    pending = list(args)
    while pending:
        arg = pending.pop(0)
        name, eq, inline = arg.partition("=")
        action = _option(parser, name) if arg.startswith("-") and len(arg) > 1 else None
        if action is None:
            words.append(Word(arg))
        elif eq:
            words.append(Word(name, action, inline))
        elif action.nargs == 0 or not pending:
            words.append(Word(arg, action))
        elif action.nargs in (None, 1):
            words.append(Word(arg, action, pending.pop(0)))
        elif not pending[0].startswith("-"):  # "?", "*", "+": values up to the next option
            values = [pending.pop(0)]
            while action.nargs != "?" and pending and not pending[0].startswith("-"):
                values.append(pending.pop(0))
            words.append(Word(arg, action, " ".join(values)))
        else:
            words.append(Word(arg, action))
    return words


def _account(line: Line, hashes: dict[tuple[str, str], str]) -> None:
    """A plaintext password becomes its hash with --iscrypted; failing that it goes."""
    crypted = False
    for word in line.words:
        if word.dest == "isCrypted":  # --iscrypted or --plaintext: the last one counts
            crypted = word.action.const is True
        elif word.dest in ("_md5pass", "sshkey"):  # a hash, or sshpw's public key
            return
    positional = line.command in POSITIONAL
    if positional:
        holders = [w for w in line.words if w.action is None]
        plaintext = " ".join(w.text for w in holders)
    else:
        holders = [w for w in line.words if w.dest == "password" and w.value]
        plaintext = holders[-1].value if holders else ""
    if crypted or not holders:
        return
    kept = [w for w in line.words if w not in holders and w.dest != "isCrypted"]
    hashed = hashes.get((line.command, plaintext))
    if hashed is None:
        if line.command in NEEDS_PASSWORD:
            line.left_out = True
            line.notes.append(f"a {line.command} line was left out: its password has no hash")
        else:
            line.words = kept
            line.notes.append("the password was left out")
        return
    iscrypted = Word("--iscrypted", _option(line.parser, "--iscrypted"))
    secret = Word(hashed) if positional else Word("--password", holders[-1].action, hashed)
    line.words = [*kept, iscrypted, secret]
    line.notes.append("the password is replaced by its hash (--iscrypted)")


def _dropped(line: Line) -> None:
    """Passphrases and other passwords that cannot be hashed are left out."""
    kept = []
    for word in line.words:
        what = DROPPED_DESTS.get(word.dest)
        if what is None and word.dest == "password" and line.command not in HASHED:
            what = "password"
        if what and word.value:
            line.notes.append(f"the {what} ({word.text}) was left out")
        else:
            kept.append(word)
    line.words = kept


def _urls(line: Line) -> None:
    """Passwords inside URLs are left out, the user kept: http://user@host/."""
    for word in line.words:
        if word.action is None and "@" in word.text:
            stripped = without_url_passwords(word.text)
            if stripped != word.text:
                word.text = stripped
                line.notes.append("the password in a URL was left out")
        elif word.value and "@" in word.value:
            stripped = without_url_passwords(word.value, proxy=word.dest == "proxy")
            if stripped != word.value:
                word.value = stripped
                line.notes.append(f"the password in the URL of {word.text} was left out")


def rewrite_line(args: list[str], handler, hashes: dict[tuple[str, str], str]) -> Line | None:
    """The command line without its secrets; None when it holds none."""
    command = handler.commands.get(args[0])
    if command is None:  # %include, %ksappend, or a command this syntax does not know
        line = Line(args[0], [Word(a) for a in args[1:]])
    else:
        parser = option_parser(command)
        line = Line(args[0], split_words(parser, args[1:]), parser)
        if args[0] in HASHED:
            _account(line, hashes)
        _dropped(line)
    if not line.left_out:
        _urls(line)
    return line if line.notes else None


def scrub(text: str, handler) -> str:
    """`text` with every secret replaced or left out, each change noted in a comment."""
    hashes = secrets.hashes(handler)
    out: list[str] = []
    in_section = False
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if in_section or not stripped or stripped.startswith("#"):
            in_section = in_section and stripped.split(None, 1)[:1] != ["%end"]
            out.append(raw)
            continue
        if stripped.startswith("%") and not stripped.startswith(("%include", "%ksappend")):
            in_section = True
            out.append(raw)
            continue
        try:
            args = shlex.split(stripped, comments=True)
        except ValueError:
            out.append(f"{NOTE}a line that cannot be split into words was left out\n")
            continue
        line = rewrite_line(args, handler, hashes) if args else None
        if line is None:
            out.append(raw)
            continue
        out.append(NOTE + "; ".join(dict.fromkeys(line.notes)) + "\n")
        if not line.left_out:
            out.append(f"{line}\n")
    return redact("".join(out))
