"""`authselect ARGS`: the target's own authselect, run with the kickstart's arguments.

A fresh system's PAM and nsswitch files come from packages, not from authselect, so
`authselect select` refuses to replace them unless forced; Anaconda forces it, and so do
we (only `select` knows --force: authselect rejects it on the other subcommands). A
target without authselect (Debian-built ones have none) cannot apply it: a warning names
the line. A failing authselect stops the install with its output and the line.
"""
from __future__ import annotations

import logging
import shlex

from installer.errors import ConfigurationError
from installer.program import run

from .target import Target

log = logging.getLogger("anaconda.configure")

TOOL = "usr/bin/authselect"


def authselect_args(text: str) -> list[str]:
    """`select sssd with-mkhomedir` -> the argv after `authselect`, --force on select."""
    args = shlex.split(text)
    if args and args[0] == "select" and not {"--force", "-f"} & set(args):
        args.append("--force")
    return args


def configure_authselect(handler, target: Target) -> None:
    command = getattr(handler, "authselect", None)
    text = (getattr(command, "authselect", "") or "").strip()
    if not text:
        return
    where = target.where("authselect")
    if not target.exists(TOOL):
        log.warning("%s: authselect is not installed on the target (no /%s), so `authselect "
                    "%s` is not applied; add authselect to %%packages", where, TOOL, text)
        return
    try:
        args = authselect_args(text)
    except ValueError as exc:  # an unbalanced quote
        raise ConfigurationError(f"{where}: cannot split `{text}` into arguments: {exc}") from None
    result = run(["authselect", *args], root=target.root)
    if result.returncode != 0:
        output = result.output.strip() or f"exit code {result.returncode}"
        raise ConfigurationError(f"{where}: authselect {' '.join(args)} failed: {output}")
    log.info("authselect %s: done", " ".join(args))
