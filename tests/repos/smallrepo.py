"""A small, fast RPM repository for payload tests: a handful of tiny packages built with
rpmbuild and indexed with createrepo_c, with comps groups and environments.

Built once per content hash under the cache directory (outside the repo) and reused.
Shapes the tests need: a dependency chain, docs and translations (for --excludedocs and
--inst-langs), a weak dependency, a conflict, a broken dependency, and one large
incompressible package (for download failures and a full filesystem), and a dependency
on a file only the file lists name.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

CACHE = Path(os.environ.get("ANACONDA_CACHE", "/var/cache/anaconda-lean")) / "smallrepo"


@dataclass
class Pkg:
    name: str
    version: str = "1.0"
    requires: list[str] = field(default_factory=list)
    recommends: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> text content
    docs: list[str] = field(default_factory=list)  # paths marked %doc
    random_bytes: int = 0  # size of an incompressible /usr/share/NAME/blob


PACKAGES = [
    Pkg("filesystem-t", files={"/etc/filesystem-t.conf": "base\n"}),
    Pkg("base-a", requires=["filesystem-t"], files={"/usr/share/base-a/data": "a\n"}),
    Pkg("lib-b", version="2.1", provides=["libb.so.2()(64bit)"], files={"/usr/lib/libb-data": "b\n"}),
    Pkg("app-c", requires=["libb.so.2()(64bit)", "lib-b >= 2.0"], recommends=["extra-f"],
        files={"/usr/bin/app-c": "#!/bin/sh\necho c\n",
               "/usr/share/locale/de/LC_MESSAGES/app-c.mo": "de\n",
               "/usr/share/locale/fr/LC_MESSAGES/app-c.mo": "fr\n"}),
    Pkg("app-d", requires=["app-c"], files={"/usr/bin/app-d": "#!/bin/sh\necho d\n",
                                            "/usr/share/doc/app-d/README": "read me\n"},
        docs=["/usr/share/doc/app-d/README"]),
    Pkg("doc-e", files={"/usr/share/doc/doc-e/manual.txt": "manual\n"},
        docs=["/usr/share/doc/doc-e/manual.txt"]),
    Pkg("extra-f", files={"/usr/share/extra-f/x": "f\n"}),
    Pkg("conflict-g", conflicts=["app-c"], files={"/usr/share/conflict-g/x": "g\n"}),
    # a file dependency only the file lists answer (primary lists /etc and */bin/* only)
    Pkg("filedep-k", requires=["/usr/share/base-a/data"], files={"/usr/share/filedep-k/x": "k\n"}),
    Pkg("broken-h", requires=["does-not-exist >= 9"], files={"/usr/share/broken-h/x": "h\n"}),
    Pkg("big-i", random_bytes=6 * 1024 * 1024),
    Pkg("tool-j", files={"/usr/bin/tool-j": "#!/bin/sh\necho j\n"}),
]

COMPS = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <group><id>core</id><name>Core</name><description>Smallest set</description>
    <default>true</default><uservisible>false</uservisible>
    <packagelist><packagereq type="mandatory">base-a</packagereq></packagelist></group>
  <group><id>tools</id><name>Tools</name><description>Some tools</description>
    <default>true</default><uservisible>true</uservisible>
    <packagelist>
      <packagereq type="mandatory">app-c</packagereq>
      <packagereq type="default">app-d</packagereq>
      <packagereq type="optional">doc-e</packagereq>
    </packagelist></group>
  <group><id>extras</id><name>Extras</name><description>More</description>
    <default>false</default><uservisible>true</uservisible>
    <packagelist><packagereq type="mandatory">tool-j</packagereq></packagelist></group>
  <environment><id>test-environment</id><name>Test Environment</name>
    <description>Core and tools</description><display_order>5</display_order>
    <grouplist><groupid>core</groupid><groupid>tools</groupid></grouplist>
    <optionlist><groupid>extras</groupid></optionlist></environment>
  <environment><id>bare-environment</id><name>Bare Environment</name>
    <description>Core only</description><display_order>9</display_order>
    <grouplist><groupid>core</groupid></grouplist></environment>
</comps>
"""


def spec_text(pkg: Pkg) -> str:
    lines = [f"Name: {pkg.name}", f"Version: {pkg.version}", "Release: 1", "License: MIT",
             f"Summary: test package {pkg.name}", "BuildArch: noarch", "AutoReqProv: no"]
    lines += [f"Requires: {r}" for r in pkg.requires]
    lines += [f"Recommends: {r}" for r in pkg.recommends]
    lines += [f"Conflicts: {c}" for c in pkg.conflicts]
    lines += [f"Provides: {p}" for p in pkg.provides]
    lines += ["%description", f"Test package {pkg.name}.", "%install"]
    files = dict(pkg.files)
    for path, content in files.items():
        lines.append(f"mkdir -p %{{buildroot}}{os.path.dirname(path)}")
        lines.append(f"printf '%s' {json.dumps(content)} > %{{buildroot}}{path}")
    if pkg.random_bytes:
        blob = f"/usr/share/{pkg.name}/blob"
        lines.append(f"mkdir -p %{{buildroot}}/usr/share/{pkg.name}")
        lines.append(f"head -c {pkg.random_bytes} /dev/urandom > %{{buildroot}}{blob}")
        files[blob] = ""
    lines.append("%files")
    for path in files:
        lang = path.split("/")[4] if path.startswith("/usr/share/locale/") else ""
        lines.append(("%doc " if path in pkg.docs else "") + (f"%lang({lang}) " if lang else "") + path)
    return "\n".join(lines) + "\n"


def content_key() -> str:
    digest = hashlib.sha256(json.dumps([asdict(p) for p in PACKAGES]).encode())
    digest.update(COMPS.encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def ensure_small_repo() -> Path:
    """The repository directory (built on first use, then reused)."""
    final = CACHE / content_key()
    if (final / "repodata/repomd.xml").exists():
        return final
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=CACHE, prefix="build-"))
    try:
        repo = work / "repo"
        (repo / "Packages").mkdir(parents=True)
        for pkg in PACKAGES:
            spec = work / f"{pkg.name}.spec"
            spec.write_text(spec_text(pkg))
            subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {work}/top",
                            "--define", "_binary_payload w1.gzdio",
                            "--define", "__os_install_post %{nil}", str(spec)],
                           check=True, capture_output=True)
        for rpm in (work / "top/RPMS").rglob("*.rpm"):
            shutil.move(str(rpm), repo / "Packages" / rpm.name)
        (repo / "comps.xml").write_text(COMPS)
        subprocess.run(["createrepo_c", "--quiet", "--groupfile", "comps.xml", str(repo)],
                       check=True, capture_output=True)
        os.rename(repo, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final
