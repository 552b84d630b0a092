"""The state and work of one rescue session, shared by the TUI menu and the cmdline
prompts: both ask `step()` what to do next and call the method that does it, so the
order (mode, scan, passphrases, which system, mount, shell, take down) is decided here,
once, and tested without any UI.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from installer import program
from installer.logs import register_secret

from . import devices as blockdevs
from .devices import LUKS, LVM_PV, MD_MEMBER, ROOT_FSTYPES, Device, Runner
from .finder import InstalledSystem, find_systems
from .mount import Mounted, MountError, mount_system, unmount
from .stack import Stack, UnlockResult

log = logging.getLogger("anaconda.rescue")

SYSROOT = Path("/mnt/sysroot")  # the same place the installer mounts a new system
WORK = Path("/run/anaconda-lean/rescue")
READ_WRITE, READ_ONLY, NO_MOUNT, QUIT = "rw", "ro", "nomount", "quit"
#: The first question, as Anaconda words its rescue menu: (mode, label).
MODES = ((READ_WRITE, "Continue: find the installed system and mount it read-write"),
         (READ_ONLY, "Read-only mount: find it and mount it read-only"),
         (NO_MOUNT, "Skip to shell: mount nothing"),
         (QUIT, "Quit: reboot without a shell"))


@dataclass(frozen=True)
class Step:
    """What the front end does next: "mode" (ask MODES), "scan", "unlock" (ask a
    passphrase for `device`), "find", "choose" (ask which of `systems`), "mount"
    (the only system), "shell" or "quit"."""

    name: str
    device: Device | None = None


class RescueSession:
    def __init__(self, disks: list[str] | None = None, mode: str | None = None,
                 sysroot: Path = SYSROOT, work: Path = WORK, run: Runner = program.run):
        self.disks = disks
        self.mode = mode
        self.sysroot, self.work, self.run = sysroot, work, run
        self.devices: list[Device] = []
        self.locked: list[Device] = []
        self.skipped: list[Device] = []
        self.problems: list[str] = []
        self.systems: list[InstalledSystem] | None = None
        self.chosen: InstalledSystem | None = None
        self.mounted: Mounted | None = None
        self.scanned = False
        self.stack = Stack(readonly=mode == READ_ONLY, run=run)
        self._handled: set[str] = set()  # md members and PVs already brought up

    # ---- the order of things -------------------------------------------------------------
    def step(self) -> Step:
        if self.mode is None:
            return Step("mode")
        if self.mode in (NO_MOUNT, QUIT):
            return Step("shell" if self.mode == NO_MOUNT else "quit")
        if not self.scanned:
            return Step("scan")
        if self.locked:
            return Step("unlock", self.locked[0])
        if self.systems is None:
            return Step("find")
        if self.mounted is None and self.chosen is None and self.systems:
            return Step("choose" if len(self.systems) > 1 else "mount")
        return Step("shell")

    def choose_mode(self, mode: str) -> None:
        if mode not in (READ_WRITE, READ_ONLY, NO_MOUNT, QUIT):
            raise ValueError(f"unknown rescue mode {mode!r}")
        self.mode = mode
        self.stack.readonly = mode == READ_ONLY
        log.info("Rescue mode: %s", mode)

    @property
    def readonly(self) -> bool:
        return self.mode == READ_ONLY

    # ---- what the disks hold -------------------------------------------------------------
    def scan(self) -> None:
        """Probe the disks and their partitions, bring up md and LVM on them; LUKS devices
        wait in `locked` for a passphrase."""
        disks = self.disks if self.disks is not None else blockdevs.default_disks()
        in_use = blockdevs.mounted_sources()
        log.info("Rescue looks at: %s", ", ".join(disks) or "(no disks)")
        for disk in disks:
            for path in [disk, *blockdevs.partitions(disk)]:
                used = in_use.get(os.path.realpath(path))
                if used:
                    log.info("Leaving %s alone: it is mounted on %s", path, used)
                    continue
                self._add(path)
        self._expand()
        self.scanned = True

    def _add(self, path: str, aliases: tuple[str, ...] = ()) -> None:
        if any(d.path == path for d in self.devices):
            return
        device = blockdevs.probe(path, aliases, run=self.run)
        self.devices.append(device)
        log.info("Device %s", device.describe())
        if device.fstype == LUKS:
            opened = self.stack.already_open(device)
            if opened:
                self._add(opened)
            else:
                self.locked.append(device)

    def _expand(self) -> None:
        """md arrays and LVs on what is known, repeated while new devices turn up (LVM on
        an md array, md on LUKS...)."""
        while True:
            count = len(self.devices)
            members = self._new(MD_MEMBER)
            if members:
                arrays, problems = self.stack.assemble_md(members)
                self.problems += problems
                for array in arrays:
                    for path in [array, *blockdevs.partitions(array)]:
                        self._add(path)
            pvs = self._new(LVM_PV)
            if pvs:
                all_pvs = [d for d in self.devices if d.fstype == LVM_PV]
                lvs, problems = self.stack.activate_lvm(all_pvs)
                self.problems += problems
                for path, aliases in lvs:
                    self._add(path, aliases)
            if len(self.devices) == count:
                return

    def _new(self, fstype: str) -> list[Device]:
        found = [d for d in self.devices if d.fstype == fstype and d.path not in self._handled]
        self._handled.update(d.path for d in found)
        return found

    def unlock(self, device: Device, passphrase: str) -> UnlockResult:
        """Try a passphrase; on success what the LUKS device holds joins the scan."""
        register_secret(passphrase)
        result = self.stack.unlock(device, passphrase)
        if result.ok:
            log.info("Unlocked %s as %s", device.path, result.path)
            self.locked.remove(device)
            self._add(result.path)
            self._expand()
        else:
            log.warning("%s", result.message)
        return result

    def skip(self, device: Device) -> None:
        self.locked.remove(device)
        self.skipped.append(device)
        log.info("Left %s locked", device.path)

    def find(self) -> list[InstalledSystem]:
        candidates = [d for d in self.devices if d.fstype in ROOT_FSTYPES]
        self.systems = find_systems(candidates, self.work, run=self.run)
        return self.systems

    # ---- mounting and the end ------------------------------------------------------------
    def mount(self, system: InstalledSystem) -> Mounted:
        """Raises MountError (the root would not mount); problems further down are in the
        result's `problems`."""
        self.chosen = system
        self.mounted = mount_system(system, self.devices, self.sysroot, self.readonly, run=self.run)
        for problem in self.mounted.problems:
            log.warning("%s", problem)
        return self.mounted

    def no_mount(self) -> None:
        """The person chose the shell without mounting anything found."""
        self.chosen = None
        self.systems = self.systems or []
        self.mode = NO_MOUNT

    def shell_hint(self) -> list[str]:
        """What the person reads before the shell starts."""
        if self.mounted is None:
            lines = ["No system is mounted. The disks' tools are here: cryptsetup, lvm, mdadm, "
                     "mount, fsck, xfs_repair."]
            if self.systems == [] and self.mode != NO_MOUNT:
                lines.insert(0, "No installed Linux system was found on the disks.")
            return lines
        system = self.chosen
        how = "read-only" if self.mounted.readonly else "read-write"
        lines = [f"{system.describe()} is mounted {how} under {self.sysroot}.",
                 f"Run 'chroot {self.sysroot}' to make it the root of this shell."]
        lines += [f"Problem: {p}" for p in self.mounted.problems]
        return lines

    def finish(self) -> tuple[list[str], bool]:
        """Unmount everything, then close what rescue opened. Returns the lines to show
        and whether all of it went cleanly."""
        lines: list[str] = []
        problems: list[str] = []
        if self.mounted is not None:
            done, failed = unmount(self.mounted, run=self.run)
            lines.append(f"Unmounted {len(done)} file system(s) under {self.sysroot}.")
            problems += failed
        closed, failed = self.stack.close()
        lines += [f"{line[0].upper()}{line[1:]}." for line in closed]
        problems += failed
        lines += [f"Problem: {p}" for p in problems]
        clean = not problems
        lines.append("Everything rescue mode set up was unmounted and closed cleanly." if clean
                     else f"Rescue mode could not take down everything ({len(problems)} problem(s) above).")
        for line in lines:
            (log.info if clean else log.warning)("%s", line)
        return lines, clean


__all__ = ["RescueSession", "Step", "MODES", "MountError", "SYSROOT", "READ_WRITE",
           "READ_ONLY", "NO_MOUNT", "QUIT"]
