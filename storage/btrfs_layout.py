"""Kickstart's `btrfs`: a volume over the `part btrfs.NN` members, and its subvolumes."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import StorageProblem
from .session import StorageSession


@dataclass
class BtrfsRequest:
    mountpoint: str
    name: str = ""  # the volume's label, or the subvolume's name
    devices: list[str] = field(default_factory=list)  # btrfs.01 ... or, for a subvolume, the volume
    subvol: bool = False
    data_level: str = ""
    metadata_level: str = ""
    where: str = "btrfs"


def plan_btrfs(session: StorageSession, request: BtrfsRequest, members: dict, volumes: dict) -> None:
    storage = session.blivet
    if request.subvol:
        parent = volumes.get(request.devices[0]) if request.devices else None
        if parent is None:
            raise StorageProblem(f"{request.where}: no btrfs volume {request.devices[0] if request.devices else ''} "
                                 "(define the volume with `btrfs MOUNT --label=NAME btrfs.NN` first)")
        sub = storage.new_btrfs_sub_volume(parents=[parent], name=request.name,
                                           mountpoint=request.mountpoint)
        storage.create_device(sub)
        return
    missing = [m for m in request.devices if m not in members]
    if missing or not request.devices:
        raise StorageProblem(f"{request.where}: no partition {', '.join(missing) or '(none given)'} "
                             "(add `part btrfs.NN ...` before it)")
    kwargs = {"parents": [members[m] for m in request.devices]}
    if request.data_level:
        kwargs["data_level"] = request.data_level.lower()
    if request.metadata_level:
        kwargs["metadata_level"] = request.metadata_level.lower()
    mount = request.mountpoint if request.mountpoint.startswith("/") else None
    volume = storage.new_btrfs(mountpoint=mount, name=request.name or None, **kwargs)
    storage.create_device(volume)
    volumes[request.name or request.mountpoint] = volume
