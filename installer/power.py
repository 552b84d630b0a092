"""What happens at the end: reboot, power off, halt, or nothing.

Only on the installer image (marked by /etc/anaconda-image, written by the image build)
does the installer act on `reboot`/`poweroff`/`shutdown`/`halt`, by handing the action
to the image's init; a host run (tests, --dirinstall on a workstation) only reports
what the kickstart asked for.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pykickstart.constants import KS_REBOOT, KS_SHUTDOWN


log = logging.getLogger("anaconda.power")

IMAGE_MARKER = Path("/etc/anaconda-image")


def on_installer_image() -> bool:
    return IMAGE_MARKER.exists()


def requested_action(handler) -> str | None:
    """reboot, poweroff or halt as the kickstart says; None when it says nothing."""
    command = handler.reboot
    if not command.seen:
        return None
    if command.action == KS_REBOOT:
        return "reboot"
    if command.action == KS_SHUTDOWN:
        return "poweroff"
    return "halt" if command.currentCmd == "halt" else None


def decide(handler, nokill: bool) -> tuple[str, str | None]:
    """What to tell the user, and the systemctl verb to run (None: leave the system be)."""
    action = requested_action(handler)
    if action is None:
        return "Installation complete; the kickstart asks for no reboot or power off.", None
    if nokill:
        return f"Installation complete; the kickstart asks to {action}, inst.nokill keeps the system up.", None
    if not on_installer_image():
        log.info("Not running %s: this is not the installer image", action)
        return (f"Installation complete; the kickstart asks to {action}, not done on a host "
                "run (only on the installer image)."), None
    if action == "halt":
        return "Installation complete; halted as the kickstart asks (no reboot).", None
    return f"Installation complete; {action} now.", action


#: Where the image's stage2 init looks for the end action; it carries it out after the
#: installer exited (logs flushed, target unmounted), see image/boot/stage2-init.
END_ACTION = Path("/run/anaconda-lean/end-action")


def perform(action: str) -> None:
    END_ACTION.parent.mkdir(parents=True, exist_ok=True)
    END_ACTION.write_text(action + "\n")
    log.info("End action %s handed to the image's init", action)
