"""Root password and user creation for the TUI: the rules on names and groups, and the
translation to `rootpw` and `user` lines.

The rules are the ones `useradd` (shadow's default NAME_REGEX) and Anaconda apply, checked
as the person types so a mistake is named before the install, not by useradd in the
middle of it. Passwords go into the kickstart only as hashes (DESIGN.md: never plaintext).
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from installer.passwords import crypt_password, is_crypted

log = logging.getLogger("anaconda.tui")

NAME_MAX = 32
NAME_RE = re.compile(r"^[a-z_][a-z0-9_-]*$")
ADMIN_GROUP = "wheel"
#: Accounts and groups the base system owns: a person's account cannot take these names.
RESERVED = frozenset((
    "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "news", "uucp",
    "operator", "games", "gopher", "ftp", "nobody", "nogroup", "users", "wheel", "sys", "tty",
    "disk", "mem", "kmem", "audio", "video", "input", "dialout", "floppy", "cdrom", "tape",
    "utmp", "lock", "dbus", "polkitd", "sshd", "tss", "chrony", "systemd-network",
    "systemd-resolve", "systemd-timesync", "systemd-journal", "systemd-coredump", "home",
    "system",
))
GECOS_FORBIDDEN = (":", "\n")


def username_problem(name: str) -> str | None:
    """None when useradd would take `name` for a new person's account."""
    if not name:
        return "User name: enter a user name, or clear the full name too to create no user."
    if len(name) > NAME_MAX:
        return f"User name: {len(name)} characters is too long; at most {NAME_MAX}."
    if not NAME_RE.match(name):
        return (f"User name: '{name}' is not accepted. Start with a lowercase letter or '_', "
                "then use lowercase letters, digits, '_' and '-'.")
    if name in RESERVED or name.startswith("systemd-"):
        return f"User name: '{name}' is reserved for the system; choose another."
    return None


def fullname_problem(text: str) -> str | None:
    if any(c in text for c in GECOS_FORBIDDEN):
        return "Full name: cannot contain ':' or a line break."
    return None


def propose_username(fullname: str) -> str:
    """The first word of the full name, lowercased and reduced to the accepted letters
    ("Émile Zola" -> "emile"), as a suggestion the person may change."""
    words = fullname.split()
    if not words:
        return ""
    ascii_word = unicodedata.normalize("NFKD", words[0]).encode("ascii", "ignore").decode()
    name = re.sub(r"[^a-z0-9_-]", "", ascii_word.lower())
    name = name.lstrip("0123456789-")
    return name[:NAME_MAX]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    gid: int | None = None

    def __str__(self) -> str:
        return self.name if self.gid is None else f"{self.name}({self.gid})"


GROUP_RE = re.compile(r"^(?P<name>[^()\s]+)\s*(?:\(\s*(?P<gid>[^)]*)\s*\))?$")


def parse_groups(text: str) -> list[GroupSpec]:
    """`wheel, audio, mygroup(5000)`: names, each optionally with the GID to create it
    with (Anaconda's form, which the `user --groups` option carries as is). Raises
    ValueError naming the field and the bad entry."""
    found: list[GroupSpec] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        match = GROUP_RE.match(part)
        if not match:
            raise ValueError(f"Groups: '{part}' is not accepted. Give group names separated by "
                             "commas, each optionally with a GID: wheel, audio, mygroup(5000).")
        name, gid = match["name"], match["gid"]
        if len(name) > NAME_MAX or not NAME_RE.match(name):
            raise ValueError(f"Groups: '{name}' is not a group name. Start with a lowercase "
                             "letter or '_', then lowercase letters, digits, '_' and '-'.")
        number = None
        if gid is not None:
            gid = gid.strip()
            if not gid.isdigit() or not 0 < int(gid) < 2**32 - 1:
                raise ValueError(f"Groups: the GID of {name} must be a number from 1 to "
                                 f"{2**32 - 2}, not '{gid}'.")
            number = int(gid)
        if any(g.name == name for g in found):
            continue
        found.append(GroupSpec(name, number))
    return found


def group_name(spec: str) -> str:
    """`mygroup(5000)` -> `mygroup`."""
    return spec.split("(", 1)[0].strip()


def is_admin(user) -> bool:
    return any(group_name(g) == ADMIN_GROUP for g in (user.groups or []))


def has_admin(handler) -> bool:
    return any(is_admin(u) for u in handler.user.userList)


def hashed(password: str) -> str:
    """Already a hash (from a kickstart) stays; anything else is hashed now."""
    return password if is_crypted(password) else crypt_password(password)


# ---- root ------------------------------------------------------------------------------

def root_password_set(handler) -> bool:
    return bool(handler.rootpw.seen and handler.rootpw.password)


def root_locked(handler) -> bool:
    return bool(handler.rootpw.seen and handler.rootpw.lock)


def set_root_password(handler, password: str) -> None:
    rootpw = handler.rootpw
    rootpw.password, rootpw.isCrypted = hashed(password), True
    rootpw.lock, rootpw.seen = False, True
    log.info("Root password set (hashed)")


def keep_root_hashed(handler) -> None:
    """A plaintext `rootpw` (a handler the loader did not hash) becomes a hash."""
    if not handler.rootpw.isCrypted:
        set_root_password(handler, handler.rootpw.password)


def lock_root(handler) -> None:
    """`rootpw --lock`: no password for root at all; an administrator uses sudo."""
    rootpw = handler.rootpw
    rootpw.password, rootpw.isCrypted, rootpw.lock, rootpw.seen = "", False, True, True
    log.info("Root account locked")


def root_ssh_allowed(handler) -> bool:
    return bool(getattr(handler.rootpw, "allow_ssh", False))


def set_root_ssh(handler, allow: bool) -> None:
    """`rootpw --allow-ssh`: Fedora's sshd refuses root's password unless a drop-in allows
    it (configure/accounts.py writes one); only meaningful with a password."""
    rootpw = handler.rootpw
    rootpw.allow_ssh = bool(allow and rootpw.password and not rootpw.lock)
    log.info("Root SSH login with password: %s", "allowed" if rootpw.allow_ssh else "not allowed")


# ---- the person's account ------------------------------------------------------------------

@dataclass
class UserForm:
    """What the user spoke edits; `password` is plaintext only until `write` hashes it."""

    fullname: str = ""
    name: str = ""
    admin: bool = False
    groups: str = ""  # the other groups, as typed
    use_password: bool = True
    password: str = ""  # new plaintext, or "" to keep `existing`
    existing: str = field(default="", repr=False)  # hash from the kickstart

    @classmethod
    def from_user(cls, user) -> "UserForm":
        groups = [g for g in (user.groups or []) if group_name(g) != ADMIN_GROUP]
        return cls(fullname=user.gecos or "", name=user.name, admin=is_admin(user),
                   groups=", ".join(groups), use_password=bool(user.password) or not user.name,
                   existing=user.password or "")

    @property
    def empty(self) -> bool:
        return not self.fullname.strip() and not self.name.strip()

    def problems(self) -> list[str]:
        found = [fullname_problem(self.fullname), username_problem(self.name)]
        try:
            parse_groups(self.groups)
        except ValueError as exc:
            found.append(str(exc))
        return [p for p in found if p]

    def group_list(self) -> list[str]:
        groups = [str(g) for g in parse_groups(self.groups) if g.name != ADMIN_GROUP]
        return ([ADMIN_GROUP] if self.admin else []) + groups

    def write(self, user) -> None:
        """Into a pykickstart UserData; the password hashed (or kept, or none)."""
        user.name, user.gecos = self.name, self.fullname.strip()
        user.groups = self.group_list()
        if not self.use_password:
            user.password, user.isCrypted = "", False
        elif self.password:
            user.password, user.isCrypted = hashed(self.password), True
        elif self.existing:
            user.password, user.isCrypted = hashed(self.existing), True
        self.password = ""


def write_user(handler, form: UserForm) -> None:
    """The first `user` line is the one the spoke edits; others from a kickstart stay."""
    users = handler.user.userList
    if form.empty:
        if users:
            users.pop(0)
            log.info("No user will be created by the spoke")
        return
    if not users:
        users.append(handler.UserData())
    form.write(users[0])
    log.info("User %s%s", form.name, " (administrator)" if form.admin else "")
