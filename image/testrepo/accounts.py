"""/etc/passwd, group, shadow, gshadow for the target: what base-passwd, systemd-sysusers
and the closure's postinst scripts (adduser/addgroup) would have made."""
from __future__ import annotations

import shlex
from pathlib import Path

NOLOGIN = "/usr/sbin/nologin"
LASTCHG = 19000   # fixed, so the files are reproducible
# Made by postinst scripts in Debian 12 (udev, openssh-client/-server), plus Fedora's wheel
# so that kickstarts saying `user --groups=wheel` work.
EXTRA_GROUPS = ["input", "sgx", "kvm", "render", "_ssh", "wheel"]
EXTRA_USERS = [("sshd", "", "/run/sshd", NOLOGIN, "nogroup")]


class Accounts:
    def __init__(self, passwd_master: str, group_master: str):
        self.users: dict[str, list[str]] = {}
        self.groups: dict[str, list[str]] = {}
        for line in passwd_master.splitlines():
            if line.strip():
                f = line.split(":")
                self.users[f[0]] = f
        for line in group_master.splitlines():
            if line.strip():
                f = line.split(":")
                self.groups[f[0]] = f

    def _free(self, table: dict[str, list[str]], idx: int, want: str = "") -> str:
        used = {f[idx] for f in table.values()}
        if want.isdigit() and want not in used:
            return want
        for n in range(999, 99, -1):   # systemd-sysusers allocates downwards from 999
            if str(n) not in used:
                return str(n)
        raise RuntimeError("no free system id")

    def add_group(self, name: str, gid: str = "") -> None:
        if name not in self.groups:
            self.groups[name] = [name, "*", self._free(self.groups, 2, gid), ""]

    def add_user(self, name: str, uid: str = "", gecos: str = "", home: str = "/",
                 shell: str = NOLOGIN, group: str = "") -> None:
        if name in self.users:
            return
        if not group:
            group = name
            self.add_group(name, uid if uid.isdigit() else self._free(self.users, 2))
        self.add_group(group)
        uid = self._free(self.users, 2, uid or self.groups[group][2])
        self.users[name] = [name, "*", uid, self.groups[group][2], gecos, home, shell]

    def add_member(self, user: str, group: str) -> None:
        self.add_group(group)
        members = [m for m in self.groups[group][3].split(",") if m]
        if user not in members:
            self.groups[group][3] = ",".join(members + [user])

    def apply_sysusers(self, text: str) -> None:
        """The subset of sysusers.d(5) that Debian's files use: u, g, m."""
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            f = shlex.split(line)
            f += ["-"] * (6 - len(f))
            kind, name, ident, gecos, home, shell = f[:6]
            ident = "" if ident == "-" else ident
            if kind == "g":
                self.add_group(name, ident)
            elif kind == "u":
                uid, _, gid = ident.partition(":")
                group = ""
                if gid:
                    group = next((g for g, v in self.groups.items() if v[2] == gid or g == gid), "")
                    if not group:
                        self.add_group(name, gid)
                        group = name
                self.add_user(name, uid if uid.isdigit() else "", "" if gecos == "-" else gecos,
                              "/" if home == "-" else home, NOLOGIN if shell == "-" else shell,
                              group)
            elif kind == "m":
                self.add_member(name, ident)

    def files(self) -> dict[str, str]:
        def body(rows):
            return "".join(":".join(r) + "\n" for r in rows)
        users = sorted(self.users.values(), key=lambda f: int(f[2]))
        groups = sorted(self.groups.values(), key=lambda f: int(f[2]))
        return {
            "/etc/passwd": body([[f[0], "x", *f[2:]] for f in users]),
            "/etc/group": body([[f[0], "x", f[2], f[3]] for f in groups]),
            "/etc/shadow": body([[f[0], "*", str(LASTCHG), "0", "99999", "7", "", "", ""]
                                 for f in users]),
            "/etc/gshadow": body([[f[0], "*", "", f[3]] for f in groups]),
        }


def build_accounts(trees: dict[str, Path], owners: set[tuple[str, str]]) -> Accounts:
    """trees: unpacked package trees by name; owners: (user, group) names the archives use."""
    base = trees["base-passwd"] / "usr/share/base-passwd"
    acc = Accounts((base / "passwd.master").read_text(), (base / "group.master").read_text())
    for name in sorted(trees):
        sysusers = trees[name] / "usr/lib/sysusers.d"
        for conf in sorted(sysusers.glob("*.conf")) if sysusers.is_dir() else []:
            acc.apply_sysusers(conf.read_text())
    for group in EXTRA_GROUPS:
        acc.add_group(group)
    for name, gecos, home, shell, group in EXTRA_USERS:
        acc.add_user(name, "", gecos, home, shell, group)
    for user, group in sorted(owners):
        acc.add_group(group)
        acc.add_user(user)
    return acc
