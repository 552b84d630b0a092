"""`user`, `group`, `rootpw`, `sshkey`: accounts the target's tools can make.

Anaconda checks a new user's name against the names its base system (setup.rpm) owns and
shadow's rules, and `useradd` fails in the middle of the install on a name that is taken
twice. Those are refused here, before anything is written. A hash that is not a crypt(3)
hash would leave an account nobody can log in to. An `sshkey` for a user the kickstart
does not make may still come from a package, so that is only a warning.
"""
from __future__ import annotations

import re

from installer.interactive.accounts import RESERVED
from installer.passwords import is_crypted

from .findings import Findings, Where, where_each, where_of

NAME_MAX = 32
#: shadow's portable name characters; a trailing $ is allowed for Samba machine accounts
NAME_CHARS = re.compile(r"^[A-Za-z0-9._-]+\$?$")
GROUP_SPEC = re.compile(r"^(?P<name>[^()\s]+)(?:\((?P<gid>\d+)\))?$")


def name_problem(name: str) -> str | None:
    """Anaconda's and shadow's rules for user and group names."""
    if not name:
        return "the name is empty"
    if name.startswith("-"):
        return "a name cannot start with '-'"
    if name in (".", "..") or name.isdigit() or name == "$":
        return f"{name!r} cannot be a name"
    if not NAME_CHARS.match(name):
        bad = next(c for c in name.rstrip("$") if not re.match(r"[A-Za-z0-9._-]", c))
        return f"a name cannot contain {bad!r}"
    if len(name) > NAME_MAX:
        return f"{len(name)} characters is too long; at most {NAME_MAX}"
    return None


def check_users(loaded, found: Findings) -> dict[str, Where]:
    users = list(loaded.handler.user.userList)
    names: dict[str, Where] = {}
    for user, where in zip(users, where_each(loaded, users, "user")):
        what = f"user --name={user.name}"
        problem = name_problem(user.name)
        if problem:
            found.error(where, f"{what}: {problem} (use lower-case letters, digits, '-' and '_')")
        elif user.name in RESERVED:
            found.error(where, f"{what}: {user.name} belongs to the base system; choose another "
                        "name (root's password is set with rootpw)")
        elif user.name in names:
            found.error(where, f"{what}: the user is already defined at {names[user.name]}")
        names.setdefault(user.name, where)
        for spec in user.groups or []:
            match = GROUP_SPEC.match(spec.strip())
            problem = name_problem(match.group("name")) if match else "expected NAME or NAME(GID)"
            if problem:
                found.error(where, f"{what} --groups: {spec!r}: {problem}")
        for option, value, example in (("--homedir", user.homedir, f"/home/{user.name}"),
                                       ("--shell", user.shell, "/bin/bash")):
            if value and not value.startswith("/"):
                found.error(where, f"{what} {option}={value}: give an absolute path such as {example}")
        if user.isCrypted and user.password and not is_crypted(user.password):
            found.error(where, f"{what} --iscrypted: the password is not a crypt(3) hash "
                        "($y$..., $6$...); give a hash, or --plaintext")
    return names


def check_groups(loaded, found: Findings, users: dict[str, Where]) -> None:
    groups = list(loaded.handler.group.groupList)
    seen: dict[str, Where] = {}
    for group, where in zip(groups, where_each(loaded, groups, "group")):
        what = f"group --name={group.name}"
        problem = name_problem(group.name)
        if problem:
            found.error(where, f"{what}: {problem}")
        elif group.name in seen:
            found.error(where, f"{what}: the group is already defined at {seen[group.name]}")
        elif group.name in users:
            found.error(where, f"{what}: user {group.name} ({users[group.name]}) gets a group of "
                        "that name itself; name the group differently, or give the user --gid")
        seen.setdefault(group.name, where)


def check_rootpw(loaded, found: Findings) -> None:
    rootpw = loaded.handler.rootpw
    if rootpw.seen and rootpw.isCrypted and rootpw.password and not is_crypted(rootpw.password):
        found.error(where_of(loaded, "rootpw"), "rootpw --iscrypted: the password is not a "
                    "crypt(3) hash ($y$..., $6$...); give a hash (e.g. from `mkpasswd`), or "
                    "--plaintext")


def check_sshkeys(loaded, found: Findings, users: dict[str, Where]) -> None:
    keys = list(loaded.handler.sshkey.sshUserList)
    for key, where in zip(keys, where_each(loaded, keys, "sshkey")):
        name = key.username or ""
        problem = name_problem(name)
        if problem:
            found.error(where, f"sshkey --username={name}: {problem}")
        elif name != "root" and name not in users:
            found.warn(where, f"sshkey --username={name}: no user command makes {name}; "
                       "unless a package does, adding the key will fail")


def check_accounts(loaded, found: Findings) -> None:
    users = check_users(loaded, found)
    check_groups(loaded, found, users)
    check_rootpw(loaded, found)
    check_sshkeys(loaded, found, users)
