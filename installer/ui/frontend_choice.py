"""Which front end a run gets, decided before urwid is imported at all.

Anaconda's rules, on a text-only installer:
- `inst.cmdline` (or `--cmdline`), `inst.noninteractive` and the kickstart's `cmdline`
  command: never ask anything. The kickstart's `text` command counts as `inst.text`.
- a kickstart that leaves nothing to ask: the cmdline front end prints progress lines,
  unless `inst.text` asks for the full-screen progress; at low-memory level 2 even then
  the cmdline one (issue 7: the TUI is dropped when no interaction is needed).
- otherwise (no kickstart, or one that leaves mandatory settings out): the TUI, which with
  a kickstart shows only what is missing. With no terminal to ask on, a kickstart run
  falls back to the cmdline front end and says what it will do without.
"""
from __future__ import annotations

from dataclasses import dataclass

from installer.bootopts import BootOptions
from storage.commands import is_layout


def missing_from_kickstart(handler, seen: set[str], disk_install: bool) -> list[str]:
    """Mandatory settings a kickstart left out that have no safe default.

    Only these two: a language, time zone, source and package set all have defaults an
    unattended install may use, but nobody may be guessed a disk to erase or a way to log
    in (Anaconda stops at its hub for the same two)."""
    missing = []
    if disk_install and not any(is_layout(name) for name in seen):
        missing.append("Installation destination")
    admin = any("wheel" in (user.groups or []) for user in handler.user.userList)
    if not handler.rootpw.seen and not admin:
        missing.append("Root password")
    return missing


def kickstart_mode(handler) -> str | None:
    """"cmdline", "text" or "graphical" when the kickstart gave its display mode command;
    "noninteractive" for any of them with --non-interactive (nothing may be asked)."""
    from pykickstart.constants import DISPLAY_MODE_CMDLINE, DISPLAY_MODE_TEXT

    command = getattr(handler, "displaymode", None)
    if command is None or not command.seen:
        return None
    if getattr(command, "nonInteractive", False):
        return "noninteractive"
    return {DISPLAY_MODE_CMDLINE: "cmdline", DISPLAY_MODE_TEXT: "text"}.get(command.displayMode,
                                                                            "graphical")


@dataclass(frozen=True)
class FrontendChoice:
    name: str  # "cmdline" or "tui"
    reason: str


def choose_frontend(options: BootOptions, level: int, have_kickstart: bool,
                    missing: list[str], terminal: bool, mode: str | None = None) -> FrontendChoice:
    """`mode`: the kickstart's display mode command (kickstart_mode), if any."""
    if options.cmdline:
        return FrontendChoice("cmdline", "inst.cmdline")
    if options.noninteractive:
        return FrontendChoice("cmdline", "inst.noninteractive: nothing may be asked")
    if mode == "cmdline":
        return FrontendChoice("cmdline", "the kickstart's cmdline command")
    if mode == "noninteractive":
        return FrontendChoice("cmdline", "the kickstart's --non-interactive: nothing may be asked")
    if have_kickstart and not missing:
        if not (options.text or mode == "text"):
            return FrontendChoice("cmdline", "the kickstart leaves nothing to ask")
        if level >= 2:
            return FrontendChoice("cmdline", "low-memory level 2 and nothing to ask: "
                                             "the TUI is not loaded despite inst.text")
        return FrontendChoice("tui", "inst.text")
    if not terminal:
        if have_kickstart:
            return FrontendChoice("cmdline", "no terminal to ask on; the kickstart leaves out "
                                             + ", ".join(missing) + " and the defaults are used")
        return FrontendChoice("none", "")
    if have_kickstart:
        return FrontendChoice("tui", "the kickstart leaves out " + ", ".join(missing))
    return FrontendChoice("tui", "no kickstart")
