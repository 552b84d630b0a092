"""Installing from a live image (kickstart `liveimg`) instead of packages.

The image is a tarball of a root file system (unpacked with tar) or a file system image
(squashfs, ext4, xfs, an ISO) whose tree is copied with rsync, keeping owners,
permissions, ACLs, xattrs, hard links and device nodes, as Anaconda does. This module
fetches (http, https, ftp, file), checks the sha256 and copies; mounting an image is the
installer's job (installer/sources.py). Progress goes to a `report(message, fraction)`.
"""
from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

from .events import PayloadFailure

log = logging.getLogger("anaconda.payload")

Report = Callable[[str, float], None]

#: Anaconda's tarball names, and zstd's.
TAR_SUFFIXES = (".tar", ".tbz", ".tgz", ".txz", ".tar.bz2", ".tar.gz", ".tar.xz", ".tar.zst",
                ".tzst")
#: magic bytes -> tar's decompression option
COMPRESSION = ((b"\x1f\x8b", "--gzip"), (b"BZh", "--bzip2"), (b"\xfd7zXZ\x00", "--xz"),
               (b"\x28\xb5\x2f\xfd", "--zstd"))
#: (offset, magic, what): file system images the kernel mounts
IMAGE_MAGIC = ((0, b"hsqs", "squashfs"), (1080, b"\x53\xef", "ext2/3/4"), (0, b"XFSB", "xfs"),
               (32769, b"CD001", "ISO 9660"), (65600, b"_BHRfS_M", "btrfs"),
               (1024, b"\xe2\xe1\xf5\xe0", "erofs"))
#: The API file systems, left out whole (during a disk install the installer's own are
#: bind-mounted there: not even their modes may change) and made empty afterwards.
API_DIRS = {"dev": 0o755, "proc": 0o555, "sys": 0o555, "run": 0o755}
#: Left out of the copy too, as Anaconda leaves them out: temporary files, rescue kernels,
#: boot loader entries and the image's machine identity (each installed system makes its own).
EXCLUDED = ("tmp/*", "boot/*rescue*", "boot/loader", "boot/loader/*", "etc/machine-id",
            "etc/machine-info")
CHUNK = 1024 * 1024
TIMEOUT = 30  # seconds without an answer from the server


class LiveImageError(PayloadFailure):
    """What went wrong, in words a person can act on (the caller adds the kickstart line)."""

    def __init__(self, message: str):
        super().__init__("LiveImageError", message)


@dataclass
class LiveImage:
    url: str
    checksum: str = ""
    proxy: str = ""
    sslverify: bool = True

    @property
    def is_local(self) -> bool:
        return urlsplit(self.url).scheme == "file"


def _throttled(report: Report, interval: float = 0.5) -> Report:
    """At most a few progress events a second (a serial console is slow)."""
    last = [0.0]

    def send(message: str, done: float) -> None:
        now = time.monotonic()
        if now - last[0] >= interval or done >= 1.0:
            last[0] = now
            report(message, done)
    return send


def local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise LiveImageError("a file: URL names no host; use file:///PATH")
    return Path(unquote(parts.path))


def fetch(image: LiveImage, dest: Path, report: Report) -> Path:
    """The image as a local file: a file: URL as it is, anything else downloaded to `dest`."""
    scheme = urlsplit(image.url).scheme.lower()
    if scheme == "file":
        path = local_path(image.url)
        if not path.is_file():
            raise LiveImageError(f"{path}: no such file")
        return path
    if scheme not in ("http", "https", "ftp"):
        raise LiveImageError(f"{scheme or 'no'} scheme; expected http(s)://, ftp:// or file:///")
    try:
        (_ftp if scheme == "ftp" else _http)(image, dest, _throttled(report))
    except BaseException:
        dest.unlink(missing_ok=True)
        raise
    return dest


def _check_room(dest: Path, size: int) -> None:
    free = shutil.disk_usage(dest.parent).free
    if size and size > free:
        raise LiveImageError(f"the image is {size / 2**20:.0f} MiB but the target has only "
                             f"{free / 2**20:.0f} MiB free at {dest.parent}")


def _save(chunks, dest: Path, size: int, report: Report) -> None:
    _check_room(dest, size)
    done = 0
    try:
        with open(dest, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
                done += len(chunk)
                report(f"Downloading the image: {done / 2**20:.0f}"
                       + (f" of {size / 2**20:.0f} MiB" if size else " MiB"), done / size if size else 0.0)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise LiveImageError(f"the target is full (No space left on device at {dest.parent}) "
                                 f"after {done / 2**20:.0f} MiB of the image") from None
        raise
    log.info("Downloaded %d bytes to %s", done, dest)


def _http(image: LiveImage, dest: Path, report: Report) -> None:
    import requests

    proxies = {"http": image.proxy, "https": image.proxy} if image.proxy else None
    if not image.sslverify:  # --noverifyssl asked for it: no warning on the console
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    try:
        with requests.get(image.url, stream=True, timeout=TIMEOUT, proxies=proxies,
                          verify=image.sslverify) as reply:
            if reply.status_code != 200:
                raise LiveImageError(f"HTTP {reply.status_code} {reply.reason}")
            size = int(reply.headers.get("content-length") or 0)
            _save(reply.iter_content(CHUNK), dest, size, report)
    except requests.exceptions.SSLError as exc:
        raise LiveImageError(f"TLS certificate not accepted ({exc}); --noverifyssl skips the "
                             "check") from None
    except requests.exceptions.ConnectionError as exc:
        raise LiveImageError(f"cannot connect to {_server(image.url)} ({_reason(exc)})") from None
    except requests.RequestException as exc:
        raise LiveImageError(f"download failed: {exc}") from None


def _server(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _reason(error: Exception) -> str:
    """The operating system's words inside requests' and urllib3's wrapping, if any."""
    found = re.findall(r"\[Errno -?\d+\] ([^'\")\]]+)", str(error))
    return found[-1].strip() if found else str(error)


def _ftp(image: LiveImage, dest: Path, report: Report) -> None:
    import urllib.error
    import urllib.request

    handlers = [urllib.request.ProxyHandler({"ftp": image.proxy})] if image.proxy else []
    try:
        with urllib.request.build_opener(*handlers).open(image.url, timeout=TIMEOUT) as reply:
            size = int(reply.headers.get("content-length") or 0)
            _save(iter(lambda: reply.read(CHUNK), b""), dest, size, report)
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, OSError) and exc.filename:
            raise  # writing the download failed (a full target): the caller's OSError
        raise LiveImageError(f"download failed: {getattr(exc, 'reason', exc)}") from None


def normal_checksum(text: str) -> str | None:
    """The sha256 in `text` (hex, `sha256:` in front allowed), lower case; None if it is none."""
    value = text.strip().lower().removeprefix("sha256:")
    return value if re.fullmatch(r"[0-9a-f]{64}", value) else None


def verify(path: Path, checksum: str, report: Report) -> str:
    """sha256 of the file; LiveImageError when it is not the one expected."""
    expected = normal_checksum(checksum)
    if expected is None:
        raise LiveImageError(f"--checksum={checksum} is no sha256 (64 hexadecimal digits)")
    size = path.stat().st_size or 1
    digest, done, report = hashlib.sha256(), 0, _throttled(report)
    with open(path, "rb") as image:
        while chunk := image.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            report("Checking the image's sha256", done / size)
    actual = digest.hexdigest()
    if actual != expected:
        raise LiveImageError(f"the image's sha256 is {actual}, not {expected}: the file is not "
                             "the one the kickstart names (changed, damaged or incomplete)")
    log.info("sha256 of %s matches: %s", path, actual)
    return actual


@dataclass(frozen=True)
class Kind:
    tar: bool
    what: str  # "tarball (--gzip)", "squashfs"...
    compression: str = ""  # tar's option, "" for a plain tar


def kind_of(path: Path, name: str = "") -> Kind:
    """A tarball (by name as Anaconda, or by its bytes) or a file system image (by magic)."""
    with open(path, "rb") as f:
        head = f.read(65608)
    compression = next((option for magic, option in COMPRESSION if head.startswith(magic)), "")
    if (name or path.name).lower().endswith(TAR_SUFFIXES) or compression or head[257:262] == b"ustar":
        return Kind(True, f"tarball{' (' + compression.lstrip('-') + ')' if compression else ''}",
                    compression)
    for offset, magic, what in IMAGE_MAGIC:
        if head[offset:offset + len(magic)] == magic:
            return Kind(False, what)
    raise LiveImageError("the file is neither a tarball (.tar, .tgz, .tar.xz, ...) nor a file "
                         "system image (squashfs, ext4, xfs, ISO)")


def fat_mounts(root: Path) -> list[str]:
    """Paths (relative to root) of FAT file systems mounted under the target root, such as
    /boot/efi: they take no owners, modes, links or xattrs, so they are copied apart."""
    found = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return found
    base = os.path.realpath(root)
    for line in lines:
        fields = line.split()
        point, fstype = fields[4], fields[fields.index("-") + 1]
        if fstype in ("vfat", "msdos") and point.startswith(base.rstrip("/") + "/"):
            found.append(point[len(base):].strip("/"))
    return found


def _tail(path: Path, lines: int = 15) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def _full_disk(output: str, root: Path) -> LiveImageError | None:
    if "No space left on device" in output:
        usage = shutil.disk_usage(root)
        return LiveImageError(f"the target is full (No space left on device at {root}, "
                              f"{usage.total / 2**20:.0f} MiB in all): the image's files need "
                              "more room; make the root file system larger")
    return None


def unpack_tar(path: Path, kind: Kind, root: Path, report: Report) -> None:
    """Unpack the tarball into root, fed through tar's stdin so progress is the share of
    the (compressed) file read; a FAT mount under root gets its files without owners."""
    fats = fat_mounts(root)
    trees = [*API_DIRS, *fats]  # left out whole, the directory's own entry too
    excluded = [*trees, *(f"{name}/*" for name in trees), *EXCLUDED]
    argv = ["tar", "-x", "-f", "-", "-C", str(root), "--numeric-owner", "--acls", "--selinux",
            "--xattrs", "--xattrs-include=*", "--anchored", "--wildcards"]
    argv += [kind.compression] if kind.compression else []
    argv += [f"--exclude={prefix}{pattern}" for pattern in excluded for prefix in ("", "./")]
    _feed_tar(argv, path, root, _throttled(report), 1.0 if not fats else 0.9)
    for fat in fats:
        _unpack_fat(path, kind, root, fat)
    make_api_dirs(root)


def make_api_dirs(root: Path) -> None:
    """/dev, /proc, /sys, /run as empty mount points where the copy left them out."""
    for name, mode in API_DIRS.items():
        if not (root / name).exists():
            (root / name).mkdir(mode=mode)
            os.chmod(root / name, mode)


def _feed_tar(argv: list[str], path: Path, root: Path, report: Report, share: float) -> None:
    log.info("Running: %s < %s", " ".join(argv), path)
    size = path.stat().st_size or 1
    with tempfile.TemporaryFile() as errors_file:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=errors_file,
                                stderr=subprocess.STDOUT)
        done = 0
        try:
            with open(path, "rb") as archive:
                while chunk := archive.read(CHUNK):
                    proc.stdin.write(chunk)
                    done += len(chunk)
                    report(f"Unpacking the image: {done / 2**20:.0f} of {size / 2**20:.0f} MiB",
                           share * done / size)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # tar stopped early: its exit code and output say why
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        code = proc.wait()
        errors_file.seek(0)
        output = errors_file.read().decode(errors="replace").strip()
    for line in output.splitlines()[-50:]:
        log.info("tar: %s", line)
    if code != 0:
        raise _full_disk(output, root) or LiveImageError(
            f"tar could not unpack the image (exit {code}): " + "\n".join(output.splitlines()[-8:]))


def _unpack_fat(path: Path, kind: Kind, root: Path, fat: str) -> None:
    """A second pass for one FAT mount point: its members only, without owners or modes."""
    argv = ["tar", "-x", "-f", str(path), "-C", str(root), "--no-same-owner",
            "--no-same-permissions", "--no-acls", "--no-xattrs", "--no-selinux", "--wildcards",
            "--anchored"] + ([kind.compression] if kind.compression else [])
    argv += [f"--exclude={fat}/loader", f"--exclude=./{fat}/loader", f"{fat}/*", f"./{fat}/*"]
    result = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    problems = [line for line in result.stderr.splitlines() if "Not found in archive" not in line
                and "previous errors" not in line]
    if result.returncode != 0 and problems:
        raise _full_disk(result.stderr, root) or LiveImageError(
            f"tar could not unpack /{fat} (a FAT file system): " + "\n".join(problems[-8:]))


PROGRESS_RE = re.compile(r"\s(\d{1,3})%\s")


def copy_tree(source: Path, root: Path, report: Report) -> None:
    """Copy the mounted image's tree into root with rsync (owners, modes, ACLs, xattrs,
    times, links, hard links, devices; one file system), then FAT mounts without owners."""
    if not shutil.which("rsync"):
        raise LiveImageError("rsync is needed to copy a file system image (Debian package rsync)")
    fats = fat_mounts(root)
    argv = ["rsync", "-pogAXtlHrDx", "--info=progress2", "--no-inc-recursive", "--stats"]
    argv += [f"--exclude=/{pattern}" for pattern in (*API_DIRS, *EXCLUDED, *fats)]
    _run_rsync(argv + [f"{source}/", f"{root}/"], root, _throttled(report))
    for fat in fats:
        if (source / fat).is_dir():
            _run_rsync(["rsync", "-rx", "--exclude=/loader/", f"{source / fat}/", f"{root / fat}/"],
                       root, lambda *a: None)
    make_api_dirs(root)


def _run_rsync(argv: Sequence[str], root: Path, report: Report) -> None:
    log.info("Running: %s", " ".join(argv))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    kept: list[str] = []
    pending = b""
    try:
        while chunk := proc.stdout.read1(65536):
            pending += chunk
            *parts, pending = re.split(rb"[\r\n]", pending)
            for part in parts:
                _rsync_line(part.decode(errors="replace").strip(), kept, report)
        _rsync_line(pending.decode(errors="replace").strip(), kept, report)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    code = proc.wait()
    output = "\n".join(kept)
    if code != 0:
        raise _full_disk(output, root) or LiveImageError(
            f"rsync could not copy the image (exit {code}): " + "\n".join(kept[-8:]))


def _rsync_line(line: str, kept: list[str], report: Report) -> None:
    """A progress line becomes an event; anything else (errors, the statistics) is logged."""
    if not line:
        return
    match = PROGRESS_RE.search(" " + line)
    if match and ("to-chk" in line or "/s" in line):
        report(f"Copying the image: {match.group(1)}%", int(match.group(1)) / 100)
        return
    kept.append(line)
    del kept[:-200]
    log.info("rsync: %s", line)


def kernels(root: Path) -> list[str]:
    """Kernel versions the installed tree brings (their modules; the initramfs is remade)."""
    modules = [root / "usr/lib/modules", root / "lib/modules"]
    found = {p.name for d in modules if d.is_dir() for p in d.iterdir() if p.is_dir()}
    return sorted(found)
