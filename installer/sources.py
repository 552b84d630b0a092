"""Installation sources that live on a device: `hd:DEVICE:/path` and `cdrom`.

Each is mounted read-only (an ISO file on the device loop-mounted read-only in turn)
and handed to the payload as a file:// URL; everything is unmounted at the end, also
after a failure. Network and file:// sources pass through untouched.
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

    def __enter__(self) -> "SourceMounts":
        return self

    def __exit__(self, *exc) -> None:
        self.unmount_all()

    def _mount(self, what: str, options: str) -> Path:
        self.base.mkdir(parents=True, exist_ok=True)
        target = Path(tempfile.mkdtemp(prefix="source-", dir=self.base))
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
                           "use http(s)://, file:, hd: or cdrom")

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
