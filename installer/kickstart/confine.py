"""Kickstart scripts of a dry run, confined with bubblewrap so they cannot touch the host.

A dry run must write nothing, yet real kickstarts' %pre scripts run `wipefs`, `parted`
and `mkfs` on the machine's disks and write the `%include` files the plan needs. So in
`--dry-run` a %pre runs inside `bwrap`: the host's `/` read-only, a fresh `/dev` without
block devices, its own `/proc`, no capabilities, new namespaces (network too, unless
asked), and writable `/tmp`, `/var/tmp` and `/run` that are private directories of the
installer. The host's disks are hidden from the scripts that look for them the usual
ways (`lsblk`, `/sys/block`, `/proc/partitions`), so a script picking "the biggest disk"
finds none instead of naming the host's own root disk in its include file. What a script writes there stays readable for the final parse (an
`%include /tmp/part-include` is read from the private `/tmp`) and is deleted afterwards.

Why bubblewrap: it is one small setuid-free program made for exactly this (Flatpak's
sandbox), packaged by Debian and Fedora, and expresses the whole policy in argv; unshare
or systemd-nspawn would need hand-made mount setup or a container tree. Without bwrap, or
where namespaces are refused, the scripts are skipped and the dry run says so.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("anaconda.kickstart")

BWRAP = "bwrap"
#: Directories a confined script may write, each backed by a private host directory.
WRITABLE = ("/tmp", "/var/tmp", "/run")
#: Where the host's block devices are listed; empty inside the sandbox.
DISK_LISTINGS = ("/sys/block", "/sys/class/block", "/sys/dev/block")
PARTITIONS = "/proc/partitions"
#: A confined script gets this long (seconds): one waiting for a person would hang the plan.
TIMEOUT = 300


@dataclass
class Sandbox:
    """One dry run's confinement: the private directories and the bwrap argv around a command."""

    scratch: Path
    network: bool = False
    program: str | None = field(default_factory=lambda: shutil.which(BWRAP))

    @classmethod
    def create(cls, network: bool = False) -> "Sandbox":
        scratch = Path(tempfile.mkdtemp(prefix="anaconda-dry-run-scripts-"))
        for inside in WRITABLE:
            (scratch / inside.lstrip("/")).mkdir(parents=True)
        (scratch / "empty").touch()
        return cls(scratch=scratch, network=network)

    def remove(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()

    @property
    def tmp(self) -> Path:
        """The host directory a script sees as /tmp (where its own file is written)."""
        return self.scratch / "tmp"

    def host_path(self, inside: str) -> Path | None:
        """Where a file a confined script wrote at `inside` is on the host, or None when
        `inside` is not in one of its writable directories."""
        for prefix in WRITABLE:
            if inside == prefix or inside.startswith(prefix + "/"):
                return self.scratch / inside.lstrip("/")
        return None

    def wrap(self, argv: list[str]) -> list[str]:
        """argv run confined: read-only host, private writable dirs, no devices, no caps."""
        assert self.program, "check unavailable() first"
        wrapped = [self.program, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                   "--ro-bind", str(self.scratch / "empty"), PARTITIONS]
        for listing in DISK_LISTINGS:
            wrapped += ["--tmpfs", listing]
        for inside in WRITABLE:
            wrapped += ["--bind", str(self.scratch / inside.lstrip("/")), inside]
        wrapped += ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                    "--chdir", "/tmp"]
        if self.network:
            wrapped.append("--share-net")
        return wrapped + ["--", *argv]

    def unavailable(self) -> str | None:
        """Why scripts cannot be confined here (None: they can), found by a trial run."""
        if not self.program:
            return f"{BWRAP} (bubblewrap) is not installed"
        try:
            trial = subprocess.run(self.wrap(["/bin/true"]), capture_output=True, text=True,
                                   timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{BWRAP} could not be run: {exc}"
        if trial.returncode != 0:
            reason = trial.stderr.strip().splitlines()[-1:] or [f"exit code {trial.returncode}"]
            return f"{BWRAP} could not set up the confinement: {reason[0]}"
        return None
