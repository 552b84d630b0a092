"""Debian control data -> RPM spec; run rpmbuild on an unpacked tree."""
from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from pathlib import Path

import rpm

from image.testrepo.unpack import Deb, Entry, parse_relations, summary_and_description

OPS = {"<<": "<", "<=": "<=", "=": "=", ">=": ">=", ">>": ">", "<": "<=", ">": ">="}
ARCHES = {"amd64": "x86_64", "all": "noarch"}
FILESYSTEM = "anaconda-test-filesystem"
SETUP = "anaconda-test-setup"

SPEC_HEAD = """\
%define __os_install_post %{nil}
%define __spec_install_post %{nil}
%define __arch_install_post %{nil}
%define debug_package %{nil}
%define _build_id_links none
%define _binary_payload w3.zstdio
%define _unpackaged_files_terminate_build 0
%define _binaries_in_noarch_packages_terminate_build 0
%define _missing_build_ids_terminate_build 0
%define __check_files %{nil}
%define _buildhost anaconda-lean
"""


def _clean(text: str) -> str:
    """RPM forbids '-' (and ':' outside the epoch) in Version and Release."""
    return re.sub(r"[^A-Za-z0-9._+~^]", "_", text)


def evr(debver: str) -> tuple[str, str, str]:
    """Debian [epoch:]upstream[-revision] -> (epoch, version, release); release '0' when
    there is no revision, epoch '' when there is none."""
    epoch, _, rest = debver.partition(":") if ":" in debver else ("", "", debver)
    version, _, release = rest.rpartition("-") if "-" in rest else (rest, "", "0")
    return epoch, _clean(version), _clean(release)


def dep_evr(debver: str) -> tuple[str, str, str]:
    """Like evr() but a version without revision keeps no release (RPM then ignores it)."""
    epoch, version, release = evr(debver)
    return epoch, version, release if "-" in debver.partition(":")[2 if ":" in debver else 0] else ""


def evr_text(e: str, v: str, r: str) -> str:
    return (f"{e}:" if e else "") + v + (f"-{r}" if r else "")


def _matches(have: tuple[str, str, str], op: str, want: tuple[str, str, str]) -> bool:
    he, hv, hr = have
    we, wv, wr = want
    cmp = rpm.labelCompare((he or "0", hv, hr if wr else "0"), (we or "0", wv, wr or "0"))
    return {"<": cmp < 0, "<=": cmp <= 0, "=": cmp == 0, ">=": cmp >= 0, ">": cmp > 0}[op]


class Universe:
    """Every package of the closure, to decide which alternative and which version
    constraint RPM can satisfy from this repository."""

    def __init__(self, debs: dict[str, Deb]):
        self.evr = {name: evr(d.fields["Version"]) for name, d in debs.items()}
        self.provides: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for name, d in sorted(debs.items()):
            for group in parse_relations(d.fields.get("Provides", "")):
                pname, op, ver = group[0]
                self.provides[pname].append((name, ver if op == "=" else ""))

    def requirement(self, group: list[tuple[str, str, str]]) -> tuple[str | None, str]:
        """Pick the first alternative this repository satisfies; returns (Requires text,
        note). Versions RPM's ordering would reject are dropped, with a note."""
        for name, op, ver in group:
            rop = OPS.get(op, "")
            if name in self.evr:
                if not rop or _matches(self.evr[name], rop, dep_evr(ver)):
                    return (f"{name} {rop} {evr_text(*dep_evr(ver))}" if rop else name), ""
            elif name in self.provides:
                versions = [v for _, v in self.provides[name] if v]
                if not rop:
                    return name, ""
                if any(_matches(dep_evr(v), rop, dep_evr(ver)) for v in versions):
                    return f"{name} {rop} {evr_text(*dep_evr(ver))}", ""
        for name, op, ver in group:   # nothing satisfies the version: keep the name
            if name in self.evr or name in self.provides:
                return name, f"dropped version of {name} {op} {ver}"
        return None, "no alternative in the repository: " + " | ".join(a[0] for a in group)


def quote(path: str) -> str:
    """A %files path: macros and glob characters escaped, always quoted."""
    if '"' in path or "\n" in path:
        raise ValueError(f"cannot list {path!r} in a spec")
    path = path.replace("%", "%%")
    return '"' + re.sub(r"([*?\[\]{}])", r"[\1]", path) + '"'


def files_section(entries: dict[str, Entry], conffiles: set[str]) -> str:
    lines = []
    for path in sorted(entries):
        e = entries[path]
        if e.kind == "link":
            lines.append(f"%attr(-,{e.user},{e.group}) {quote(path)}")
        elif e.kind == "dir":
            lines.append(f"%dir %attr({e.mode:04o},{e.user},{e.group}) {quote(path)}")
        else:
            conf = "%config(noreplace) " if path in conffiles else ""
            lines.append(f"{conf}%attr({e.mode:04o},{e.user},{e.group}) {quote(path)}")
    return "\n".join(lines)


def _escape(text: str) -> str:
    return text.replace("%", "%%")


def write_spec(spec: Path, *, name: str, version: tuple[str, str, str], arch: str,
               summary: str, description: str, requires: list[str], provides: list[str],
               files: str, scripts: str = "", pre_requires: list[str] = ()) -> None:
    epoch, ver, rel = version
    head = [SPEC_HEAD, f"Name: {name}"]
    if epoch:
        head.append(f"Epoch: {epoch}")
    head += [f"Version: {ver}", f"Release: {rel}", f"Summary: {_escape(summary)}",
             "License: see /usr/share/doc/%{name}/copyright", "AutoReqProv: no"]
    if arch == "noarch":
        head.append("BuildArch: noarch")
    head += [f"Requires(pre): {r}" for r in pre_requires]
    head += [f"Requires: {r}" for r in requires]
    head += [f"Provides: {p}" for p in provides]
    text = "\n".join(head) + f"\n\n%description\n{_escape(description)}\n\n"
    text += (scripts + "\n\n" if scripts else "") + f"%files\n{files}\n"
    spec.write_text(text)


def deb_spec(deb: Deb, universe: Universe, entries: dict[str, Entry], spec: Path,
             scripts: str = "") -> list[str]:
    """Write the spec of one Debian package; returns notes for the log."""
    notes = []
    requires = []
    for field in ("Pre-Depends", "Depends"):
        for group in parse_relations(deb.fields.get(field, "")):
            req, note = universe.requirement(group)
            if note:
                notes.append(f"{deb.name}: {note}")
            if req and req.split()[0] != deb.name and req not in requires:
                requires.append(req)
    provides = []
    for group in parse_relations(deb.fields.get("Provides", "")):
        pname, op, ver = group[0]
        provides.append(f"{pname} = {evr_text(*dep_evr(ver))}" if op == "=" else pname)
    # Old paths stay resolvable as file dependencies (/bin/sh, /sbin/ldconfig ...).
    provides += sorted(e.moved_from for p, e in entries.items()
                       if e.moved_from and e.kind != "dir"
                       and e.moved_from.count("/") == 2 and e.moved_from.split("/")[1] in ("bin", "sbin"))
    summary, description = summary_and_description(deb.fields)
    write_spec(spec, name=deb.name, version=evr(deb.fields["Version"]),
               arch=ARCHES.get(deb.fields.get("Architecture", "all"), "noarch"),
               summary=summary, description=description, requires=requires,
               provides=provides, files=files_section(entries, deb.conffiles),
               scripts=scripts, pre_requires=[FILESYSTEM])
    return notes


def rpmbuild(spec: Path, buildroot: Path, topdir: Path, outdir: Path) -> None:
    argv = ["rpmbuild", "-bb", "--noclean", "--buildroot", str(buildroot),
            "--define", f"_topdir {topdir}", "--define", f"_rpmdir {outdir}",
            "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
            str(spec)]
    topdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"rpmbuild {spec.name} failed:\n{proc.stderr[-3000:]}")
