"""`user`, `group`, `rootpw`, `sshkey`: accounts the target's tools can make.

A name shadow's tools refuse, or a hash that is no crypt(3) hash (an account nobody could
log in to), is refused here, before anything is written. A line Anaconda skips with a
warning (a name the base system owns, a name or UID/GID an earlier line takes) is warned
of here and skipped at the install, so the install goes on as in Anaconda;
`planned_skips` is the one list both use. What only the installed system can tell (a name
one of its packages made) is found when the accounts are made (configure/accounts.py).
An `sshkey` for a user the kickstart does not make may still come from a package, so that
is only a warning.
"""
from __future__ import annotations

import re
from typing import Callable

from installer.configure.accountdb import BASE_GROUPS, BASE_USERS, GROUP_SPEC
from installer.passwords import is_crypted

from .findings import Findings, Where, where_each, where_of

NAME_MAX = 32
#: shadow's portable name characters; a trailing $ is allowed for Samba machine accounts
NAME_CHARS = re.compile(r"^[A-Za-z0-9._-]+\$?$")
SKIPPED = "the line is skipped, as Anaconda skips it"


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


def planned_skips(handler, where: Callable[[str, int], str]) -> dict[tuple[str, int], str]:
    """The `group` and `user` lines Anaconda skips with a warning whatever the installed
    system holds, known from the kickstart alone: ("group"|"user", index) -> why. `where`
    names the file:line of the index-th line of a command. Lines with an invalid name are
    errors (check_users), not skips."""
    skips: dict[tuple[str, int], str] = {}
    groups, users = list(handler.group.groupList), list(handler.user.userList)
    group_at: dict[str, int] = {}
    gid_at: dict[int, int] = {}
    for index, group in enumerate(groups):
        if name_problem(group.name):
            continue
        if group.name in BASE_GROUPS:
            why = f"{group.name} is a group of the base system, which has it already"
        elif group.name in group_at:
            why = f"the group is already defined at {where('group', group_at[group.name])}"
        elif group.gid is not None and group.gid in gid_at:
            other = gid_at[group.gid]
            why = (f"GID {group.gid} is already used by the group {groups[other].name} "
                   f"({where('group', other)})")
        elif group.gid == 0:
            why = "GID 0 is already used by the group root"
        else:
            group_at[group.name] = index
            if group.gid is not None:
                gid_at[group.gid] = index
            continue
        skips[("group", index)] = why
    user_at: dict[str, int] = {}
    uid_at: dict[int, int] = {}
    for index, user in enumerate(users):
        if name_problem(user.name):
            continue
        why = _user_skip(user, users, user_at, uid_at, groups, group_at, where)
        if why:
            skips[("user", index)] = why
            continue
        user_at[user.name] = index
        if user.uid is not None:
            uid_at[user.uid] = index
    return skips


def _user_skip(user, users, user_at, uid_at, groups, group_at, where) -> str | None:
    if user.name in BASE_USERS:
        return (f"{user.name} is an account of the base system, which has it already"
                + (" (its password is set with rootpw)" if user.name == "root" else ""))
    if user.name in user_at:
        return f"the user is already defined at {where('user', user_at[user.name])}"
    if user.uid == 0:
        return "UID 0 is already used by the user root"
    if user.uid is not None and user.uid in uid_at:
        other = uid_at[user.uid]
        return f"UID {user.uid} is already used by the user {users[other].name} ({where('user', other)})"
    if user.gid is None and (user.name in group_at or user.name in BASE_GROUPS):
        made = (f"the group {user.name} is made at {where('group', group_at[user.name])}"
                if user.name in group_at else f"the base system has a group {user.name}")
        return (f"{made}, so the user's own group cannot be made; give --gid with that "
                "group's GID to make it the user's group")
    for spec in user.groups or []:
        match = GROUP_SPEC.match(spec.strip())
        if not match or not match["gid"] or match["name"] not in group_at:
            continue
        group = groups[group_at[match["name"]]]
        if group.gid is not None and group.gid != int(match["gid"]):
            return (f"--groups={spec.strip()}: the group {group.name} is made with GID "
                    f"{group.gid} at {where('group', group_at[group.name])}")
    return None


def check_users(loaded, found: Findings) -> dict[str, Where]:
    """Errors for what cannot work; returns the users the install makes (skipped lines
    left out), by name."""
    users = list(loaded.handler.user.userList)
    places = where_each(loaded, users, "user")
    skips = planned_skips(loaded.handler, _where_in(loaded))
    names: dict[str, Where] = {}
    for index, (user, where) in enumerate(zip(users, places)):
        what = f"user --name={user.name}"
        problem = name_problem(user.name)
        if problem:
            found.error(where, f"{what}: {problem} (use lower-case letters, digits, '-' and '_')")
        elif ("user", index) in skips:
            found.warn(where, f"{what}: {skips['user', index]}; {SKIPPED}")
        else:
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


def check_groups(loaded, found: Findings) -> None:
    groups = list(loaded.handler.group.groupList)
    skips = planned_skips(loaded.handler, _where_in(loaded))
    for index, (group, where) in enumerate(zip(groups, where_each(loaded, groups, "group"))):
        what = f"group --name={group.name}"
        problem = name_problem(group.name)
        if problem:
            found.error(where, f"{what}: {problem}")
        elif ("group", index) in skips:
            found.warn(where, f"{what}: {skips['group', index]}; {SKIPPED}")


def _where_in(loaded) -> Callable[[str, int], str]:
    """file:line of the index-th `user` or `group` line of the loaded kickstart."""
    handler = loaded.handler
    places = {"user": where_each(loaded, list(handler.user.userList), "user"),
              "group": where_each(loaded, list(handler.group.groupList), "group")}
    return lambda command, index: str(places[command][index])


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
        elif name not in BASE_USERS and name not in users:
            found.warn(where, f"sshkey --username={name}: no user command makes {name}; "
                       "unless a package does, adding the key will fail")


def check_accounts(loaded, found: Findings) -> None:
    users = check_users(loaded, found)
    check_groups(loaded, found)
    check_rootpw(loaded, found)
    check_sshkeys(loaded, found, users)
