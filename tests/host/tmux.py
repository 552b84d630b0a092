"""The real program in a real terminal: a detached tmux session of a fixed size, keys sent
with `send-keys`, the screen read with `capture-pane`. Each session has its own socket, so
a test never touches another tmux server, and is killed however the test ends."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
import uuid
from pathlib import Path


class Tmux:
    def __init__(self, command: list[str], cwd: Path, width: int = 80, height: int = 24,
                 env: dict[str, str] | None = None):
        self.socket = f"anaconda-test-{uuid.uuid4().hex[:8]}"
        self.name = "tui"
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        # keep the pane after the program exits, so its last screen and exit code can be read
        shell = f"cd {shlex.quote(str(cwd))} && {exports} {shlex.join(command)}; " \
                "echo PANE-EXIT: $?; sleep 3600"
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                   "sh", "-c", shell)
        self._tmux("set-option", "-t", self.name, "status", "off")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True,
                              capture_output=True, text=True).stdout

    def record(self, path: Path) -> None:
        """Append everything the program writes to the pane to `path` (a console log)."""
        self._tmux("pipe-pane", "-o", "-t", self.name, f"cat >> {shlex.quote(str(path))}")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def send(self, *keys: str) -> None:
        """tmux key names: Enter, Escape, Tab, Down, Up, Space, F1, BSpace, C-u ..."""
        for key in keys:
            self._tmux("send-keys", "-t", self.name, key)
            time.sleep(0.15)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.name, "-l", text)
        time.sleep(0.3)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} did not appear within {timeout} s; the screen:\n{shown}")
            time.sleep(0.2)

    def resize(self, width: int, height: int) -> None:
        """The terminal changes size, as a person dragging a window would (SIGWINCH)."""
        self._tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        Path(f"/tmp/tmux-{os.getuid()}/{self.socket}").unlink(missing_ok=True)

    def __enter__(self) -> "Tmux":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hub_numbers(hub: str) -> dict[str, str]:
    """Each spoke's title -> the number that opens it, read from the hub's screen text."""
    return {title.strip(): n for n, title in re.findall(r"(\d+)\) \[.\] ([A-Z][a-z]+(?: [a-z&]+)*)", hub)}
