"""Real tiny RPMs for the packages an install actually touches.

One spec per source package, holding only the binary packages that are in the scale-core
closure, with exactly the Provides/Requires/files the metadata claims (AutoReqProv off, no
post-install brp scripts that would add or rewrite files). Built RPMs are cached by the
sha256 of the spec text, so a change elsewhere in the generator does not rebuild them.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .graph import OPS, Package, Source
from .rpmmd import BUILDHOST, PACKAGER, VENDOR, Real

# Spec macros that make rpmbuild do nothing beyond what the metadata says, reproducibly.
PREAMBLE = """\
%global debug_package %{nil}
%global __os_install_post %{nil}
%global _build_id_links none
%global use_source_date_epoch_as_buildtime 1
%global clamp_mtime_to_source_date_epoch 1
%global _buildhost BUILDHOST
"""


def _tags(pkg: Package) -> str:
    lines = [f"Summary: {pkg.summary}", "AutoReqProv: no"]
    if pkg.arch == "noarch":
        lines.append("BuildArch: noarch")
    for tag, deps in (("Provides", pkg.provides), ("Requires", pkg.requires),
                      ("Conflicts", pkg.conflicts), ("Obsoletes", pkg.obsoletes),
                      ("Recommends", pkg.recommends), ("Suggests", pkg.suggests)):
        lines += [f"{tag}: {dep.spec()}" for dep in deps]
    return "\n".join(lines) + "\n"


def _files(pkg: Package) -> str:
    return "".join(f"%dir {d}\n" for d in sorted(pkg.dirs)) + "".join(f"{p}\n" for p, _ in sorted(pkg.files))


def spec_text(source: Source, binaries: list[Package]) -> str:
    """The spec for `binaries` (all from `source`); the main package is built only if listed."""
    arch = "x86_64" if any(p.arch == "x86_64" for p in binaries) else "noarch"
    main = next((p for p in binaries if p.name == source.name), None)
    assert main is None or main.arch == arch, f"{source.name}: noarch main with arched subpackages"
    head = binaries[0]
    out = [PREAMBLE.replace("BUILDHOST", BUILDHOST),
           f"Name: {source.name}\nVersion: {source.version}\nRelease: {source.release}\n"]
    if source.epoch:
        out.append(f"Epoch: {source.epoch}\n")
    out.append(f"License: {source.license}\nURL: {source.url}\nVendor: {VENDOR}\nPackager: {PACKAGER}\n"
               f"BuildArch: {arch}\n")
    if main:
        out.append(_tags(main).replace("BuildArch: noarch\n", ""))
        out.append(f"\n%description\n{main.description}\n")
    else:
        out.append(f"Summary: {head.summary}\nAutoReqProv: no\n\n%description\n{head.description}\n")
    for pkg in binaries:
        if pkg is not main:
            out.append(f"\n%package -n {pkg.name}\n{_tags(pkg)}\n%description -n {pkg.name}\n{pkg.description}\n")
    out.append("\n%install\n")
    for pkg in binaries:
        dirs = sorted({os.path.dirname(p) for p, _ in pkg.files} | set(pkg.dirs))
        out.append("".join(f"mkdir -p '%{{buildroot}}{d}'\n" for d in dirs))
        out.append("".join(f"echo '{pkg.name}: {p}' > '%{{buildroot}}{p}'\n" for p, _ in pkg.files))
    for pkg in binaries:
        out.append(f"\n%files\n" if pkg is main else f"\n%files -n {pkg.name}\n")
        out.append(_files(pkg))
    out.append("\n%changelog\n")
    for author, when, text in source.changelog:
        out.append(f"* {time.strftime('%a %b %d %Y', time.gmtime(when))} {author}\n{text}\n\n")
    return "".join(out)


def header_range(path: Path) -> tuple[int, int]:
    """Byte range of the main header: after the 96-byte lead and the 8-aligned signature."""
    with open(path, "rb") as f:
        data = f.read(96 + 16)
        nindex, hsize = struct.unpack(">II", data[104:112])
        sig = 16 + 16 * nindex + hsize
        start = 96 + sig + (-sig % 8)
        f.seek(start + 8)
        nindex, hsize = struct.unpack(">II", f.read(8))
    return start, start + 16 + 16 * nindex + hsize


def _header(path: Path):
    import rpm

    ts = rpm.TransactionSet()
    ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)
    with open(path, "rb") as f:
        return ts.hdrFromFdno(f.fileno())


def inspect(path: Path) -> tuple[Real, object]:
    """Everything rpm-md needs that only the RPM file knows, plus its header."""
    import rpm

    hdr = _header(path)
    start, end = header_range(path)
    stat = path.stat()
    real = Real(hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_size, hdr[rpm.RPMTAG_LONGSIZE],
                hdr[rpm.RPMTAG_LONGARCHIVESIZE], start, end, int(stat.st_mtime), hdr[rpm.RPMTAG_BUILDTIME])
    return real, hdr


def mismatches(pkg: Package, hdr) -> list[str]:
    """Differences between the model and the built header (should be none)."""
    import rpm

    def deps(tag: str) -> set[str]:
        names = hdr[getattr(rpm, f"RPMTAG_{tag}NAME")]
        flags = hdr[getattr(rpm, f"RPMTAG_{tag}FLAGS")]
        vers = hdr[getattr(rpm, f"RPMTAG_{tag}VERSION")]
        out = set()
        for name, flag, ver in zip(names, flags, vers):
            if name.startswith("rpmlib("):
                continue
            op = {2: "<", 4: ">", 8: "=", 10: "<=", 12: ">="}.get(flag & 14)
            out.add(f"{name} {op} {ver}" if op else name)
        return out

    problems = []
    for tag, want in (("PROVIDE", pkg.all_provides()), ("REQUIRE", pkg.requires),
                      ("RECOMMEND", pkg.recommends), ("CONFLICT", pkg.conflicts)):
        have, wanted = deps(tag), {d.spec() for d in want}
        if have != wanted:
            problems.append(f"{pkg.name} {tag}: extra {have - wanted} missing {wanted - have}")
    files = set(hdr[rpm.RPMTAG_FILENAMES])
    if files != {p for p, _ in pkg.files} | set(pkg.dirs):
        problems.append(f"{pkg.name} files differ")
    return problems


def _build_one(spec: str, buildtime: int, cache: Path) -> Path:
    """Build (or reuse) the RPMs of one spec; returns the cache directory holding them."""
    key = hashlib.sha256(spec.encode()).hexdigest()[:20]
    done = cache / key
    if done.is_dir():
        return done
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".build-{key}-", dir=cache))
    try:
        (work / "pkg.spec").write_text(spec)
        env = dict(os.environ, SOURCE_DATE_EPOCH=str(buildtime), LC_ALL="C")
        proc = subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {work}/top",
                               str(work / "pkg.spec")], capture_output=True, text=True, env=env)
        if proc.returncode:
            raise RuntimeError(f"rpmbuild failed for {work}/pkg.spec:\n{proc.stderr[-3000:]}")
        out = work / "out"
        out.mkdir()
        for rpm_file in (work / "top/RPMS").glob("*/*.rpm"):
            os.utime(rpm_file, (buildtime, buildtime))
            shutil.move(rpm_file, out / rpm_file.name)
        try:
            os.rename(out, done)
        except OSError:
            if not done.is_dir():
                raise
        return done
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_all(packages: list[Package], cache: Path, jobs: int = 2, log=print) -> dict[str, Path]:
    """Build RPMs for `packages` (grouped by source), `jobs` at a time; name -> cached RPM path."""
    by_source: dict[int, tuple[Source, list[Package]]] = {}
    for pkg in packages:
        by_source.setdefault(id(pkg.source), (pkg.source, []))[1].append(pkg)
    work = [(spec_text(src, bins), src, bins) for src, bins in by_source.values()]
    result: dict[str, Path] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [(pool.submit(_build_one, spec, src.buildtime, cache), bins) for spec, src, bins in work]
        for i, (future, bins) in enumerate(futures, 1):
            where = future.result()
            for pkg in bins:
                result[pkg.name] = where / pkg.filename
                if not result[pkg.name].exists():
                    raise RuntimeError(f"rpmbuild did not produce {pkg.filename} in {where}")
            if i % 50 == 0 or i == len(futures):
                log(f"  rpms: {i}/{len(futures)} specs")
    return result
