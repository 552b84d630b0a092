"""Kickstart's `btrfs`: a volume over the `part btrfs.NN` members, and its subvolumes; with
`--noformat` or `--useexisting` (the same to pykickstart) an existing volume or subvolume,
named by --name or --label, is mounted with its data."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import StorageProblem
from .existing import find_existing, reuse
from .session import StorageSession


@dataclass
class BtrfsRequest:
    mountpoint: str
    name: str = ""  # the volume's label, or the subvolume's name
    devices: list[str] = field(default_factory=list)  # btrfs.01 ... or, for a subvolume, the volume
    subvol: bool = False
    data_level: str = ""
    metadata_level: str = ""
    useexisting: bool = False
    format: bool = True
    mkfsoptions: str = ""
    where: str = "btrfs"


def _plan_existing(session: StorageSession, request: BtrfsRequest, volumes: dict) -> None:
    """btrfs --useexisting/--noformat (one option to pykickstart): the volume or subvolume
    --name/--label names is mounted with its data, as in Anaconda."""
    if not request.name:
        raise StorageProblem(f"{request.where} --noformat needs --name (the subvolume) or "
                             "--label (the volume) of the existing btrfs")
    kinds = ("btrfs subvolume",) if request.subvol else ("btrfs volume", "btrfs subvolume")
    found = [d for d in session.blivet.devices if d.exists and d.type in kinds
             and (d.name == request.name or getattr(d.format, "label", None) == request.name)]
    if not found:
        raise StorageProblem(f"{request.where} --noformat: there is no existing btrfs "
                             f"{'subvolume' if request.subvol else 'volume or subvolume'} {request.name}")
    device = find_existing(session, found[0].name, request.where, "btrfs")
    reuse(session, device, request.mountpoint, "", False, {}, request.where)
    volumes[request.name] = device


def plan_btrfs(session: StorageSession, request: BtrfsRequest, members: dict, volumes: dict) -> None:
    storage = session.blivet
    if request.useexisting or not request.format:
        _plan_existing(session, request, volumes)
        return
    if request.mkfsoptions:
        session.warnings.append(f"{request.where} --mkfsoptions={request.mkfsoptions}: not applied; "
                                "btrfs volumes are made with mkfs.btrfs's defaults (blivet 3.7 "
                                "passes no options)")
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
