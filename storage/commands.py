"""The kickstart commands storage reads: one list, imported by every part that asks.

Plain names, no imports, so the installer's start-up and front end choice can ask without
loading blivet or pykickstart. Names are pykickstart's (`partition`); `part` is its alias,
and a command seen in a kickstart is named as written, so `is_storage` and `layout_given`
accept both.
"""
from __future__ import annotations

#: Commands that lay out disks: one of them makes the destination complete without asking
#: (`reqpart` alone makes only the boot loader's partitions, no layout).
LAYOUT_COMMANDS = ("autopart", "partition", "raid", "volgroup", "logvol", "btrfs", "mount")
#: What the storage screens' planner writes (and replaces in the TUI's handler), in the
#: order the saved kickstart shows them.
PLANNED_COMMANDS = ("ignoredisk", "zerombr", "clearpart", "autopart", "reqpart", "partition",
                    "raid", "volgroup", "logvol", "btrfs")
#: Every command storage applies, in the order of `PLANNED_COMMANDS` then the rest: the
#: disks, what is cleared, the layout, existing devices mounted, LVM snapshots, the boot
#: loader. A directory install ignores all of them.
STORAGE_COMMANDS = (*PLANNED_COMMANDS, "mount", "snapshot", "bootloader")
ALIASES = {"part": "partition"}


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def is_storage(name: str) -> bool:
    return canonical(name) in STORAGE_COMMANDS


def is_layout(name: str) -> bool:
    return canonical(name) in LAYOUT_COMMANDS
