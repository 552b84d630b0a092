"""An installed system's /etc/fstab, read for rescue: which of its file systems to mount
under the sysroot, with which options.

Rescue mounts what the system itself mounts at boot, minus what cannot or should not be
mounted from the installer: swap, kernel and memory file systems (the installer binds its
own /dev, /proc, /sys, /run), network file systems (no network set up for them) and
entries marked `noauto`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Types that are no block device's file system, or need more than a disk.
SKIPPED_TYPES = {"swap", "none", "proc", "sysfs", "devpts", "tmpfs", "devtmpfs", "ramfs",
                 "efivarfs", "securityfs", "cgroup", "cgroup2", "debugfs", "mqueue", "hugetlbfs",
                 "fuse", "autofs", "bpf"}
NETWORK_TYPES = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "sshfs", "glusterfs", "ceph", "9p"}
#: Options only the boot-time mounter (or mount(8)'s user handling) reads; rescue decides
#: read-only or read-write itself.
DROPPED_OPTIONS = {"defaults", "auto", "noauto", "nofail", "user", "users", "nouser", "owner",
                   "group", "_netdev", "ro", "rw", "sw"}
_ESCAPE = re.compile(r"\\([0-7]{3})")


@dataclass(frozen=True)
class FstabEntry:
    spec: str  # UUID=..., LABEL=..., /dev/...
    mountpoint: str
    fstype: str
    options: tuple[str, ...]
    line: int  # in /etc/fstab, for messages

    @property
    def skip_reason(self) -> str | None:
        """Why rescue does not mount this entry; None when it does."""
        if self.fstype in SKIPPED_TYPES or not self.mountpoint.startswith("/"):
            return f"{self.fstype} is not mounted in rescue mode"
        if self.fstype in NETWORK_TYPES or self.fstype.startswith("fuse.") or "_netdev" in self.options:
            return "a network file system (rescue mode sets up no network mounts)"
        if "noauto" in self.options:
            return "noauto: the system does not mount it at boot either"
        if self.spec.startswith("/") and not self.spec.startswith("/dev/"):
            return "a bind mount or image file, not a device"
        return None

    def mount_options(self, readonly: bool) -> str:
        """The entry's file system options with rescue's ro/rw (x-* and comment= dropped)."""
        kept = [o for o in self.options if o not in DROPPED_OPTIONS
                and not o.startswith(("x-", "comment=", "nofail"))]
        return ",".join(["ro" if readonly else "rw", *kept])


def _unescape(field: str) -> str:
    """fstab's octal escapes: `\\040` is a space in a mount point."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def parse(text: str) -> list[FstabEntry]:
    """The entries of an fstab; comments, blank and malformed lines are skipped."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if len(fields) < 3:
            continue
        options = tuple(fields[3].split(",")) if len(fields) > 3 else ("defaults",)
        entries.append(FstabEntry(spec=_unescape(fields[0]), mountpoint=_unescape(fields[1]),
                                  fstype=fields[2], options=options, line=number))
    return entries


def root_entry(entries: list[FstabEntry]) -> FstabEntry | None:
    return next((e for e in entries if e.mountpoint == "/"), None)


def others(entries: list[FstabEntry]) -> list[FstabEntry]:
    """Every entry except `/`, shallowest mount point first (a parent before its child)."""
    rest = [e for e in entries if e.mountpoint != "/"]
    return sorted(rest, key=lambda e: (e.mountpoint.rstrip("/").count("/"), e.mountpoint))
