"""Unpack one .deb, move it to the merged-/usr layout and record every path's metadata."""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

# Old path -> where a merged-/usr system keeps it (the filesystem package owns the links).
MERGED = {"/bin": "/usr/bin", "/sbin": "/usr/sbin", "/lib": "/usr/lib",
          "/lib32": "/usr/lib32", "/lib64": "/usr/lib64", "/libx32": "/usr/libx32",
          "/var/run": "/run", "/var/lock": "/run/lock"}


@dataclass
class Entry:
    kind: str          # "dir", "file" or "link"
    mode: int          # permission bits incl. setuid/setgid/sticky
    user: str = "root"
    group: str = "root"
    moved_from: str = ""


@dataclass
class Deb:
    name: str
    tree: Path
    fields: dict[str, str]
    entries: dict[str, Entry] = field(default_factory=dict)   # absolute path -> Entry
    conffiles: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)


def map_path(path: str) -> str:
    """/bin/ls -> /usr/bin/ls, /var/run/x -> /run/x; other paths unchanged."""
    for old, new in MERGED.items():
        if path == old or path.startswith(old + "/"):
            return new + path[len(old):]
    return path


def parse_control(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += "\n" + line
        elif ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def _members(deb: Path) -> list[tarfile.TarInfo]:
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        members = list(tar)
    proc.stdout.close()
    if proc.wait() != 0:
        raise RuntimeError(f"dpkg-deb --fsys-tarfile {deb} failed")
    return members


def _run_depmod(tree: Path) -> list[str]:
    """Debian's kernel packages ship no modules.dep: make it now (DESIGN.md)."""
    done = []
    mod_root = tree / "lib/modules"
    for kdir in sorted(mod_root.iterdir()) if mod_root.is_dir() else []:
        if (kdir / "kernel").is_dir() and not (kdir / "modules.dep").exists():
            subprocess.run(["depmod", "-b", str(tree), kdir.name], check=True)
            done.append(f"depmod {kdir.name}")
    return done


def _retarget(link: Path, old_abs: str, new_abs: str) -> None:
    """Keep a moved relative symlink pointing at the same (mapped) target."""
    target = os.readlink(link)
    if target.startswith("/"):
        return
    dest = map_path(os.path.normpath(os.path.join(os.path.dirname(old_abs), target)))
    new_target = os.path.relpath(dest, os.path.dirname(new_abs))
    if new_target != target:
        link.unlink()
        link.symlink_to(new_target)


def _merge(src: Path, dst: Path, notes: list[str], tree: Path) -> None:
    """Move src onto dst, merging directories; on a clash the /usr copy stays."""
    if src.is_symlink() or not src.is_dir():
        if dst.exists() or dst.is_symlink():
            notes.append(f"dropped /{src.relative_to(tree)}: /{dst.relative_to(tree)} also shipped")
            src.unlink()
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.rename(src, dst)
        return
    if not dst.exists() and not dst.is_symlink():
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.rename(src, dst)
        return
    for child in sorted(src.iterdir()):
        _merge(child, dst / child.name, notes, tree)
    src.rmdir()


def unpack(name: str, deb: Path, tree: Path) -> Deb:
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    fields = parse_control(subprocess.run(["dpkg-deb", "-f", str(deb)], check=True,
                                          capture_output=True, text=True).stdout)
    conf = subprocess.run(["dpkg-deb", "-I", str(deb), "conffiles"], capture_output=True,
                          text=True).stdout
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True)
    result = Deb(name, tree, fields,
                 conffiles={map_path(l.strip().split()[-1]) for l in conf.splitlines()
                            if l.strip().startswith("/")})
    result.notes += _run_depmod(tree)

    # Metadata from the archive itself (names, not host ids); /usr paths first so that
    # they win when a package ships both /bin/x and /usr/bin/x.
    members = sorted(_members(deb), key=lambda m: map_path("/" + m.name.lstrip("./")) != "/" + m.name.lstrip("./"))
    for m in members:
        old = "/" + os.path.normpath(m.name).lstrip("./").lstrip("/")
        if old == "/" or old in MERGED:
            continue
        new = map_path(old)
        kind = "dir" if m.isdir() else "link" if m.issym() else "file"
        if new not in result.entries:
            result.entries[new] = Entry(kind, stat.S_IMODE(m.mode), m.uname or "root",
                                        m.gname or "root", old if new != old else "")
    # Move the unmerged trees, keeping relative symlinks valid.
    for old, new in MERGED.items():
        src = tree / old.lstrip("/")
        if src.is_symlink() or not src.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(src):
            for leaf in dirnames + filenames:
                p = Path(dirpath) / leaf
                if p.is_symlink():
                    abs_old = "/" + str(p.relative_to(tree))
                    _retarget(p, abs_old, map_path(abs_old))
        _merge(src, tree / new.lstrip("/"), result.notes, tree)
    # Whatever the tree holds that the archive did not list (depmod output, merged
    # parents) gets default metadata; archive entries no longer on disk are dropped.
    on_disk = set()
    for dirpath, dirnames, filenames in os.walk(tree):
        for leaf in dirnames + filenames:
            p = Path(dirpath) / leaf
            path = "/" + str(p.relative_to(tree))
            on_disk.add(path)
            if path not in result.entries:
                st = p.lstat()
                kind = "link" if p.is_symlink() else "dir" if p.is_dir() else "file"
                result.entries[path] = Entry(kind, stat.S_IMODE(st.st_mode))
    for path in list(result.entries):
        if path not in on_disk:
            del result.entries[path]
    return result


def summary_and_description(fields: dict[str, str]) -> tuple[str, str]:
    text = fields.get("Description", "")
    first, _, rest = text.partition("\n")
    lines = []
    for line in rest.splitlines():
        line = line[1:] if line.startswith(" ") else line
        lines.append("" if line.strip() == "." else line)
    return first.strip() or "Debian package", "\n".join(lines).strip() or first.strip()


def parse_relations(text: str) -> list[list[tuple[str, str, str]]]:
    """'a (>= 1) | b, c:any' -> [[('a', '>=', '1'), ('b', '', '')], [('c', '', '')]]"""
    groups = []
    for part in text.replace("\n", " ").split(","):
        alts = []
        for alt in part.split("|"):
            m = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9+.\-]*)(?::[A-Za-z0-9-]+)?\s*"
                         r"(?:\(\s*(<<|<=|>=|>>|=|<|>)\s*([^)\s]+)\s*\))?\s*(?:\[.*\])?\s*$", alt)
            if m:
                alts.append((m.group(1), m.group(2) or "", m.group(3) or ""))
        if alts:
            groups.append(alts)
    return groups
