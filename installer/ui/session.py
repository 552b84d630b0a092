"""The state of one interactive session: the kickstart handler being edited, and why.

The TUI is a kickstart editor (DESIGN.md "One principle"): every spoke reads and writes
`handler`, and "Begin Installation" hands that same handler to the executor. `seen` holds
the commands a partial kickstart gave, so a spoke can tell "pre-filled" from "default".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from installer.bootopts import BootOptions
from installer.kickstart.boot_defaults import apply_boot_localization
from installer.kickstart.load import LoadedKickstart
from installer.kickstart.version import make_handler
from installer.ui.localization import single_language


@dataclass
class InteractiveSession:
    handler: object
    options: BootOptions
    log_dir: Path
    dry_run: bool = False
    firmware: str | None = None  # --firmware (dry runs): plan for uefi or bios
    images: list[Path] = field(default_factory=list)
    loaded: LoadedKickstart | None = None  # the partial kickstart, when one was given
    seen: set[str] = field(default_factory=set)
    dirinstall: bool = False  # no disks: the destination spoke has nothing to do
    ask_language: bool = True  # False with inst.singlelang: the language spoke is left out

    @property
    def kickstart_given(self) -> bool:
        return self.loaded is not None

    def to_loaded(self) -> LoadedKickstart:
        """The session as the executor takes it: the edited handler, the original text."""
        if self.loaded is not None:
            self.loaded.handler = self.handler
            return self.loaded
        return LoadedKickstart(handler=self.handler, sources=[])


def new_session(options: BootOptions, log_dir: Path, loaded: LoadedKickstart | None = None,
                dry_run: bool = False, images: list[Path] | None = None,
                version: str | None = None, dirinstall: bool = False,
                firmware: str | None = None) -> InteractiveSession:
    handler = loaded.handler if loaded is not None else make_handler(version)
    seen = {c.name for c in loaded.commands_seen} if loaded is not None else set()
    if loaded is None:  # a loaded kickstart has had them (installer.main)
        apply_boot_localization(handler, options, seen)
    if loaded is not None and handler.packages.seen:
        seen.add("%packages")
    single = single_language(handler, options, seen)
    return InteractiveSession(handler=handler, options=options, log_dir=log_dir, dry_run=dry_run,
                              firmware=firmware, images=list(images or []), loaded=loaded, seen=seen,
                              dirinstall=dirinstall, ask_language=not single)


@dataclass(frozen=True)
class Outcome:
    """How an interactive session ended: the exit code and the end action (reboot,
    poweroff) the caller performs once the UI is gone; None leaves the system be."""

    exit_code: int
    action: str | None = None
