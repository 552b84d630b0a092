"""rpm-md metadata written directly: primary, filelists, other, comps and repomd.xml.

Why not createrepo_c: it needs the RPM files, and 20,000 of them would take long to build and
store. The XML layout mirrors what createrepo_c 0.17 writes (element order, attributes, the
primary file-list filter), so dnf/libsolv read it exactly as they would read a real repo.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from .graph import Dep, Package

# createrepo_c puts only these files into primary.xml; the rest is in filelists.xml.
PRIMARY_FILE = re.compile(r"^/etc/|bin/|^/usr/lib/sendmail$")
VENDOR = "Scale Synthetic Project"
PACKAGER = "Scale Build System <build@scale.example.org>"
BUILDHOST = "build.scale.example.org"


@dataclass
class Real:
    """What only an actual RPM file can tell: its checksum, sizes, header range and times."""

    checksum: str
    package_size: int
    installed_size: int
    archive_size: int
    header_start: int
    header_end: int
    filetime: int
    buildtime: int


def fake_real(pkg: Package) -> Real:
    """Plausible values for a package that exists only in the metadata."""
    installed = sum(size for _, size in pkg.files)
    archive = installed + 110 * (len(pkg.files) + len(pkg.dirs)) + 124
    package = 6000 + installed // 3 + 40 * len(pkg.files)
    digest = hashlib.sha256(f"{pkg.nevra}:{pkg.source.buildtime}".encode()).hexdigest()
    end = 4504 + 1200 + 60 * (len(pkg.files) + len(pkg.requires) + len(pkg.provides))
    return Real(digest, package, installed, archive, 4504, end, pkg.source.buildtime,
                pkg.source.buildtime)


def _entries(tag: str, deps: list[Dep]) -> str:
    if not deps:
        return ""
    lines = [f"    <rpm:{tag}>\n"]
    for dep in deps:
        attrs = f"name={quoteattr(dep.name)}"
        if dep.flags:
            attrs += f' flags="{dep.flags}" epoch="{dep.epoch}" ver={quoteattr(str(dep.ver))}'
            if dep.rel:
                attrs += f" rel={quoteattr(dep.rel)}"
        lines.append(f"      <rpm:entry {attrs}/>\n")
    lines.append(f"    </rpm:{tag}>\n")
    return "".join(lines)


def _primary_requires(requires: list[Dep]) -> list[Dep]:
    """Like createrepo_c: a plain libc.so.6 requirement is dropped next to a versioned one."""
    if any(d.name.startswith("libc.so.6(GLIBC") for d in requires):
        return [d for d in requires if d.name != "libc.so.6()(64bit)"]
    return requires


def _version(pkg: Package) -> str:
    return f'<version epoch="{pkg.epoch}" ver="{pkg.version}" rel="{pkg.release}"/>'


def primary_entry(pkg: Package, real: Real, location: str) -> str:
    files = "".join(f'    <file type="dir">{escape(p)}</file>\n' for p in sorted(pkg.dirs)
                    if PRIMARY_FILE.search(p))
    files += "".join(f"    <file>{escape(p)}</file>\n" for p, _ in sorted(pkg.files)
                     if PRIMARY_FILE.search(p))
    provides = sorted(pkg.all_provides(), key=lambda d: d.name)
    return (
        f'<package type="rpm">\n'
        f"  <name>{pkg.name}</name>\n"
        f"  <arch>{pkg.arch}</arch>\n"
        f"  {_version(pkg)}\n"
        f'  <checksum type="sha256" pkgid="YES">{real.checksum}</checksum>\n'
        f"  <summary>{escape(pkg.summary)}</summary>\n"
        f"  <description>{escape(pkg.description)}</description>\n"
        f"  <packager>{escape(PACKAGER)}</packager>\n"
        f"  <url>{escape(pkg.source.url)}</url>\n"
        f'  <time file="{real.filetime}" build="{real.buildtime}"/>\n'
        f'  <size package="{real.package_size}" installed="{real.installed_size}" '
        f'archive="{real.archive_size}"/>\n'
        f"  <location href={quoteattr(location)}/>\n"
        f"  <format>\n"
        f"    <rpm:license>{escape(pkg.source.license)}</rpm:license>\n"
        f"    <rpm:vendor>{escape(VENDOR)}</rpm:vendor>\n"
        f"    <rpm:group>Unspecified</rpm:group>\n"
        f"    <rpm:buildhost>{BUILDHOST}</rpm:buildhost>\n"
        f"    <rpm:sourcerpm>{pkg.source.srpm}</rpm:sourcerpm>\n"
        f'    <rpm:header-range start="{real.header_start}" end="{real.header_end}"/>\n'
        + _entries("provides", provides)
        + _entries("requires", _primary_requires(pkg.requires))
        + _entries("conflicts", pkg.conflicts)
        + _entries("obsoletes", pkg.obsoletes)
        + _entries("suggests", pkg.suggests)
        + _entries("recommends", pkg.recommends)
        + files
        + "  </format>\n</package>\n"
    )


def filelists_entry(pkg: Package, real: Real) -> str:
    head = f'<package pkgid="{real.checksum}" name="{pkg.name}" arch="{pkg.arch}">\n  {_version(pkg)}\n'
    dirs = "".join(f'  <file type="dir">{escape(p)}</file>\n' for p in sorted(pkg.dirs))
    files = "".join(f"  <file>{escape(p)}</file>\n" for p, _ in sorted(pkg.files))
    return head + dirs + files + "</package>\n"


def other_entry(pkg: Package, real: Real) -> str:
    head = f'<package pkgid="{real.checksum}" name="{pkg.name}" arch="{pkg.arch}">\n  {_version(pkg)}\n'
    logs = "".join(f"  <changelog author={quoteattr(author)} date=\"{date}\">{escape(text)}</changelog>\n"
                   for author, date, text in reversed(pkg.source.changelog))
    return head + logs + "</package>\n"


@dataclass
class Written:
    """One metadata file as repomd.xml describes it."""

    kind: str
    path: Path
    checksum: str
    size: int
    open_checksum: str | None
    open_size: int | None


def _write(repodata: Path, kind: str, basename: str, chunks, compress: bool, mtime: int) -> Written:
    """Stream chunks to a (gzipped) file, hashing the open and the compressed bytes."""
    tmp = repodata / f".{basename}.tmp"
    open_sha, open_size = hashlib.sha256(), 0
    with open(tmp, "wb") as raw:
        out = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=mtime) \
            if compress else raw
        for chunk in chunks:
            data = chunk.encode()
            open_sha.update(data)
            open_size += len(data)
            out.write(data)
        if compress:
            out.close()
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    final = repodata / f"{digest}-{basename}"
    os.replace(tmp, final)
    os.utime(final, (mtime, mtime))
    return Written(kind, final, digest, final.stat().st_size,
                   open_sha.hexdigest() if compress else None, open_size if compress else None)


def write_repodata(root: Path, packages: list[tuple[Package, Real, str]], comps: str,
                   timestamp: int) -> list[Written]:
    """Write all metadata files under root/repodata and return what repomd.xml lists."""
    repodata = root / "repodata"
    repodata.mkdir(parents=True, exist_ok=True)
    n = len(packages)

    def primary():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
               f'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="{n}">\n')
        for pkg, real, loc in packages:
            yield primary_entry(pkg, real, loc)
        yield "</metadata>\n"

    def filelists():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n<filelists xmlns="http://linux.duke.edu/metadata/filelists" '
               f'packages="{n}">\n')
        for pkg, real, _ in packages:
            yield filelists_entry(pkg, real)
        yield "</filelists>\n"

    def other():
        yield ('<?xml version="1.0" encoding="UTF-8"?>\n<otherdata xmlns="http://linux.duke.edu/metadata/other" '
               f'packages="{n}">\n')
        for pkg, real, _ in packages:
            yield other_entry(pkg, real)
        yield "</otherdata>\n"

    written = [
        _write(repodata, "primary", "primary.xml.gz", primary(), True, timestamp),
        _write(repodata, "filelists", "filelists.xml.gz", filelists(), True, timestamp),
        _write(repodata, "other", "other.xml.gz", other(), True, timestamp),
        _write(repodata, "group", "comps.xml", [comps], False, timestamp),
    ]
    gz = _write(repodata, "group_gz", "comps.xml.gz", [comps], True, timestamp)
    written.append(gz)
    _write_repomd(repodata, written, timestamp)
    return written


def _write_repomd(repodata: Path, written: list[Written], timestamp: int) -> None:
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n'
             f"  <revision>{timestamp}</revision>\n"]
    for w in written:
        parts.append(f'  <data type="{w.kind}">\n'
                     f'    <checksum type="sha256">{w.checksum}</checksum>\n')
        if w.open_checksum:
            parts.append(f'    <open-checksum type="sha256">{w.open_checksum}</open-checksum>\n')
        parts.append(f'    <location href="repodata/{w.path.name}"/>\n'
                     f"    <timestamp>{timestamp}</timestamp>\n"
                     f"    <size>{w.size}</size>\n")
        if w.open_size is not None:
            parts.append(f"    <open-size>{w.open_size}</open-size>\n")
        parts.append("  </data>\n")
    parts.append("</repomd>\n")
    path = repodata / "repomd.xml"
    path.write_text("".join(parts))
    os.utime(path, (timestamp, timestamp))
