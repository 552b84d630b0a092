"""Kickstart's `snapshot VG/LV --name=NAME --when=pre-install|post-install`: LVM thin
snapshots, as Anaconda makes them.

The origin must be a thin logical volume: for pre-install one that exists before the
install writes anything (the snapshot keeps the old system), for post-install one of the
planned layout (the snapshot keeps the freshly installed system). Both are checked while
planning, so a wrong origin stops the install before a byte is written. The snapshots are
made by the install's tasks: pre-install ones before the layout is written, post-install
ones once the system is installed and configured, before `%post` (Anaconda makes them at
the end of its installation queue, before `%post` too). An XFS snapshot gets a new UUID,
so origin and snapshot can be mounted side by side.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from .errors import StorageProblem
from .session import StorageSession

log = logging.getLogger("anaconda.storage")

PRE, POST = "pre-install", "post-install"


@dataclass
class SnapshotRequest:
    origin: str  # VG/LV
    name: str
    when: str  # PRE or POST
    lineno: int | None = None
    device: object | None = None  # the origin, found while planning

    @property
    def where(self) -> str:
        return f"snapshot {self.origin} --name={self.name} --when={self.when}"

    def problem(self, text: str) -> StorageProblem:
        return StorageProblem(f"{self.where}: {text}", "snapshot", self.lineno)


def _dm_name(vg: str, lv: str) -> str:
    """The device-mapper name LVM gives VG/LV (dashes doubled, as blivet names LVs)."""
    return f"{vg.replace('-', '--')}-{lv.replace('-', '--')}"


def _find_origin(session: StorageSession, request: SnapshotRequest, stage: str):
    vg_name, _, lv_name = request.origin.partition("/")
    tree = session.blivet.devicetree
    origin = tree.get_device_by_name(_dm_name(vg_name, lv_name))
    if origin is None:
        vg = tree.get_device_by_name(vg_name)
        has = ", ".join(sorted(lv.lvname for lv in vg.lvs)) if vg is not None and vg.type == "lvmvg" else ""
        raise request.problem(f"there is no logical volume {request.origin} {stage}"
                              + (f" (volume group {vg_name} has: {has})" if has
                                 else f" (there is no volume group {vg_name})"))
    if not getattr(origin, "is_thin_lv", False):
        raise request.problem(f"{request.origin} is a {origin.type}, not a thin logical volume; "
                              "LVM snapshots here are thin snapshots (make the origin with "
                              "`logvol --thin` or `autopart --type=thinp`)")
    taken = tree.get_device_by_name(_dm_name(vg_name, request.name))
    if taken is not None:
        raise request.problem(f"volume group {vg_name} already has a logical volume {request.name}")
    return origin


def check_pre_install(session: StorageSession, requests: list[SnapshotRequest]) -> None:
    """Before clearpart and the layout: each origin exists now and is a thin LV."""
    for request in requests:
        request.device = _find_origin(session, request, "on the disks")
        if not request.device.exists:
            raise request.problem("the origin does not exist yet; a pre-install snapshot is of "
                                  "an existing volume (use --when=post-install for a new one)")
        for disk in request.device.disks:
            if disk.name in session.protected:
                raise request.problem(f"{request.origin} is on disk {disk.name}, which cannot be "
                                      f"used: {session.protected[disk.name]}")
        session.snapshots.append(request)


def check_post_install(session: StorageSession, requests: list[SnapshotRequest]) -> None:
    """After the layout: each origin is a thin LV of the planned tree; a pre-install
    snapshot whose origin the layout removes is said to be lost."""
    for request in [r for r in session.snapshots if r.when == PRE]:
        if session.blivet.devicetree.get_device_by_name(request.device.name) is not request.device:
            session.warnings.append(
                f"{request.where} (kickstart line {request.lineno}): the layout removes "
                f"{request.origin} (clearpart or a reused volume group), and the snapshot with it")
    for request in requests:
        request.device = _find_origin(session, request, "in the planned layout")
        session.snapshots.append(request)


def create_snapshots(session: StorageSession, when: str) -> list[str]:
    """Make the snapshots of one kind; returns what was done, for the progress line."""
    from blivet.devices import LVMLogicalVolumeDevice

    done = []
    for request in [r for r in session.snapshots if r.when == when]:
        origin = request.device
        if when == POST:  # the planned origin object is the one that now exists
            origin = session.blivet.devicetree.get_device_by_name(origin.name) or origin
        snapshot = LVMLogicalVolumeDevice(request.name, parents=[origin.pool], seg_type="thin",
                                          origin=origin)
        snapshot.create()
        note = ""
        if snapshot.format.type == "xfs":
            try:
                snapshot.format.reset_uuid()
            except Exception as exc:  # blivet's FSError: its log needs replaying first
                note = " (keeps the origin's XFS UUID: mount it with -o nouuid)"
                log.warning("%s: new XFS UUID not set: %s", request.where, exc)
        try:
            snapshot.teardown()
        except Exception as exc:
            log.warning("%s: deactivating the snapshot: %s", request.where, exc)
        log.info("%s: made %s/%s%s", request.where, origin.vg.name, request.name, note)
        done.append(f"{origin.vg.name}/{request.name} of {request.origin}{note}")
    return done
