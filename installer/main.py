"""The `anaconda` program: options, logging, kickstart, the install run, the exit code.

All errors a user can cause become one line naming the place and a documented exit code
here; anything else is a bug, logged with its traceback and reported as such.
"""
from __future__ import annotations

import logging
import sys
import time
import traceback
from pathlib import Path

from installer import __version__
from installer.bootopts import BootOptions, describe, parse_cmdline
from installer.errors import InstallerError, KickstartError, UsageError
from installer.logs import register_secret, setup_logging

log = logging.getLogger("anaconda")
STARTED = time.monotonic()


def read_boot_options(args) -> BootOptions:
    from installer.cli import apply_flags, boot_options_text

    text = boot_options_text(args)
    if text is not None:
        options = parse_cmdline(text, origin="--cmdline" if args.boot_options is None else "--boot-options")
    else:
        try:
            proc = Path("/proc/cmdline").read_text()
        except OSError:
            proc = ""
        options = parse_cmdline(proc)
    return apply_flags(args, options)


def kickstart_locations(options: BootOptions) -> list[str]:
    """inst.ks sources the running installer reads itself; hd:/cdrom:/nfs: are the init's job."""
    locations = []
    for source in options.ks:
        if source.scheme in ("http", "https", "ftp"):
            locations.append(source.location)
        elif source.scheme == "file":
            locations.append(source.path)
        elif source.scheme == "dhcp":
            raise KickstartError("inst.ks without a location takes the kickstart from DHCP's "
                                 "next-server and filename, which only the boot image's init "
                                 "knows; on a running system give a file path or an http(s) URL")
        else:
            raise KickstartError(f"inst.ks={source.location}: {source.scheme}: kickstarts are "
                                 "fetched by the boot image's init; on a running system give a "
                                 "file path or an http(s) URL")
    return locations


def validate(args) -> int:
    """--validate FILE: ksvalidator's job with file:line messages; 0 valid, 1 not."""
    from installer.kickstart.load import fetch_sources, parse, pre_scripts
    from installer.kickstart.reader import Reader

    reader = Reader()
    try:
        sources = fetch_sources([args.validate], reader, False)
        # like ksvalidator, no script runs: an %include that a %pre writes is only warned of
        note = ("--validate runs no %pre script, and one may write it"
                if pre_scripts(sources, args.ks_version, reader) else None)
        loaded = parse(sources, args.ks_version, reader, strict=bool(args.bo_ksstrict is not None),
                       include_note=note)
    except InstallerError as exc:
        print(f"{exc.message}", file=sys.stderr)
        return 1
    for warning in loaded.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{args.validate}: valid ({len(loaded.files_read)} file(s), "
          f"{len(loaded.commands_seen)} command(s))")
    return 0


def start_memory(args, options: BootOptions):
    """Before anything heavy: the minimum (exit 7), the level, zRAM, OOM score, memory.log."""
    from installer.memory.startup import start

    return start(options, Path(args.logdir), live_host=bool(args.dirinstall or args.dry_run))


def check_flags(args) -> None:
    if args.image and not args.dry_run:
        raise UsageError("--image plans on disk image files and works with --dry-run only: "
                         "writing into an image needs a loop device mapped with device-mapper; "
                         "install in a VM with the image as its disk instead")
    if args.image and args.dirinstall:
        raise UsageError("--image and --dirinstall exclude each other: a directory install has no disks")


def load_kickstart(args, options: BootOptions, frontend):
    from installer.kickstart.load import load
    from installer.kickstart.reader import Reader

    reader = Reader.for_boot_options(options, say=frontend.warning)
    frontend.message(f"anaconda-lean {__version__}: reading kickstart {options.ks[0]}")
    loaded = load(kickstart_locations(options), reader=reader, log_dir=Path(args.logdir),
                  version=args.ks_version, fetch_all=options.ks_all, strict=options.ksstrict,
                  dry_run=bool(args.dry_run), script_network=args.script_network)
    for warning in loaded.warnings:
        frontend.warning(warning)
    return loaded


def install_kickstart(args, options: BootOptions, loaded, frontend, memory=None,
                      end_action: bool = True):
    """Plan and run (or, with --dry-run, describe) the install of `loaded`: the one path
    unattended and interactive installs share. Returns the closing lines and the end action
    left to the caller (None when done here or nothing is asked)."""
    from installer.configure.selinux import apply_boot_option
    from installer.disks import SYSROOT, plan_storage, storage_warnings
    from installer.install import InstallRun, describe_plan, execute

    apply_boot_option(loaded.handler, options.selinux)  # inst.selinux wins over the kickstart
    disk = None
    if not args.dirinstall:
        frontend.message("Reading the disk images and planning the storage layout" if args.image
                         else "Scanning disks and planning the storage layout")
        disk = plan_storage(loaded.handler, options, [Path(p) for p in args.image],
                            seen=loaded.commands_seen, dry_run=bool(args.dry_run),
                            firmware=getattr(args, "firmware", None))
        for warning in storage_warnings(disk, loaded.commands_seen):
            frontend.warning(warning)
    target = Path(args.dirinstall).absolute() if args.dirinstall else SYSROOT
    run = InstallRun(loaded=loaded, options=options, log_dir=Path(args.logdir),
                     target_root=target, frontend=frontend, disk=disk, memory=memory)
    if args.dry_run:
        lines = describe_plan(run)
        for line in lines:
            frontend.message(line)
        return lines, None
    closing, action = execute(run, end_action=end_action)
    log.info("Finished in %.1f s", time.monotonic() - STARTED)
    return [closing], action


def install(args, options: BootOptions, memory=None) -> int:
    from installer.frontend import load_frontend
    from installer.ui.frontend_choice import (choose_frontend, kickstart_mode,
                                                       missing_from_kickstart)

    check_flags(args)
    cmdline = load_frontend("cmdline")
    for warning in options.warnings:
        cmdline.warning(warning)
    if options.waitfornet:  # as Anaconda: before the front end and any network fetch
        from installer.netwait import wait_for_network
        wait_for_network(options.waitfornet, cmdline.message)
    loaded = load_kickstart(args, options, cmdline) if options.ks else None
    if loaded is not None:
        from installer.remote_log import apply_kickstart
        apply_kickstart(loaded.handler, options)  # logging --host --port --level
    if options.rescue or (loaded is not None and loaded.handler.rescue.seen):
        from installer.rescue.run import rescue
        return rescue(args, options, loaded)  # inst.rescue, the kickstart's rescue: no install
    if loaded is not None:
        from installer.kickstart.boot_defaults import apply_boot_localization
        apply_boot_localization(loaded.handler, options, {c.name for c in loaded.commands_seen})
    missing = missing_from_kickstart(loaded.handler, {c.name for c in loaded.commands_seen},
                                     disk_install=not args.dirinstall) if loaded else []
    level = memory.level if memory is not None else 0
    choice = choose_frontend(options, level, loaded is not None, missing, sys.stdin.isatty(),
                             kickstart_mode(loaded.handler) if loaded else None)
    if choice.name == "none":
        raise UsageError("the interactive installer needs a terminal on standard input; "
                         "for an unattended install give a kickstart (--kickstart FILE or inst.ks=)")
    log.info("Front end: %s (%s)", choice.name, choice.reason)
    if choice.name == "cmdline":
        if loaded is None:
            raise UsageError("--cmdline (inst.cmdline) asks nothing, so it needs a kickstart "
                             "(--kickstart FILE or inst.ks=)")
        if missing:
            cmdline.warning(f"{choice.reason}")
        install_kickstart(args, options, loaded, cmdline, memory)
        return 0
    return interactive(args, options, loaded, memory)


def interactive(args, options: BootOptions, loaded, memory) -> int:
    """The TUI edits a kickstart handler; Begin runs it through install_kickstart on a
    worker thread while the TUI shows progress; the end action waits for the user."""
    from installer import power
    from installer.frontend import load_frontend
    from installer.ui.session import new_session

    session = new_session(options, Path(args.logdir), loaded=loaded, dry_run=bool(args.dry_run),
                          images=[Path(p) for p in args.image], version=args.ks_version,
                          dirinstall=bool(args.dirinstall), firmware=getattr(args, "firmware", None))
    tui = load_frontend("tui")

    def begin(frontend):
        return install_kickstart(args, options, session.to_loaded(), frontend, memory,
                                 end_action=False)

    outcome = tui.interact(session, begin)
    if outcome.action:
        power.perform(outcome.action)
    return outcome.exit_code


def run(argv: list[str]) -> int:
    from installer.cli import parse_args

    args = parse_args(argv)
    if args.validate:
        return validate(args)
    options = read_boot_options(args)
    for secret in options.secrets():
        register_secret(secret)
    setup_logging(Path(args.logdir), debug=options.debug, loglevel=options.loglevel)
    from installer.remote_log import start_from_boot_options
    start_from_boot_options(options)  # inst.syslog, inst.virtiolog
    log.info("anaconda-lean %s started: %s", __version__, " ".join(argv))
    log.info("Boot options: %s", describe(options))
    for warning in options.warnings:
        log.warning("%s", warning)
    memory = start_memory(args, options)
    try:
        return install(args, options, memory)
    finally:
        memory.stop()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.getLogger("anaconda").addHandler(logging.NullHandler())  # until setup_logging
    try:
        code = run(argv)
    except InstallerError as exc:
        log.error("%s: %s", exc.kind, exc.message)
        from installer.frontend import load_frontend

        load_frontend("cmdline").error(exc)
        code = exc.exit_code
    except KeyboardInterrupt:
        log.error("Interrupted")
        print("anaconda: interrupted", file=sys.stderr)
        code = 130
    except Exception:  # a bug: say so, keep the traceback in the log only
        log.error("Internal error:\n%s", traceback.format_exc())
        print("anaconda: internal error (a bug); the traceback is in anaconda.log",
              file=sys.stderr)
        code = 1
    logging.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
