"""Installation sources that are mounted: `hd:DEVICE:/path`, `cdrom`, `nfs:` and images.

Each is mounted read-only (an ISO file on the device or the NFS export loop-mounted
read-only in turn) and handed to the payload as a file:// URL; everything is unmounted at
the end, also after a failure. http(s)://, ftp:// and file:// sources pass through.

NFS is mounted by the kernel (`mount -t nfs`, nfs-common's mount.nfs). Where the kernel
has no NFS client (some hosts and containers running `--dirinstall`), the export is read
with libnfs's `nfs-ls`/`nfs-cp` (libnfs-utils) into a temporary copy instead.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from installer import program
from installer.bootopts.values import parse_source
from installer.errors import PayloadError

log = logging.getLogger("anaconda.sources")

MOUNT_BASE = Path("/run/install/sources")
#: Where an NFS export is copied when the kernel cannot mount it (not RAM on a host).
COPY_BASE = Path("/var/tmp")
#: mount's words when the kernel has no NFS client or mount.nfs is missing.
NO_NFS_CLIENT = ("No such device", "unknown filesystem type 'nfs'", "mount.<type> helper")


def resolve_device(spec: str) -> str:
    """LABEL=, UUID=, PARTUUID=, /dev/NAME or NAME to a device node."""
    if "=" in spec:
        result = program.run(["blkid", "-o", "device", "-t", spec])
        device = result.output.strip().splitlines()[0] if result.returncode == 0 and result.output.strip() else ""
        if not device:
            raise PayloadError(f"no device has {spec} (looked with blkid)")
        return device
    device = spec if spec.startswith("/dev/") else f"/dev/{spec}"
    if not Path(device).exists():
        raise PayloadError(f"device {device} does not exist")
    return device


class SourceMounts:
    """Mounts made for sources; a context manager that unmounts them in reverse order.

    Each mount point is a fresh directory (mkdtemp) under `base`: two SourceMounts alive at
    once (the software spoke's check while an install runs, a dry run beside an install)
    must never mount over each other or unmount each other's source."""

    def __init__(self, base: Path = MOUNT_BASE):
        self.base = base
        self.mounted: list[Path] = []
        self.copies: list[Path] = []  # NFS exports read without the kernel

    def __enter__(self) -> "SourceMounts":
        return self

    def __exit__(self, *exc) -> None:
        self.unmount_all()

    def _point(self) -> Path:
        self.base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="source-", dir=self.base))

    def mount_image(self, path: Path) -> Path:
        """A file system image (squashfs, ext4, xfs, ISO) loop-mounted read-only."""
        return self._mount(str(path), "ro,loop")

    def _mount(self, what: str, options: str) -> Path:
        target = self._point()
        result = program.run(["mount", "-o", options, what, str(target)])
        if result.returncode != 0 and "unknown filesystem type 'iso9660'" in result.output \
                and shutil.which("fuseiso"):
            # A kernel without iso9660 (some hosts): read the ISO through FUSE instead.
            log.info("The kernel cannot mount %s; trying fuseiso", what)
            result = program.run(["fuseiso", what, str(target)])
        if result.returncode != 0:
            target.rmdir()
            raise PayloadError(f"cannot mount {what} read-only: {result.output.strip()}")
        self.mounted.append(target)
        log.info("Mounted %s at %s (%s)", what, target, options)
        return target

    def unmount_all(self) -> None:
        """Each one tried even when one before it fails (logged), also on error paths."""
        while self.mounted:
            self._unmount(self.mounted.pop())
        while self.copies:
            shutil.rmtree(self.copies.pop(), ignore_errors=True)

    @staticmethod
    def _unmount(target: Path) -> None:
        if program.run(["umount", str(target)]).returncode != 0 and \
                program.run(["umount", "-l", str(target)]).returncode != 0:
            log.error("Could not unmount the source at %s", target)
            return
        try:
            target.rmdir()
        except OSError as exc:
            log.error("Could not remove the mount point %s: %s", target, exc)

    def _tree_or_iso(self, root: Path, path: str, what: str) -> str:
        inside = root / path.lstrip("/") if path else root
        if inside.is_file():
            iso = self._mount(str(inside), "ro,loop")
            return iso.as_uri()
        if inside.is_dir():
            return inside.as_uri()
        raise PayloadError(f"{what}: {path or '/'} is neither a directory nor an ISO image on the device")

    def url_for(self, location: str) -> str:
        """A URL the payload can use for this source location."""
        if location[:4].lower() == "nfs:":
            return self.nfs_url(*nfs_parts(location), location)
        try:
            source = parse_source(location) if not location.startswith("file://") else None
        except ValueError as exc:
            raise PayloadError(f"source {location!r}: {exc}") from None
        if source is None or source.scheme in ("http", "https", "ftp"):
            return location
        if source.scheme == "file":
            return Path(source.path).as_uri()
        if source.scheme == "hd":
            device = resolve_device(source.device)
            root = self._mount(device, "ro")
            return self._tree_or_iso(root, source.path, location)
        if source.scheme == "cdrom":
            return self._find_cdrom(source.device, location)
        raise PayloadError(f"{location}: {source.scheme}: sources are not supported yet; "
                           "use http(s)://, file:, hd:, cdrom or nfs:")

    def nfs_url(self, options: str, server: str, path: str, what: str) -> str:
        """The repository at SERVER:/PATH as a file:// URL: a tree, an ISO named by the
        path, or the first ISO in the directory (as Anaconda: ISOs first)."""
        if not server or not path.startswith("/"):
            raise PayloadError(f"{what}: expected nfs:[OPTIONS:]SERVER:/PATH")
        directory, iso = path.rsplit("/", 1) if path.endswith(".iso") else (path, "")
        root = self._nfs_root(options, server, directory or "/", iso, what)
        if iso:
            if not (root / iso).is_file():
                raise PayloadError(f"{what}: {server}:{path}: no such ISO image on the server")
            return self.mount_image(root / iso).as_uri()
        isos = sorted(p for p in root.glob("*.iso") if p.is_file())
        if isos:
            log.info("NFS source %s: using the ISO image %s", what, isos[0].name)
            return self.mount_image(isos[0]).as_uri()
        if (root / "repodata/repomd.xml").is_file():
            return root.as_uri()
        raise PayloadError(f"{what}: {server}:{directory} holds neither a repository "
                           "(repodata/repomd.xml) nor an ISO image")

    def _nfs_root(self, options: str, server: str, path: str, only: str, what: str) -> Path:
        """The export mounted read-only (nolock, as Anaconda); copied with libnfs when the
        kernel has no NFS client (`only`: the one file needed from it)."""
        words = ["ro"] + [w for w in options.split(",") if w and w != "rw"]
        words += [] if "nolock" in words else ["nolock"]
        target = self._point()
        result = program.run(["mount", "-t", "nfs", "-o", ",".join(words), f"{server}:{path}",
                              str(target)])
        if result.returncode == 0:
            self.mounted.append(target)
            log.info("Mounted %s:%s at %s (%s)", server, path, target, ",".join(words))
            return target
        target.rmdir()
        output = result.output.strip()
        if any(word in output for word in NO_NFS_CLIENT) and shutil.which("nfs-cp"):
            log.info("The kernel cannot mount NFS here (%s); reading %s:%s with libnfs", output,
                     server, path)
            return self._nfs_copy(options, server, path, only, what)
        raise PayloadError(f"{what}: cannot mount {server}:{path} over NFS "
                           f"(-o {','.join(words)}): {output or 'mount failed'}")

    def _nfs_copy(self, options: str, server: str, path: str, only: str, what: str) -> Path:
        query = libnfs_query(options)
        base = f"nfs://{server}{path.rstrip('/')}"
        if only:
            entries = [("-", only)]
        else:
            listing = program.run(["nfs-ls", "-R", base + query], timeout=300)
            if listing.returncode != 0:
                raise PayloadError(f"{what}: cannot read {server}:{path} over NFS: "
                                   f"{listing.output.strip() or 'nfs-ls failed'}")
            entries = [(line[0], line.split(None, 5)[5]) for line in listing.output.splitlines()
                       if len(line.split(None, 5)) == 6 and line[0] in "d-"]
        COPY_BASE.mkdir(parents=True, exist_ok=True)
        dest = Path(tempfile.mkdtemp(prefix="anaconda-nfs-", dir=COPY_BASE))
        self.copies.append(dest)
        for kind, name in entries:
            local = dest / name
            if kind == "d":
                local.mkdir(parents=True, exist_ok=True)
                continue
            local.parent.mkdir(parents=True, exist_ok=True)
            copied = program.run(["nfs-cp", f"{base}/{name}{query}", str(local)], timeout=3600)
            if copied.returncode != 0:
                raise PayloadError(f"{what}: cannot read {server}:{path}/{name} over NFS: "
                                   f"{copied.output.strip() or 'nfs-cp failed'}")
        log.info("Copied %d entries of %s:%s to %s", len(entries), server, path, dest)
        return dest

    def _find_cdrom(self, device: str, location: str) -> str:
        if device:
            candidates = [resolve_device(device)]
        else:
            result = program.run(["blkid", "-o", "device", "-t", "TYPE=iso9660"])
            candidates = [d for d in result.output.split() if os.path.exists(d)]
        for candidate in candidates:
            root = self._mount(candidate, "ro")
            if (root / "repodata/repomd.xml").exists():
                return root.as_uri()
            self.mounted.remove(root)
            self._unmount(root)
        raise PayloadError(f"{location}: no optical disc with a repository (repodata/) found")


def nfs_parts(location: str) -> tuple[str, str, str]:
    """(options, server, path) of `nfs:[OPTIONS:]SERVER:/PATH` or `nfs://SERVER[:]/PATH`."""
    rest = location.split(":", 1)[1] if ":" in location else ""
    if rest.startswith("//"):
        rest = rest[2:]
        server, sep, path = rest.partition(":")
        if not sep:
            server, _, path = rest.partition("/")
            path = "/" + path
        return "", server, path
    parts = rest.rsplit(":", 2)
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return ("", parts[0], parts[1]) if len(parts) == 2 else ("", "", rest)


#: mount.nfs options libnfs understands, by the name of its URL argument
LIBNFS_ARGS = {"vers": "version", "nfsvers": "version", "port": "nfsport", "mountport": "mountport"}


def libnfs_query(options: str) -> str:
    """NFS mount options as libnfs URL arguments (?version=4&nfsport=2049); others logged."""
    args = []
    for word in filter(None, options.split(",")):
        name, _, value = word.partition("=")
        if name in LIBNFS_ARGS and value:
            value = value.split(".")[0] if name.endswith("vers") else value  # 4.2 -> 4
            args.append(f"{LIBNFS_ARGS[name]}={value}")
        elif name not in ("ro", "nolock"):
            log.info("NFS option %s has no libnfs equivalent; not used", word)
    return "?" + "&".join(args) if args else ""
