"""The target's account files: read them, and edit them directly when it lacks the tools.

Reading is always done here (the installer checks names and IDs before it runs a tool, so
a clash is reported against the kickstart line instead of as a tool's exit code). Editing
is the fallback for targets without shadow's useradd/groupadd/usermod/chpasswd: it does
what those tools do with their defaults from the target's /etc/login.defs, nothing more.
"""
from __future__ import annotations

import re

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("anaconda.configure")

PASSWD, GROUP, SHADOW, GSHADOW = "etc/passwd", "etc/group", "etc/shadow", "etc/gshadow"
#: a `--groups` entry: NAME or NAME(GID)
GROUP_SPEC = re.compile(r"^(?P<name>[^()\s]+)(?:\((?P<gid>\d+)\))?$")
#: Accounts and groups every base system has (in both Fedora's setup package and Debian's
#: base-passwd): a `user` or `group` line naming one is skipped with a warning, as Anaconda
#: skips a name that exists already, and that is known before anything is written.
BASE_USERS = frozenset(("root", "bin", "daemon", "lp", "sync", "mail", "games", "nobody"))
BASE_GROUPS = frozenset(("root", "bin", "daemon", "sys", "adm", "tty", "disk", "lp", "mail",
                         "man", "kmem", "dialout", "cdrom", "floppy", "tape", "audio", "video",
                         "utmp", "games", "users"))
#: shadow's third field: the day of the last password change
LAST_CHANGE = 2
LOGIN_DEFS_DEFAULTS = {"UID_MIN": "1000", "UID_MAX": "60000", "GID_MIN": "1000",
                       "GID_MAX": "60000", "UMASK": "022"}


def read_table(root: Path, name: str) -> list[list[str]]:
    """Rows of a colon-separated account file; missing file: no rows."""
    path = root / name
    if not path.is_file():
        return []
    return [line.split(":") for line in path.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]


@dataclass
class AccountDB:
    """A snapshot of /etc/passwd and /etc/group: read again after every change."""

    passwd: list[list[str]]
    group: list[list[str]]

    @classmethod
    def read(cls, root: Path) -> "AccountDB":
        return cls(read_table(root, PASSWD), read_table(root, GROUP))

    def user(self, name: str) -> list[str] | None:
        return next((row for row in self.passwd if row[0] == name), None)

    def user_by_uid(self, uid: int) -> list[str] | None:
        return next((row for row in self.passwd if len(row) > 2 and row[2] == str(uid)), None)

    def group_named(self, name: str) -> list[str] | None:
        return next((row for row in self.group if row[0] == name), None)

    def group_by_gid(self, gid: int) -> list[str] | None:
        return next((row for row in self.group if len(row) > 2 and row[2] == str(gid)), None)


def login_defs(root: Path) -> dict[str, str]:
    """The settings of the target's /etc/login.defs that useradd would use."""
    values = dict(LOGIN_DEFS_DEFAULTS)
    path = root / "etc/login.defs"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        words = line.split()
        if len(words) >= 2 and not words[0].startswith("#"):
            values[words[0]] = words[1]
    return values


def useradd_default(root: Path, key: str, default: str) -> str:
    """A KEY=VALUE of the target's /etc/default/useradd (SHELL, for instance)."""
    path = root / "etc/default/useradd"
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        name, sep, value = line.strip().partition("=")
        if sep and name == key and value:
            return value
    return default


def next_id(used: set[int], low: int, high: int, prefer: int | None = None) -> int:
    """Like useradd: the preferred id if free, else one above the highest used in range."""
    if prefer is not None and low <= prefer <= high and prefer not in used:
        return prefer
    in_range = [i for i in used if low <= i <= high]
    candidate = max(in_range) + 1 if in_range else low
    if candidate <= high:
        return candidate
    free = [i for i in range(low, high + 1) if i not in used]
    if not free:
        raise ValueError(f"no free id between {low} and {high}")
    return free[0]


def rewrite(root: Path, name: str, rows: list[list[str]], new_mode: int = 0o644) -> None:
    """Replace an account file atomically, keeping its mode and owner."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.stat() if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("".join(":".join(row) + "\n" for row in rows))
        os.chmod(tmp, old.st_mode & 0o7777 if old else new_mode)
        if old:
            os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    log.info("Edited %s directly", path)


def append_row(root: Path, name: str, row: list[str], new_mode: int = 0o644) -> None:
    rewrite(root, name, read_table(root, name) + [row], new_mode)


def add_group(root: Path, name: str, gid: int) -> None:
    append_row(root, GROUP, [name, "x", str(gid), ""])
    if (root / GSHADOW).exists():
        append_row(root, GSHADOW, [name, "!", "", ""])


def add_member(root: Path, group: str, user: str) -> None:
    """Add a user to a group's member list (field 4 of group, field 4 of gshadow)."""
    for name, field in ((GROUP, 3), (GSHADOW, 3)):
        rows = read_table(root, name)
        for row in rows:
            if row[0] == group and len(row) > field:
                members = [m for m in row[field].split(",") if m]
                row[field] = ",".join(members + ([user] if user not in members else []))
        if rows:
            rewrite(root, name, rows)


def add_user(root: Path, name: str, uid: int, gid: int, gecos: str, home: str, shell: str) -> None:
    """passwd and shadow rows as useradd writes them: no password yet ("!"), aging defaults."""
    append_row(root, PASSWD, [name, "x", str(uid), str(gid), gecos, home, shell])
    days = str(int(time.time() // 86400))
    append_row(root, SHADOW, [name, "!", days, "0", "99999", "7", "", "", ""], 0o600)


def add_account(root: Path, name: str, uid: int | None, group: str | None, groups: list[str],
                gecos: str, home: str, shell: str, create_home: bool) -> None:
    """useradd's work on the files. group: a GID or name, None for a new group named like
    the user (its GID the UID when free, as useradd -U picks)."""
    defs, db = login_defs(root), AccountDB.read(root)
    uids = {int(r[2]) for r in db.passwd if len(r) > 2 and r[2].isdigit()}
    gids = {int(r[2]) for r in db.group if len(r) > 2 and r[2].isdigit()}
    if uid is None:
        uid = next_id(uids, int(defs["UID_MIN"]), int(defs["UID_MAX"]))
    if group is None:
        gid = next_id(gids, int(defs["GID_MIN"]), int(defs["GID_MAX"]), prefer=uid)
        add_group(root, name, gid)
    elif group.isdigit():
        gid = int(group)
    else:
        gid = int(db.group_named(group)[2])
    add_user(root, name, uid, gid, gecos, home, shell or useradd_default(root, "SHELL", "/bin/sh"))
    for member_of in groups:
        add_member(root, member_of, name)
    if create_home:
        make_home(root, home, uid, gid, home_mode(defs))


def set_password(root: Path, name: str, hashed: str) -> None:
    _edit_shadow(root, name, lambda _old: hashed)


def lock(root: Path, name: str) -> None:
    """Like usermod -L: a "!" in front of whatever is there, once."""
    _edit_shadow(root, name, lambda old: old if old.startswith("!") else "!" + old)


def clear_last_change(root: Path, name: str) -> None:
    """Like chage -d '': no date of the last password change."""
    _edit_shadow(root, name, lambda _old: "", LAST_CHANGE)


def _edit_shadow(root: Path, name: str, change, field: int = 1) -> None:
    rows = read_table(root, SHADOW)
    row = next((r for r in rows if r[0] == name), None)
    if row is None:  # an account only in passwd: give it a shadow row
        row = [name, "!", str(int(time.time() // 86400)), "0", "99999", "7", "", "", ""]
        rows.append(row)
    row += [""] * (field + 1 - len(row))
    row[field] = change(row[field])
    rewrite(root, SHADOW, rows, 0o600)


def tree(top: Path) -> list[Path]:
    """top and everything under it, without following symbolic links out of it."""
    found = [top]
    for parent, dirs, files in os.walk(top):
        found += [Path(parent, name) for name in dirs + files]
    return found


def home_mode(defs: dict[str, str]) -> int:
    """HOME_MODE if set, else 0777 less UMASK: what useradd -m gives a new home."""
    if "HOME_MODE" in defs:
        return int(defs["HOME_MODE"], 8)
    return 0o777 & ~int(defs.get("UMASK", "022"), 8)


def make_home(root: Path, home: str, uid: int, gid: int, mode: int) -> None:
    """useradd -m: the skeleton from the target's /etc/skel, all owned by the user."""
    dest = root / home.lstrip("/")
    skel = root / "etc/skel"
    dest.parent.mkdir(parents=True, exist_ok=True)
    if skel.is_dir():
        shutil.copytree(skel, dest, symlinks=True)
    else:
        dest.mkdir()
    os.chmod(dest, mode)
    for path in tree(dest):
        os.lchown(path, uid, gid)


def reown(path: Path, uid: int, gid: int) -> None:
    """An existing home given to a new user: what the old owner had, the new one gets
    (Anaconda does the same, e.g. for a /home kept from an earlier system)."""
    top = path.lstat()
    for entry in tree(path):
        st = entry.lstat()
        os.lchown(entry, uid if st.st_uid == top.st_uid else -1,
                  gid if st.st_gid == top.st_gid else -1)
