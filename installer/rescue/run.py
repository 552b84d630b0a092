"""Rescue mode's entry point, called by `installer.main` instead of an install when
`inst.rescue` (or the kickstart's `rescue`) asks for it.

The front end (the TUI menu, or plain prompts with `inst.cmdline`, without a terminal
or when the kickstart says `cmdline`) walks the session to a mounted system or to a bare
shell; the shell itself runs here, on the plain console after the TUI has gone; then
everything is taken down and the machine reboots (as Anaconda's rescue does), unless the
kickstart asks otherwise or `inst.nokill` keeps it up.
"""
from __future__ import annotations

import logging
import sys
from typing import Protocol

from installer import power
from installer.bootopts import BootOptions
from installer.errors import UsageError
from installer.logs import redact

from .session import NO_MOUNT, READ_ONLY, READ_WRITE, RescueSession
from .shell import run_shell

log = logging.getLogger("anaconda.rescue")


class RescueFrontend(Protocol):
    def interact(self, session: RescueSession) -> bool:
        """Walk the session's steps; True to go on to the shell, False to quit."""


def kickstart_mode(loaded) -> str | None:
    """The kickstart's `rescue --nomount|--romount` as a mode; None: ask the person."""
    if loaded is None or not loaded.handler.rescue.seen:
        return None
    command = loaded.handler.rescue
    return NO_MOUNT if command.nomount else READ_ONLY if command.romount else READ_WRITE


def frontend_name(options: BootOptions, terminal: bool, ks_mode: str | None) -> str:
    """The TUI menu on a terminal; plain prompts with inst.cmdline, inst.noninteractive,
    the kickstart's cmdline command, or without a terminal (a pipe)."""
    if options.cmdline or options.noninteractive or ks_mode in ("cmdline", "noninteractive") \
            or not terminal:
        return "rescue_cmdline"
    return "tui.rescue"


def end_action(loaded, options: BootOptions) -> str | None:
    """reboot, unless the kickstart asks for another end or inst.nokill keeps it up;
    only on the installer image (a host run is left alone)."""
    action = power.requested_action(loaded.handler) if loaded is not None else None
    action = action or "reboot"
    if options.nokill or action == "halt" or not power.on_installer_image():
        return None
    return action


def say(text: str) -> None:
    print(redact(text), flush=True)


def rescue(args, options: BootOptions, loaded) -> int:
    from installer.frontend import load_frontend
    from installer.ui.frontend_choice import kickstart_mode as display_mode

    if args.dry_run or args.dirinstall or args.image:
        raise UsageError("rescue mode mounts the systems on this machine's disks; it does not "
                         "combine with --dry-run, --dirinstall or --image")
    ks_display = display_mode(loaded.handler) if loaded is not None else None
    session = RescueSession(mode=kickstart_mode(loaded))
    name = frontend_name(options, sys.stdin.isatty(), ks_display)
    log.info("Rescue mode (front end %s, mode %s)", name, session.mode or "asked")
    frontend: RescueFrontend = load_frontend(name)
    try:
        if frontend.interact(session):
            for line in session.shell_hint():
                say(line)
            say("When you are done, leave the shell with 'exit': rescue mode then unmounts and "
                "closes everything it set up.")
            run_shell()
    finally:  # also after a failure: nothing rescue set up is left behind
        lines, clean = session.finish()
        for line in lines:
            say(f"rescue: {line}")
    action = end_action(loaded, options)
    if action:
        say(f"rescue: {action} now.")
        power.perform(action)
    else:
        say("rescue: done; the system stays up.")
    return 0 if clean else 3
