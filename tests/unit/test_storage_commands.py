"""The one list of kickstart storage commands agrees with the disposition table, with
pykickstart's handler, and with each user of it."""
from installer.kickstart.support import APPLIED, LIMITED, disposition
from installer.kickstart.version import make_handler
from installer.ui.frontend_choice import missing_from_kickstart
from storage.commands import (ALIASES, LAYOUT_COMMANDS, PLANNED_COMMANDS, STORAGE_COMMANDS,
                              is_layout, is_storage)


def test_every_storage_command_is_applied_and_known_to_pykickstart():
    handler = make_handler()
    for name in STORAGE_COMMANDS:
        assert disposition(name).state in (APPLIED, LIMITED), name
        assert name in handler.commands, name
    for alias, name in ALIASES.items():
        assert handler.commands[alias] is handler.commands[name]
        assert disposition(alias) is disposition(name)


def test_the_lists_nest():
    assert set(PLANNED_COMMANDS) <= set(STORAGE_COMMANDS)
    assert set(LAYOUT_COMMANDS) <= set(STORAGE_COMMANDS)
    assert {"mount", "snapshot", "bootloader"} <= set(STORAGE_COMMANDS) - set(PLANNED_COMMANDS)
    assert is_storage("part") and is_layout("part") and is_layout("mount")
    assert not is_layout("reqpart") and not is_storage("rootpw")


def test_a_mount_command_is_a_layout():
    handler = make_handler()
    handler.rootpw.seen = True
    assert missing_from_kickstart(handler, {"mount"}, True) == []
    assert missing_from_kickstart(handler, {"part"}, True) == []
    assert missing_from_kickstart(handler, {"reqpart"}, True) == ["Installation destination"]
