"""The boot options the installer understands, parsed from /proc/cmdline or CLI flags.

One table (`OPTIONS`) drives both: the kernel command line is split into NAME[=VALUE]
words, CLI flags are turned into the same words, and every word goes through the same
value parser. So `inst.lowmem=5` and `--lowmem 5` fail with the same message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Iterable

from installer.credentials import url_passwords
from installer.errors import BootOptionError

from . import ignored, values

@dataclass(frozen=True)
class OptionSpec:
    name: str  # as on the kernel command line
    attr: str  # BootOptions field
    parse: Callable[[str], Any]
    help: str
    repeat: bool = False  # may be given more than once; values collect in a list
    flag: bool = False  # may be given without a value (a boolean switch)
    bare: Callable[[], Any] | None = None  # the value of the option given without `=`

    @property
    def cli_flag(self) -> str:
        bare = self.name.removeprefix("inst.")
        return "--" + bare.replace(".", "-").replace("_", "-")


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("inst.ks", "ks", values.parse_source, "kickstart location", repeat=True,
               bare=values.ks_from_dhcp),
    OptionSpec("inst.ks.sendmac", "ks_sendmac", values.parse_bool,
               "send X-RHN-Provisioning-MAC-N headers with the kickstart request", flag=True),
    OptionSpec("inst.ks.sendsn", "ks_sendsn", values.parse_bool,
               "send an X-System-Serial-Number header with the kickstart request", flag=True),
    OptionSpec("inst.ks.all", "ks_all", values.parse_bool,
               "fetch every inst.ks location and join them", flag=True),
    OptionSpec("inst.ksstrict", "ksstrict", values.parse_bool,
               "treat kickstart warnings as errors", flag=True),
    OptionSpec("inst.repo", "repo", values.parse_source, "installation source"),
    OptionSpec("inst.addrepo", "addrepo", values.parse_addrepo,
               "additional repository NAME,URL", repeat=True),
    OptionSpec("inst.stage2", "stage2", values.parse_source, "location of the runtime image"),
    OptionSpec("inst.updates", "updates", values.parse_source, "location of an updates image"),
    OptionSpec("inst.text", "text", values.parse_bool, "text (urwid) user interface", flag=True),
    OptionSpec("inst.cmdline", "cmdline", values.parse_bool,
               "non-interactive front end: progress lines only", flag=True),
    OptionSpec("inst.noninteractive", "noninteractive", values.parse_bool,
               "never ask a question", flag=True),
    OptionSpec("inst.lang", "lang", values.parse_lang, "installer language"),
    OptionSpec("inst.keymap", "keymap", values.parse_keymap, "installer keyboard layout"),
    OptionSpec("inst.nokill", "nokill", values.parse_bool,
               "do not reboot or power off at the end", flag=True),
    OptionSpec("inst.nosave", "nosave", values.parse_nosave,
               "what not to copy to the target: all, all_ks, logs, input_ks, output_ks"),
    OptionSpec("inst.zram", "zram", values.parse_bool, "zRAM swap on (1) or off (0)", flag=True),
    OptionSpec("inst.zswap", "zswap", values.parse_bool,
               "zswap in front of the target's swap once it exists, with zRAM (1) or not (0)",
               flag=True),
    OptionSpec("inst.lowmem", "lowmem", values.parse_level, "force low-memory level 0, 1 or 2"),
    OptionSpec("inst.memcheck", "memcheck", values.parse_bool,
               "refuse to start below the minimum RAM (1, the default) or only warn (0)", flag=True),
    OptionSpec("inst.debug", "debug", values.parse_bool, "debug logging", flag=True),
    OptionSpec("inst.proxy", "proxy", values.parse_proxy, "proxy for network sources"),
    OptionSpec("inst.noverifyssl", "noverifyssl", values.parse_bool,
               "do not verify TLS certificates of network sources", flag=True),
    OptionSpec("inst.disklabel", "disklabel", values.parse_disklabel,
               "disk label type of new disk labels: gpt or mbr"),
    OptionSpec("inst.gpt", "gpt", values.parse_bool,
               "new disk labels are GPT (Anaconda's older spelling of inst.disklabel=gpt)",
               flag=True),
    OptionSpec("inst.selinux", "selinux", values.parse_bool,
               "SELinux on the installed system: 1 enforcing, 0 disabled (wins over the "
               "kickstart's selinux)", flag=True),
    OptionSpec("inst.multilib", "multilib", values.parse_bool,
               "install packages of every architecture (DNF multilib_policy=all)", flag=True),
    OptionSpec("inst.loglevel", "loglevel", values.parse_loglevel,
               "lowest level written to the log files: debug, info, warning, error, critical"),
    OptionSpec("inst.syslog", "syslog", values.parse_host_port,
               "stream the logs to a remote syslog HOST[:PORT] (UDP, default port 514)"),
    OptionSpec("inst.virtiolog", "virtiolog", values.parse_virtiolog,
               "stream the logs to the virtio-serial port NAME (default "
               "org.fedoraproject.anaconda.log.0)", bare=str),
    OptionSpec("inst.waitfornet", "waitfornet", values.parse_seconds,
               "wait up to SECONDS for a default route before the installer goes on"),
    OptionSpec("inst.wait_for_disks", "wait_for_disks", values.parse_seconds,
               "the boot image waits up to SECONDS (default 5) for a disk labelled OEMDRV"),
    OptionSpec("inst.noshell", "noshell", values.parse_bool,
               "no shell on tty2, and none after a failure", flag=True),
    OptionSpec("inst.sshd", "sshd", values.parse_bool,
               "the boot image runs an SSH server (dropbear) and the installer inside tmux; "
               "logins are the kickstart's sshpw accounts, root with an empty password "
               "without one (Anaconda's default)", flag=True),
    OptionSpec("inst.notmux", "notmux", values.parse_bool,
               "with inst.sshd: the installer runs on the console directly, not in tmux",
               flag=True),
    OptionSpec("inst.shell_timeout", "shell_timeout", values.parse_seconds,
               "the boot image: SECONDS a failure waits before its shell (default 30)"),
    OptionSpec("inst.singlelang", "singlelang", values.parse_bool,
               "do not ask for the language: the kickstart's lang, inst.lang or en_US.UTF-8",
               flag=True),
    OptionSpec("inst.stage2.all", "stage2_all", values.parse_bool,
               "try every http(s)/ftp inst.stage2 location in turn", flag=True),
    OptionSpec("inst.mediacheck", "mediacheck", values.parse_bool,
               "check the boot medium against its embedded MD5 first (also rd.live.check)",
               flag=True),
    OptionSpec("inst.kdump_addon", "kdump_addon", values.parse_bool,
               "the kdump addon on or off", flag=True),
    OptionSpec("inst.rescue", "rescue", values.parse_bool,
               "rescue mode: find the installed system, mount it under /mnt/sysroot, "
               "give a shell (no install)", flag=True),
    OptionSpec("console", "console", values.parse_console, "console device", repeat=True),
    OptionSpec("ip", "ip", values.parse_ip, "installer network configuration", repeat=True),
    OptionSpec("bond", "bond", values.parse_bond,
               "installer network on a bond NAME[:PORTS[:OPTIONS[:MTU]]]", repeat=True),
    OptionSpec("team", "team", values.parse_team, "installer network on a team NAME:PORTS[:RUNNER]",
               repeat=True),
    OptionSpec("vlan", "vlan", values.parse_vlan, "installer network on a VLAN NAME:PARENT",
               repeat=True),
    OptionSpec("bridge", "bridge", values.parse_bridge, "installer network on a bridge NAME:PORTS",
               repeat=True),
    OptionSpec("ifname", "ifname", values.parse_ifname, "name the interface with MAC: NAME:MAC",
               repeat=True),
    OptionSpec("nameserver", "nameserver", values.parse_nameserver,
               "name server of the installer's network", repeat=True),
)
BY_NAME = {spec.name: spec for spec in OPTIONS}
#: Other spellings of an option above (dracut's name for the media check).
ALIASES = {"rd.live.check": "inst.mediacheck"}

#: Spellings Anaconda dropped long ago; warn so a stale PXE config is noticed.
LEGACY_NAMES = {"ks", "repo", "stage2", "updates", "text", "cmdline", "lang", "keymap",
                "proxy", "noverifyssl", "ksstrict", "nokill", "method"}


@dataclass
class BootOptions:
    ks: list[values.Source] = field(default_factory=list)
    ks_all: bool = False
    ks_sendmac: bool = False
    ks_sendsn: bool = False
    ksstrict: bool = False
    repo: values.Source | None = None
    addrepo: list[tuple[str, values.Source]] = field(default_factory=list)
    stage2: values.Source | None = None
    updates: values.Source | None = None
    text: bool = False
    cmdline: bool = False
    noninteractive: bool = False
    lang: str | None = None
    keymap: str | None = None
    nokill: bool = False
    nosave: frozenset[str] = frozenset()
    zram: bool | None = None  # None: decided by the memory subsystem
    zswap: bool = False
    lowmem: int | None = None
    memcheck: bool = True
    debug: bool = False
    proxy: values.Proxy | None = None
    noverifyssl: bool = False
    console: list[str] = field(default_factory=list)
    ip: list[values.IpConfig] = field(default_factory=list)
    bond: list[values.BondConfig] = field(default_factory=list)
    team: list[values.TeamConfig] = field(default_factory=list)
    vlan: list[values.VlanConfig] = field(default_factory=list)
    bridge: list[values.BridgeConfig] = field(default_factory=list)
    ifname: list[tuple[str, str]] = field(default_factory=list)
    nameserver: list[str] = field(default_factory=list)
    disklabel: str | None = None  # gpt or mbr
    gpt: bool | None = None
    selinux: bool | None = None  # None: the kickstart's selinux decides
    multilib: bool = False
    loglevel: str | None = None  # None: info, or debug with inst.debug
    syslog: tuple[str, int] | None = None  # inst.syslog (host, port)
    virtiolog: str | None = None  # inst.virtiolog: a port name, "" for the default
    waitfornet: int | None = None
    wait_for_disks: int | None = None  # read by the boot image's init
    noshell: bool = False  # read by the boot image
    sshd: bool = False  # read by the boot image (stage2-init)
    notmux: bool = False  # read by the boot image (stage2-init)
    shell_timeout: int | None = None  # read by the boot image's init
    singlelang: bool = False
    stage2_all: bool = False  # read by the boot image's init
    mediacheck: bool = False  # done by the boot image's init
    kdump_addon: bool | None = None
    rescue: bool = False
    warnings: list[str] = field(default_factory=list)
    #: values of options that are not applied but hold a password (inst.rdp.password)
    unused_secrets: list[str] = field(default_factory=list, repr=False)

    def disk_label(self) -> str | None:
        """The disk label type asked for: inst.disklabel, else gpt for inst.gpt."""
        return self.disklabel or ("gpt" if self.gpt else None)

    def saves(self, what: str) -> bool:
        """Does inst.nosave allow copying `what` (logs, input_ks, output_ks) to the target?"""
        blocked = set(self.nosave)
        if "all" in blocked:
            return False
        if "all_ks" in blocked:
            blocked |= {"input_ks", "output_ks"}
        return what not in blocked

    def secrets(self) -> list[str]:
        """The proxy password and every password inside a source URL (inst.ks, inst.repo,
        inst.addrepo, inst.stage2, inst.updates), for the log redactor."""
        sources = [*self.ks, self.repo, *(s for _, s in self.addrepo), self.stage2, self.updates]
        found = [p for s in sources if s is not None for p in url_passwords(s.location)]
        found += self.unused_secrets
        return found + ([self.proxy.password] if self.proxy and self.proxy.password else [])


def split_cmdline(text: str, origin: str = "/proc/cmdline") -> list[str]:
    """Split a kernel command line as the kernel does: only double quotes group words.

    What follows `--` belongs to init and is not ours.
    """
    words, current, quoted, started = [], [], False, False
    for char in text:
        if char == '"':
            quoted, started = not quoted, True
        elif char.isspace() and not quoted:
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
    if quoted:
        raise BootOptionError(f"{origin}: a double quote is not closed: check the quotes")
    if started:
        words.append("".join(current))
    return words[: words.index("--")] if "--" in words else words


CREDENTIALS_RE = re.compile(r"(^|//)([^/:@\s]*):[^@/\s]*@")


def mask_credentials(text: str) -> str:
    """`http://user:pass@host` -> `http://user:********@host`, for messages about options."""
    return CREDENTIALS_RE.sub(r"\1\2:********@", text)


def apply_word(options: BootOptions, name: str, value: str | None, shown: str) -> None:
    """Parse one NAME[=VALUE] and store it; `shown` is how the user wrote the option."""
    spec = BY_NAME[name]
    shown = mask_credentials(shown)
    if value is None and spec.bare is not None:
        parsed = spec.bare()
    else:
        if value is None and not spec.flag:
            raise BootOptionError(f"{shown} needs a value: {spec.help}")
        try:
            parsed = spec.parse(value if value is not None else "")
        except ValueError as exc:
            raise BootOptionError(f"{shown}: {exc}") from None
    if spec.repeat:
        getattr(options, spec.attr).append(parsed)
    else:
        setattr(options, spec.attr, parsed)


def _not_applied(options: BootOptions, name: str, value: str | None, origin: str) -> None:
    """An Anaconda option without an OptionSpec: warned, refused or accepted (ignored.py)."""
    rule = ignored.IGNORED[name]
    if rule.secret and value:
        options.unused_secrets.append(value)
    if rule.state == ignored.REFUSED:
        raise BootOptionError(ignored.message(name, origin))
    if rule.state == ignored.WARNED:
        options.warnings.append(ignored.message(name, origin))


def parse_words(words: Iterable[str], options: BootOptions | None = None,
                origin: str = "/proc/cmdline") -> BootOptions:
    """Parse kernel-style words into `options`; unknown inst.* words are warnings."""
    options = options or BootOptions()
    for word in words:
        name, sep, value = word.partition("=")
        shown = mask_credentials(word)
        if name in BY_NAME or name in ALIASES:
            apply_word(options, ALIASES.get(name, name), value if sep else None, word)
        elif name in ignored.IGNORED:
            _not_applied(options, name, value if sep else None, origin)
        elif name.startswith("inst."):
            options.warnings.append(f"{origin}: unknown boot option {shown!r} ignored")
        elif name in LEGACY_NAMES and sep:
            options.warnings.append(
                f"{origin}: {shown!r} is the old spelling; use inst.{name}= (ignored)")
    return options


def parse_cmdline(text: str, origin: str = "/proc/cmdline") -> BootOptions:
    return parse_words(split_cmdline(text, origin), origin=origin)


def describe(options: BootOptions) -> str:
    """A loggable summary of what differs from the defaults: the proxy password and the
    passwords inside source URLs never appear."""
    defaults = BootOptions()
    shown = []
    for f in fields(options):
        value = getattr(options, f.name)
        if f.name in ("warnings", "unused_secrets") or value == getattr(defaults, f.name):
            continue
        if isinstance(value, (list, frozenset)):
            value = ",".join(str(v) for v in value)
        shown.append(f"{f.name}={value}")
    return mask_credentials(" ".join(shown)) or "(none)"
