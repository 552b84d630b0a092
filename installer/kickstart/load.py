"""Loading a kickstart the way Anaconda does.

1. fetch the file(s) named by inst.ks / --kickstart (with inst.ks.all: every one);
2. first pass: only %pre sections, following the %includes that exist yet; run them
   (in a dry run confined, never on the host: confine.py);
3. final parse with everything (a %pre may have written a file that is %include'd);
4. warnings collected with file:line; with inst.ksstrict any warning is an error;
5. every secret registered with the log redactor, account passwords hashed in place.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pykickstart.constants import KS_SCRIPT_PRE

from installer.errors import KickstartError, ScriptError

from . import scripts, secrets
from .confine import Sandbox
from .parser import CommandSeen, LocatingParser, PrePassParser, collecting_warnings
from .presecrets import register_before_pre, register_urls
from .reader import Reader
from .version import make_handler

log = logging.getLogger("anaconda.kickstart")


@dataclass
class LoadedKickstart:
    handler: object
    sources: list[tuple[str, str]]  # (location, text) of the main file(s), as fetched
    warnings: list[str] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)
    commands_seen: list[CommandSeen] = field(default_factory=list)
    sections_seen: list[CommandSeen] = field(default_factory=list)  # %post, %packages...

    @property
    def original_text(self) -> str:
        return "".join(text if text.endswith("\n") else text + "\n" for _, text in self.sources)


def fetch_sources(locations: list[str], reader: Reader, fetch_all: bool) -> list[tuple[str, str]]:
    """The first location that can be read, or with inst.ks.all every one of them."""
    if not locations:
        raise KickstartError("no kickstart given")
    fetched, errors = [], []
    for location in locations:
        try:
            fetched.append((location, reader.read(location)))
        except KickstartError as exc:
            if fetch_all or len(locations) == 1:
                raise
            log.warning("Kickstart %s not usable: %s", location, exc)
            errors.append(str(exc))
            continue
        if not fetch_all:
            break
    if not fetched:
        raise KickstartError("none of the kickstart locations could be read: " + "; ".join(errors))
    return fetched


def parse(sources: list[tuple[str, str]], version: str | None, reader: Reader,
          strict: bool = False, include_note: str | None = None) -> LoadedKickstart:
    """The final parse: full handler, warnings collected. Includes must exist, unless
    `include_note` says why one may be missing (its %pre did not run): then a warning."""
    handler = make_handler(version)
    parser = LocatingParser(handler, reader, missing_include_note=include_note)
    loaded = LoadedKickstart(handler, sources)
    with collecting_warnings(parser, loaded.warnings):
        for location, text in sources:
            parser.readKickstartFromString(text, reset=False, name=location)
    loaded.files_read = parser.files_read
    loaded.commands_seen = parser.commands_seen
    loaded.sections_seen = parser.sections_seen
    secrets.register_all(handler)
    if strict:
        refuse_warnings(loaded)
    return loaded


def refuse_warnings(loaded: LoadedKickstart) -> None:
    """inst.ksstrict: any warning (pykickstart's or the installer's checks') is an error."""
    if loaded.warnings:
        raise KickstartError("inst.ksstrict: warnings are errors:\n  " +
                             "\n  ".join(loaded.warnings))


def pre_scripts(sources: list[tuple[str, str]], version: str | None, reader: Reader) -> list:
    """The first pass: only the %pre sections (following the %includes that exist yet)."""
    handler = make_handler(version)
    parser = PrePassParser(handler, reader)
    with collecting_warnings(parser, []):
        for location, text in sources:
            parser.readKickstartFromString(text, reset=False, name=location)
    return scripts.scripts_of(handler, KS_SCRIPT_PRE)


def run_pre_scripts(sources: list[tuple[str, str]], version: str | None, reader: Reader,
                    log_dir: Path, sandbox: Sandbox | None = None) -> int:
    """Run the %pre scripts of the first pass (confined by `sandbox` in a dry run);
    returns how many ran. The kickstart's secrets are registered first, so a %pre that
    echoes one is masked (presecrets.py)."""
    pre = pre_scripts(sources, version, reader)
    if pre:
        register_before_pre(sources, version, reader)
    context = scripts.ScriptContext(log_dir=log_dir, sandbox=sandbox)
    for index, script in enumerate(pre, start=1):
        try:
            scripts.run_script(script, index, context)
        except ScriptError as exc:
            raise KickstartError(exc.message) from None
    return len(pre)


@dataclass
class PreStage:
    """What the %pre stage leaves for the final parse."""

    warnings: list[str] = field(default_factory=list)
    include_note: str | None = None  # set when an include a %pre writes may be missing


@contextlib.contextmanager
def pre_stage(sources: list[tuple[str, str]], version: str | None, reader: Reader,
              log_dir: Path, run_pre: bool, dry_run: bool, network: bool):
    """Run the %pre scripts, in a dry run confined (confine.py) with the reader reading
    their /tmp; around the final parse, after which the files it read from the sandbox
    are kept in LOGDIR/dry-run-files/ (so an error naming one can be looked at) and the
    sandbox is removed."""
    stage = PreStage()
    sandbox = Sandbox.create(network=network) if run_pre and dry_run else None
    if sandbox:
        reader.redirect = sandbox.host_path
        refused = sandbox.unavailable()
        if refused:
            skipped = [scripts.describe(s) for s in pre_scripts(sources, version, reader)]
            if skipped:
                stage.warnings.append(f"dry run: skipped {', '.join(skipped)}: {refused}; the "
                                      "plan goes on without what they would have written")
                stage.include_note = "a skipped %pre script may have been meant to write it"
            run_pre = False
    try:
        if run_pre:
            ran = run_pre_scripts(sources, version, reader, log_dir, sandbox)
            log.info("Ran %d %%pre script(s)%s", ran, " confined (dry run)" if sandbox else "")
        yield stage
    except KickstartError as exc:
        kept = _keep_sandbox_files(reader, log_dir)
        if exc.file in kept:
            raise KickstartError(f"{exc.problem} (a file the confined %pre wrote; kept as "
                                 f"{kept[exc.file]})", exc.file, exc.line) from None
        raise
    else:
        _keep_sandbox_files(reader, log_dir)
    finally:
        if sandbox:
            sandbox.remove()
            reader.redirect = None
            reader.redirected.clear()


def _keep_sandbox_files(reader: Reader, log_dir: Path) -> dict[str, Path]:
    """Copy what the parse read from a dry run's sandbox into LOGDIR/dry-run-files/."""
    kept = {}
    for inside, path in reader.redirected.items():
        copy = log_dir / "dry-run-files" / inside.lstrip("/")
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
            os.chmod(copy, 0o600)
        except OSError as exc:
            log.warning("Could not keep %s from the dry run's sandbox: %s", inside, exc)
            continue
        kept[inside] = copy
        log.info("Dry run: %s, written by a confined %%pre, kept as %s", inside, copy)
    return kept


def load(locations: list[str], *, reader: Reader, log_dir: Path, version: str | None = None,
         fetch_all: bool = False, strict: bool = False, run_pre: bool = True,
         dry_run: bool = False, script_network: bool = False) -> LoadedKickstart:
    """Fetch, run %pre (confined in a dry run, see confine.py), parse, check, hash."""
    sources = fetch_sources(locations, reader, fetch_all)
    register_urls(sources)  # an %include URL's password, before anything fetches or logs it
    with pre_stage(sources, version, reader, log_dir, run_pre, dry_run, script_network) as stage:
        loaded = parse(sources, version, reader, strict, include_note=stage.include_note)
    loaded.warnings[:0] = stage.warnings
    from .checks import check_install

    check_install(loaded)
    if strict:  # the checks' own warnings count too
        refuse_warnings(loaded)
    secrets.hash_in_place(loaded.handler)
    for warning in loaded.warnings:
        log.warning("Kickstart warning: %s", warning)
    log.info("Kickstart loaded from %s (%d file(s) read)", ", ".join(l for l, _ in sources),
             len(loaded.files_read))
    return loaded
