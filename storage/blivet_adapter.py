"""Every use of blivet's private API in storage/, in one place, each with why it is needed.

blivet 3.7 (the version pinned) has no public API for these; when it gets one, only this
module changes. Nothing else in storage/ may touch an attribute of blivet that starts
with an underscore.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from blivet.devices import PartitionDevice


def add_existing_device(storage, device) -> None:
    """Put an existing device into the tree without scheduling an action.

    Why private: blivet adds existing devices only from its populator (udev); the public
    `create_device` schedules a create action. The --image scan reads disk image files
    (DiskFile, partitions found with parted and blkid) that udev does not know, so it adds
    them the way the populator does: `DeviceTree._add_device`."""
    storage.devicetree._add_device(device)  # pylint: disable=protected-access


class ImagePartition(PartitionDevice):
    """A partition of a disk image file, whose path is the file's path plus the number
    (where parted looks for it; real partitions live in /dev).

    Why private: a device's path is `_dev_dir` + name, and blivet has no public way to
    set the directory; DiskFile sets it for the file itself, not for its partitions."""

    def __init__(self, name: str, dev_dir: str, **kwargs):
        self._dev_dir = dev_dir  # pylint: disable=protected-access
        super().__init__(name, **kwargs)


def mkfs_tool(fmt) -> str:
    """The mkfs program a filesystem format would run ("" when unknown), for messages.

    Why private: a format says only `formattable` (False when its tool is missing); which
    tool that is lives in its mkfs task, `FS._mkfs`."""
    return str(getattr(getattr(fmt, "_mkfs", None), "ext", None) or "")


def type_resizable(fmt) -> bool:
    """Whether the filesystem type can be resized at all, tools aside.

    Why private: the public `resizable` is False both when the type cannot resize and
    when its resize tool is missing (or its size could not be read); the class attribute
    `_resizable` tells the first apart, so the user hears the reason to act on."""
    return bool(type(fmt)._resizable)  # pylint: disable=protected-access


def resize_tool_missing(fmt) -> bool:
    """The filesystem's resize tool is missing on this machine (`FS._resize`, as above)."""
    resize = getattr(fmt, "_resize", None)
    return resize is not None and not resize.available


@contextmanager
def _formattable_anyway(fmt) -> Iterator[None]:
    """The format's class claims it can be made, for one action's constructor."""
    cls = type(fmt)
    saved = cls.__dict__.get("formattable")
    cls.formattable = property(lambda self: True)
    try:
        yield
    finally:
        if saved is None:
            del cls.formattable
        else:
            cls.formattable = saved


@contextmanager
def missing_tools_reported(on_device: Callable[[object], None],
                           on_format: Callable[[object, object], None]) -> Iterator[None]:
    """Within the block, an action on a device whose libblockdev plugin or kernel module is
    missing calls `on_device(action)`, and a new format whose mkfs tool is missing calls
    `on_format(device, fmt)`, instead of raising DependencyError / ValueError.

    Why private: blivet checks both in action constructors with no switch to turn the
    check into a report (`DeviceAction._check_device_dependencies`, and
    `ActionCreateFormat.__init__` asking `formattable`). Only a plan that is shown and
    never executed (--dry-run on a host without btrfs, say) uses this; the classes are
    restored on leaving the block."""
    from blivet.deviceaction import ActionCreateFormat, DeviceAction

    saved_check = DeviceAction.__dict__["_check_device_dependencies"]
    saved_init = ActionCreateFormat.__dict__["__init__"]

    def check(action) -> None:
        on_device(action)

    def init(action, device, fmt=None):
        target = fmt or device.format
        if target.exists or target.formattable:
            return saved_init(action, device, fmt)
        on_format(device, target)
        with _formattable_anyway(target):
            return saved_init(action, device, fmt)

    DeviceAction._check_device_dependencies = check  # pylint: disable=protected-access
    ActionCreateFormat.__init__ = init
    try:
        yield
    finally:
        DeviceAction._check_device_dependencies = saved_check  # pylint: disable=protected-access
        ActionCreateFormat.__init__ = saved_init
