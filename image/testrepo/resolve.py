"""Read packages.txt and resolve its Debian dependency closure with apt-cache."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

DEP_FLAGS = ["--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks",
             "--no-replaces", "--no-enhances"]
TYPES = ("mandatory", "default", "optional")


@dataclass(frozen=True)
class DebRecord:
    name: str
    version: str
    arch: str
    size: int
    sha256: str

    @property
    def filename(self) -> str:
        """The name `apt-get download` gives the file (epoch colon quoted)."""
        return f"{self.name}_{self.version.replace(':', '%3a')}_{self.arch}.deb"


def read_package_list(path: Path) -> dict[str, list[tuple[str, str]]]:
    """packages.txt -> {group: [(name, type), ...]} in file order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    current = None
    for lineno, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1].strip(), [])
            continue
        words = line.split()
        if current is None or len(words) > 2 or (len(words) == 2 and words[1] not in TYPES):
            raise ValueError(f"{path}:{lineno}: expected `name [{'|'.join(TYPES)}]` in a [group]")
        current.append((words[0], words[1] if len(words) == 2 else ""))
    return groups


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def ensure_apt_lists(probe: str = "libc6") -> None:
    """Run `apt-get update` when apt knows no candidate for a package every system has."""
    out = subprocess.run(["apt-cache", "policy", probe], capture_output=True, text=True).stdout
    if "Candidate:" not in out or "Candidate: (none)" in out:
        subprocess.run(["apt-get", "update", "-qq"], check=True)


def parse_depends(text: str) -> dict[str, list[list[str]]]:
    """Parse `apt-cache depends --recurse` output.

    Returns {package: [group, ...]} where a group is the ordered list of candidate real
    package names that satisfy one Depends/PreDepends (alternatives, then providers of
    virtual names). Only real packages (printed as headers) are keys."""
    graph: dict[str, list[list[str]]] = {}
    pkg = None
    group: list[str] | None = None
    continues = False
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            name = line.strip()
            pkg = None if name.startswith("<") or ":" in name else name
            if pkg is not None:
                graph.setdefault(pkg, [])
            group, continues = None, False
            continue
        if pkg is None:
            continue
        m = re.match(r"^ ([ |])(PreDepends|Depends): (.*)$", line)
        if m:
            if group is None or not continues:
                group = []
                graph[pkg].append(group)
            continues = m.group(1) == "|"
            name = m.group(3).strip()
            if not name.startswith("<"):
                group.append(name.split(":")[0])
            continue
        if line.startswith("    ") and group is not None:  # a provider of a virtual name
            name = line.strip()
            if ":" not in name:
                group.append(name)
    return graph


def closure(top: list[str]) -> list[str]:
    """The dependency closure of `top`, choosing per group a candidate already wanted,
    else the first candidate. Deterministic; sorted result."""
    out = _run(["apt-cache", "depends", "--recurse", *DEP_FLAGS, *top])
    graph = parse_depends(out)
    missing = [name for name in top if name not in graph]
    if missing:
        raise RuntimeError(f"apt knows no package named: {' '.join(missing)}")
    wanted = set(top)
    selected: set[str] = set()
    queue = list(top)
    while queue:
        name = queue.pop(0)
        if name in selected:
            continue
        selected.add(name)
        for group in graph[name]:
            cands = [c for c in group if c in graph]
            if not cands or any(c in selected or c in wanted for c in cands):
                continue
            pick = cands[0]
            wanted.add(pick)
            queue.append(pick)
    return sorted(selected)


def records(names: list[str]) -> dict[str, DebRecord]:
    """Candidate version, arch, size and sha256 of each package (one apt-cache call)."""
    out = _run(["apt-cache", "show", "--no-all-versions", *names])
    recs: dict[str, DebRecord] = {}
    for stanza in out.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z0-9-]+): ?(.*)$", stanza, re.M))
        if "Package" in fields and fields["Package"] not in recs:
            recs[fields["Package"]] = DebRecord(
                fields["Package"], fields["Version"], fields["Architecture"],
                int(fields["Size"]), fields.get("SHA256", ""))
    lost = sorted(set(names) - set(recs))
    if lost:
        raise RuntimeError(f"apt-cache show gave no record for: {' '.join(lost)}")
    return recs
