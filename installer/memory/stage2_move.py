"""On a network boot, stage2 out of RAM while the target disk is mounted.

A PXE or http boot keeps the whole stage2 squashfs (about 60 MiB) in RAM, where the
kernel can neither drop nor swap it: on a small machine that is a third of what the
install has. Once the target's filesystems are mounted, the image is copied to a file on
the target root and the loop device under stage2 is switched to that copy with
LOOP_CHANGE_FD, the ioctl live media use to move a read-only loop between identical
files. The squashfs above it never notices; the RAM copy is released. Before the target
is unmounted the image goes back into RAM (/run) the same way and the copy is deleted,
so nothing of it stays on the installed system.

A stage2 read on demand over HTTP (image/boot/init, image/boot/httpblk) holds no RAM but
needs the server: the init puts the same read-only loop device over /dev/nbd0, so it
moves to the target the same way (at every memory level: the rest of the install then
no longer depends on the server), and at the end the loop goes back to /dev/nbd0 instead
of a copy in RAM.
"""
from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("anaconda.memory")

LOOP_CHANGE_FD = 0x4C06
LOOP_SET_DIRECT_IO = 0x4C08
STAGE2_MOUNT = Path("/run/rootfs.ro")
COPY_NAME = ".anaconda-stage2.img"  # at the target's root, deleted before it is unmounted
RAM_DIR = Path("/run/install")
CHUNK = 1 << 20


class Stage2MoveError(Exception):
    pass


@dataclass
class Stage2Loop:
    device: Path
    backing: str  # as the kernel names it; " (deleted)" when the initramfs held it
    size: int
    read_only: bool

    @property
    def backing_path(self) -> Path | None:
        """The RAM file still reachable by name (an http-fetched stage2), else None."""
        if self.backing.endswith(" (deleted)") or self.backing_device is not None:
            return None
        return Path(self.backing)

    @property
    def backing_device(self) -> Path | None:
        """The block device under the loop (/dev/nbd0: read on demand over HTTP), else None."""
        path = Path(self.backing)
        try:
            return path if self.backing.startswith("/dev/") and stat.S_ISBLK(path.stat().st_mode) else None
        except OSError:
            return None


@dataclass
class MovedStage2:
    loop: Stage2Loop
    copy: Path


def find_loop(mountpoint: Path = STAGE2_MOUNT, mounts: Path = Path("/proc/mounts"),
              sys_block: Path = Path("/sys/block")) -> Stage2Loop | None:
    """The loop device stage2's squashfs is mounted from, or None (not a boot image)."""
    try:
        lines = mounts.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) < 3 or fields[1] != str(mountpoint) or not fields[0].startswith("/dev/loop"):
            continue
        device = Path(fields[0])
        sysdir = sys_block / device.name
        try:
            backing = (sysdir / "loop/backing_file").read_text().rstrip("\n")
            size = int((sysdir / "size").read_text()) * 512
            read_only = (sysdir / "ro").read_text().strip() == "1"
        except (OSError, ValueError):
            return None
        return Stage2Loop(device, backing, size, read_only)
    return None


def read_on_demand(mountpoint: Path = STAGE2_MOUNT, mounts: Path = Path("/proc/mounts"),
                   sys_block: Path = Path("/sys/block")) -> bool:
    """stage2 is read over the network from an NBD device (httpblk), not held in RAM."""
    loop = find_loop(mountpoint, mounts, sys_block)
    return loop is not None and Path(loop.backing).name.startswith("nbd")


def _copy(source_fd: int, dest: Path, size: int) -> None:
    """Copy `size` bytes, dropping the pages behind us: the point is to free RAM."""
    out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        done = 0
        while done < size:
            chunk = os.pread(source_fd, min(CHUNK, size - done), done)
            if not chunk:
                raise Stage2MoveError(f"stage2 image ended after {done} of {size} bytes")
            os.write(out, chunk)
            os.posix_fadvise(source_fd, done, len(chunk), os.POSIX_FADV_DONTNEED)
            done += len(chunk)
        os.fsync(out)
        os.posix_fadvise(out, 0, size, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(out)


def _switch(loop: Stage2Loop, new_file: Path, direct_io: bool) -> None:
    loop_fd = os.open(loop.device, os.O_RDONLY)
    new_fd = os.open(new_file, os.O_RDONLY)
    try:
        if not direct_io:
            try:
                fcntl.ioctl(loop_fd, LOOP_SET_DIRECT_IO, 0)
            except OSError:
                pass
        fcntl.ioctl(loop_fd, LOOP_CHANGE_FD, new_fd)
        if direct_io:  # reads from the disk copy then skip its page cache: no double caching
            try:
                fcntl.ioctl(loop_fd, LOOP_SET_DIRECT_IO, 1)
            except OSError as exc:
                log.info("stage2: direct I/O on %s not available (%s)", loop.device, exc.strerror)
    except OSError as exc:
        raise Stage2MoveError(f"switching {loop.device} to {new_file} failed: {exc.strerror}") from None
    finally:
        os.close(new_fd)
        os.close(loop_fd)


def move_to_disk(target_root: Path, mountpoint: Path = STAGE2_MOUNT) -> MovedStage2 | None:
    """Put stage2 on the target root; None when there is nothing to move or no room
    (the install then goes on with stage2 in RAM, as before)."""
    loop = find_loop(mountpoint)
    if loop is None:
        log.info("stage2: no loop-mounted image at %s: nothing to move out of RAM", mountpoint)
        return None
    if not loop.read_only:
        log.info("stage2: %s is writable: LOOP_CHANGE_FD needs a read-only loop, stage2 stays in RAM",
                 loop.device)
        return None
    stat = os.statvfs(target_root)
    free = stat.f_bavail * stat.f_frsize
    if free < loop.size * 2:
        log.info("stage2: the target root has %d MiB free, too little to hold stage2 (%d MiB) "
                 "beside the install: it stays in RAM", free >> 20, loop.size >> 20)
        return None
    copy = target_root / COPY_NAME
    fd = os.open(loop.device, os.O_RDONLY)
    try:
        _copy(fd, copy, loop.size)
    except (OSError, Stage2MoveError) as exc:
        copy.unlink(missing_ok=True)
        log.warning("stage2: copying it to %s failed (%s): it stays in RAM", copy, exc)
        return None
    finally:
        os.close(fd)
    try:
        _switch(loop, copy, direct_io=True)
    except Stage2MoveError as exc:
        copy.unlink(missing_ok=True)
        log.warning("stage2: %s: it stays in RAM", exc)
        return None
    ram_file = loop.backing_path
    if ram_file is not None:
        ram_file.unlink(missing_ok=True)
    if loop.backing_device is not None:
        log.info("stage2: %s now reads %s on the target (%d MiB) instead of %s: the rest of "
                 "the install no longer needs the server", loop.device, copy, loop.size >> 20,
                 loop.backing, extra={"memory_event": True})
    else:
        log.info("stage2: %s now reads %s on the target (%d MiB); the RAM that held %s is free",
                 loop.device, copy, loop.size >> 20, loop.backing,
                 extra={"memory_event": True})
    return MovedStage2(loop, copy)


def move_to_ram(moved: MovedStage2, ram_dir: Path = RAM_DIR) -> None:
    """Back into RAM before the target is unmounted; raises Stage2MoveError when that
    fails (the target root then cannot be unmounted: the caller says so). A stage2 read
    on demand goes back to its block device instead (no RAM; the server is needed again
    for what little is read from stage2 until the machine restarts)."""
    device = moved.loop.backing_device
    if device is not None:
        try:
            _switch(moved.loop, device, direct_io=False)
        except Stage2MoveError as exc:
            log.warning("stage2: %s; copying it into RAM instead", exc)
        else:
            moved.copy.unlink(missing_ok=True)
            log.info("stage2: read from %s again (on demand); %s deleted from the target",
                     device, moved.copy, extra={"memory_event": True})
            return
    ram_file = ram_dir / "install.img"
    try:
        ram_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(moved.copy, os.O_RDONLY)
        try:
            _copy(fd, ram_file, moved.loop.size)
        finally:
            os.close(fd)
    except (OSError, Stage2MoveError) as exc:
        ram_file.unlink(missing_ok=True)
        reason = ("no room in RAM" if getattr(exc, "errno", None) in (errno.ENOSPC, errno.ENOMEM)
                  else getattr(exc, "strerror", None) or str(exc))
        raise Stage2MoveError(f"copying stage2 back into {ram_file} failed: {reason}") from None
    _switch(moved.loop, ram_file, direct_io=False)
    moved.copy.unlink(missing_ok=True)
    log.info("stage2: back in RAM (%s); %s deleted from the target", ram_file, moved.copy,
             extra={"memory_event": True})
