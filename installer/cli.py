"""Command-line flags: the program's own, plus every boot option as a flag of the same meaning."""
from __future__ import annotations

import argparse
import os
import re

from installer import __version__
from installer.bootopts import OPTIONS, BootOptions, apply_word
from installer.bootopts.values import parse_bool
from installer.errors import EXIT_CODES, UsageError

#: Boot options whose flag takes no value (`--text`, `--nokill`, ...).
SWITCHES = {spec.name for spec in OPTIONS if spec.flag and spec.parse is parse_bool
            and spec.name not in ("inst.zram", "inst.cmdline", "inst.selinux", "inst.kdump_addon")}
PROGRAM_FLAGS = {"ks": "inst.ks"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own exit(2) would skip our logging and format
        raise UsageError(f"{message} (see anaconda --help)")


def build_parser() -> argparse.ArgumentParser:
    epilog = "exit codes:\n" + "\n".join(f"  {code:3d}  {text}" for code, text in EXIT_CODES.items())
    parser = _Parser(prog="anaconda", allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter,
                     description="A lean text-mode installer for RPM-based systems.",
                     epilog=epilog)
    parser.add_argument("--version", action="version", version=f"anaconda-lean {__version__}")
    parser.add_argument("--kickstart", metavar="FILE", help="kickstart file (same as --ks FILE)")
    parser.add_argument("--ks-version", metavar="VERSION",
                        help="kickstart syntax version (F46, RHEL9, DEVEL...); default newest Fedora")
    parser.add_argument("--validate", metavar="FILE",
                        help="check a kickstart like ksvalidator and exit 0 (valid) or 1")
    parser.add_argument("--dirinstall", metavar="DIR",
                        help="install into a directory: no storage, no boot loader")
    parser.add_argument("--dry-run", action="store_true",
                        help="plan only: print what would be done and write nothing")
    parser.add_argument("--script-network", action="store_true",
                        help="with --dry-run: let the confined %%pre scripts use the network "
                             "(they have none by default)")
    parser.add_argument("--image", metavar="FILE", action="append", default=[],
                        help="with --dry-run: plan on this disk image file instead of the "
                             "machine's disks (repeatable; the disk's name is the file's name)")
    parser.add_argument("--firmware", choices=("uefi", "bios"),
                        help="with --dry-run: plan for this firmware instead of this machine's "
                             "(a UEFI kickstart previewed on a BIOS host, or the other way)")
    parser.add_argument("--logdir", metavar="DIR", default="/tmp",
                        help="where the logs go (default /tmp, as on the installer image)")
    parser.add_argument("--boot-options", metavar="TEXT",
                        help="boot options to use instead of /proc/cmdline")
    parser.add_argument("--cmdline", nargs="?", const="", metavar="BOOTOPTS",
                        help="alone: the non-interactive front end (inst.cmdline); with a "
                             "quoted value: boot options to use instead of /proc/cmdline")
    for spec in OPTIONS:
        if spec.name == "inst.cmdline":
            continue
        dest = "bo_" + spec.attr
        if spec.name in SWITCHES:
            parser.add_argument(spec.cli_flag, dest=dest, action="store_const", const="",
                                help=f"{spec.help} ({spec.name})")
        else:
            parser.add_argument(spec.cli_flag, dest=dest, action="append" if spec.repeat else "store",
                                metavar="VALUE", help=f"{spec.help} ({spec.name}=)")
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def boot_options_text(args: argparse.Namespace) -> str | None:
    """Boot options given on the command line instead of /proc/cmdline, if any."""
    if args.boot_options is not None:
        return args.boot_options
    if args.cmdline:  # a non-empty value: boot options, not the front-end switch
        return args.cmdline
    return None


def _cli_location(value: str) -> str:
    """Relative kickstart paths are a convenience of the command line, not of boot options."""
    if value == "cdrom" or value.startswith("/") or re.match(r"^[A-Za-z]+:", value):
        return value
    return os.path.abspath(value)


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def apply_flags(args: argparse.Namespace, options: BootOptions) -> BootOptions:
    """Apply CLI flags over the boot options, with the same parsing and messages."""
    if args.cmdline == "":
        apply_word(options, "inst.cmdline", "", "--cmdline")
    for spec in OPTIONS:
        given = [(spec.cli_flag, v) for v in _as_list(getattr(args, "bo_" + spec.attr, None))]
        if spec.name == "inst.ks" and args.kickstart:  # --kickstart FILE is --ks FILE
            given.append(("--kickstart", args.kickstart))
        if not given:
            continue
        if spec.repeat:
            setattr(options, spec.attr, [])  # the command line replaces, not extends
        for flag, item in given:
            if spec.name == "inst.ks":
                item = _cli_location(item)
            apply_word(options, spec.name, item, flag + (f" {item}" if item else ""))
    return options
