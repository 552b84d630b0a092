"""Rescue mode's menu in the TUI: what to do, passphrases, which system, then the shell.

Each screen shows one step of `installer.rescue.session` (the order lives there); disk
work (scan, unlock, mount) runs off the UI thread. The shell itself is not urwid's: the
menu exits with True and `installer.rescue.run` starts the shell on the plain console.
"""
from __future__ import annotations

import logging
from typing import Callable

import urwid

from installer import __version__
from installer.logs import redact
from installer.rescue.devices import Device
from installer.rescue.session import MODES, MountError, RescueSession

from .app import TuiApp
from .screen import Screen
from .widgets import Choice, boxed, error_text, field

log = logging.getLogger("anaconda.tui")

SHELL_NOTE = ("Leaving the shell ('exit') unmounts and closes everything rescue mode set up; "
              "then the machine reboots.")


class RescueScreen(Screen):
    """A page of the rescue menu; Esc does what `escape` says (never leaves the menu)."""

    can_leave_root = True

    def __init__(self, flow: "RescueTui"):
        super().__init__()
        self.flow = flow

    def leave(self) -> bool:
        self.escape()
        return False

    def escape(self) -> None:
        """Esc on this page; nothing by default."""


def _listbox(rows: list[urwid.Widget]) -> urwid.Widget:
    return urwid.Padding(urwid.ListBox(urwid.SimpleFocusListWalker(rows)), left=1, right=1)


class ModeScreen(RescueScreen):
    title = "RESCUE"
    help_text = ("Rescue mode looks for installed Linux systems on the disks, unlocks "
                 "encrypted ones with your passphrase, mounts the one you pick under "
                 "/mnt/sysroot and gives you a shell. Nothing is installed or formatted.\n\n"
                 "1 mounts it read-write, 2 read-only, 3 gives a shell without mounting, "
                 "4 reboots.")

    def body(self) -> urwid.Widget:
        rows: list[urwid.Widget] = [
            urwid.Text("This finds an installed Linux system and mounts it under "
                       f"{self.flow.session.sysroot}, with a shell to repair it."),
            urwid.Divider()]
        rows += [Choice(f"{n}) {label}", mode, self.pick) for n, (mode, label) in enumerate(MODES, 1)]
        return _listbox(rows)

    def shortcut(self, key: str) -> bool:
        if key.isdigit() and 1 <= int(key) <= len(MODES):
            self.pick(MODES[int(key) - 1][0])
            return True
        return False

    def keys_hint(self) -> str:
        return "F1 Help  1-4 or arrows and Enter: choose"

    def pick(self, mode: str) -> None:
        self.flow.session.choose_mode(mode)
        self.flow.advance()


class WorkingScreen(RescueScreen):
    """Disk work in the background with a line saying what; then the next step."""

    title = "RESCUE"
    help_text = "Rescue mode is working on the disks; this takes a moment."

    def __init__(self, flow: "RescueTui", what: str, work: Callable[[], object]):
        super().__init__(flow)
        self.what, self.work, self.started = what, work, False

    def enter(self) -> None:
        if not self.started:
            self.started = True
            self.app.run_background("rescue", self.work, self.done)

    def done(self, _result, error: BaseException | None) -> None:
        if isinstance(error, MountError):
            self.flow.errors.append(str(error))
        elif error is not None:
            log.error("Rescue: %s failed: %r", self.what, error)
            self.flow.errors.append(f"{self.what} failed: {error}")
        self.flow.advance()

    def body(self) -> urwid.Widget:
        return _listbox([urwid.Text(self.what + "...")])

    def keys_hint(self) -> str:
        return "Please wait"


class PassphraseScreen(RescueScreen):
    title = "RESCUE: UNLOCK"
    help_text = ("This device is encrypted (LUKS). Type its passphrase and press Enter to "
                 "unlock it; Esc leaves it locked, and what is on it is not mounted.")

    def __init__(self, flow: "RescueTui", device: Device):
        super().__init__(flow)
        self.device = device
        self.edit = urwid.Edit("", mask="*")
        self.message = ""
        self.busy = False

    def body(self) -> urwid.Widget:
        rows: list[urwid.Widget] = [
            urwid.Text(f"{self.device.describe()} is encrypted."),
            urwid.Divider(),
            field("Passphrase:", boxed(self.edit), width=13),
            urwid.Divider()]
        if self.busy:
            rows.append(urwid.Text("Unlocking..."))
        elif self.message:
            rows.append(error_text(self.message))
        walker = _listbox(rows)
        walker.original_widget.focus_position = 2
        return walker

    def keys_hint(self) -> str:
        return "F1 Help  Enter Unlock  Esc Leave it locked"

    def shortcut(self, key: str) -> bool:
        if key != "enter" or self.busy:
            return False
        passphrase = self.edit.edit_text
        if not passphrase:
            self.message = "Type the passphrase first (Esc leaves the device locked)."
            self.redraw()
            return True
        self.busy = True
        self.redraw()
        self.app.run_background("unlock", lambda: self.flow.session.unlock(self.device, passphrase),
                                self.unlocked)
        return True

    def unlocked(self, result, error: BaseException | None) -> None:
        self.busy = False
        self.edit.set_edit_text("")
        if error is None and result.ok:
            self.flow.advance()
            return
        if error is not None:
            self.message = f"cannot unlock {self.device.path}: {error}"
        elif result.wrong_passphrase:
            self.message = (f"Wrong passphrase for {self.device.path}. Try again, or press "
                            "Esc to leave it locked.")
        else:
            self.message = result.message
        self.redraw()

    def escape(self) -> None:
        if not self.busy:
            self.flow.session.skip(self.device)
            self.flow.advance()


class ChooseScreen(RescueScreen):
    title = "RESCUE: WHICH SYSTEM"
    help_text = "Pick the system to mount under /mnt/sysroot; Esc gives a shell without mounting."

    def body(self) -> urwid.Widget:
        session = self.flow.session
        rows: list[urwid.Widget] = [urwid.Text("These installed systems were found:"), urwid.Divider()]
        rows += [Choice(f"{n}) {s.describe()}", s, self.pick)
                 for n, s in enumerate(session.systems, 1)]
        rows.append(Choice(f"{len(session.systems) + 1}) None: a shell without mounting", None, self.pick))
        return _listbox(rows)

    def keys_hint(self) -> str:
        return "F1 Help  Arrows and Enter: choose  Esc Shell without mounting"

    def pick(self, system) -> None:
        if system is None:
            self.escape()
        else:
            self.flow.mount(system)

    def escape(self) -> None:
        self.flow.session.no_mount()
        self.flow.advance()


class ReadyScreen(RescueScreen):
    title = "RESCUE: READY"
    help_text = "Enter starts a shell. " + SHELL_NOTE

    def body(self) -> urwid.Widget:
        session = self.flow.session
        rows: list[urwid.Widget] = [error_text(f"Error: {e}") for e in self.flow.errors]
        rows += [urwid.Text(redact(line)) for line in session.shell_hint()]
        if session.mounted is not None:
            rows.append(urwid.Divider())
            rows += [urwid.Text(f"  {where:<16} {device}") for where, device in session.mounted.filesystems]
        if session.skipped:
            rows.append(urwid.Text("Left locked: " + ", ".join(d.path for d in session.skipped)))
        rows += [urwid.Divider(), urwid.Text("Press Enter for a shell. " + SHELL_NOTE)]
        return _listbox(rows)

    def keys_hint(self) -> str:
        return "F1 Help  Enter Shell"

    def shortcut(self, key: str) -> bool:
        if key == "enter":
            self.app.exit(True)
            return True
        return False


class RescueTui:
    """Shows the screen for the session's next step until the shell (or quit)."""

    def __init__(self) -> None:
        self.app: TuiApp | None = None
        self.session: RescueSession | None = None
        self.errors: list[str] = []

    def build(self, session: RescueSession) -> TuiApp:
        self.session = session
        self.app = TuiApp(session, title=f"ANACONDA-LEAN {__version__} RESCUE")
        self.advance()
        return self.app

    def interact(self, session: RescueSession) -> bool:
        return bool(self.build(session).run())

    def advance(self) -> None:
        session, app = self.session, self.app
        step = session.step()
        if step.name == "mode":
            screen: Screen = ModeScreen(self)
        elif step.name == "scan":
            screen = WorkingScreen(self, "Looking for installed Linux systems on the disks", session.scan)
        elif step.name == "unlock":
            screen = PassphraseScreen(self, step.device)
        elif step.name == "find":
            screen = WorkingScreen(self, "Reading the file systems found", session.find)
        elif step.name == "choose":
            screen = ChooseScreen(self)
        elif step.name == "mount":
            self.mount(session.systems[0])
            return
        elif step.name == "shell":
            screen = ReadyScreen(self)
        else:
            app.exit(False)
            return
        app.replace(screen)

    def mount(self, system) -> None:
        how = "read-only" if self.session.readonly else "read-write"
        self.app.replace(WorkingScreen(self, f"Mounting {system.describe()} {how}",
                                       lambda: self.session.mount(system)))


def create() -> RescueTui:
    return RescueTui()
