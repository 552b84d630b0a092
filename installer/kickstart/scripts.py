"""Running kickstart scripts: %pre, %pre-install, %post, %onerror and %traceback.

Each script is written to a file, run by its interpreter (in the target's chroot for a
%post without --nochroot), and its output goes to program.log, to its own
ks-script-*.log in the log directory and, with --log, to the file it names. A failing
script stops the install only with --erroronfail, as in Anaconda. In a dry run the
context carries a Sandbox and scripts run confined by it (confine.py).

A script without --interpreter runs with bash: on Anaconda's platforms /bin/sh is bash,
and public kickstarts rely on it (`function f()`, `[[ ]]`), while /bin/sh is dash in
stage2 and in Debian-built targets. Where the script runs has no bash, /bin/sh it is,
and the script's log and anaconda.log say so. An explicit `--interpreter /bin/sh` stays
/bin/sh: pykickstart fills in /bin/sh when none is given, so the parser records whether
the header named one (`interp_given`, see `interpreter_given`).
"""
from __future__ import annotations

import logging
import os
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pykickstart.constants import (KS_SCRIPT_ONERROR, KS_SCRIPT_POST, KS_SCRIPT_PRE,
                                   KS_SCRIPT_PREINSTALL, KS_SCRIPT_TRACEBACK)
from pykickstart.sections import ScriptSection

from installer import program
from installer.errors import ScriptError
from installer.logs import redact

from . import confine
from .confine import Sandbox
from .pykickstart_adapter import option_parser

log = logging.getLogger("anaconda.scripts")

SECTION_NAMES = {KS_SCRIPT_PRE: "%pre", KS_SCRIPT_POST: "%post",
                 KS_SCRIPT_PREINSTALL: "%pre-install", KS_SCRIPT_ONERROR: "%onerror",
                 KS_SCRIPT_TRACEBACK: "%traceback"}
TAIL_LINES = 20
#: What runs a script without --interpreter, in this order of preference (the path is
#: looked up in the root the script runs in: the target's chroot or the host/stage2).
DEFAULT_SHELLS = ("/bin/bash", "/usr/bin/bash")
FALLBACK_SHELL = "/bin/sh"


@dataclass
class ScriptContext:
    log_dir: Path
    target_root: Path | None = None  # where the new system is (None before storage)
    sandbox: Sandbox | None = None  # a dry run: scripts run confined, never on the host


def describe(script) -> str:
    where = getattr(script, "location", None)
    name = SECTION_NAMES.get(script.type, "%script")
    return f"{where}: {name}" if where else f"{name} (line {script.lineno})"


def scripts_of(handler, kind: int) -> list:
    return [s for s in handler.scripts if s.type == kind]


def run_scripts(handler, kind: int, context: ScriptContext) -> None:
    for index, script in enumerate(scripts_of(handler, kind), start=1):
        run_script(script, index, context)


def interpreter_given(section, header: str) -> bool:
    """Whether a script section's header line names --interpreter (in any spelling
    pykickstart accepts, abbreviations included)."""
    if not isinstance(section, ScriptSection):
        return False
    parser = option_parser(section)
    parser.set_defaults(interpreter=None)
    try:
        words = shlex.split(header, comments=True)
        return parser.parse_args(args=words[1:], lineno=0).interpreter is not None
    except (Exception, SystemExit):  # the real parse of this header reports the problem
        return False


def choose_interpreter(script, root: Path | None) -> tuple[str, str | None]:
    """The program that runs `script` in `root` (None: the host, or the sandbox, which
    sees the host's /), and a note when bash was wanted but is not there."""
    given = getattr(script, "interp_given", script.interp not in (None, "", FALLBACK_SHELL))
    if given:
        return script.interp, None
    top = root or Path("/")
    for shell in DEFAULT_SHELLS:
        if os.path.lexists(top / shell.lstrip("/")):
            return shell, None
    where = f"the target ({root})" if root else "the installer's system"
    return FALLBACK_SHELL, (f"{where} has no bash ({' or '.join(DEFAULT_SHELLS)}): the script "
                            f"runs with {FALLBACK_SHELL}, which may not understand bash syntax; "
                            "give --interpreter to choose")


def run_script(script, index: int, context: ScriptContext) -> int:
    """Run one script; raise ScriptError if it fails and says --erroronfail."""
    name = SECTION_NAMES.get(script.type, "script").lstrip("%")
    in_chroot = script.type == KS_SCRIPT_POST and script.inChroot and context.target_root
    root = context.target_root if in_chroot else None
    interpreter, note = choose_interpreter(script, root)
    if note:
        log.warning("%s: %s", describe(script), note)
    if root and not os.path.lexists(root / interpreter.lstrip("/")):
        return _failed(script, 127, f"the target has no {interpreter} to run it in the chroot "
                       f"({root}); use --nochroot or install a shell first", "")
    sandbox = context.sandbox
    host_path, run_path = _script_file(script, name, root, sandbox)
    argv = [interpreter, run_path]
    env = {"ANA_INSTALL_PATH": str(context.target_root or "")}
    log.info("Running %s with %s%s", describe(script), interpreter,
             f" in chroot {root}" if root else " confined (dry run)" if sandbox else "")
    try:
        result = program.run(sandbox.wrap(argv) if sandbox else argv, root=root, env=env,
                             cwd=None if (root or sandbox) else context.target_root,
                             timeout=confine.TIMEOUT if sandbox else None)
    finally:
        os.unlink(host_path)
    output = redact(result.output)
    script_log = context.log_dir / f"ks-script-{name}-{index}.log"
    _write_log(script_log, "\n".join(([f"anaconda: {note}"] if note else []) +
                                     ([output] if output else [])))
    if script.logfile:
        _write_user_log(script.logfile, root, sandbox, output)
    if result.returncode != 0:
        return _failed(script, result.returncode, f"exited with code {result.returncode}",
                       output, script_log)
    log.info("%s finished", describe(script))
    return 0


def _script_file(script, name: str, root: Path | None, sandbox: Sandbox | None) -> tuple[str, str]:
    """Write the script where it will run: the chroot's /tmp, the sandbox's (seen as
    /tmp inside), or the host's. Returns its path on the host and as the script sees it."""
    if sandbox:
        script_dir = sandbox.tmp
    else:
        script_dir = (root / "tmp") if root else Path(tempfile.gettempdir())
    script_dir.mkdir(parents=True, exist_ok=True)
    fd, host_path = tempfile.mkstemp(prefix=f"ks-script-{name}-", dir=script_dir)
    with os.fdopen(fd, "w") as handle:
        handle.write(script.script)
    os.chmod(host_path, 0o700)
    inside = "/tmp/" + os.path.basename(host_path) if (root or sandbox) else host_path
    return host_path, inside


def _write_log(path: Path, text: str, append: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a" if append else "w", encoding="utf-8") as handle:
        handle.write(text + ("\n" if text else ""))
    os.chmod(path, 0o600)


def _write_user_log(logfile: str, root: Path | None, sandbox: Sandbox | None,
                    output: str) -> None:
    """--log FILE: in the chroot, on the host, or in a dry run only inside the sandbox."""
    if sandbox:
        path = sandbox.host_path(logfile)
        if path is None:
            log.info("Dry run: --log=%s is outside the confined script's writable "
                     "directories; its output is in the ks-script log only", logfile)
            return
    else:
        path = (root / logfile.lstrip("/")) if root else Path(logfile)
    _write_log(path, output, append=True)


def _failed(script, code: int, why: str, output: str, script_log: Path | None = None) -> int:
    tail = "\n".join(output.splitlines()[-TAIL_LINES:])
    message = f"{describe(script)} {why}"
    if script_log:
        message += f" (full output in {script_log})"
    if tail:
        message += "\n--- last lines of its output ---\n" + tail
    if script.errorOnFail:
        raise ScriptError(message)
    log.warning("%s; continuing (no --erroronfail)", message)
    return code
