"""Dependency closure over the synthetic universe, and the choice of the `scale-core` group.

Why an over-approximation: every provider of every requirement (and every Recommends, since
dnf installs weak deps by default) is taken into the closure. Whatever provider libsolv then
picks for `editor` or `/bin/sh`, it is a package with a real RPM, so the install never asks
for a file that does not exist.
"""
from __future__ import annotations

import random
from collections import defaultdict

from .graph import Dep, Package, Universe

CORE_SIZE = 50          # mandatory packages in scale-core
CLOSURE_TARGET = 400    # the closure should be "a few hundred" packages...
CLOSURE_BUDGET = 520    # ...and never more than this


class Index:
    """Who provides what: provide names and file paths, mapped to packages."""

    def __init__(self, packages: list[Package]):
        self.by_name: dict[str, Package] = {p.name: p for p in packages}
        self.providers: dict[str, list[Package]] = defaultdict(list)
        for pkg in packages:
            for dep in pkg.all_provides():
                self.providers[dep.name].append(pkg)
            for path, _ in pkg.files:
                if path in ("/bin/sh", "/usr/bin/python3", "/usr/bin/perl"):
                    self.providers[path].append(pkg)

    def edges(self, pkg: Package) -> set[str]:
        """Names of all packages that could satisfy pkg's Requires and Recommends."""
        out: set[str] = set()
        for dep in pkg.requires + pkg.recommends:
            out.update(p.name for p in self.providers.get(dep.name, ()))
        out.discard(pkg.name)
        return out

    def closure(self, roots: list[str], limit: int | None = None) -> set[str] | None:
        """All packages reachable from roots; None once more than `limit` are reached."""
        seen = set(roots)
        todo = list(roots)
        while todo:
            for name in self.edges(self.by_name[todo.pop()]):
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
                    if limit is not None and len(seen) > limit:
                        return None
        return seen

    def unresolved(self) -> list[tuple[str, Dep]]:
        """Hard requirements nobody provides (should be empty: the repo must be consistent)."""
        return [(p.name, d) for p in self.by_name.values() for d in p.requires
                if d.name not in self.providers]


def choose_core(universe: Universe, index: Index, seed: int) -> tuple[list[str], set[str]]:
    """Pick ~50 mandatory packages whose joint closure stays within a few hundred packages.

    Anchors (shell, coreutils, an editor user, a mail user) go in first so the closure has the
    interesting parts: file requires, virtual provides with several providers, weak deps.
    Then candidates are taken in a seeded random order if each adds only a few packages.
    """
    rng = random.Random(seed * 31 + 7)
    mandatory = ["filesystem", "setup", "glibc", "bash", "coreutils", "python3", "perl-interpreter",
                 "pkgconf-pkg-config"]
    editor_user = next(p.name for p in universe.packages if Dep("editor") in p.requires)
    mail_user = next(p.name for p in universe.packages if Dep("mail-transport-agent") in p.requires
                     and (index.closure([p.name], 200) is not None))
    mandatory += [editor_user, mail_user]
    core = index.closure(mandatory) or set()
    candidates = [p for p in universe.packages if p.kind in ("app", "lib", "pymod", "perlmod", "tools", "data")]
    rng.shuffle(candidates)
    for low, slack in ((0.4, 1.5), (0.1, 3.0), (0.0, 10.0)):
        for pkg in candidates:
            if len(mandatory) >= CORE_SIZE:
                break
            if pkg.name in mandatory:
                continue
            extra = index.closure([pkg.name], CLOSURE_BUDGET)
            if extra is None:
                continue
            grown = core | extra
            # Pace the growth so the closure ends near CLOSURE_TARGET after CORE_SIZE picks.
            share = max(4.0, (CLOSURE_TARGET - len(core)) / (CORE_SIZE - len(mandatory)))
            if share * low <= len(grown) - len(core) <= share * slack and len(grown) <= CLOSURE_BUDGET:
                mandatory.append(pkg.name)
                core = grown
    return mandatory, core
