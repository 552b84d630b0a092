"""The destination's sub-screens' model: mount points, reclaiming space, the passphrase.

The custom, reclaim, shrink and passphrase screens edit the same layout request as the
destination screen; this is what they read and call, so they only draw and map keys.
Every edit checks its input first and raises `RequestProblem` naming the field, which the
screen shows next to that field. Nothing here knows the toolkit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from blivet.size import Size

from storage.checker.request_checks import RequestProblem
from storage.planning.planner import Planner
from storage.planning.request import AutomaticLayout, Encryption, MountRequest

from .storage import mib, set_passphrase

log = logging.getLogger("anaconda.tui")

#: New mount points join the layout's volume group, when it has one, of these types.
_GROUP_TYPES = ("lvm", "lvm thin", "btrfs")


@dataclass
class ShrinkBounds:
    """The sizes a shrink may give a partition, in MiB, and the size asked before."""
    least: int
    most: int
    current: int | None


class LayoutEditor:
    """`planner()` gives the request being edited (the destination's: a new scan or a
    kickstart read again replaces it); `automatic()` the automatic layout chosen on the
    destination screen; `on_change()` is called after every accepted edit."""

    def __init__(self, planner: Callable[[], Planner], automatic: Callable[[], AutomaticLayout],
                 on_change: Callable[[], None]):
        self._planner, self.automatic, self._on_change = planner, automatic, on_change

    @property
    def planner(self) -> Planner:
        return self._planner()

    # ---- what the screens show ----------------------------------------------------------
    @property
    def mounts(self) -> list[MountRequest]:
        return list(self.planner.request.mounts)

    @property
    def disks(self) -> list[str]:
        """The names of the selected disks."""
        return list(self.planner.request.disks)

    @property
    def room(self) -> Size:
        """Free space on the selected disks after the reclaim choices."""
        return self.planner.room

    @property
    def capabilities(self):
        return self.planner.capabilities

    @property
    def encryption(self) -> Encryption:
        return self.planner.request.encryption

    def has_passphrase(self) -> bool:
        return bool(self.planner.request.encryption.passphrase)

    def needs_passphrase(self, mount: MountRequest | None = None) -> bool:
        """An encrypted mount point (or, with none given, the automatic layout chosen) and
        no passphrase yet: the screen asks for one first."""
        encrypted = mount.encrypted if mount is not None else self.automatic().encrypted
        return encrypted and not self.has_passphrase()

    def default_device_type(self) -> str:
        """The type a new mount point starts with: the layout's volume group type if any."""
        types = [m.device_type for m in self.planner.request.mounts if m.mountpoint not in ("/boot", "biosboot")]
        return next((t for t in types if t in _GROUP_TYPES), "partition")

    # ---- existing devices a mount point can reuse ------------------------------------------
    def reusable(self, mount: MountRequest | None = None) -> list:
        """The partitions and logical volumes a mount point can reuse (inventory entries:
        name, size, fstype, label, system, kind), the one `mount` reuses included, those
        other mount points reuse left out."""
        taken = {m.reuse for m in self.planner.request.mounts if m.reuse} - {mount.reuse if mount else ""}
        return [d for d in self.planner.reusable() if d.name not in taken]

    def existing(self, name: str):
        """The inventory entry of existing device `name` (None when it is not reusable now)."""
        return next((d for d in self.planner.reusable() if d.name == name), None)

    def resize_bounds(self, name: str) -> ShrinkBounds:
        """The sizes a kept device can be resized to, as the shrink screen shows them."""
        least, most = self.planner.resize_bounds(name)
        return ShrinkBounds(least, most, None)

    # ---- mount points --------------------------------------------------------------------
    def save_mount(self, original: str | None, mount: MountRequest) -> MountRequest:
        """Add `mount` (original None) or put it in place of mount point `original`."""
        planner = self.planner
        saved = planner.add_mount(mount) if original is None else planner.edit_mount(original, mount)
        log.info("Mount point %s saved (%s, %s)", saved.mountpoint, saved.device_type, saved.fstype)
        self._on_change()
        return saved

    def remove_mount(self, mountpoint: str) -> None:
        self.planner.remove_mount(mountpoint)
        self._on_change()

    def create_automatically(self) -> None:
        """Replace the mount points by the ones the automatic layout would make (Anaconda's
        "create them automatically"); on a problem the mount points are left as they were."""
        planner, auto = self.planner, self.automatic()
        saved = list(planner.request.mounts)
        try:
            planner.request.mounts = []
            planner.use_automatic(auto.scheme, auto.encrypted, auto.fstype)
            planner.use_custom(seed=True)
        except RequestProblem:
            planner.request.automatic = None
            planner.request.mounts = saved
            raise
        log.info("Mount points created from the %s layout", auto.scheme)
        self._on_change()

    # ---- the passphrase ------------------------------------------------------------------
    def set_passphrase(self, passphrase: str, luks_version: str) -> None:
        set_passphrase(self.planner, passphrase, luks_version)
        log.info("Encryption passphrase set (%s)", luks_version)
        self._on_change()

    # ---- reclaiming space ----------------------------------------------------------------
    def selected_disks(self) -> list:
        """The disk listings (with their partitions) of the selected disks."""
        chosen = set(self.planner.request.disks)
        return [d for d in self.planner.list_disks() if d.name in chosen]

    @property
    def clearing_all(self) -> bool:
        return self.planner.request.reclaim.clear_all

    def reclaim_of(self, name: str) -> str:
        """What happens to partition `name`: "keep", "delete", "shrink to N MiB"..."""
        reclaim = self.planner.request.reclaim
        if reclaim.clear_all:
            return "delete (clear all)"
        if name in reclaim.delete:
            return "delete"
        if name in reclaim.shrink:
            return f"shrink to {reclaim.shrink[name]} MiB"
        return "keep"

    def clear_all(self, on: bool) -> None:
        self.planner.clear_all(on)
        self._on_change()

    def delete(self, name: str) -> None:
        self.planner.delete(name)
        self._on_change()

    def keep(self, name: str) -> None:
        self.planner.keep(name)
        self._on_change()

    def shrink_bounds(self, part) -> ShrinkBounds:
        return ShrinkBounds(mib(part.min_size), int(part.size.convert_to("MiB")) - 1,
                            self.planner.request.reclaim.shrink.get(part.name))

    def shrink(self, name: str, size_mib: int) -> None:
        self.planner.shrink(name, size_mib)
        log.info("Shrink %s to %d MiB", name, size_mib)
        self._on_change()
