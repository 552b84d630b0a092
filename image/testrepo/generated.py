"""What Debian's maintainer scripts would have done, done at build time: the two generated
packages (filesystem layout, system files) and small per-package fixups and scriptlets."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from image.testrepo.unpack import Deb, Entry

# path -> (mode, user, group); these directories' metadata wins over any package's.
FS_DIRS = {
    "/boot": 0o755, "/dev": 0o755, "/etc": 0o755, "/etc/opt": 0o755, "/home": 0o755,
    "/media": 0o755, "/mnt": 0o755, "/opt": 0o755, "/proc": 0o555, "/root": 0o700,
    "/run": 0o755, "/run/lock": 0o1777, "/srv": 0o755, "/sys": 0o555, "/tmp": 0o1777,
    "/usr": 0o755, "/usr/bin": 0o755, "/usr/games": 0o755, "/usr/include": 0o755,
    "/usr/lib": 0o755, "/usr/lib64": 0o755, "/usr/sbin": 0o755, "/usr/share": 0o755,
    "/usr/src": 0o755, "/usr/local": 0o755, "/usr/local/bin": 0o755, "/usr/local/etc": 0o755,
    "/usr/local/games": 0o755, "/usr/local/include": 0o755, "/usr/local/lib": 0o755,
    "/usr/local/sbin": 0o755, "/usr/local/share": 0o755, "/usr/local/share/man": 0o755,
    "/usr/local/src": 0o755, "/var": 0o755, "/var/backups": 0o755, "/var/cache": 0o755,
    "/var/lib": 0o755, "/var/local": 0o2775, "/var/log": 0o755, "/var/mail": 0o2775,
    "/var/opt": 0o755, "/var/spool": 0o755, "/var/tmp": 0o1777,
}
FS_GROUPS = {"/var/local": "staff", "/var/mail": "mail"}
FS_LINKS = {"/bin": "usr/bin", "/sbin": "usr/sbin", "/lib": "usr/lib", "/lib64": "usr/lib64",
            "/var/run": "/run", "/var/lock": "/run/lock", "/var/spool/mail": "../mail",
            "/usr/local/man": "share/man"}
OPTIONAL_LINKS = {"/lib32": "usr/lib32", "/libx32": "usr/libx32"}
# Written by base-files' postinst (ensure_file_owner_mode): (path, mode, group).
LOG_FILES = [("/var/log/wtmp", 0o664, "utmp"), ("/var/log/btmp", 0o660, "utmp"),
             ("/var/log/lastlog", 0o664, "utmp")]

# update-alternatives --install calls of the closure's postinst scripts: link, name and
# candidates best first. A candidate not shipped by the repository is skipped.
ALTERNATIVES = [
    ("/usr/bin/awk", "awk", ["/usr/bin/mawk", "/usr/bin/gawk"]),
    ("/usr/bin/nawk", "nawk", ["/usr/bin/mawk", "/usr/bin/gawk"]),
    ("/usr/bin/editor", "editor", ["/usr/bin/nano", "/usr/bin/vim.tiny"]),
    ("/usr/bin/pico", "pico", ["/usr/bin/nano"]),
    ("/usr/bin/vi", "vi", ["/usr/bin/vim.tiny"]),
    ("/usr/bin/view", "view", ["/usr/bin/vim.tiny"]),
    ("/usr/bin/ex", "ex", ["/usr/bin/vim.tiny"]),
    ("/usr/bin/rview", "rview", ["/usr/bin/vim.tiny"]),
    ("/usr/bin/pager", "pager", ["/usr/bin/less", "/usr/bin/more"]),
    ("/usr/bin/which", "which", ["/usr/bin/which.debianutils"]),
    ("/usr/bin/mt", "mt", ["/usr/bin/mt-gnu"]),
    ("/usr/sbin/rmt", "rmt", ["/usr/sbin/rmt-tar"]),
    ("/usr/share/polkit-1/actions/org.fedoraproject.FirewallD1.policy",
     "org.fedoraproject.FirewallD1.policy",
     ["/usr/share/polkit-1/actions/org.fedoraproject.FirewallD1.server.policy.choice"]),
]

SHELLS = ["/bin/sh", "/usr/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/rbash",
          "/usr/bin/rbash", "/bin/dash", "/usr/bin/dash"]

STATIC_FILES = {
    "/etc/hosts": "127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n"
                  "ff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n",
    "/etc/fstab": "# /etc/fstab: static file system information (written by the installer).\n",
    "/etc/nsswitch.conf": "passwd:         files\ngroup:          files\nshadow:         files\n"
                          "gshadow:        files\n\nhosts:          files dns\n"
                          "networks:       files\n\nprotocols:      db files\n"
                          "services:       db files\nethers:         db files\n"
                          "rpc:            db files\n\nnetgroup:       nis\n",
    # Debian's rpm keeps its database in ~/.rpmdb; an RPM-installed system keeps it where
    # the installer put it (payload/runner.py: RPM_DBPATH).
    "/etc/rpm/macros.dbpath": "%_dbpath /var/lib/rpm\n",
    "/etc/sudoers.d/wheel": "# Fedora's convention: members of wheel may use sudo.\n"
                            "%wheel ALL=(ALL:ALL) ALL\n",
    # what pam-auth-update writes from libpam-runtime's `unix` profile
    "/etc/pam.d/common-auth": "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"
                              "auth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n",
    "/etc/pam.d/common-account": "account\t[success=1 new_authtok_reqd=done default=ignore]\t"
                                 "pam_unix.so\naccount\trequisite\t\t\tpam_deny.so\n"
                                 "account\trequired\t\t\tpam_permit.so\n",
    "/etc/pam.d/common-password": "password\t[success=1 default=ignore]\tpam_unix.so obscure "
                                  "yescrypt\npassword\trequisite\t\t\tpam_deny.so\n"
                                  "password\trequired\t\t\tpam_permit.so\n",
    "/etc/pam.d/common-session": "session\t[default=1]\t\t\tpam_permit.so\n"
                                 "session\trequisite\t\t\tpam_deny.so\n"
                                 "session\trequired\t\t\tpam_permit.so\n"
                                 "session\trequired\tpam_unix.so\n",
    "/etc/pam.d/common-session-noninteractive": "session\t[default=1]\t\t\tpam_permit.so\n"
                                                "session\trequisite\t\t\tpam_deny.so\n"
                                                "session\trequired\t\t\tpam_permit.so\n"
                                                "session\trequired\tpam_unix.so\n",
}
# base-files' postinst copies these from /usr/share/base-files when missing.
FROM_BASE_FILES = {"/root/.profile": "dot.profile", "/root/.bashrc": "dot.bashrc",
                   "/etc/profile": "profile", "/etc/motd": "motd"}
MODES = {"/etc/shadow": (0o640, "shadow"), "/etc/gshadow": (0o640, "shadow"),
         "/etc/sudoers.d/wheel": (0o440, "root")}


def lua_shell(when: str, script: str) -> str:
    """A scriptlet that needs no /bin/sh dependency: rpm's Lua runs the shell if present."""
    return (f"%{when} -p <lua>\nif posix.access(\"/usr/bin/sh\", \"x\") then\n"
            f"  rpm.execute(\"/usr/bin/sh\", \"-c\", [==[export PATH=/usr/sbin:/usr/bin\n"
            f"{script}]==])\nend")


LDCONFIG = ('if posix.access("/usr/sbin/ldconfig", "x") then '
            'rpm.execute("/usr/sbin/ldconfig") end')
# rpm cannot give /etc/shadow its group while installing the package that makes the group
CHGRP = ('if posix.access("/usr/bin/chgrp", "x") then '
         'rpm.execute("/usr/bin/chgrp", "shadow", "/etc/shadow", "/etc/gshadow") end')
SETUP_SCRIPTS = (f"%posttrans -p <lua>\n{CHGRP}\n{LDCONFIG}\n\n"
                 f"%transfiletriggerin -p <lua> -- /usr/lib/x86_64-linux-gnu /usr/lib64\n"
                 f"{LDCONFIG}")

# Per Debian package: what its postinst does that a booted system needs.
POSTTRANS = {
    "systemd": "systemctl enable getty@.service remote-fs.target >/dev/null 2>&1 || :",
    "openssh-server": "ssh-keygen -A >/dev/null 2>&1 || :\n"
                      "systemctl enable ssh.service >/dev/null 2>&1 || :",
    "ca-certificates": "[ -e /etc/ca-certificates.conf ] || (cd /usr/share/ca-certificates && "
                       "find . -name '*.crt' | sed 's,^\\./,,' | LC_ALL=C sort "
                       "> /etc/ca-certificates.conf)\n"
                       "update-ca-certificates >/dev/null 2>&1 || :",
}
# Per Debian package: files its postinst copies into /etc (source in the package, target).
COPIES = {
    "openssh-server": [("/usr/share/openssh/sshd_config", "/etc/ssh/sshd_config")],
    "grub2-common": [("/usr/share/grub/default/grub", "/etc/default/grub")],
    # through ucf, with USE_KDUMP=1 (debconf's default answer)
    "kdump-tools": [("/usr/share/kdump-tools/kdump-tools.conf", "/etc/default/kdump-tools")],
}


def scripts_for(name: str) -> str:
    return lua_shell("posttrans", POSTTRANS[name]) if name in POSTTRANS else ""


def _add(deb: Deb, path: str, kind: str, mode: int, group: str = "root",
         conffile: bool = False) -> None:
    deb.entries[path] = Entry(kind, mode, "root", group)
    parent = os.path.dirname(path)
    while parent != "/" and parent not in deb.entries:
        deb.entries[parent] = Entry("dir", 0o755)
        parent = os.path.dirname(parent)
    if conffile:
        deb.conffiles.add(path)


def fixup(deb: Deb) -> None:
    """Build-time part of a package's postinst, applied to its unpacked tree."""
    for src, dst in COPIES.get(deb.name, []):
        if (deb.tree / src.lstrip("/")).is_file():
            target = deb.tree / dst.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(deb.tree / src.lstrip("/"), target)
            _add(deb, dst, "file", 0o644, conffile=True)
    if deb.name == "locales":
        _compile_locale(deb, "en_US", "UTF-8")


def _compile_locale(deb: Deb, locale: str, charset: str) -> None:
    """locales' postinst runs locale-gen; compile en_US.UTF-8 (the installer's default)."""
    tree = deb.tree
    supported = (tree / "usr/share/i18n/SUPPORTED").read_text().splitlines()
    wanted = f"{locale}.{charset} {charset}"
    (tree / "etc").mkdir(exist_ok=True)
    (tree / "etc/locale.gen").write_text(
        "# Locales to compile (locale-gen)\n"
        + "".join(f"{'' if l == wanted else '# '}{l}\n" for l in supported))
    _add(deb, "/etc/locale.gen", "file", 0o644, conffile=True)
    (tree / "usr/lib/locale").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, I18NPATH=str(tree / "usr/share/i18n"))
    proc = subprocess.run(["localedef", "--prefix", str(tree), "-i", locale, "-c",
                           "-f", charset, f"{locale}.{charset}"],
                          env=env, capture_output=True, text=True)
    archive = tree / "usr/lib/locale/locale-archive"
    if archive.is_file():
        _add(deb, "/usr/lib/locale/locale-archive", "file", 0o644)
        deb.notes.append(f"compiled {locale}.{charset}")
    else:
        deb.notes.append(f"localedef failed ({proc.returncode}): {proc.stderr.strip()[:200]}")


def _write(root: Path, deb: Deb, path: str, text: str, mode: int = 0o644,
           group: str = "root", conffile: bool = True) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    _add(deb, path, "file", mode, group, conffile)


def _link(root: Path, deb: Deb, path: str, target: str) -> None:
    link = root / path.lstrip("/")
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    _add(deb, path, "link", 0o777)


def add_alternatives(debs: dict[str, Deb], all_paths: set[str]) -> list[str]:
    """update-alternatives at build time: the package shipping the best candidate also
    ships /etc/alternatives/NAME and the link to it."""
    notes = []
    for link, name, candidates in ALTERNATIVES:
        best = next((c for c in candidates if c in all_paths), None)
        if not best or link in all_paths:
            continue
        owner = next(d for _, d in sorted(debs.items()) if best in d.entries)
        _link(owner.tree, owner, f"/etc/alternatives/{name}", best)
        _link(owner.tree, owner, link, f"/etc/alternatives/{name}")
        notes.append(f"{owner.name}: alternative {link} -> {best}")
    return notes


def filesystem_package(root: Path, all_paths: set[str]) -> Deb:
    deb = Deb("anaconda-test-filesystem", root, {
        "Version": "12-1", "Architecture": "amd64",
        "Description": "Merged-/usr layout: base directories and the /bin, /lib links\n"
                       " Owns /bin -> usr/bin, /sbin, /lib, /lib64 and the base directories\n"
                       " of the system; every other package of this repository requires it.",
    })
    for path, mode in FS_DIRS.items():
        (root / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        deb.entries[path] = Entry("dir", mode, "root", FS_GROUPS.get(path, "root"))
    links = dict(FS_LINKS)
    links.update({p: t for p, t in OPTIONAL_LINKS.items() if "/" + t in all_paths})
    for path, target in links.items():
        _link(root, deb, path, target)
    for path, mode, group in LOG_FILES:
        _write(root, deb, path, "", mode, group)
    return deb


def setup_package(root: Path, accounts_files: dict[str, str], base_files: Path,
                  all_paths: set[str]) -> Deb:
    deb = Deb("anaconda-test-setup", root, {
        "Version": "12-1", "Architecture": "all",
        "Description": "System files that Debian's maintainer scripts would create\n"
                       " Users and groups, /etc/hosts, fstab, nsswitch.conf, shells and PAM\n"
                       " common-* files, and ldconfig after every\n"
                       " transaction that installs libraries.",
    })
    for path, text in {**accounts_files, **STATIC_FILES}.items():
        mode, group = MODES.get(path, (0o644, "root"))
        _write(root, deb, path, text, mode, group)
    for path, src in FROM_BASE_FILES.items():
        _write(root, deb, path, (base_files / src).read_text())
    shells = [s for s in SHELLS if s.replace("/bin/", "/usr/bin/", 1) in all_paths
              or s in all_paths]
    _write(root, deb, "/etc/shells", "# /etc/shells: valid login shells\n"
           + "".join(s + "\n" for s in shells))
    _link(root, deb, "/etc/mtab", "../proc/self/mounts")
    for path in list(deb.entries):
        if deb.entries[path].kind == "dir":
            del deb.entries[path]   # the owners of /etc, /usr/bin ... list those
    return deb
