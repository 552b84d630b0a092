"""The disposition table (kickstart/support.py) applied to one kickstart: every command,
section, option and %addon that is not applied is warned of or refused by name, with the
file:line it was written on. Nothing is silently dropped."""
from __future__ import annotations

from functools import lru_cache

from ..addons import addons_of
from ..pykickstart_adapter import option_parser, option_spellings
from ..support import ADDONS, REFUSED, WARNED, Command, disposition
from .findings import Findings, Where


def check_support(loaded, found: Findings) -> None:
    handler = loaded.handler
    for seen in loaded.commands_seen:
        where = Where(seen.location.file, seen.location.line)
        entry = disposition(seen.name)
        if entry is None:  # pykickstart parsed it, the table does not know it: a gap, say so
            found.warn(where, f"{seen.name}: this installer has no rule for this command; "
                              "it is not applied")
            continue
        _judge(found, where, seen.name, entry, option_groups(handler, seen.name), seen.options)
    for seen in getattr(loaded, "sections_seen", []):
        entry = disposition(seen.name)
        if entry is None or seen.name in ("%addon", "%anaconda"):
            continue  # addons below, with their names
        where = Where(seen.location.file, seen.location.line)
        _judge(found, where, seen.name, entry, section_option_groups(handler, seen.name),
               seen.options)
    for section in addons_of(handler):
        where = Where(section.file, section.line)
        if section.section == "%anaconda":
            found.warn(where, "%anaconda: " + disposition("%anaconda").text)
        elif section.name not in ADDONS:
            found.warn(where, f"%addon {section.name or '(no name)'}: this add-on is not "
                              f"available here; its section is not applied (applied add-ons: "
                              f"{', '.join(sorted(ADDONS))})")


def _judge(found: Findings, where: Where, name: str, entry: Command,
           groups: tuple[tuple[str, ...], ...], written: tuple[str, ...]) -> None:
    if entry.state == REFUSED:
        found.error(where, f"{name}: not supported here: {entry.text}")
        return
    if entry.state == WARNED:
        found.warn(where, f"{name}: not applied: {entry.text}")
        return
    for option in dict.fromkeys(written):
        group = resolve_option(groups, option)
        if group is None:
            continue  # pykickstart has already refused an option it does not know
        state, why = _state_of(entry, group)
        if state == REFUSED:
            found.error(where, f"{name} {option}: not supported here: {why}")
        elif state == WARNED:
            found.warn(where, f"{name} {option}: not applied: {why}")


def _state_of(entry: Command, group: tuple[str, ...]) -> tuple[str, str]:
    for spelling in group:
        found = entry.option_state(spelling)
        if found is not None:
            return found
    return WARNED, "this installer has no rule for this option; it is not applied"


def resolve_option(groups: tuple[tuple[str, ...], ...], written: str) -> tuple[str, ...] | None:
    """The option group (all spellings of one option) `written` means: an exact spelling,
    else a unique prefix (pykickstart's parser accepts abbreviations, as argparse does)."""
    for group in groups:
        if written in group:
            return group
    matches = [g for g in groups if any(s.startswith(written) for s in g)]
    return matches[0] if len(matches) == 1 else None


def option_groups(handler, command: str) -> tuple[tuple[str, ...], ...]:
    """Every option pykickstart accepts for `command`, as the spellings of each."""
    return _command_groups(type(handler), command)


def section_option_groups(handler, section: str) -> tuple[tuple[str, ...], ...]:
    """Every option pykickstart accepts on a section's header (`%post --nochroot`)."""
    return _section_groups(type(handler), section)


@lru_cache(maxsize=None)
def _command_groups(handler_class, command: str) -> tuple[tuple[str, ...], ...]:
    return option_spellings(option_parser(handler_class().commands.get(command)))


@lru_cache(maxsize=None)
def _section_groups(handler_class, section: str) -> tuple[tuple[str, ...], ...]:
    from ..parser import LocatingParser
    from ..reader import Reader

    obj = LocatingParser(handler_class(), Reader()).registered_sections.get(section)
    return option_spellings(option_parser(obj))
