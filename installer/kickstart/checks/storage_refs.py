"""The names that tie layout lines together: mount points, pv.NN/raid.NN/btrfs.NN
members, volume group and logical volume names, and the disks ignoredisk leaves out.

Each name must be defined once and used once: a second `/` mount, a `volgroup` member no
`part` makes, a `logvol` in a volume group no `volgroup` makes, or a member two arrays
share would otherwise stop the planner (or blivet) later. A member nobody uses is made
and left empty: a warning.
"""
from __future__ import annotations

from .findings import Findings, Where, where_each, where_of

MEMBER_PREFIXES = {"pv.": "volgroup", "raid.": "raid", "btrfs.": "btrfs"}
GLOB_CHARS = "*?[/"


def check_mounts(layout, found: Findings) -> None:
    """A mount point belongs to one line (pykickstart warns only within one command)."""
    owners: dict[str, Where] = {}
    for request in layout:
        mount = request.mount
        if not mount.startswith("/"):
            continue
        mount = "/" + "/".join(p for p in mount.split("/") if p)
        if mount in owners:
            found.error(request.where, f"{request.what}: mount point {mount} is already used at "
                        f"{owners[mount]}; give each mount point once")
        else:
            owners[mount] = request.where


def _defined_members(layout) -> dict[str, Where]:
    """pv.NN, raid.NN, btrfs.NN made by part (or, pv.NN, by raid) lines."""
    members: dict[str, Where] = {}
    for request in layout:
        if request.command in ("part", "raid") and request.mount.startswith(tuple(MEMBER_PREFIXES)):
            members.setdefault(request.mount, request.where)
    return members


def _uses(loaded, layout) -> list[tuple[str, Where, list[str]]]:
    """(what, where, members) of each line that gathers members."""
    uses = []
    vgs = list(loaded.handler.volgroup.vgList)
    for vg, where in zip(vgs, where_each(loaded, vgs, "volgroup")):
        if not vg.preexist and vg.format:
            uses.append((f"volgroup {vg.vgname}", where, list(vg.physvols)))
    for request in layout:
        data = request.data
        if request.command == "raid" and not data.preexist:
            uses.append((request.what, request.where, list(data.members)))
        elif request.command == "btrfs" and not data.subvol and not data.preexist:
            uses.append((request.what, request.where, list(data.devices)))
    return uses


def check_members(loaded, layout, found: Findings) -> None:
    defined = _defined_members(layout)
    used: dict[str, str] = {}
    for what, where, members in _uses(loaded, layout):
        for member in members:
            kind = next((k for k in MEMBER_PREFIXES if member.startswith(k)), None)
            if kind and member not in defined:
                found.error(where, f"{what}: no line makes {member}; add `part {member} "
                            "--size=MiB` before it")
            elif member in used:
                found.error(where, f"{what}: {member} is already a member of {used[member]}; "
                            "each member belongs to one group or array")
            used.setdefault(member, what)
    for member, where in defined.items():
        if member not in used:
            found.warn(where, f"{member} is made but no {MEMBER_PREFIXES[member.split('.')[0] + '.']} "
                       "uses it; it stays empty")


def check_volume_names(loaded, layout, found: Findings) -> None:
    vgs = list(loaded.handler.volgroup.vgList)
    names: dict[str, Where] = {}
    for vg, where in zip(vgs, where_each(loaded, vgs, "volgroup")):
        if vg.vgname in names:
            found.error(where, f"volgroup {vg.vgname}: the volume group is already defined at "
                        f"{names[vg.vgname]}")
        names.setdefault(vg.vgname, where)
    lvs: dict[tuple[str, str], Where] = {}
    for request in layout:
        if request.command != "logvol":
            continue
        data = request.data
        reuses = data.preexist or not data.format
        if data.vgname not in names and not reuses:
            known = ", ".join(names) or "none"
            found.error(request.where, f"{request.what} --vgname={data.vgname}: no volgroup "
                        f"{data.vgname} is defined (volume groups: {known})")
        key = (data.vgname, data.name)
        if key in lvs:
            found.error(request.where, f"{request.what} --name={data.name}: volume group "
                        f"{data.vgname} already has a logical volume {data.name} ({lvs[key]})")
        lvs.setdefault(key, request.where)


def _plain(name: str) -> str | None:
    """sda for sda or /dev/sda; None for names that need the disks to resolve."""
    name = name.removeprefix("/dev/")
    return None if not name or any(c in name for c in GLOB_CHARS) else name


def check_disk_names(loaded, layout, found: Findings) -> None:
    """--ondisk and --boot-drive must name a disk ignoredisk keeps."""
    ignoredisk = loaded.handler.ignoredisk
    only = [_plain(n) for n in ignoredisk.onlyuse or []]
    ignored = {_plain(n) for n in ignoredisk.ignoredisk or []} - {None}
    only_set = None if not only or None in only else set(only)
    named = [(f"{r.what} --ondisk", r.where, r.data.disk) for r in layout
             if r.command == "part" and getattr(r.data, "disk", "")]
    bootloader = loaded.handler.bootloader
    if bootloader.bootDrive:
        named.append(("bootloader --boot-drive", where_of(loaded, "bootloader"), bootloader.bootDrive))
    for what, where, disk in named:
        name = _plain(disk)
        if name is None:
            continue
        if only_set is not None and name not in only_set:
            found.error(where, f"{what}={disk}: ignoredisk --only-use={','.join(ignoredisk.onlyuse)} "
                        f"leaves {name} out; add it there or name one of those disks")
        elif name in ignored:
            found.error(where, f"{what}={disk}: ignoredisk --drives leaves {name} out")


def check_references(loaded, layout, found: Findings) -> None:
    check_mounts(layout, found)
    check_members(loaded, layout, found)
    check_volume_names(loaded, layout, found)
    check_disk_names(loaded, layout, found)
