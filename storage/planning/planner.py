"""The storage screens' controller: the disks, a layout request the user edits, and its
plan, made by planning the request's own kickstart commands.

Every edit is checked field by field (`RequestProblem` names the field); `plan()` writes
the request into a pykickstart handler as its storage data objects (`to_kickstart`) and
applies that handler with `storage.kickstart.apply_kickstart` to a copy of the scanned
tree, so the plan shown is the plan of the kickstart that is saved. The scan is never
repeated (a guest scan costs seconds) and never planned on: each plan starts from a fresh
copy of it.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field, replace

from blivet.errors import StorageError as BlivetError
from blivet.formats.disklabel import DiskLabel
from blivet.size import Size

from storage.planning import to_kickstart
from storage.planning.auto_mounts import automatic_mounts
from storage.planning.inventory import (DiskInfo, PartitionInfo, capabilities, container_names, list_disks,
                                       list_volumes)
from storage.errors import StorageProblem
from storage.kickstart import apply_kickstart
from storage.planning.request import NO_BOOTLOADER, AutomaticLayout, Encryption, LayoutRequest, MountRequest
from storage.plan import action_lines, planned_actions
from storage.planning.planned_mounts import PlannedMount, planned_mounts
from storage.checker.reclaim_checks import check_delete, check_reclaim, check_shrink, room
from storage.checker.reuse_checks import check_new_in_existing_group, check_reuse, resize_bounds, reusable
from storage.checker.mount_checks import check_mount
from storage.checker.request_checks import (RequestProblem, check_automatic, check_boot_drive, check_disklabel,
                                           check_disks, check_encryption)
from storage.session import DEFAULT_LABEL, StorageSession

log = logging.getLogger("anaconda.storage")


@dataclass
class Plan:
    """A planned request: what will be mounted where, the actions in order, or why not."""
    kickstart: list[str]
    mounts: list[PlannedMount] = field(default_factory=list)
    actions: list = field(default_factory=list)  # blivet's DeviceAction objects, in order
    problem: str = ""  # empty when the layout can be made (every checker error, listed)
    field: str = ""  # the request field the problem is in, when it is one
    session: StorageSession | None = None  # the planned tree, for --dry-run and execution

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def action_lines(self) -> list[str]:
        """The actions as the summary and --dry-run show them, one numbered line each."""
        return action_lines(self.actions)

    @property
    def warnings(self) -> list[str]:
        """What the storage checker (and planning) found that the user should hear of."""
        return list(self.session.warnings) if self.session is not None else []


class Planner:
    """Holds the scanned session (never planned on), what was read from it once (disks,
    capabilities), and the request being edited; every method that changes the request
    checks its input first and raises `RequestProblem` naming the field."""

    def __init__(self, scanned: StorageSession, request: LayoutRequest | None = None,
                 systems: dict[str, str] | None = None):
        self._scanned = scanned
        self.systems = dict(systems or {})  # device name -> the system it holds (the scan's)
        self._disks = list_disks(scanned, self.systems)
        self._volumes = list_volumes(scanned, self.systems)
        self.capabilities = capabilities(scanned)
        self._taken = container_names(scanned)
        self._handler = None  # reused between plans: a fresh pykickstart handler costs 70 ms
        self.request = request or LayoutRequest(disks=[d for d in scanned.selected
                                                       if d not in scanned.protected])

    # the disks ------------------------------------------------------------------------
    def list_disks(self) -> list[DiskInfo]:
        return list(self._disks)

    def list_volumes(self) -> list[PartitionInfo]:
        """The existing logical volumes and md arrays, on any scanned disk."""
        return list(self._volumes)

    def reusable(self) -> list[PartitionInfo]:
        """What a mount point can reuse now: partitions and logical volumes on the selected
        disks that the reclaim choices leave alone."""
        request = self.request
        gone = set(request.reclaim.delete) | set(request.reclaim.shrink)
        return [d for d in reusable(request, self._disks, self._volumes).values()
                if not request.reclaim.clear_all and d.name not in gone
                and not gone & {*d.on, *d.disks} and d.kind in ("partition", "lvm")]

    def resize_bounds(self, name: str) -> tuple[int, int]:
        """The sizes (MiB) existing device `name` can be resized to with its data."""
        found = reusable(self.request, self._disks, self._volumes)
        if name not in found:
            raise RequestProblem("existing partition", f"there is no {name} on the selected disks")
        return resize_bounds(found[name])

    @property
    def default_disklabel(self) -> str:
        """The table new disks get when none is chosen (inst.disklabel, else gpt)."""
        return self._scanned.disklabel or DEFAULT_LABEL

    def select_disks(self, names: list[str]) -> None:
        """Choose the disks; reclaim choices on disks left out are dropped with them."""
        self.request.disks = check_disks(list(names), self.capabilities)
        on = {p.name for d in self._disks if d.name in names for p in d.partitions}
        reclaim = self.request.reclaim
        reclaim.delete = [n for n in reclaim.delete if n in on]
        reclaim.shrink = {n: s for n, s in reclaim.shrink.items() if n in on}
        if self.request.boot_drive not in ("", NO_BOOTLOADER, *names):
            self.request.boot_drive = ""

    # reclaiming space -------------------------------------------------------------------
    def clear_all(self, on: bool = True) -> None:
        self.request.reclaim.clear_all = on
        if on:
            self.request.reclaim.shrink.clear()

    def _not_reused(self, name: str, what: str) -> None:
        on = {v.name: {*v.on, *v.disks} for v in self._volumes}
        user = next((m.mountpoint for m in self.request.mounts
                     if m.reuse == name or name in on.get(m.reuse, ())), None)
        if user:
            raise RequestProblem(what, f"{name} is reused for {user}; remove that mount point first")

    def delete(self, name: str) -> None:
        check_delete(name, self._disks, self.request.disks)
        self._not_reused(name, "delete")
        self.request.reclaim.shrink.pop(name, None)
        if name not in self.request.reclaim.delete:
            self.request.reclaim.delete.append(name)

    def shrink(self, name: str, size_mib: int) -> None:
        self._not_reused(name, "shrink")
        self.request.reclaim.shrink[name] = check_shrink(name, size_mib, self._disks, self.request)

    def keep(self, name: str) -> None:
        """Undo a delete or shrink of `name`."""
        reclaim = self.request.reclaim
        reclaim.delete = [n for n in reclaim.delete if n != name]
        reclaim.shrink.pop(name, None)

    # the boot loader and new partition tables --------------------------------------------
    def set_boot_drive(self, name: str) -> None:
        """A selected disk for the boot loader, "" for the first one, or NO_BOOTLOADER."""
        self.request.boot_drive = check_boot_drive(name, self.request)

    def set_disklabel(self, label: str) -> None:
        """gpt or msdos for the partition tables made on new disks; "" the default."""
        self.request.disklabel = check_disklabel(label)

    # the layout -------------------------------------------------------------------------
    def set_encryption(self, passphrase: str, luks_version: str = "luks2") -> None:
        self.request.encryption = check_encryption(Encryption(passphrase, luks_version))

    def use_automatic(self, scheme: str = "lvm", encrypted: bool = False, fstype: str = "xfs") -> None:
        self.request.automatic = check_automatic(AutomaticLayout(scheme, encrypted, fstype),
                                                 self.request, self.capabilities)

    def use_custom(self, seed: bool = True) -> list[MountRequest]:
        """Switch to a custom layout; with `seed` and no mount points yet, start from the
        ones the automatic layout would make (as Anaconda's "create them automatically")."""
        auto, self.request.automatic = self.request.automatic, None
        if seed and auto is not None and not self.request.mounts:
            for mount in automatic_mounts(auto, room(self.request, self._disks), self._scanned.memory):
                self.add_mount(mount)
        return list(self.request.mounts)

    def _reuse(self, mount: MountRequest, request: LayoutRequest, replacing: str | None = None) -> MountRequest:
        check_new_in_existing_group(mount, self._taken)
        return check_reuse(mount, request, self._disks, replacing, self._volumes)

    def add_mount(self, mount: MountRequest) -> MountRequest:
        checked = check_mount(self._reuse(mount, self.request), self.request,
                              self.capabilities, taken=self._taken)
        self.request.mounts.append(checked)
        return checked

    def edit_mount(self, mountpoint: str, mount: MountRequest) -> MountRequest:
        index = self._index(mountpoint)
        checked = check_mount(self._reuse(mount, self.request, mountpoint), self.request,
                              self.capabilities, replacing=mountpoint, taken=self._taken)
        self.request.mounts[index] = checked
        return checked

    def remove_mount(self, mountpoint: str) -> None:
        del self.request.mounts[self._index(mountpoint)]

    def _index(self, mountpoint: str) -> int:
        for index, mount in enumerate(self.request.mounts):
            if mount.mountpoint == mountpoint:
                return index
        raise RequestProblem("mount point", f"{mountpoint} is not in the layout "
                             f"(it has: {', '.join(m.mountpoint for m in self.request.mounts) or 'none'})")

    # checking, rendering, planning --------------------------------------------------------
    def checked_request(self) -> LayoutRequest:
        """The whole request checked again (disks may have changed since a mount point was
        added), with an automatic layout that shrinks written out as mount points."""
        request = self.request
        check_disks(request.disks, self.capabilities)
        check_boot_drive(request.boot_drive, request)
        check_disklabel(request.disklabel)
        check_encryption(request.encryption)
        check_reclaim(request, self._disks)
        if request.automatic is not None:
            check_automatic(request.automatic, request, self.capabilities)
            if not request.reclaim.shrink:
                return request
            mounts = automatic_mounts(request.automatic, room(request, self._disks), self._scanned.memory)
            request = replace(request, automatic=None, mounts=[])
        else:
            mounts = request.mounts
            if not any(m.mountpoint == "/" for m in mounts):
                raise RequestProblem("mount points", "add a mount point for / (or use automatic partitioning)")
        checked = replace(request, mounts=[])
        for mount in mounts:
            mount = self._reuse(mount, checked)
            checked.mounts.append(check_mount(mount, checked, self.capabilities, taken=self._taken))
        return checked

    def _blank(self) -> list[str]:
        return [d.name for d in self._disks if not d.label]

    def _write(self, handler=None):
        """The checked request's storage commands written into `handler` (None: the
        planner's own, reused between plans: a fresh pykickstart handler costs 70 ms)."""
        request = self.checked_request()
        if handler is None:
            handler = self._handler = self._handler or to_kickstart.new_handler()
        return to_kickstart.write_storage(handler, request, self._blank())

    def to_kickstart(self) -> list[str]:
        """The storage commands of the request, as the saved kickstart holds them."""
        return to_kickstart.storage_lines(self._write())

    def write_to(self, handler) -> None:
        """Put the request's storage commands into the TUI's kickstart handler."""
        self._write(handler)

    def fresh_session(self) -> StorageSession:
        """A copy of the scanned tree to plan on; the scan itself stays untouched."""
        # clearpart --disklabel sets it globally; inst.disklabel is the scanned session's
        DiskLabel.set_default_label_type(self._scanned.disklabel or DEFAULT_LABEL)
        return dataclasses.replace(self._scanned, blivet=self._scanned.blivet.copy(),
                                   protected=dict(self._scanned.protected),
                                   selected=list(self._scanned.selected), warnings=[], snapshots=[],
                                   swaps_on=set())

    def plan(self) -> Plan:
        try:
            handler = self._write()
        except RequestProblem as problem:
            return Plan([], problem=problem.message, field=problem.field)
        lines = to_kickstart.storage_lines(handler)
        session = self.fresh_session()
        try:
            apply_kickstart(session, handler)
        except StorageProblem as problem:
            log.info("Layout not planned: %s", problem.message)
            return Plan(lines, problem=problem.message)
        except (BlivetError, ValueError) as exc:
            log.exception("Planning the layout")  # not the lines: they hold the passphrase
            return Plan(lines, problem=f"the layout cannot be planned: {' '.join(str(exc).split())}")
        plan = Plan(lines, planned_mounts(session), planned_actions(session), session=session)
        log.info("Layout planned: %s; %d actions", ", ".join(f"{m.mountpoint} ({m.device_type})"
                                                           for m in plan.mounts), len(plan.actions))
        return plan

    @property
    def room(self) -> Size:
        """Free space on the selected disks after the reclaim choices."""
        return room(self.request, self._disks)
