"""A planned layout: its mount points and its pending actions, kept as blivet's action
objects (`planned_actions`), with the readable list derived from them (`describe_actions`)
for --dry-run, the TUI and the log. The checks of a plan are in `storage.checker`.

Nothing has been written while a plan exists.
"""
from __future__ import annotations

from .session import StorageSession


def mountpoints(session: StorageSession) -> dict[str, object]:
    found = {}
    for device in session.blivet.devices:
        mount = getattr(device.format, "mountpoint", None)
        if mount:
            found[mount] = device
    return found


def planned_actions(session: StorageSession) -> list:
    """blivet's pending actions (DeviceAction objects), pruned, in the order they run."""
    actions = session.blivet.devicetree.actions
    actions.prune()
    actions.sort()
    return list(actions.find())


def _describe_device(device) -> str:
    mount = getattr(device.format, "mountpoint", None)
    parts = [f"{device.type} {device.name}", str(device.size)]
    if device.format.type == "disklabel":
        parts.append(f"disklabel {device.format.label_type}")  # gpt or msdos
    elif device.format.type:
        parts.append(device.format.type)
    if mount:
        parts.append(f"on {mount}")
    return ", ".join(parts)


def describe_action(action) -> str:
    verb = "destroy" if action.is_destroy else "create" if action.is_create else \
        "resize" if action.is_resize else "configure"
    what = "format" if action.is_format else "device"
    target = action.format.type if action.is_format else action.device.type
    return f"{verb} {what} {target}: {_describe_device(action.device)}"


def action_lines(actions: list) -> list[str]:
    """One numbered line per action object."""
    return [f"{index:3d}. {describe_action(action)}" for index, action in enumerate(actions, start=1)]


def describe_actions(session: StorageSession) -> list[str]:
    """One line per pending action, in the order they would run."""
    return action_lines(planned_actions(session))
