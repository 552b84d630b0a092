"""`%addon com_redhat_kdump`: memory reserved for a crash kernel and the service that
loads it, for the kdump the target has.

- Fedora-like (kdump-utils, formerly kexec-tools: `kdumpctl`, kdump.service): as Anaconda,
  `crashkernel=` goes on the boot loader's kernel command line (`kernel_arguments`, read
  when the boot loader request is built); `auto` asks the target's `kdumpctl
  get-default-crashkernel`, as Anaconda does today.
- Debian-built (kdump-tools: kdump-config, kdump-tools.service): the package itself puts
  `crashkernel=` on GRUB's command line through /etc/default/grub.d/kdump-tools.cfg, read
  at every grub-mkconfig; that file carries the size (`auto` keeps the package's own
  384M-:128M) and /etc/default/kdump-tools its USE_KDUMP switch.
`--disable` disables the service and reserves nothing. `inst.kdump_addon=off` makes the
installer ignore the section, as Anaconda's addon does.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from installer.kickstart.addons import AddonSeen, addon
from installer.kickstart.kdump import ADDON, AUTO, KdumpSettings, parse_kdump_args
from installer.program import run

from . import systemd
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

FEDORA_UNIT = "kdump.service"
KDUMPCTL = ("usr/bin/kdumpctl", "usr/sbin/kdumpctl", "bin/kdumpctl", "sbin/kdumpctl")
DEBIAN_UNIT = "kdump-tools.service"
DEBIAN_TOOL = ("usr/sbin/kdump-config", "sbin/kdump-config")
DEBIAN_DEFAULTS = "etc/default/kdump-tools"
DEBIAN_TEMPLATE = "usr/share/kdump-tools/kdump-tools.conf"
DEBIAN_GRUB = "etc/default/grub.d/kdump-tools.cfg"
DEBIAN_PRESET = "384M-:128M"  # what kdump-tools' own grub.d file reserves
#: Used when the target's kdumpctl cannot say (x86_64 value of kdump-utils' default)
FEDORA_FALLBACK = "1G-4G:192M,4G-64G:256M,64G-:512M"
#: Firmware-assisted dump exists on POWER machines whose firmware offers it
FADUMP_CAPABLE = Path("/proc/device-tree/rtas/ibm,configure-kernel-dump")
PACKAGES = "kdump-utils (Fedora; kexec-tools before Fedora 41) or kdump-tools (Debian)"


def requested(handler, kdump_addon: bool | None = None) -> tuple[AddonSeen, KdumpSettings] | None:
    """The addon section and its settings; None without one, or when inst.kdump_addon=off
    (then logged). The checks have refused bad options before anything ran."""
    seen = addon(handler, ADDON)
    if seen is None:
        return None
    if kdump_addon is False:
        log.info("%s: inst.kdump_addon=off: %%addon %s is ignored", seen.where, ADDON)
        return None
    return seen, parse_kdump_args(seen.args)


def flavour(target: Target) -> str | None:
    """"debian" (kdump-tools), "fedora" (kdumpctl) or None: no kdump on the target."""
    if target.has_unit(DEBIAN_UNIT) or any(target.exists(p) for p in DEBIAN_TOOL):
        return "debian"
    if target.has_unit(FEDORA_UNIT) or any(target.exists(p) for p in KDUMPCTL):
        return "fedora"
    return None


def _kdumpctl_default(target: Target, fadump: bool) -> str | None:
    tool = next((p for p in KDUMPCTL if target.exists(p)), None)
    if tool is None:
        return None
    result = run([f"/{tool}", "get-default-crashkernel", "fadump" if fadump else "kdump"],
                 root=target.root)
    value = result.output.strip().splitlines()[-1].strip() if result.output.strip() else ""
    return value if result.returncode == 0 and re.fullmatch(r"[0-9A-Za-z:,.@-]+", value) else None


def _debian_default(target: Target) -> str:
    """The size kdump-tools' grub.d file reserves (its own, or what we wrote before)."""
    text = target.path(DEBIAN_GRUB).read_text() if target.exists(DEBIAN_GRUB) else ""
    found = re.search(r"crashkernel=([^\s\"']+)", text)
    return found.group(1) if found else DEBIAN_PRESET


def crashkernel(settings: KdumpSettings, target: Target, kind: str, where: str = "") -> str:
    """The crashkernel= value: the size given, else what the target's kdump says."""
    if settings.reserve_mb != AUTO:
        return f"{settings.reserve_mb}M"
    if kind == "debian":
        return _debian_default(target)
    value = _kdumpctl_default(target, settings.fadump)
    if value is None:
        log.warning("%s: --reserve-mb=auto: the target's kdumpctl gave no default "
                    "crashkernel; using %s", where or f"%addon {ADDON}", FEDORA_FALLBACK)
        return FEDORA_FALLBACK
    return value


def fadump_args(settings: KdumpSettings) -> list[str]:
    """--enablefadump: `fadump=on` where the firmware offers it (POWER), as Anaconda."""
    return ["fadump=on"] if settings.enabled and settings.fadump and FADUMP_CAPABLE.exists() \
        else []


def kernel_arguments(handler, root: Path, options=None) -> list[str]:
    """What the boot loader adds to the installed kernel's command line for kdump.

    Empty without the addon, with --disable, without kdump on the target (configure_kdump
    warned), and on Debian-built targets, whose kdump-tools grub.d file carries it."""
    found = requested(handler, getattr(options, "kdump_addon", None))
    if found is None or not found[1].enabled:
        return []
    target = Target(root)
    kind = flavour(target)
    if kind is None or (kind == "debian" and target.exists(DEBIAN_GRUB)):
        return []
    where = f"{found[0].where}: %addon {ADDON}"
    args = [f"crashkernel={crashkernel(found[1], target, kind, where)}", *fadump_args(found[1])]
    log.info("Kernel arguments for kdump: %s", " ".join(args))
    return args


def boot_append(append: str, handler, root: Path, options=None) -> str:
    """The boot loader's extra arguments: the kickstart's `bootloader --append` and kdump's.
    While the addon is in effect its crashkernel= replaces one given there (as Anaconda
    clears those), so `--disable` means no reservation at all."""
    if requested(handler, getattr(options, "kdump_addon", None)) is None:
        return append
    words = append.split()
    dropped = [w for w in words if w.startswith(("crashkernel=", "fadump="))]
    if dropped:
        log.info("bootloader --append: %s replaced by %%addon %s", " ".join(dropped), ADDON)
    kept = [w for w in words if w not in dropped]
    return " ".join([*kept, *kernel_arguments(handler, root, options)])


def grub_dropin(value: str | None, line: str, extra: list[str] = ()) -> str:
    """kdump-tools' /etc/default/grub.d file, with the kickstart's size or with none."""
    head = f"# Written by the installer for %addon {ADDON} at {line}.\n"
    if value is None:
        return head + "# kdump is disabled: no memory is reserved for a crash kernel.\n"
    args = " ".join([f"crashkernel={value}", *extra])
    return head + f'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT {args}"\n'


def use_kdump(current: str, enabled: bool) -> str:
    """/etc/default/kdump-tools with USE_KDUMP= set, as its postinst sets it."""
    line = f"USE_KDUMP={1 if enabled else 0}"
    text, count = re.subn(r"^[ \t]*#?[ \t]*USE_KDUMP=.*$", line, current, count=1, flags=re.M)
    return text if count else current.rstrip("\n") + ("\n" if current.strip() else "") + line + "\n"


def _configure_debian(target: Target, settings: KdumpSettings, line: str) -> None:
    source = DEBIAN_DEFAULTS if target.exists(DEBIAN_DEFAULTS) else DEBIAN_TEMPLATE
    current = target.path(source).read_text() if target.exists(source) else ""
    write_file(target, DEBIAN_DEFAULTS, use_kdump(current, settings.enabled))
    value = crashkernel(settings, target, "debian") if settings.enabled else None
    if target.exists(DEBIAN_GRUB) or target.exists("etc/default/grub"):
        write_file(target, DEBIAN_GRUB, grub_dropin(value, line, fadump_args(settings)))


def configure_kdump(handler, target: Target, kdump_addon: bool | None = None) -> None:
    found = requested(handler, kdump_addon)
    if found is None:
        return
    seen, settings = found
    where = f"{seen.where}: %addon {ADDON}"
    kind = flavour(target)
    if kind is None:
        if settings.enabled:
            log.warning("%s: the installed system has no kdump, so no crash kernel is set "
                        "up; add %s to %%packages", where, PACKAGES)
        else:
            log.info("%s --disable: the target has no kdump; nothing to disable", where)
        return
    if settings.enabled and settings.fadump and not fadump_args(settings):
        log.info("%s --enablefadump: this machine's firmware offers no firmware-assisted "
                 "dump (POWER only); plain kdump is set up", where)
    if kind == "debian":
        _configure_debian(target, settings, seen.where)
    unit = DEBIAN_UNIT if kind == "debian" else FEDORA_UNIT
    if target.has_unit(unit):
        (systemd.enable if settings.enabled else systemd.disable)(target, unit, where)
    log.info("kdump %s (%s)", "enabled" if settings.enabled else "disabled",
             f"--reserve-mb={settings.reserve_mb}" if settings.enabled else "no crashkernel")
