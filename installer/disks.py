"""Installing to disks: the storage plan made from the kickstart, and the queue tasks
that write it, mount the target and take it down again.

Planning happens before any task runs, so every storage error in the kickstart is
reported with exit code 3 before a single byte is written.
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from installer.bootopts import BootOptions
from installer.errors import StorageError, UsageError
from installer.tasks import Progress
from storage.target import SYSROOT

log = logging.getLogger("anaconda.storage")


def source_devices(options: BootOptions, handler=None) -> dict[str, str]:
    """Devices named by inst.repo/inst.stage2=hd:... or the kickstart's `harddrive
    --partition` must be protected, mounted or not."""
    found = {}
    for what, source in (("the installation source", options.repo), ("the installer image", options.stage2)):
        if source is not None and source.scheme in ("hd", "cdrom") and source.device:
            found[_device_path(source.device)] = f"it holds {what}"
    if handler is not None and handler.harddrive.seen and handler.harddrive.partition:
        found[_device_path(handler.harddrive.partition)] = "it holds the installation source (harddrive)"
    return found


def _device_path(spec: str) -> str:
    if spec.startswith("LABEL="):
        return os.path.realpath(f"/dev/disk/by-label/{spec[6:]}")
    if spec.startswith("UUID="):
        return os.path.realpath(f"/dev/disk/by-uuid/{spec[5:]}")
    return spec if spec.startswith("/dev/") else f"/dev/{spec}"


@dataclass
class DiskInstall:
    session: object  # storage.session.StorageSession
    mounted: list[Path] = field(default_factory=list)
    stage2: object | None = None  # installer.memory.stage2_move.MovedStage2 while on the target

    def actions(self) -> list[str]:
        from storage.plan import describe_actions

        return describe_actions(self.session)

    @property
    def warnings(self) -> list[str]:
        """What planning found that the user should hear of (the install goes on)."""
        return list(getattr(self.session, "warnings", []))

    def snapshots(self, when: str) -> list:
        return [s for s in getattr(self.session, "snapshots", []) if s.when == when]


FIRMWARES = ("uefi", "bios")


def disk_label(options: BootOptions) -> str | None:
    """inst.disklabel=gpt|mbr, or inst.gpt: the label new partition tables get (a
    kickstart's clearpart --disklabel still wins, as in Anaconda). Read with getattr so
    boot options without these attributes work too."""
    label = (getattr(options, "disklabel", None) or "").strip().lower()
    if label:
        return {"mbr": "msdos", "dos": "msdos"}.get(label, label)
    if getattr(options, "gpt", None):
        return "gpt"
    return None


def _dry_run_only(firmware: str | None, dry_run: bool) -> None:
    if firmware and not dry_run:
        raise UsageError("--firmware plans for another machine's firmware and works with "
                         "--dry-run only; an install uses the firmware it runs on")
    if firmware and firmware not in FIRMWARES:
        raise UsageError(f"--firmware {firmware}: expected uefi or bios")


def configure_session(session, options: BootOptions, firmware: str | None = None,
                      dry_run: bool = False) -> None:
    """What boot options and flags say about planning: the firmware to plan for (the
    host's unless --firmware), the label of new partition tables, and whether the plan is
    only shown (missing tools are then warnings)."""
    if firmware:
        _dry_run_only(firmware, dry_run)
        if firmware != session.platform:
            log.info("Planning for %s firmware (this machine has %s)", firmware, session.platform)
        session.platform = firmware
    label = disk_label(options)
    if label:
        if label not in ("gpt", "msdos"):
            raise UsageError(f"inst.disklabel={getattr(options, 'disklabel', label)}: expected gpt or mbr")
        session.disklabel = label
        log.info("New partition tables: %s (boot options)", label)
    session.plan_only = dry_run


#: pykickstart's names for one command, so a located line is found under either.
ALIASES = {"partition": "part"}


def _located(problem, seen: Sequence) -> str:
    """The problem's message with the kickstart file:line in front when storage says which
    command it was applying (its error came from blivet or libblockdev)."""
    if not problem.command or not problem.lineno:
        return problem.message
    name = ALIASES.get(problem.command, problem.command)
    for entry in seen:
        if ALIASES.get(entry.name, entry.name) == name and entry.location.line == problem.lineno:
            return f"{entry.location}: {problem.message}"
    return problem.message


def storage_error(error: BaseException, seen: Sequence = (), what: str = "") -> StorageError:
    """The one translation of storage's problems and of the errors below storage (blivet,
    libblockdev, pyparted, the OS) into the installer's StorageError (exit 3): a problem
    keeps its message, with the kickstart file:line in front when storage named the command
    it was applying; a foreign error becomes "WHAT: error" (errno text and file for OSError)."""
    from storage.errors import StorageProblem
    from storage.faults import describe

    if isinstance(error, StorageProblem):
        return StorageError(_located(error, seen))
    return StorageError(f"{what}: {describe(error)}" if what else describe(error))


@contextmanager
def storage_errors(seen: Sequence = (), what: str = "") -> Iterator[None]:
    """Run the block; storage's problems, and with `what` also blivet's, libblockdev's and
    OS errors, leave it as StorageError (storage_error). Without `what` a foreign error goes
    on to the task queue, which names the task for an OSError."""
    from storage.errors import StorageProblem
    from storage.faults import foreign_errors

    try:
        yield
    except StorageProblem as exc:
        raise storage_error(exc, seen) from exc
    except Exception as exc:
        if not what or not isinstance(exc, foreign_errors()):
            raise
        log.error("%s failed", what, exc_info=True)
        raise storage_error(exc, seen, what) from exc


def scan_disks(options: BootOptions, images: Sequence[Path] = (), dry_run: bool = False,
               firmware: str | None = None, handler=None):
    """The disks to plan on (a storage.session.StorageSession), for an unattended install
    and the TUI alike: the --image files, else this machine's disks with the mounted ones,
    the install source and the installer image protected; then what boot options and flags
    say (configure_session). `dry_run`: the plan is only shown; `firmware` (dry runs only):
    plan for uefi or bios instead of this machine's firmware."""
    from storage.faults import failing_as
    from storage.protection import protect_running_system
    from storage.session import detect_platform, from_image_files, memory_total, scan

    _dry_run_only(firmware, dry_run or bool(images))
    for image in images:
        if not Path(image).is_file():
            raise StorageError(f"--image {image}: no such file (give a disk image file, "
                               "e.g. made with `truncate -s 20G FILE`)")
    with storage_errors():
        if images:
            with failing_as("reading the disk images"):
                session = from_image_files([Path(i) for i in images], detect_platform(), memory_total())
        else:
            with failing_as("scanning the disks"):
                session = scan()
                protect_running_system(session, source_devices(options, handler))
    configure_session(session, options, firmware, dry_run or bool(images))
    return session


def plan_storage(handler, options: BootOptions, images: list[Path] = (),
                 seen: Sequence = (), dry_run: bool = False, firmware: str | None = None) -> DiskInstall:
    """Scan (scan_disks), apply the kickstart's storage commands. `seen` (the loaded
    kickstart's commands_seen) lets an error name the kickstart file."""
    from storage.kickstart import apply_kickstart

    session = scan_disks(options, images, dry_run, firmware, handler)
    with storage_errors(seen):
        apply_kickstart(session, handler)
    for warning in session.warnings:
        log.warning("Storage plan: %s", _located_text(warning, seen))
    return DiskInstall(session)


def _located_text(text: str, seen: Sequence) -> str:
    """"... (kickstart line N) ..." with the kickstart's file:line in front, when known."""
    import re

    match = re.search(r"\(kickstart line (\d+)\)", text)
    if not match or not seen:
        return text
    line = int(match.group(1))
    for entry in seen:
        if entry.location.line == line:
            return f"{entry.location}: {re.sub(r' *[(]kickstart line [0-9]+[)]', '', text)}"
    return text


def storage_warnings(disk: DiskInstall, seen: Sequence = ()) -> list[str]:
    """The plan's warnings as the front end shows them (file:line where known)."""
    return [_located_text(w, seen) for w in disk.warnings]


def snapshot_task(disk: DiskInstall, when: str):
    """Kickstart `snapshot --when=pre-install` (before the layout is written) or
    `--when=post-install` (the installed system, before %post)."""
    def task(progress: Progress) -> None:
        from storage.snapshots import create_snapshots

        with storage_errors(what=f"making the {when} snapshots"):
            done = create_snapshots(disk.session, when)
        progress.step("snapshots made: " + ", ".join(done) if done else "no snapshot to make", 1.0)
    return task


def write_storage(disk: DiskInstall, swap_ready: Callable[[list[str]], object] | None = None):
    """`swap_ready`: called with the swaps the layout made and activated, once it is
    written (the memory subsystem puts them in front of zRAM)."""
    def task(progress: Progress) -> None:
        from storage.execute import execute
        from storage.target import mount_target

        with storage_errors():
            execute(disk.session, lambda message, done: progress.step(message, done * 0.9))
            if swap_ready is not None:
                session = disk.session
                swap_ready([d.path for d in session.blivet.devices if d.id in session.swaps_on])
            disk.mounted = mount_target(disk.session, SYSROOT)
        progress.step(f"target mounted at {SYSROOT}", 1.0)
    return task


def move_stage2_task(disk: DiskInstall):
    """Network boot: stage2 goes to the target root for the heavy part of the install
    (installer/memory/stage2_move.py), out of RAM on a small machine, off the network
    when it was read on demand over HTTP."""
    def task(progress: Progress) -> None:
        from installer.memory.stage2_move import move_to_disk, read_on_demand

        over_http = read_on_demand()
        disk.stage2 = move_to_disk(SYSROOT)
        if disk.stage2:
            progress.step("stage2 now read from the target disk" +
                          ("" if over_http else ", its RAM freed"), 1.0)
        else:
            progress.step("stage2 stays " + ("on the network" if over_http else "in RAM") +
                          " (see anaconda.log)", 1.0)
    return task


def stage2_back_to_ram(disk: DiskInstall) -> None:
    """Before the target is unmounted; a failure is logged (the unmount then fails too)."""
    if disk.stage2 is None:
        return
    from installer.memory.stage2_move import Stage2MoveError, move_to_ram

    try:
        move_to_ram(disk.stage2)
        disk.stage2 = None
    except Stage2MoveError as exc:
        log.error("stage2 could not go back into RAM, so the target root stays in use and "
                  "cannot be unmounted cleanly: %s", exc)


def write_storage_config(disk: DiskInstall):
    def task(progress: Progress) -> None:
        from storage.target import write_config

        with storage_errors():
            write_config(disk.session, SYSROOT)
        progress.step("fstab written", 1.0)
    return task


def system_needs(disk: DiskInstall) -> list:
    """The layout's and boot loader's packages, for the payload request."""
    from payload.model import SystemNeed
    from storage.requirements import system_needs as needs_of

    return [SystemNeed(n.names, n.why, n.required) for n in needs_of(disk.session)]


def wants_bootloader(disk: DiskInstall) -> bool:
    return disk.session.bootloader


def make_initramfs_task(low_memory: bool):
    def task(progress: Progress) -> None:
        from installer.configure.initramfs import make_initramfs

        done = make_initramfs(SYSROOT, lambda message: progress.step(message, 0.1), low_memory)
        progress.step(f"initramfs made for {', '.join(done)}" if done else "no kernel installed", 1.0)
    return task


def install_bootloader_task(disk: DiskInstall, handler, options: BootOptions):
    def task(progress: Progress) -> None:
        from installer.configure.kdump import boot_append
        from storage.bootloader import BootloaderRequest, install_bootloader

        bootloader = handler.bootloader
        request = BootloaderRequest(
            location=bootloader.location if bootloader.seen else "mbr",
            append=boot_append(bootloader.appendLine or "", handler, SYSROOT, options),
            timeout=bootloader.timeout,
            password=bootloader.password or "",
            console_args=[f"console={c}" for c in options.console])
        with storage_errors():
            done = install_bootloader(disk.session, SYSROOT, request)
        progress.step("; ".join(done), 1.0)
    return task


def take_down(disk: DiskInstall) -> None:
    """Unmount and close everything, also after a failure: each step is tried even when one
    before it failed, and each failure is logged (the install's own error, if any, is what
    the user is told)."""
    from storage.target import close_devices, unmount_target

    for what, step in (("unmounting the target", lambda: unmount_target(disk.mounted)),
                       ("closing the devices", lambda: close_devices(disk.session))):
        try:
            failed = step()
        except Exception:
            log.exception("Taking the target down: %s failed", what)
            continue
        if failed:
            log.error("Taking the target down: %s left %s", what, "; ".join(failed))
    disk.mounted = []
