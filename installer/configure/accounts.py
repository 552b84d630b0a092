"""User accounts of the installed system from the kickstart: group, user, rootpw, sshkey.

The target's own shadow tools do the work, run in its chroot: they know its login.defs (ID
ranges, home mode, password aging), its /etc/skel and its file locking, which the host's
tools may not. Passwords arrive already hashed (kickstart/secrets.py hashes them at load)
and reach chpasswd on stdin only, so no log line holds even the hash. A target without
the tools gets its files edited directly (accountdb.py), and the log says so. The order
is Anaconda's: groups, users, root, ssh keys. As in Anaconda, a `group` or `user` line
whose name or ID the installed system has already is skipped with a warning naming its
file:line (the kickstart checks warned of those known beforehand: planned_skips), and
`--groups` reuses existing groups; a name the tools cannot take is an error. As Anaconda
does (chage -d ''), root's and each new user's date of the last password change is left
empty.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from installer import passwords
from installer.configure import accountdb
from installer.configure.accountdb import GROUP_SPEC, AccountDB
from installer.errors import ConfigurationError
from installer.kickstart.checks.accounts import SKIPPED, planned_skips
from installer.logs import register_secret
from installer.program import run

log = logging.getLogger("anaconda.configure")

TOOL_DIRS = ("usr/sbin", "usr/bin", "sbin", "bin")
#: `--groups=wheel,audio(63)`: a name, optionally the GID to create it with (Anaconda's form).
#: Names the account files can hold safely; the target's tools may be stricter.
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\$?$")
USERADD_EXITS = {3: "an option's value is not accepted", 4: "the UID is already used",
                 6: "a group it names does not exist", 9: "the name is already used",
                 12: "the home directory could not be made"}
GROUPADD_EXITS = {3: "an option's value is not accepted", 4: "the GID is already used",
                  9: "the name is already used"}
SSHD_DROPIN = "etc/ssh/sshd_config.d/01-permitrootlogin.conf"
SSHD_DROPIN_TEXT = ("# Written by the installer for `rootpw --allow-ssh` (as Anaconda does).\n"
                    "# Allow root to log in using ssh. Remove this file to opt out.\n"
                    "PermitRootLogin yes\n")


@dataclass
class Line:
    """The kickstart line an account step comes from, for messages a user can act on."""

    where: str  # "ks.cfg:12"
    what: str  # "user --name=alice": never a password

    def error(self, problem: str) -> ConfigurationError:
        return ConfigurationError(f"{self.where}: {self.what}: {problem}")

    def skip(self, problem: str) -> "Skipped":
        return Skipped(f"{self.where}: {self.what}: {problem}; {SKIPPED}")


class Skipped(Exception):
    """A line Anaconda skips with a warning (its name or ID is taken): the install goes on."""


def locate(seen: Sequence, command: str, index: int, lineno: int | None) -> str:
    """file:line of the index-th `command` (-1: the last, the one that counts); pykickstart's
    line number when the loader recorded no locations (a handler made in code)."""
    found = [str(s.location) for s in seen if s.name == command]
    if found and -len(found) <= index < len(found):
        return found[index]
    return f"kickstart line {lineno}" if lineno else "kickstart"


def find_tool(root: Path, name: str) -> str | None:
    """The tool's path inside the target, or None."""
    for directory in TOOL_DIRS:
        if os.path.lexists(root / directory / name):
            return f"/{directory}/{name}"
    return None


@dataclass
class Target:
    """The installed system being configured: its tools, its files, the kickstart's lines.
    Missing tools are reported once, not at every account."""

    root: Path
    seen: Sequence = ()
    warn: Callable[[str], None] | None = None  # the front end's warning, when there is one
    _missing: set[str] = field(default_factory=set)

    def line(self, command: str, index: int, lineno: int | None, what: str) -> Line:
        return Line(locate(self.seen, command, index, lineno), what)

    def db(self) -> AccountDB:
        return AccountDB.read(self.root)

    def skipped(self, message: str, announced: bool = False) -> None:
        """A skipped line: in anaconda.log, and on the front end unless the kickstart
        checks warned of it before the install began."""
        log.warning("%s", message)
        if self.warn and not announced:
            self.warn(message)

    def tool(self, name: str) -> str | None:
        path = find_tool(self.root, name)
        if path is None and name not in self._missing:
            self._missing.add(name)
            log.warning("The installed system has no %s: editing its account files directly", name)
        return path

    def run(self, line: Line, argv: list[str], exits: dict[int, str],
            stdin: str | None = None) -> None:
        result = run(argv, root=self.root, stdin=stdin)
        if result.returncode:
            meaning = exits.get(result.returncode, "see program.log")
            last = result.output.strip().splitlines()[-1:] or [""]
            raise line.error(f"{os.path.basename(argv[0])} failed (exit {result.returncode}: "
                             f"{meaning}) {last[0]}".rstrip())


def check_name(line: Line, name: str, kind: str) -> None:
    """Checked before any tool runs, so a bad name stops with the kickstart line, and the
    direct file edits never write a ':' or ',' that would corrupt the tables."""
    if not NAME_RE.match(name) or name.rstrip("$").isdigit():
        raise line.error(f"{name!r} cannot be a {kind} name: use letters, digits, '_', '.', '-' "
                         "(not first), at most 32, not only digits")


def check_field(line: Line, option: str, value: str, absolute: bool = False) -> None:
    if ":" in value or "\n" in value:
        raise line.error(f"{option} cannot hold ':' or a line break (they separate account fields)")
    if absolute and not value.startswith("/"):
        raise line.error(f"{option}={value} is not an absolute path")


def account_hash(line: Line, password: str | None, is_crypted: bool) -> str | None:
    """The hash for shadow; plaintext is hashed here only if the loader did not (a handler
    made in code), and registered with the log redactor first."""
    if not password:
        return None
    if not is_crypted:
        register_secret(password)
        password = passwords.crypt_password(password)
    if ":" in password or "\n" in password:
        raise line.error("the --iscrypted password is not a crypt(3) hash (it holds ':' or a "
                         "line break)")
    if not passwords.is_crypted(password):
        log.warning("%s: %s: the crypted password has no known hash prefix ($y$, $6$, ...); "
                    "written as given", line.where, line.what)
    return password


# ---- groups ----------------------------------------------------------------------------

def groupadd_argv(tool: str, name: str, gid: int | None) -> list[str]:
    return [tool, *(["-g", str(gid)] if gid is not None else []), name]


def create_group(target: Target, line: Line, name: str, gid: int | None) -> None:
    tool = target.tool("groupadd")
    if tool:
        target.run(line, groupadd_argv(tool, name, gid), GROUPADD_EXITS)
    else:
        defs = accountdb.login_defs(target.root)
        used = {int(row[2]) for row in target.db().group if len(row) > 2 and row[2].isdigit()}
        if gid is None:
            gid = accountdb.next_id(used, int(defs["GID_MIN"]), int(defs["GID_MAX"]))
        accountdb.add_group(target.root, name, gid)
    log.info("Created group %s%s", name, f" (GID {gid})" if gid is not None else "")


def ensure_group(target: Target, line: Line, name: str, gid: int | None) -> None:
    """A `group` line: a name or GID the installed system has already skips it (Anaconda
    does; the existing group stays as it is)."""
    db = target.db()
    existing = db.group_named(name)
    if existing:
        differs = f", not {gid}" if gid is not None and existing[2] != str(gid) else ""
        raise line.skip(f"the group {name} exists already in the installed system (GID "
                        f"{existing[2]}{differs})")
    check_name(line, name, "group")
    other = db.group_by_gid(gid) if gid is not None else None
    if other:
        raise line.skip(f"GID {gid} is already used by the group {other[0]}")
    create_group(target, line, name, gid)


def _make_group(target: Target, line: Line, data) -> None:
    ensure_group(target, line, data.name, data.gid)


# ---- users -----------------------------------------------------------------------------

@dataclass
class UserPlan:
    """What useradd is asked for, after names and IDs were checked against the target."""

    name: str
    home: str
    create_home: bool
    uid: int | None = None
    group: str | None = None  # -g; None: -U, a new group named like the user
    groups: list[str] = field(default_factory=list)  # -G
    new_groups: list[tuple[str, int | None]] = field(default_factory=list)  # to create first
    gecos: str = ""
    shell: str = ""


def useradd_argv(tool: str, plan: UserPlan) -> list[str]:
    argv = [tool, "-d", plan.home, "-m" if plan.create_home else "-M"]
    argv += ["-g", plan.group] if plan.group else ["-U"]
    if plan.groups:
        argv += ["-G", ",".join(plan.groups)]
    if plan.uid is not None:
        argv += ["-u", str(plan.uid)]
    if plan.shell:
        argv += ["-s", plan.shell]
    if plan.gecos:
        argv += ["-c", plan.gecos]
    return argv + [plan.name]


def plan_user(db: AccountDB, root: Path, line: Line, user) -> UserPlan:
    """Check the `user` line against the target's accounts; decide which groups to make.
    Raises Skipped where Anaconda skips the line (a name or ID that is taken), before
    anything is made for it."""
    name = user.name
    if db.user(name):
        raise line.skip(f"the user {name} exists already in the installed system (made by "
                        "its packages or an earlier line)")
    check_name(line, name, "user")
    if user.uid is not None and (other := db.user_by_uid(user.uid)):
        raise line.skip(f"UID {user.uid} is already used by the user {other[0]}")
    home = user.homedir or f"/home/{name}"
    check_field(line, "--homedir", home, absolute=True)
    check_field(line, "--gecos", user.gecos or "")
    check_field(line, "--shell", user.shell or "", absolute=bool(user.shell))
    plan = UserPlan(name, home, not os.path.lexists(root / home.lstrip("/")), user.uid,
                    gecos=user.gecos or "", shell=user.shell or "")
    own = db.group_named(name)
    if user.gid is not None:
        if not db.group_by_gid(user.gid):
            if own:
                raise line.skip(f"--gid={user.gid}: no group has that GID, and a new one named "
                                f"{name} cannot be made: {name} exists with GID {own[2]}")
            plan.new_groups.append((name, user.gid))
        plan.group = str(user.gid)
    elif own:  # useradd -U cannot make the user's own group
        raise line.skip(f"a group named {name} exists already (GID {own[2]}), so the user's "
                        f"own group cannot be made; give --gid={own[2]} to make it the user's group")
    for spec in user.groups or []:
        plan.groups.append(_supplementary(db, line, spec, plan.new_groups))
    return plan


def _supplementary(db: AccountDB, line: Line, spec: str, new: list[tuple[str, int | None]]) -> str:
    """One `--groups` entry: an existing group, or one to create (Anaconda creates them)."""
    match = GROUP_SPEC.match(spec.strip())
    if not match:
        raise line.error(f"--groups entry {spec!r} is not NAME or NAME(GID)")
    name, gid = match["name"], int(match["gid"]) if match["gid"] else None
    existing = db.group_named(name)
    if existing:
        if gid is not None and existing[2] != str(gid):
            raise line.skip(f"--groups: the group {name} exists already with GID {existing[2]}, "
                            f"not {gid}")
        return name
    check_name(line, name, "group")
    if gid is not None and (other := db.group_by_gid(gid)):
        raise line.skip(f"--groups: GID {gid} for {name} is already used by the group {other[0]}")
    if name not in [n for n, _ in new]:
        new.append((name, gid))
    return name


def create_user(target: Target, line: Line, user) -> None:
    plan = plan_user(target.db(), target.root, line, user)
    for name, gid in plan.new_groups:
        create_group(target, line, name, gid)
    home = target.root / plan.home.lstrip("/")
    home.parent.mkdir(parents=True, exist_ok=True)  # useradd wants the parent to exist
    tool = target.tool("useradd")
    if tool:
        target.run(line, useradd_argv(tool, plan), USERADD_EXITS)
    else:
        accountdb.add_account(target.root, plan.name, plan.uid, plan.group, plan.groups,
                              plan.gecos, plan.home, plan.shell, plan.create_home)
    entry = target.db().user(plan.name)
    if entry is None:
        raise line.error("the user is not in /etc/passwd after it was created")
    if not plan.create_home and home.is_dir():
        log.info("Home %s of %s existed already: given to the user", plan.home, plan.name)
        accountdb.reown(home, int(entry[2]), int(entry[3]))
    log.info("Created user %s (UID %s, GID %s, home %s)", plan.name, entry[2], entry[3], plan.home)
    hashed = account_hash(line, user.password, user.isCrypted)
    if hashed:
        set_password(target, line, plan.name, hashed)
    if user.lock:
        lock_account(target, line, plan.name)
    clear_password_date(target, line, plan.name)


# ---- passwords -------------------------------------------------------------------------

def set_password(target: Target, line: Line, name: str, hashed: str) -> None:
    tool = target.tool("chpasswd")
    if tool:
        target.run(line, [tool, "-e"], {}, stdin=f"{name}:{hashed}\n")
    else:
        accountdb.set_password(target.root, name, hashed)
    log.info("Password of %s set (hashed)", name)


def clear_password_date(target: Target, line: Line, name: str) -> None:
    """No date of the last password change, as Anaconda leaves it (chage -d ''); on a
    machine without a clock a 0 there would demand a new password at the first login.
    Only the date: a target where it cannot be cleared (no shadow entry) is logged."""
    if not any(row[0] == name for row in accountdb.read_table(target.root, accountdb.SHADOW)):
        log.warning("%s: %s has no entry in /etc/shadow: no password date to clear", line.where, name)
        return
    tool = target.tool("chage")
    try:
        if tool:
            target.run(line, [tool, "-d", "", name], {})
        else:
            accountdb.clear_last_change(target.root, name)
    except ConfigurationError as exc:
        log.warning("%s; the date of the last password change of %s stays", exc, name)


def lock_account(target: Target, line: Line, name: str) -> None:
    tool = target.tool("usermod")
    if tool:
        target.run(line, [tool, "-L", name], {})
    else:
        accountdb.lock(target.root, name)
    log.info("Account %s locked", name)


def configure_root(target: Target, rootpw) -> None:
    """No rootpw locks root, as in Anaconda: nobody chose a password for it."""
    line = target.line("rootpw", -1, rootpw.lineno, "rootpw")
    if not target.db().user("root"):
        if rootpw.seen:
            raise line.error("the installed system has no root user in /etc/passwd")
        log.warning("The installed system has no root user in /etc/passwd")
        return
    if not rootpw.seen:
        log.info("No rootpw in the kickstart: root is locked")
        lock_account(target, line, "root")
        clear_password_date(target, line, "root")
        return
    hashed = account_hash(line, rootpw.password, rootpw.isCrypted)
    if hashed:
        set_password(target, line, "root", hashed)
    if rootpw.lock:
        lock_account(target, line, "root")
    clear_password_date(target, line, "root")
    if getattr(rootpw, "allow_ssh", False):
        allow_root_ssh(target.root, line)


def allow_root_ssh(root: Path, line: Line) -> None:
    """`--allow-ssh`: Fedora's sshd refuses root passwords unless a drop-in allows them."""
    if not find_tool(root, "sshd"):
        log.warning("%s: rootpw --allow-ssh: the installed system has no sshd; nothing written",
                    line.where)
        return
    path = root / SSHD_DROPIN
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SSHD_DROPIN_TEXT, encoding="utf-8")
    os.chmod(path, 0o644)
    log.info("Wrote %s: root may log in with ssh", path)


# ---- ssh keys --------------------------------------------------------------------------

def add_ssh_key(target: Target, line: Line, username: str, key: str) -> None:
    """Append to ~/.ssh/authorized_keys (0700 directory, 0600 file, owned by the user)."""
    entry = target.db().user(username)
    if entry is None:
        raise line.error(f"there is no user {username} in the installed system; add a "
                         f"`user --name={username}` line or name an existing user")
    uid, gid = int(entry[2]), int(entry[3])
    home = target.root / entry[5].lstrip("/")
    if not home.is_dir() or home.is_symlink():
        raise line.error(f"the home directory {entry[5]} of {username} does not exist")
    ssh = home / ".ssh"
    try:
        if not os.path.lexists(ssh):
            ssh.mkdir()
            os.chmod(ssh, 0o700)
            os.lchown(ssh, uid, gid)
        elif ssh.is_symlink() or not ssh.is_dir():
            raise line.error(f"{entry[5]}/.ssh is not a directory")
        path = ssh / "authorized_keys"
        existed = os.path.lexists(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            if not existed:
                os.fchmod(fd, 0o600)
                os.fchown(fd, uid, gid)
            handle.write(key.strip() + "\n")
    except OSError as exc:
        raise line.error(f"cannot write {entry[5]}/.ssh/authorized_keys: {exc.strerror}") from None
    log.info("Added an ssh key for %s to %s/.ssh/authorized_keys", username, entry[5])


# ---- the step --------------------------------------------------------------------------

def configure_accounts(handler, root: Path, seen: Sequence = (),
                       warn: Callable[[str], None] | None = None) -> None:
    """group, user, rootpw and sshkey into the target; `seen` is the loader's
    commands_seen, so messages name file:line; `warn` shows a skipped line on the front end."""
    if not (root / accountdb.PASSWD).is_file():
        log.warning("The installed system has no /etc/passwd (its packages made no accounts): "
                    "rootpw, user, group and sshkey are not applied")
        return
    target = Target(root, seen, warn)
    lines = {"group": list(handler.group.groupList), "user": list(handler.user.userList)}
    planned = planned_skips(handler, lambda command, index: locate(
        seen, command, index, lines[command][index].lineno))
    for command, make in (("group", _make_group), ("user", create_user)):
        for index, data in enumerate(lines[command]):
            line = target.line(command, index, data.lineno, f"{command} --name={data.name}")
            if (command, index) in planned:
                target.skipped(f"{line.where}: {line.what}: {planned[command, index]}; {SKIPPED}",
                               announced=True)
                continue
            try:
                make(target, line, data)
            except Skipped as skipped:
                target.skipped(str(skipped))
    configure_root(target, handler.rootpw)
    for index, data in enumerate(handler.sshkey.sshUserList):
        line = target.line("sshkey", index, data.lineno, f"sshkey --username={data.username}")
        add_ssh_key(target, line, data.username, data.key)
