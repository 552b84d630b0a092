"""Rescue mode's plain prompts (inst.rescue with inst.cmdline, or without a terminal):
numbered choices and a passphrase prompt, one line each, so a serial console or a pipe
can answer them.

The passphrase is read with echo off when stdin is a terminal (the installer has no
controlling terminal, so getpass would fall back to echoing it) and never printed.
"""
from __future__ import annotations

import sys
import termios
from typing import TextIO

from installer.logs import redact
from installer.rescue.session import MODES, MountError, RescueSession


class RescuePrompts:
    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    # ---- the conversation ----------------------------------------------------------------
    def interact(self, session: RescueSession) -> bool:
        self.say("Rescue mode: find an installed Linux system, mount it under "
                 f"{session.sysroot} and get a shell.")
        while True:
            step = session.step()
            if step.name == "mode":
                self.ask_mode(session)
            elif step.name == "scan":
                self.say("Looking for installed Linux systems on the disks...")
                session.scan()
                self.problems(session.problems)
            elif step.name == "unlock":
                self.unlock(session, step.device)
            elif step.name == "find":
                found = session.find()
                self.say(f"Found {len(found)} installed Linux system(s).")
            elif step.name == "choose":
                self.choose(session)
            elif step.name == "mount":
                self.mount(session, session.systems[0])
            else:
                return step.name == "shell"

    def ask_mode(self, session: RescueSession) -> None:
        labels = [label for _, label in MODES]
        picked = self.pick("What should rescue mode do?", labels, default=0)
        session.choose_mode(MODES[picked if picked is not None else len(MODES) - 1][0])

    def unlock(self, session: RescueSession, device) -> None:
        while True:
            passphrase = self.secret(f"Passphrase for {device.describe()} "
                                     "(empty: leave it locked): ")
            if not passphrase:
                session.skip(device)
                self.say(f"{device.path} stays locked; what is on it will not be mounted.")
                return
            result = session.unlock(device, passphrase)
            if result.ok:
                self.say(f"{device.path} unlocked as {result.path}.")
                self.problems(session.problems)
                return
            self.say(("Wrong passphrase for " + device.path + "; try again.")
                     if result.wrong_passphrase else result.message)

    def choose(self, session: RescueSession) -> None:
        labels = [s.describe() for s in session.systems] + ["None: a shell without mounting"]
        picked = self.pick("Which system should be mounted?", labels, default=0)
        if picked is None or picked == len(session.systems):
            session.no_mount()
        else:
            self.mount(session, session.systems[picked])

    def mount(self, session: RescueSession, system) -> None:
        how = "read-only" if session.readonly else "read-write"
        self.say(f"Mounting {system.describe()} {how} under {session.sysroot}...")
        try:
            session.mount(system)
        except MountError as exc:
            self.say(f"Error: {exc}")

    # ---- plain input and output ----------------------------------------------------------
    def say(self, text: str) -> None:
        self.stdout.write(redact(text) + "\n")
        self.stdout.flush()

    def problems(self, problems: list[str]) -> None:
        for problem in dict.fromkeys(problems):
            self.say(f"Problem: {problem}")
        problems.clear()

    def line(self, prompt: str) -> str | None:
        """One answer; None at the end of input."""
        self.stdout.write(prompt)
        self.stdout.flush()
        text = self.stdin.readline()
        return text.rstrip("\r\n") if text else None

    def pick(self, question: str, labels: list[str], default: int) -> int | None:
        """A numbered choice; Enter takes `default`; None at the end of input."""
        self.say(question)
        for number, label in enumerate(labels, start=1):
            self.say(f"  {number}) {label}")
        while True:
            answer = self.line(f"Choose 1-{len(labels)} [{default + 1}]: ")
            if answer is None:
                return None
            answer = answer.strip() or str(default + 1)
            if answer.isdigit() and 1 <= int(answer) <= len(labels):
                return int(answer) - 1
            self.say(f"'{answer}' is not one of 1-{len(labels)}.")

    def secret(self, prompt: str) -> str:
        """A line read with echo off on a terminal; "" at the end of input."""
        try:
            fd = self.stdin.fileno()
            old = termios.tcgetattr(fd)
        except (OSError, ValueError, termios.error, AttributeError):
            return self.line(prompt) or ""
        new = list(old)
        new[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSAFLUSH, new)
        try:
            return self.line(prompt) or ""
        finally:
            termios.tcsetattr(fd, termios.TCSAFLUSH, old)
            self.stdout.write("\n")
            self.stdout.flush()


def create() -> RescuePrompts:
    return RescuePrompts()
