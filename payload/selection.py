"""%packages semantics on a DNF Base: environment, groups, packages, exclusions.

Follows Anaconda: the `core` group is always installed unless --nocore; no %packages
section at all means the repository's default environment; `-pkg` hides the package
from the solver; `-@group` drops a group (also from the environment); with
--ignoremissing unknown names are logged and skipped, otherwise every missing name is
reported at once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import dnf
import dnf.exceptions

from .model import (GROUP_DEFAULT, GROUP_MANDATORY, GROUP_OPTIONAL, GroupRequest,
                    PackageSelection)

log = logging.getLogger("anaconda.payload")

LEVEL_TYPES = {GROUP_MANDATORY: ("mandatory",), GROUP_DEFAULT: ("mandatory", "default"),
               GROUP_OPTIONAL: ("mandatory", "default", "optional")}


@dataclass
class SelectionResult:
    missing: list[str] = field(default_factory=list)
    environment: str | None = None
    unmet_needs: list[str] = field(default_factory=list)  # required system needs, described


def add_system_needs(base: dnf.Base, selection: PackageSelection, result: SelectionResult) -> None:
    """What the layout and boot loader need, beyond %packages (as Anaconda adds them).
    `-pkg` hides a package from the solver, so excluding a required one fails, with why."""
    available = base.sack.query().available()
    for need in selection.system_needs:
        name = next((n for n in need.names if available.filter(name=n)), None)
        if name is None:
            text = f"{' or '.join(need.names)} ({need.why})"
            if need.required:
                result.unmet_needs.append(text)
            else:
                log.warning("Not in any repository, the installed system may lack it: %s", text)
            continue
        log.info("Adding %s: %s", name, need.why)
        base.install(name)


def default_environment(base: dnf.Base) -> str | None:
    """The environment with the lowest display order, as comps intends it."""
    envs = sorted(base.comps.environments, key=lambda e: (e.display_order or 0, e.id))
    return envs[0].id if envs else None


def _find_group(base: dnf.Base, name: str):
    return base.comps._group_by_id(name) or next(
        (g for g in base.comps.groups if name in (g.id, g.name, g.ui_name)), None)


def _find_environment(base: dnf.Base, name: str):
    return base.comps._environment_by_id(name) or next(
        (e for e in base.comps.environments if name in (e.id, e.name, e.ui_name)), None)


def apply_selection(base: dnf.Base, selection: PackageSelection) -> SelectionResult:
    """Mark everything for installation; collect what is missing instead of stopping."""
    result = SelectionResult()
    excluded = set(selection.excluded_groups)
    env_name = selection.environment
    if env_name is None and selection.use_default_environment:
        env_name = default_environment(base)
        log.info("No %%packages section (or %%packages --default): default environment %s", env_name)
    if env_name and env_name not in excluded:
        env = _find_environment(base, env_name)
        if env is None:
            result.missing.append(f"@^{env_name}")
        else:
            result.environment = env.id
            base.environment_install(env.id, LEVEL_TYPES[GROUP_DEFAULT],
                                     exclude=selection.excluded_packages or None,
                                     exclude_groups=sorted(excluded) or None)
    groups = list(selection.groups)
    implicit_core = not selection.nocore and not any(g.name == "core" for g in groups)
    if implicit_core:
        groups.insert(0, GroupRequest("core"))
    for request in groups:
        if request.name in excluded:
            continue
        group = _find_group(base, request.name)
        if group is None:
            if implicit_core and request.name == "core":
                log.info("The repositories have no core group")
            else:
                result.missing.append(f"@{request.name}")
            continue
        try:
            base.group_install(group.id, LEVEL_TYPES[request.level],
                               exclude=selection.excluded_packages or None)
        except dnf.exceptions.CompsError as exc:  # e.g. already part of the environment
            log.info("Group %s: %s", group.id, exc)
    for spec in selection.packages:
        if spec in selection.excluded_packages:
            log.info("%s is both included and excluded: excluded", spec)
            continue
        try:
            base.install(spec)
        except dnf.exceptions.MarkingError:
            result.missing.append(spec)
    add_system_needs(base, selection, result)
    return result
