"""SSH into the installer (`inst.sshd`): the accounts the kickstart's `sshpw` lines make.

The boot image's stage2-init runs `python3 -m installer.sshd KICKSTART` before it starts
dropbear (only with inst.sshd, as Anaconda: `sshpw` alone starts no server). Each `sshpw`
line makes or changes an account of the installer's own runtime, never the installed
system: `--plaintext` passwords are hashed (crypt) before they reach /etc/shadow,
`--iscrypted` ones are written as given, `--lock` locks the password (`!`), `--sshkey`
takes the value as a public key for ~/.ssh/authorized_keys instead. Root without an
`sshpw` line keeps an empty password, Anaconda's documented default for the installer's
root. Nothing here logs or prints a password; the plaintext ones are registered with the
redactor anyway, in case an error message quotes one.

Only `sshpw` lines outside `%` sections are read (a `%pre` that writes an `sshpw` line
into an `%include` is beyond this early step; the installer still reads that kickstart).
"""
from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from installer.logs import redact, register_secret

HOME_BASE = "home"
SHELL = "/bin/bash"


@dataclass
class SshPw:
    username: str
    password: str
    iscrypted: bool = False
    lock: bool = False
    sshkey: bool = False
    lineno: int = 0


class SshPwError(ValueError):
    pass


def _command():
    """pykickstart's own `sshpw` parser (its option rules and errors), without building a
    whole handler of every command."""
    from pykickstart.commands.sshpw import F24_SshPw, F24_SshPwData

    class _Handler:
        SshPwData = F24_SshPwData

    command = F24_SshPw()
    command.handler = _Handler
    return command


def sshpw_lines(text: str) -> list[tuple[int, list[str]]]:
    """(line number, arguments) of each `sshpw` command outside `%` sections."""
    found, section = [], False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if section:
            section = not stripped.startswith("%end")
            continue
        if stripped.startswith("%"):
            section = not stripped.startswith(("%include", "%ksappend"))
            continue
        if stripped.split(None, 1)[:1] == ["sshpw"]:
            try:
                words = shlex.split(stripped, comments=True)
            except ValueError as exc:
                raise SshPwError(f"line {number}: sshpw: {exc}") from None
            found.append((number, words[1:]))
    return found


def parse(text: str) -> list[SshPw]:
    from pykickstart.errors import KickstartError

    entries = []
    for number, args in sshpw_lines(text):
        for word in args:  # the password, before a parse error could quote it
            if not word.startswith("-"):
                register_secret(word)
        command = _command()
        command.lineno = number
        try:
            data = command.parse(args)
        except KickstartError as exc:
            raise SshPwError(f"line {number}: sshpw: {exc}") from None
        entries.append(SshPw(data.username, data.password, bool(data.isCrypted),
                             bool(data.lock), bool(data.sshkey), number))
    return entries


def shadow_password(entry: SshPw) -> str:
    """The /etc/shadow password field for a password `entry` (never the plaintext)."""
    from installer.passwords import crypt_password

    hashed = entry.password if entry.iscrypted else crypt_password(entry.password)
    return ("!" + hashed) if entry.lock else hashed


def _read(path: Path) -> list[list[str]]:
    if not path.exists():
        return []
    return [line.split(":") for line in path.read_text().splitlines() if line.strip()]


def _write(path: Path, rows: list[list[str]], mode: int) -> None:
    tmp = path.with_name(path.name + ".sshpw")
    tmp.write_text("".join(":".join(row) + "\n" for row in rows))
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _free_id(rows: list[list[str]], start: int = 1000) -> int:
    taken = {int(r[2]) for r in rows if len(r) > 2 and r[2].isdigit()}
    while start in taken:
        start += 1
    return start


class Accounts:
    """/etc/passwd, /etc/shadow and /etc/group of the runtime under `root`."""

    def __init__(self, root: Path):
        self.root = root
        self.passwd = _read(root / "etc/passwd")
        self.shadow = _read(root / "etc/shadow")
        self.group = _read(root / "etc/group")

    def home(self, name: str) -> Path:
        for row in self.passwd:
            if row[0] == name:
                return self.root / row[5].lstrip("/")
        raise KeyError(name)

    def ensure_user(self, name: str) -> tuple[int, int]:
        for row in self.passwd:
            if row[0] == name:
                return int(row[2]), int(row[3])
        uid = _free_id(self.passwd)
        gid = next((int(r[2]) for r in self.group if r[0] == name), None)
        if gid is None:
            gid = _free_id(self.group, uid)
            self.group.append([name, "x", str(gid), ""])
        self.passwd.append([name, "x", str(uid), str(gid), "", f"/{HOME_BASE}/{name}", SHELL])
        home = self.root / HOME_BASE / name
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chown(home, uid, gid) if os.geteuid() == 0 else None
        return uid, gid

    def set_password(self, name: str, field: str) -> None:
        for row in self.shadow:
            if row[0] == name:
                row[1] = field
                return
        self.shadow.append([name, field, "", "0", "99999", "7", "", "", ""])

    def password(self, name: str) -> str | None:
        return next((row[1] for row in self.shadow if row[0] == name), None)

    def save(self) -> None:
        _write(self.root / "etc/passwd", self.passwd, 0o644)
        _write(self.root / "etc/group", self.group, 0o644)
        _write(self.root / "etc/shadow", self.shadow, 0o640)


def add_key(accounts: Accounts, name: str, key: str) -> Path:
    uid, gid = accounts.ensure_user(name)
    ssh = accounts.home(name) / ".ssh"
    ssh.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys = ssh / "authorized_keys"
    with open(keys, "a") as f:
        f.write(key.strip() + "\n")
    os.chmod(keys, 0o600)
    if os.geteuid() == 0:
        for path in (ssh, keys):
            os.chown(path, uid, gid)
    return keys


def apply(entries: list[SshPw], root: Path = Path("/")) -> list[str]:
    """Make the accounts; returns what was done, one line each, without any secret."""
    accounts = Accounts(root)
    done = []
    for entry in entries:
        if entry.sshkey:
            add_key(accounts, entry.username, entry.password)
            if accounts.password(entry.username) is None:  # a new user: key only
                accounts.set_password(entry.username, "!")
            done.append(f"{entry.username}: an SSH key (sshpw --sshkey, line {entry.lineno})")
            continue
        accounts.ensure_user(entry.username)
        accounts.set_password(entry.username, shadow_password(entry))
        how = "locked" if entry.lock else "a password"
        done.append(f"{entry.username}: {how} (sshpw, line {entry.lineno})")
    if not any(e.username == "root" for e in entries):
        accounts.ensure_user("root")
        accounts.set_password("root", "")
        done.append("root: empty password (no sshpw for root; Anaconda's default)")
    accounts.save()
    return done


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 2 or (args and args[0] in ("-h", "--help")):
        print("usage: python3 -m installer.sshd [KICKSTART [ROOT]]", file=sys.stderr)
        return 2
    text = Path(args[0]).read_text() if args and Path(args[0]).is_file() else ""
    root = Path(args[1]) if len(args) > 1 else Path("/")
    try:
        done = apply(parse(text), root)
    except (SshPwError, ValueError, OSError) as exc:
        print(redact(f"sshd accounts: {exc}"), file=sys.stderr)
        return 1
    for line in done:
        print(f"SSH login {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
