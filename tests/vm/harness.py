"""The QEMU harness shared by the VM tests and `make demo`.

One call, `run_vm`, boots a guest under TCG with raw disk *image files* (virtio-blk, or
scsi-hd on one virtio-scsi controller when a test needs more disks than q35 has PCI slots), captures the
serial console to a file while it runs, enforces a timeout and reads back what the guest
reported. Guests report with lines on the console:

    RESULT: SUCCESS
    RESULT: FAIL <reason>
    RESULT: name=value

Why this shape:
- Only image files, never block devices: the host's own disk is /dev/vda too, and a test
  that confused the two would destroy the machine it runs on (`Disk` refuses devices).
- TCG only (`-accel tcg`): nested KVM hangs guests on these machines (DESIGN.md).
- Disks that are not install targets are digested before and after the run, so a test
  proves the installer left them alone (the "disks not selected are checked byte for byte"
  promise of the VM tier).
- The console is streamed to a file, so a person can `tail -f` a slow TCG install, and a
  progress line goes to stderr every 30 s: the installer's last `[ NN%] step` line when
  the console has one, else the console's last line.
- Networking is qemu's user mode (slirp): the guest reaches the host's 127.0.0.1 servers
  at 10.0.2.2 and nothing else is exposed; `HttpServer` serves kickstarts and repositories.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import http.server
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Literal, Sequence

QEMU = "qemu-system-x86_64"
OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE.fd")  # Debian `ovmf`, 2 MiB build, no secure boot
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS.fd")  # template; each run gets a writable copy
GUEST_HOST_IP = "10.0.2.2"  # the host's 127.0.0.1 as seen from a slirp guest
PROGRESS_EVERY = 30.0
PANIC_GRACE = 3.0  # seconds of console kept after "Kernel panic" before qemu is stopped

ExitState = Literal["poweroff", "reboot", "timeout", "crash", "stopped"]
Firmware = Literal["bios", "uefi"]
Bus = Literal["virtio", "scsi"]
SCSI_CONTROLLER = "scsi0"  # the one virtio-scsi-pci controller every scsi disk hangs on
MAX_SCSI_DISKS = 256  # virtio-scsi's targets per controller (one LUN 0 disk per target)


# --------------------------------------------------------------------------- disks

_SIZE_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(size: str | int) -> int:
    """Bytes in `size`: an int, or "512M", "8G", "1.5G", "4096K" (powers of 1024)."""
    if isinstance(size, int):
        return size
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", size.upper())
    if not match:
        raise ValueError(f"not a size: {size!r}")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


_ZEROS = bytes(1 << 20)


def disk_digest(path: Path, chunk: int = 1 << 20) -> str:
    """sha256 of an image's *content*, reading only allocated extents.

    Holes read as zeros, so the digest is over (offset, data) of every aligned 1 MiB chunk
    that is not all zeros, plus the size. That makes it independent of how the file is
    allocated (a guest writing zeros into a hole does not count as a change, writing one
    non-zero byte anywhere does) and cheap for the mostly sparse images tests use.
    """
    size = path.stat().st_size
    digest = hashlib.sha256(b"disk-digest-v1\0" + size.to_bytes(8, "little"))
    zeros = _ZEROS if chunk == len(_ZEROS) else bytes(chunk)
    with open(path, "rb", buffering=0) as f:
        fd = f.fileno()
        pos = done = 0  # done: chunks below this offset are already hashed
        while pos < size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
                hole = os.lseek(fd, data, os.SEEK_HOLE)
            except OSError as e:
                if e.errno == errno.ENXIO:  # no data after pos
                    break
                if e.errno not in (errno.EINVAL, errno.EOPNOTSUPP):
                    raise
                data, hole = pos, size  # filesystem without SEEK_DATA: read everything
            offset = max(data - data % chunk, done)
            while offset < hole:
                buf = os.pread(fd, chunk, offset)
                if buf != zeros[: len(buf)]:
                    digest.update(offset.to_bytes(8, "little") + buf)
                offset += chunk
            done = offset
            pos = max(hole, done)
    return digest.hexdigest()


_SERIAL_RE = re.compile(r"[A-Za-z0-9_-]{1,20}")


@dataclass
class Disk:
    """A raw disk backed by an image file.

    `bus="virtio"` (the default): a virtio-blk PCI device, vdX in the guest, which sees it as
    /dev/disk/by-id/virtio-NAME (NAME is the serial, at most 20 characters), so kickstarts
    can name disks stably instead of relying on vda/vdb order. Each takes a PCI slot, and
    q35 runs out of them at about 28 disks.
    `bus="scsi"`: a scsi-hd on the run's single virtio-scsi-pci controller (one target per
    disk, up to 256), sdX in the guest (driver virtio_scsi + sd_mod, both in the image's
    initrd), /dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_NAME.
    With `image=None` a sparse file of `size` is created in the run's workdir on first use
    and remembered in `image`, so the same `Disk` object can be installed to and then
    booted (`DiskBoot`) in a second `run_vm`. A given `image` that does not exist yet is
    created with `size`; an existing one is used as is (not copied).

    `install_target=False` marks a disk the installer must not touch: its content digest
    is taken before the run and compared after it (`VmResult.untouched_disks_ok`).
    """

    name: str
    size: str | int = "8G"
    install_target: bool = True
    image: Path | None = None
    bus: Bus = "virtio"

    def __post_init__(self) -> None:
        if not _SERIAL_RE.fullmatch(self.name):
            raise ValueError(f"disk name {self.name!r}: use 1-20 of [A-Za-z0-9_-] (disk serial)")
        if self.bus not in ("virtio", "scsi"):
            raise ValueError(f"disk {self.name}: bus must be 'virtio' or 'scsi', not {self.bus!r}")
        if self.image is not None:
            self.image = Path(self.image)

    @property
    def by_id(self) -> str:
        """The path the guest's udev gives this disk."""
        if self.bus == "scsi":
            return f"/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_{self.name}"
        return f"/dev/disk/by-id/virtio-{self.name}"

    def ensure(self, workdir: Path) -> Path:
        """The image file, created sparse if missing; refuses anything but a regular file."""
        if self.image is None:
            self.image = workdir / f"disk-{self.name}.img"
        path = self.image.resolve()
        if path.exists():
            if not stat.S_ISREG(path.stat().st_mode):
                raise ValueError(f"disk {self.name}: {path} is not a regular file; "
                                 "the harness only hands image files to qemu")
        else:
            if str(path).startswith("/dev/"):
                raise ValueError(f"disk {self.name}: refusing a path under /dev: {path}")
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "xb") as f:
                f.truncate(parse_size(self.size))
        return path

    def qemu_args(self, index: int, bootindex: int | None = None,
                  scsi_id: int | None = None) -> list[str]:
        """-drive/-device for this disk; a scsi disk needs its `scsi_id` (target number)."""
        assert self.image is not None, "call ensure() first"
        drive = f"disk{index}"
        if self.bus == "scsi":
            if scsi_id is None or not 0 <= scsi_id < MAX_SCSI_DISKS:
                raise ValueError(f"disk {self.name}: scsi_id must be 0-{MAX_SCSI_DISKS - 1}")
            device = (f"scsi-hd,drive={drive},bus={SCSI_CONTROLLER}.0,channel=0,"
                      f"scsi-id={scsi_id},lun=0,serial={self.name}")
        else:
            device = f"virtio-blk-pci,drive={drive},serial={self.name}"
        if bootindex is not None:
            device += f",bootindex={bootindex}"
        # cache=unsafe: guest flushes are ignored (fast under TCG); data still reaches the
        # host page cache through qemu's writes, so the file is complete once qemu exits.
        return ["-drive", f"file={self.image},format=raw,if=none,id={drive},cache=unsafe",
                "-device", device]


# --------------------------------------------------------------------------- boot methods

def _firmware_args(firmware: Firmware, efi_vars: Path | None, run_dir: Path) -> list[str]:
    if firmware == "bios":
        return []  # qemu's default SeaBIOS
    if firmware != "uefi":
        raise ValueError(f"firmware must be 'bios' or 'uefi', not {firmware!r}")
    for path in (OVMF_CODE, OVMF_VARS):
        if not path.is_file():
            raise FileNotFoundError(f"{path} missing: install Debian's `ovmf` package")
    if efi_vars is None:
        efi_vars = run_dir / "OVMF_VARS.fd"
        shutil.copyfile(OVMF_VARS, efi_vars)
    elif not efi_vars.exists():
        efi_vars.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(OVMF_VARS, efi_vars)
    return ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={efi_vars}"]


def _with_console(append: str) -> str:
    """Add a serial console unless the caller chose one: the harness reads only ttyS0."""
    if re.search(r"(^|\s)console=", append):
        return append
    return f"{append} console=ttyS0,115200".strip()


@dataclass
class KernelBoot:
    """Direct kernel boot, the way PXE loads the installer: kernel, initrd(s), command line.

    A list of initrds is concatenated into one file in the run directory, as PXE loaders
    and GRUB do (the kernel unpacks concatenated, separately compressed cpio archives), so
    tests can layer an updates image or a kickstart over the base initrd.
    `console=ttyS0,115200` is added to `append` unless it names a console already.
    `efi_vars`: a persistent OVMF variable store (uefi only), shared with a later DiskBoot
    so the boot entries the installer wrote survive; None gives a fresh copy per run.
    """

    kernel: Path
    initrd: Path | list[Path]
    append: str = ""
    firmware: Firmware = field(default="bios", kw_only=True)
    efi_vars: Path | None = field(default=None, kw_only=True)

    def qemu_args(self, run_dir: Path, disks: list[Disk]) -> list[str]:
        parts = self.initrd if isinstance(self.initrd, list) else [self.initrd]
        initrds = [Path(p) for p in parts]
        if len(initrds) == 1:
            initrd = initrds[0]
        else:
            initrd = run_dir / "initrd-combined.img"
            with open(initrd, "wb") as out:
                for part in initrds:
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                    # cpio members are 4-byte aligned; pad so the next archive starts aligned
                    out.write(bytes(-out.tell() % 4))
        return [*_firmware_args(self.firmware, self.efi_vars, run_dir),
                "-kernel", str(self.kernel), "-initrd", str(initrd),
                "-append", _with_console(self.append)]


@dataclass
class IsoBoot:
    """Boot from an ISO in a cdrom drive through the firmware and the ISO's bootloader.

    The cdrom is an AHCI (q35) cd drive with bootindex 0, which both SeaBIOS and OVMF
    honour (plain `-boot d` is ignored by OVMF). `append_extra` is added to every kernel
    line of the ISO's isolinux/syslinux/GRUB configuration by rewriting those files into
    a remastered copy in the run directory (xorriso, boot records replayed): the
    firmware path can't be given a command line any other way, and tests need to pass
    `inst.ks=` to an unmodified image.
    """

    iso: Path
    append_extra: str = ""
    firmware: Firmware = field(default="bios", kw_only=True)
    efi_vars: Path | None = field(default=None, kw_only=True)

    def qemu_args(self, run_dir: Path, disks: list[Disk]) -> list[str]:
        iso = Path(self.iso)
        if self.append_extra.strip():
            iso = remaster_iso(iso, self.append_extra.strip(), run_dir / "boot.iso")
        return [*_firmware_args(self.firmware, self.efi_vars, run_dir),
                "-drive", f"file={iso},media=cdrom,readonly=on,if=none,id=cd0",
                "-device", "ide-cd,drive=cd0,bus=ide.0,bootindex=0"]


@dataclass
class DiskBoot:
    """Boot the installed system from a disk (`disk`: its name; default the first install
    target). That disk gets bootindex 0, which SeaBIOS and OVMF both follow, rather than
    `-boot c`, which OVMF ignores and which cannot pick among several disks."""

    firmware: Firmware = "bios"
    disk: str | None = None
    efi_vars: Path | None = None

    def boot_disk(self, disks: list[Disk]) -> str:
        if self.disk is not None:
            if self.disk not in {d.name for d in disks}:
                raise ValueError(f"DiskBoot: no disk named {self.disk!r}")
            return self.disk
        for d in disks:
            if d.install_target:
                return d.name
        raise ValueError("DiskBoot: no install target disk to boot")

    def qemu_args(self, run_dir: Path, disks: list[Disk]) -> list[str]:
        return _firmware_args(self.firmware, self.efi_vars, run_dir)


IPXE_DEFAULT_ROM = Path("/usr/lib/ipxe/qemu/efi-virtio.rom")  # Debian `ipxe-qemu`


@dataclass
class NetBoot:
    """Boot the way a machine on a PXE network does, with no -kernel: the first NIC's boot
    ROM (iPXE: qemu's default ROM for virtio-net-pci is /usr/lib/ipxe/qemu/efi-virtio.rom
    from Debian's `ipxe-qemu`, which holds a BIOS and an EFI driver, so SeaBIOS and OVMF
    each run theirs) gets DHCP from qemu's user network, which answers with `bootfile` and
    serves `tftp_dir` over TFTP (next-server 10.0.2.2); the NIC has bootindex 0. A boot
    file starting with `#!ipxe` is run by iPXE as a script (its kernel and initrd
    typically come over http from an `HttpServer`).
    `romfile`: another ROM for the NIC (measured with qemu 7.2: SeaBIOS does not boot from
    the NIC once any `romfile=` is given, even the default file, so None leaves qemu's).
    The machine gets `graphics=off`, which makes SeaBIOS copy its and the ROM's screen
    output to the serial console (OVMF does anyway): the console log shows iPXE's DHCP,
    TFTP and http lines.
    """

    tftp_dir: Path
    bootfile: str = "boot.ipxe"
    firmware: Firmware = field(default="bios", kw_only=True)
    efi_vars: Path | None = field(default=None, kw_only=True)
    romfile: Path | None = field(default=None, kw_only=True)

    def rom(self) -> Path:
        rom = Path(self.romfile) if self.romfile else IPXE_DEFAULT_ROM
        if not rom.is_file():
            raise FileNotFoundError(f"{rom} missing: install Debian's `ipxe-qemu` package")
        return rom

    def netdev_options(self) -> str:
        tftp = Path(self.tftp_dir).absolute()
        if "," in str(tftp) or "," in self.bootfile:
            raise ValueError(f"NetBoot: no commas in qemu options: {tftp}, {self.bootfile}")
        return f",tftp={tftp},bootfile={self.bootfile}"

    def nic_options(self) -> str:
        rom = self.rom()
        return (f",romfile={rom}" if self.romfile else "") + ",bootindex=0"

    def qemu_args(self, run_dir: Path, disks: list[Disk]) -> list[str]:
        return _firmware_args(self.firmware, self.efi_vars, run_dir)


Boot = KernelBoot | IsoBoot | DiskBoot | NetBoot

_KERNEL_LINE = re.compile(r"^(\s*(?:append|linux|linuxefi|linux16)\s+\S.*?)\s*$", re.I)


def remaster_iso(iso: Path, extra: str, out: Path) -> Path:
    """A copy of `iso` whose bootloader configs carry `extra` on every kernel line."""
    listing = subprocess.run(["xorriso", "-indev", str(iso), "-find", "/", "-type", "f",
                              "-name", "*.cfg"], capture_output=True, text=True, check=True)
    configs = [l.strip().strip("'") for l in listing.stdout.splitlines() if l.startswith("'/")]
    edit_dir = out.parent / "iso-edit"
    shutil.rmtree(edit_dir, ignore_errors=True)
    edit_dir.mkdir(parents=True)
    try:
        maps: list[str] = []
        for n, config in enumerate(configs):
            local = edit_dir / f"{n}.cfg"
            subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(iso), "-extract", config,
                            str(local)], capture_output=True, check=True)
            lines = local.read_text(errors="surrogateescape").splitlines(keepends=True)
            changed = False
            for i, line in enumerate(lines):
                m = _KERNEL_LINE.match(line.rstrip("\r\n"))
                if m:
                    lines[i] = f"{m.group(1)} {extra}\n"
                    changed = True
            if changed:
                local.write_text("".join(lines), errors="surrogateescape")
                maps += ["-map", str(local), config]
        if not maps:
            raise RuntimeError(f"{iso}: no bootloader config has a kernel line for {extra!r}")
        out.unlink(missing_ok=True)
        subprocess.run(["xorriso", "-indev", str(iso), "-outdev", str(out),
                        "-boot_image", "any", "replay", *maps],
                       capture_output=True, text=True, check=True)
    finally:
        shutil.rmtree(edit_dir, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- results

# CSI sequences, OSC sequences, and two-character escapes
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RESULT = re.compile(r"RESULT:[ \t]*(.*)")
_KEY_VALUE = re.compile(r"([A-Za-z_][\w.\-/]*)=(.*)")


#: The cmdline front end's progress line: "[ 42%] Installing packages: ..."
PROGRESS_LINE = re.compile(r"\[\s*\d{1,3}%\] \S.*")


def progress_of(line: str) -> str | None:
    """The installer's progress line inside a console line, if it is one."""
    match = PROGRESS_LINE.search(line)
    return match.group(0) if match else None


def clean_line(line: str) -> str:
    """A console line without ANSI escapes, carriage returns or other control characters."""
    return _CONTROL.sub("", _ANSI.sub("", line.replace("\r", "")))


@dataclass(frozen=True)
class Result:
    """One `RESULT:` line. kind: "success", "fail" (text = reason), "value" (key, value),
    or "note" for anything else after `RESULT:`."""

    kind: Literal["success", "fail", "value", "note"]
    text: str
    key: str | None = None
    value: str | None = None


def parse_result(text: str) -> Result:
    text = text.strip()
    word, _, rest = text.partition(" ")
    if word.rstrip(":") == "SUCCESS":
        return Result("success", rest.strip())
    if word.rstrip(":") == "FAIL":
        return Result("fail", rest.strip())
    match = _KEY_VALUE.fullmatch(text)
    if match:
        return Result("value", text, match.group(1), match.group(2).strip())
    return Result("note", text)


def parse_results(console: str) -> list[Result]:
    """Every `RESULT:` on the console, wherever it starts in a line (a serial line may be
    prefixed by a kernel message or escape-sequence garbage)."""
    results = []
    for raw in console.split("\n"):
        for segment in raw.split("\r"):  # a bare CR (prompt redraw) starts a new line too
            line = clean_line(segment)
            match = _RESULT.search(line)
            if match:
                results.append(parse_result(match.group(1)))
    return results


@dataclass
class VmResult:
    """What a run produced. `summary()` is meant for assertion messages."""

    exit_state: ExitState
    returncode: int | None
    wall_seconds: float
    console_text: str
    results: list[Result]
    untouched_disks_ok: bool
    changed_disks: list[str]
    console_log: Path
    qemu_pid: int = 0
    qemu_stderr: str = ""
    command: list[str] = field(default_factory=list)

    @property
    def timed_out(self) -> bool:
        return self.exit_state == "timeout"

    @property
    def values(self) -> dict[str, str]:
        """RESULT key=value pairs (the last one wins for a repeated key)."""
        return {r.key: r.value for r in self.results if r.kind == "value"}  # type: ignore[misc]

    @property
    def failures(self) -> list[str]:
        return [r.text or "(no reason given)" for r in self.results if r.kind == "fail"]

    @property
    def succeeded(self) -> bool:
        """At least one `RESULT: SUCCESS` and no `RESULT: FAIL`."""
        return any(r.kind == "success" for r in self.results) and not self.failures

    @property
    def disk_message(self) -> str:
        if self.untouched_disks_ok:
            return "disks not selected for installation are unchanged"
        return "disks that must not be touched were changed: " + ", ".join(self.changed_disks)

    def summary(self, tail: int = 40) -> str:
        lines = [clean_line(l) for l in self.console_text.splitlines()[-tail:]]
        return "\n".join([
            f"exit_state={self.exit_state} returncode={self.returncode} "
            f"wall={self.wall_seconds:.1f}s console={self.console_log}",
            f"failures={self.failures} values={self.values}",
            self.disk_message,
            *(["qemu stderr: " + self.qemu_stderr.strip()] if self.qemu_stderr.strip() else []),
            f"--- last {len(lines)} console lines ---", *lines])


# --------------------------------------------------------------------------- http

class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a repository is many small requests

    def log_message(self, format: str, *args) -> None:
        pass

    def log_request(self, code="-", size="-") -> None:
        status = int(code) if str(code).isdigit() else 0
        self.server.requests.append((self.command, self.path, status))  # type: ignore[attr-defined]

    def copyfile(self, source, outputfile) -> None:
        # sendfile(2) for regular files: packages and stage2 images are tens to hundreds of MB
        try:
            outputfile.flush()
            self.connection.sendfile(source)
        except (AttributeError, OSError, ValueError):
            shutil.copyfileobj(source, outputfile, 1 << 20)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a guest's idle keep-alive connection must not block stop()


class HttpServer:
    """A static file server on 127.0.0.1 (a free port) for guests: kickstarts, repositories,
    stage2 images. Use as a context manager so it stops even when the test fails.
    `requests` lists (method, path, status) so tests can check what the guest fetched."""

    def __init__(self, directory: Path, port: int = 0) -> None:
        self.directory = Path(directory)
        handler = functools.partial(_Handler, directory=str(self.directory))
        self._server = _Server(("127.0.0.1", port), handler)
        self._server.requests = []  # type: ignore[attr-defined]
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"http:{self.port}",
                                        daemon=True)
        self._thread.start()

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return self._server.requests  # type: ignore[attr-defined]

    def url(self, relpath: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{relpath.lstrip('/')}"

    def url_for_guest(self, relpath: str = "") -> str:
        return f"http://{GUEST_HOST_IP}:{self.port}/{relpath.lstrip('/')}"

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HttpServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --------------------------------------------------------------------------- running

def _die_with_parent() -> None:
    """In the child before exec: SIGKILL qemu if the harness process dies (PR_SET_PDEATHSIG),
    so a killed pytest cannot leave a guest spinning a CPU."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:
        pass


class _ConsoleReader(threading.Thread):
    """Copies qemu's serial output (stdout pipe) to the log file as it arrives and feeds
    complete lines to the watchers; the unfinished last line is also offered to `stop_on`
    (a shell prompt waits without a newline)."""

    def __init__(self, fd: int, log_path: Path, stop_on: Callable[[str], bool] | None,
                 on_line: Callable[[str], None] | None = None) -> None:
        super().__init__(name="vm-console", daemon=True)
        self.fd = fd
        self.log_path = log_path
        self.stop_on = stop_on
        self.on_line = on_line  # complete lines only
        self.chunks: list[bytes] = []
        self.last_line = ""
        self.last_progress = ""  # the installer's last "[ NN%] step" line
        self.stop_requested = threading.Event()
        self.panic_at: float | None = None
        self.error: BaseException | None = None

    def _watch(self, line: str, complete: bool = True) -> None:
        line = clean_line(line)
        if line.strip():
            self.last_line = line.strip()
        if complete:
            self.last_progress = progress_of(line) or self.last_progress
            if self.on_line is not None:
                self.on_line(line)
        if self.panic_at is None and "Kernel panic - not syncing" in line:
            self.panic_at = time.monotonic()
        if self.stop_on is not None and not self.stop_requested.is_set():
            try:
                if self.stop_on(line):
                    self.stop_requested.set()
            except BaseException as e:  # a broken predicate must not hang the run
                self.error = e
                self.stop_requested.set()

    def run(self) -> None:
        pending = b""
        with open(self.log_path, "wb") as log:
            while True:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    break
                log.write(data)
                log.flush()
                self.chunks.append(data)
                *complete, pending = (pending + data).split(b"\n")
                for raw in complete:
                    self._watch(raw.decode("utf-8", "replace"))
                if pending:
                    self._watch(pending.decode("utf-8", "replace"), complete=False)
        if pending:
            self._watch(pending.decode("utf-8", "replace"))

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", "replace")


def _answering(proc: subprocess.Popen, answers: list[tuple[str, str]],
               stop_on: Callable[[str], bool] | None) -> Callable[[str], bool]:
    """A console watcher that types each answer once when its prompt shows up."""
    pending = list(answers)

    def watch(line: str) -> bool:
        for prompt, text in list(pending):
            if prompt in line:
                pending.remove((prompt, text))
                assert proc.stdin is not None
                proc.stdin.write(text.encode() + b"\r")
                proc.stdin.flush()
        return bool(stop_on and stop_on(line))
    return watch


def _stop_qemu(proc: subprocess.Popen) -> bool:
    """SIGTERM (qemu exits cleanly, flushing images), then SIGKILL after 5 s.
    True if it had to signal qemu."""
    if proc.poll() is not None:
        return False
    try:
        proc.terminate()
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass
    return True


def nic_mac(index: int) -> str:
    """The MAC of network card `index` (0 is qemu's default for the first card)."""
    return f"52:54:00:12:34:{0x56 + index:02x}"


VIRTIO_LOG_PORT = "org.fedoraproject.anaconda.log.0"  # Anaconda's inst.virtiolog default


def virtio_log_args(path: Path, name: str = VIRTIO_LOG_PORT) -> list[str]:
    """A virtio-serial port NAME whose output qemu appends to the file `path` (the guest
    sees /dev/virtio-ports/NAME; the installer's inst.virtiolog writes its logs there)."""
    return ["-device", "virtio-serial-pci,id=vserial0",
            "-chardev", f"file,id=vlog0,path={path}",
            "-device", f"virtserialport,bus=vserial0.0,chardev=vlog0,name={name}"]


def qemu_command(boot: Boot, disks: list[Disk], *, run_dir: Path, memory_mib: int = 1024,
                 smp: int = 1, network: bool = True, cpu: str = "max",
                 extra_args: Iterable[str] = (), nics: int = 1,
                 virtio_log: Path | None = None, mac: str | None = None) -> list[str]:
    """The qemu argv for a run (disks must have been `ensure`d). Kept separate so tests and
    people can see the exact command (it is also written to the run dir as qemu.cmd).
    `virtio_log`: add the virtio-serial log port, its output appended to that file.
    `mac`: the first card's MAC instead of qemu's 52:54:00:12:34:56 (machines of a fleet)."""
    names = [d.name for d in disks]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate disk names: {names}")
    # multi-threaded TCG only pays with several vCPUs; with one it is plain overhead
    accel = "tcg,thread=multi" if smp > 1 else "tcg"
    net_boot = boot if isinstance(boot, NetBoot) else None
    if net_boot is not None and not network:
        raise ValueError("NetBoot needs the network")
    machine = "q35,graphics=off" if net_boot else "q35"  # graphics=off: SeaBIOS's serial console
    argv = [QEMU, "-machine", machine, "-accel", accel, "-cpu", cpu, "-m", str(memory_mib),
            "-smp", str(smp), "-nodefaults", "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot",
            "-object", "rng-random,id=rng0,filename=/dev/urandom",
            "-device", "virtio-rng-pci,rng=rng0"]
    if network:
        argv += ["-netdev", "user,id=n0" + (net_boot.netdev_options() if net_boot else ""),
                 "-device", "virtio-net-pci,netdev=n0" + (f",mac={mac}" if mac else "")
                 + (net_boot.nic_options() if net_boot else "")]
        for n in range(1, nics):  # each on a user network of its own, next PCI slot, own MAC
            argv += ["-netdev", f"user,id=n{n}",
                     "-device", f"virtio-net-pci,netdev=n{n},mac={nic_mac(n)}"]
    else:
        argv += ["-nic", "none"]
    argv += boot.qemu_args(run_dir, disks)
    boot_disk = boot.boot_disk(disks) if isinstance(boot, DiskBoot) else None
    scsi = [d for d in disks if d.bus == "scsi"]
    if len(scsi) > MAX_SCSI_DISKS:
        raise ValueError(f"{len(scsi)} scsi disks: one virtio-scsi controller takes "
                         f"{MAX_SCSI_DISKS}")
    if scsi:
        argv += ["-device", f"virtio-scsi-pci,id={SCSI_CONTROLLER}"]
    scsi_ids = {d.name: target for target, d in enumerate(scsi)}
    for i, disk in enumerate(disks):
        argv += disk.qemu_args(i, bootindex=0 if disk.name == boot_disk else None,
                               scsi_id=scsi_ids.get(disk.name))
    if virtio_log is not None:
        argv += virtio_log_args(Path(virtio_log).absolute())
    return argv + list(extra_args)


def run_vm(boot: Boot, disks: list[Disk], *, workdir: Path, memory_mib: int = 1024, smp: int = 1,
           timeout: float = 900, extra_args: Iterable[str] = (), console_log: Path | None = None,
           stop_on: Callable[[str], bool] | None = None, network: bool = True, cpu: str = "max",
           name: str = "vm", progress_every: float | None = PROGRESS_EVERY,
           answers: Sequence[tuple[str, str]] = (),
           on_line: Callable[[str], None] | None = None, nics: int = 1,
           virtio_log: Path | None = None, mac: str | None = None) -> VmResult:
    """Boot a guest, wait until it powers off / reboots / times out / `stop_on` fires,
    and return what happened. qemu is always gone when this returns, even on exceptions.

    - `workdir`: run directory (created); holds created disk images, the console log
      (`console.log` unless `console_log` is given), qemu.cmd, qemu.pid and qemu.stderr.
    - `stop_on(line)`: called with every console line (ANSI stripped) and with an unfinished
      last line; returning True stops the VM -> exit_state "stopped".
    - exit_state: "poweroff" (qemu exited 0), "reboot" (guest rebooted; -no-reboot turns
      that into an exit), "timeout", "stopped", or "crash" (kernel panic on the console,
      qemu failing, or an exception in `stop_on`).
    - `progress_every`: seconds between progress lines on stderr (None: quiet).
    - `on_line(line)`: called with every complete console line (ANSI stripped).
    - `answers`: (prompt, text) pairs typed on the serial console, each once, when a
      console line (finished or not) contains the prompt: a LUKS passphrase at boot.
    - `nics`: network cards (with `network`); the first has qemu's MAC 52:54:00:12:34:56,
      card N `nic_mac(N)`; each is on a user-mode network of its own (10.0.2.2 is the host
      on every one), so a bond of them fails over. `mac`: the first card's MAC instead.
    - `virtio_log`: a file that receives what the guest writes to its virtio-serial port
      org.fedoraproject.anaconda.log.0 (`inst.virtiolog`), growing while the guest runs.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    console_log = Path(console_log) if console_log else workdir / "console.log"
    console_log.parent.mkdir(parents=True, exist_ok=True)
    for disk in disks:
        disk.ensure(workdir)
    before = {d.name: disk_digest(d.image)  # type: ignore[arg-type]
              for d in disks if not d.install_target}
    argv = qemu_command(boot, disks, run_dir=workdir, memory_mib=memory_mib, smp=smp,
                        network=network, cpu=cpu, extra_args=extra_args, nics=nics,
                        virtio_log=virtio_log, mac=mac)
    (workdir / "qemu.cmd").write_text(shlex.join(argv) + "\n")
    stderr_path = workdir / "qemu.stderr"

    started = time.monotonic()
    state: ExitState | None = None
    signalled = False
    reader: _ConsoleReader | None = None
    with open(stderr_path, "wb") as stderr:
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if answers else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=stderr, start_new_session=True,
                                preexec_fn=_die_with_parent)
    stop_on = _answering(proc, list(answers), stop_on) if answers else stop_on
    try:
        (workdir / "qemu.pid").write_text(f"{proc.pid}\n")  # for people and tests
        assert proc.stdout is not None
        reader = _ConsoleReader(proc.stdout.fileno(), console_log, stop_on, on_line)
        reader.start()
        next_progress = started + progress_every if progress_every else float("inf")
        while True:
            try:
                proc.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if reader.stop_requested.is_set():
                state = "crash" if reader.error else "stopped"
            elif reader.panic_at is not None and now - reader.panic_at > PANIC_GRACE:
                state = "crash"
            elif now - started > timeout:
                state = "timeout"
            if state:
                signalled = _stop_qemu(proc)
                break
            if now >= next_progress:
                shown = f"install {reader.last_progress}" if reader.last_progress else \
                    f"console: {reader.last_line}"
                print(f"{name}: {now - started:.0f} s, {shown[:150]}", file=sys.stderr, flush=True)
                next_progress += progress_every  # type: ignore[operator]
    finally:
        signalled = _stop_qemu(proc) or signalled
        if reader is not None:
            reader.join(timeout=10)
        proc.stdout.close()  # type: ignore[union-attr]
    wall = time.monotonic() - started

    console = reader.text()
    qemu_stderr = stderr_path.read_text(errors="replace")
    # qemu exits 0 on SIGTERM: a signal we did not send must not pass for a poweroff
    killed = re.search(r"terminating on signal \d+.*", qemu_stderr)
    if state is None:
        if killed and not signalled:
            state = "crash"
            qemu_stderr += ("\nqemu was stopped by a signal the harness did not send: "
                            + killed.group(0))
        elif reader.panic_at is not None or proc.returncode != 0:
            state = "crash"
        elif re.search(r"reboot: Restarting system", console):
            state = "reboot"
        else:
            state = "poweroff"
    changed = [d.name for d in disks if not d.install_target
               and disk_digest(d.image) != before[d.name]]  # type: ignore[arg-type]
    if reader.error is not None:
        qemu_stderr += f"\nstop_on raised: {reader.error!r}"
    return VmResult(exit_state=state, returncode=proc.returncode, wall_seconds=wall,
                    console_text=console, results=parse_results(console),
                    untouched_disks_ok=not changed, changed_disks=changed,
                    console_log=console_log, qemu_pid=proc.pid, qemu_stderr=qemu_stderr,
                    command=argv)


__all__ = ["Disk", "KernelBoot", "IsoBoot", "DiskBoot", "NetBoot", "HttpServer", "run_vm", "VmResult",
           "Result", "parse_results", "disk_digest", "qemu_command", "remaster_iso",
           "parse_size", "GUEST_HOST_IP", "nic_mac", "VIRTIO_LOG_PORT", "virtio_log_args"]
