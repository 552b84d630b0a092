"""The comps choices as the software screen shows them, and the %packages edits they make.

Plain data read from what payload/comps.py sends from the DNF worker (environments, their
add-on groups, descriptions), and the changes a choice makes to the kickstart handler's
%packages (`@^environment`, `@group`, `--ignoremissing`). No DNF, no toolkit.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from pykickstart.constants import KS_MISSING_IGNORE
from pykickstart.parser import Group


@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    description: str
    visible: bool = True


@dataclass(frozen=True)
class EnvironmentInfo:
    id: str
    name: str
    description: str
    groups: tuple[str, ...] = ()
    options: tuple[tuple[str, bool], ...] = ()  # add-on group id, selected by default


@dataclass
class Comps:
    environments: list[EnvironmentInfo] = field(default_factory=list)
    groups: dict[str, GroupInfo] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> "Comps":
        """Reads what payload/comps.py sends from the worker."""
        data = json.loads(text)
        envs = [EnvironmentInfo(e["id"], e["name"], e["description"], tuple(e["groups"]),
                                tuple((g, bool(d)) for g, d in e["options"]))
                for e in data["environments"]]
        groups = {g["id"]: GroupInfo(g["id"], g["name"], g["description"], g["visible"])
                  for g in data["groups"]}
        return cls(envs, groups)

    def environment(self, name: str | None) -> EnvironmentInfo | None:
        """By id, or by name as a kickstart's @^ may give it."""
        return next((e for e in self.environments if name in (e.id, e.name)), None) if name else None

    def default_environment(self) -> EnvironmentInfo | None:
        return self.environments[0] if self.environments else None

    def addons(self, env_id: str | None) -> list[tuple[GroupInfo, bool]]:
        """Anaconda's add-ons: the environment's optional groups, then every other
        user-visible group it does not already contain; each with its default."""
        env = self.environment(env_id)
        if env is None:
            return []
        listed = [(gid, default) for gid, default in env.options if gid in self.groups]
        taken = set(env.groups) | {gid for gid, _ in listed}
        others = [(gid, False) for gid, group in self.groups.items()
                  if group.visible and gid not in taken]
        return [(self.groups[gid], default) for gid, default in listed + others]


# ---- %packages edits --------------------------------------------------------------------
def group_names(handler) -> list[str]:
    return [g.name for g in handler.packages.groupList]


def select_environment(handler, comps: Comps, env_id: str, with_defaults: bool = True) -> None:
    """@^env, with its default add-ons unless the person already saw it without them;
    add-ons of the previous environment are dropped, groups the kickstart listed for
    other reasons stay."""
    packages = handler.packages
    old = {g.id for g, _ in comps.addons(packages.environment)} if packages.environment else set()
    kept = [g for g in packages.groupList if g.name not in old]
    names = {g.name for g in kept}
    added = [Group(g.id) for g, default in comps.addons(env_id)
             if default and with_defaults and g.id not in names]
    packages.environment = env_id
    packages.groupList = kept + added
    packages.seen = True


def toggle_group(handler, group_id: str) -> bool:
    """Add or remove @group; True when it is now selected."""
    packages = handler.packages
    selected = group_id in group_names(handler)
    if selected:
        packages.groupList = [g for g in packages.groupList if g.name != group_id]
    else:
        packages.groupList = packages.groupList + [Group(group_id)]
    packages.seen = True
    return not selected


def ignore_missing(handler) -> None:
    """`%packages --ignoremissing`: names no repository has are skipped, not an error."""
    handler.packages.handleMissing = KS_MISSING_IGNORE
    handler.packages.seen = True


def describe_selection(handler, comps: Comps | None) -> str:
    """The hub's line: the environment's name, as Anaconda shows it."""
    packages = handler.packages
    if packages.environment:
        env = comps.environment(packages.environment) if comps else None
        return env.name if env else packages.environment
    if packages.seen:
        return "Custom software selected"
    default = comps.default_environment() if comps else None
    return default.name if default else "Default environment of the source"
