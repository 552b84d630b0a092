"""What the disks' systems sit on, brought up for rescue and taken down again: md arrays
assembled, LUKS opened with a passphrase, LVM volume groups activated.

Everything this module starts is recorded in order, and `close()` undoes it in reverse
(LVs before the LUKS they sit on before the md under it), so a person's disks are left as
they were found. What was already running (udev assembled an array, something opened a
LUKS device before) is used but never closed. Read-only rescue opens LUKS and md
read-only and activates LVs read-only, so not even a journal replay reaches the disk.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field

from installer import program

from .devices import SYS_BLOCK as SYS, Device, Runner, holders, wait_for

log = logging.getLogger("anaconda.rescue")

#: lvm otherwise warns about every descriptor the installer has open
LVM_ENV = {"LVM_SUPPRESS_FD_WARNINGS": "1"}
#: cryptsetup's exit code for a passphrase that opens no key slot
WRONG_PASSPHRASE = 2


@dataclass(frozen=True)
class Opened:
    """One thing rescue started: kind "md", "luks" or "lvm", and its name or path."""

    kind: str
    name: str
    devices: str = ""  # lvm: the PVs it was activated on (lvm --devices)


@dataclass(frozen=True)
class UnlockResult:
    path: str | None = None  # the opened mapping, /dev/mapper/luks-UUID
    wrong_passphrase: bool = False
    message: str = ""  # what went wrong, naming the device

    @property
    def ok(self) -> bool:
        return self.path is not None


def _dm_name(kernel_name: str) -> str:
    try:
        return (SYS / kernel_name / "dm" / "name").read_text().strip()
    except OSError:
        return ""


def _dm_uuid(kernel_name: str) -> str:
    try:
        return (SYS / kernel_name / "dm" / "uuid").read_text().strip()
    except OSError:
        return ""


def _said(result: program.ProgramResult) -> str:
    text = " ".join(line.strip() for line in result.output.splitlines() if line.strip())
    return text or f"exit code {result.returncode}"


@dataclass
class Stack:
    readonly: bool = False
    run: Runner = program.run
    opened: list[Opened] = field(default_factory=list)

    # ---- md ----------------------------------------------------------------------------
    def assemble_md(self, members: list[Device]) -> tuple[list[str], list[str]]:
        """Arrays of these members, assembled unless already running: (array paths,
        problems naming the members)."""
        arrays: list[str] = []
        problems: list[str] = []
        groups: dict[str, list[Device]] = {}
        for member in members:
            groups.setdefault(member.uuid or member.path, []).append(member)
        for uuid, group in groups.items():
            running = [h for m in group for h in holders(m.path) if h.startswith("md")]
            if running:
                arrays.append(f"/dev/{running[0]}")
                log.info("md array %s (UUID %s) is already running", running[0], uuid)
                continue
            path = _free_md()
            argv = ["mdadm", "--assemble", path, "--run", *(["--readonly"] if self.readonly else []),
                    *(m.path for m in group)]
            result = self.run(argv)
            if result.returncode != 0 or not wait_for(path):
                problems.append(f"cannot assemble the RAID array of {', '.join(m.path for m in group)}: "
                                f"mdadm: {_said(result)}")
                continue
            self.opened.append(Opened("md", path))
            arrays.append(path)
        return arrays, problems

    # ---- LUKS --------------------------------------------------------------------------
    def already_open(self, device: Device) -> str | None:
        """The mapping of a LUKS device someone opened before rescue did."""
        for holder in holders(device.path):
            if holder.startswith("dm-") and _dm_uuid(holder).startswith("CRYPT-"):
                name = _dm_name(holder)
                return f"/dev/mapper/{name}" if name else f"/dev/{holder}"
        return None

    def unlock(self, device: Device, passphrase: str) -> UnlockResult:
        """Open a LUKS device as luks-UUID (read-only in read-only rescue); a wrong
        passphrase is said as such, any other failure with cryptsetup's words."""
        existing = self.already_open(device)
        if existing:
            return UnlockResult(path=existing)
        name = f"luks-{device.uuid}" if device.uuid else f"luks-{device.kernel_name}"
        argv = ["cryptsetup", "open", "--type", "luks", *(["--readonly"] if self.readonly else []),
                "--key-file=-", device.path, name]
        result = self.run(argv, stdin=passphrase)
        if result.returncode == WRONG_PASSPHRASE:
            return UnlockResult(wrong_passphrase=True,
                                message=f"{device.path}: wrong passphrase (no key slot opened)")
        path = f"/dev/mapper/{name}"
        if result.returncode != 0:
            return UnlockResult(message=f"cannot unlock {device.path}: cryptsetup: {_said(result)}")
        self.opened.append(Opened("luks", name))
        if not wait_for(path):
            return UnlockResult(message=f"{device.path} was unlocked but {path} did not appear")
        return UnlockResult(path=path)

    # ---- LVM ---------------------------------------------------------------------------
    def _lvm(self, args: list[str], pvs: list[Device]) -> program.ProgramResult:
        """An lvm command that sees only these PVs (never another disk's volume groups)."""
        devices = ",".join(pv.path for pv in pvs)
        return self.run(["lvm", *args[:1], "--devices", devices, *args[1:]], env=LVM_ENV)

    def activate_lvm(self, pvs: list[Device]) -> tuple[list[tuple[str, tuple[str, ...]]], list[str]]:
        """Every LV of the volume groups on these PVs, activated: ([(dm path, aliases)],
        problems naming the volume group)."""
        if not pvs:
            return [], []
        listed = self._lvm(["pvs", "--noheadings", "--separator", "|", "-o", "pv_name,vg_name"], pvs)
        if listed.returncode != 0:
            return [], [f"cannot read the LVM physical volumes {', '.join(p.path for p in pvs)}: "
                        f"lvm: {_said(listed)}"]
        vgs = sorted({line.split("|")[1].strip() for line in listed.output.splitlines()
                      if line.count("|") == 1 and line.split("|")[1].strip()})
        lvs: list[tuple[str, tuple[str, ...]]] = []
        problems: list[str] = []
        made = {os.path.realpath(p) for p in self.made_paths()}
        for vg in vgs:
            if any(o.kind == "lvm" and o.name == vg for o in self.opened):
                lvs += self._active_lvs(vg, pvs)  # activated on an earlier pass
                continue
            on_ours = any(os.path.realpath(pv.path) in made for pv in pvs
                          if self._vg_of(listed.output, pv.path) == vg)
            if on_ours or not self._any_active(vg, pvs):
                # a volume group on a LUKS or md device rescue opened is rescue's to close,
                # also when udev activated it the moment its PV appeared
                argv = ["vgchange", "-ay", vg]
                if self.readonly:
                    argv[1:1] = ["--config", f'activation {{ read_only_volume_list = [ "{vg}" ] }}']
                result = self._lvm(argv, pvs)
                if result.returncode != 0:
                    problems.append(f"cannot activate the volume group {vg}: lvm: {_said(result)}")
                    continue
                self.opened.append(Opened("lvm", vg, ",".join(pv.path for pv in pvs)))
            lvs += self._active_lvs(vg, pvs)
        return lvs, problems

    def made_paths(self) -> set[str]:
        """The devices rescue created: opened LUKS mappings and assembled md arrays."""
        return {f"/dev/mapper/{o.name}" if o.kind == "luks" else o.name
                for o in self.opened if o.kind in ("luks", "md")}

    @staticmethod
    def _vg_of(pvs_output: str, path: str) -> str:
        for line in pvs_output.splitlines():
            name, _, vg = line.partition("|")
            if os.path.realpath(name.strip()) == os.path.realpath(path):
                return vg.strip()
        return ""

    def _lv_rows(self, vg: str, pvs: list[Device]) -> list[list[str]]:
        result = self._lvm(["lvs", "--noheadings", "--separator", "|", "-o",
                            "vg_name,lv_name,lv_dm_path,lv_active", vg], pvs)
        return [[f.strip() for f in line.split("|")] for line in result.output.splitlines()
                if line.count("|") == 3]

    def _any_active(self, vg: str, pvs: list[Device]) -> bool:
        return any(row[3] == "active" for row in self._lv_rows(vg, pvs))

    def _active_lvs(self, vg: str, pvs: list[Device]) -> list[tuple[str, tuple[str, ...]]]:
        found = []
        for vg_name, lv, dm_path, active in self._lv_rows(vg, pvs):
            if active == "active" and dm_path and wait_for(dm_path, 5):
                found.append((dm_path, (f"/dev/{vg_name}/{lv}",)))
        return found

    # ---- taking it down ----------------------------------------------------------------
    def close(self) -> tuple[list[str], list[str]]:
        """Undo what was started, newest first; every step is tried. Returns (what was
        closed, what could not be), each naming the device."""
        done: list[str] = []
        failed: list[str] = []
        for item in reversed(self.opened):
            if item.kind == "lvm":
                result = self.run(["lvm", "vgchange", "--devices", item.devices, "-an", item.name],
                                  env=LVM_ENV)
                what = f"volume group {item.name} deactivated"
            elif item.kind == "luks":
                result = self.run(["cryptsetup", "close", item.name])
                what = f"LUKS device {item.name} closed"
            else:
                result = self.run(["mdadm", "--stop", item.name])
                what = f"RAID array {item.name} stopped"
            if result.returncode == 0:
                done.append(what)
            else:
                failed.append(f"{what.rsplit(' ', 1)[0]}: could not be "
                              f"{what.rsplit(' ', 1)[1]}: {_said(result)}")
        self.opened.clear()
        return done, failed


def _free_md() -> str:
    """An md device name nothing uses, counting down from md127 as mdadm itself does."""
    for number in range(127, -1, -1):
        if not os.path.exists(f"/sys/class/block/md{number}") and \
                not os.path.exists(f"/dev/md{number}"):
            return f"/dev/md{number}"
    return "/dev/md/rescue"
