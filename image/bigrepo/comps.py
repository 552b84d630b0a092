"""comps.xml for the synthetic repository: `scale-core` and a few more groups, one environment.

Only `scale-core`'s mandatory and default packages are guaranteed installable with real RPMs;
the other groups exist so group/environment listing and parsing are measured at a realistic
size, and they draw on the metadata-only packages.
"""
from __future__ import annotations

import random
from xml.sax.saxutils import escape

from .graph import Universe


def _group(gid: str, name: str, desc: str, reqs: list[tuple[str, str]], order: int) -> str:
    lines = [f"  <group>\n    <id>{gid}</id>\n    <name>{escape(name)}</name>\n"
             f"    <description>{escape(desc)}</description>\n    <default>false</default>\n"
             f"    <uservisible>true</uservisible>\n    <display_order>{order}</display_order>\n"
             "    <packagelist>\n"]
    for pkg, kind in reqs:
        lines.append(f'      <packagereq type="{kind}">{pkg}</packagereq>\n')
    lines.append("    </packagelist>\n  </group>\n")
    return "".join(lines)


def build_comps(universe: Universe, core: list[str], closure: set[str], seed: int) -> str:
    """Return comps.xml text. `core` are scale-core's mandatory packages (all inside `closure`)."""
    rng = random.Random(seed * 13 + 5)
    pkgs = universe.packages
    outside = [p for p in pkgs if p.name not in closure and p.name not in universe.conflicting]
    groups = []
    # Defaults inside the closure (installed), optionals outside it (never installed by default).
    defaults = sorted(closure - set(core))[:: max(1, len(closure) // 8)][:6]
    optional = [p.name for p in rng.sample([p for p in outside if p.kind == "app"], 20)]
    groups.append(_group("scale-core", "Scale Core", "The installable core of the synthetic scale repository",
                         [(n, "mandatory") for n in core] + [(n, "default") for n in defaults]
                         + [(n, "optional") for n in optional], 1))
    for gid, name, kinds, count in (
            ("scale-devel", "Scale Development", ("devel",), 400),
            ("scale-python", "Scale Python", ("pymod",), 300),
            ("scale-perl", "Scale Perl", ("perlmod",), 200),
            ("scale-desktop", "Scale Desktop Applications", ("app", "data"), 600),
            ("scale-docs", "Scale Documentation", ("doc",), 300)):
        chosen = rng.sample([p for p in outside if p.kind in kinds], count)
        reqs = [(p.name, rng.choice(("mandatory", "default", "default", "optional"))) for p in chosen]
        groups.append(_group(gid, name, f"{name} for the synthetic scale repository", reqs, 10 + len(groups)))
    mail = [(m.name, "optional") for m in universe.mtas]
    groups.append(_group("scale-mail", "Scale Mail Server", "Mail transport agents (virtual provides)",
                         mail, 30))
    env = ("  <environment>\n    <id>scale-environment</id>\n    <name>Scale Environment</name>\n"
           "    <description>Everything the synthetic scale repository offers</description>\n"
           "    <display_order>1</display_order>\n"
           "    <grouplist>\n      <groupid>scale-core</groupid>\n    </grouplist>\n"
           "    <optionlist>\n"
           + "".join(f"      <groupid>{g}</groupid>\n" for g in
                     ("scale-devel", "scale-python", "scale-perl", "scale-desktop", "scale-docs", "scale-mail"))
           + "    </optionlist>\n  </environment>\n")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">\n<comps>\n'
            + "".join(groups) + env + "</comps>\n")
