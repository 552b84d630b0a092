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

from . import values

@dataclass(frozen=True)
class OptionSpec:
    name: str  # as on the kernel command line
    attr: str  # BootOptions field
    parse: Callable[[str], Any]
    help: str
    repeat: bool = False  # may be given more than once; values collect in a list
    flag: bool = False  # may be given without a value (a boolean switch)

    @property
    def cli_flag(self) -> str:
        bare = self.name.removeprefix("inst.")
        return "--" + bare.replace(".", "-")


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec("inst.ks", "ks", values.parse_source, "kickstart location", repeat=True),
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
    OptionSpec("inst.lowmem", "lowmem", values.parse_level, "force low-memory level 0, 1 or 2"),
    OptionSpec("inst.memcheck", "memcheck", values.parse_bool,
               "refuse to start below the minimum RAM (1, the default) or only warn (0)", flag=True),
    OptionSpec("inst.debug", "debug", values.parse_bool, "debug logging", flag=True),
    OptionSpec("inst.proxy", "proxy", values.parse_proxy, "proxy for network sources"),
    OptionSpec("inst.noverifyssl", "noverifyssl", values.parse_bool,
               "do not verify TLS certificates of network sources", flag=True),
    OptionSpec("console", "console", values.parse_console, "console device", repeat=True),
    OptionSpec("ip", "ip", values.parse_ip, "installer network configuration", repeat=True),
)
BY_NAME = {spec.name: spec for spec in OPTIONS}

#: Spellings Anaconda dropped long ago; warn so a stale PXE config is noticed.
LEGACY_NAMES = {"ks", "repo", "stage2", "updates", "text", "cmdline", "lang", "keymap",
                "proxy", "noverifyssl", "ksstrict", "nokill", "method"}


@dataclass
class BootOptions:
    ks: list[values.Source] = field(default_factory=list)
    ks_all: bool = False
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
    lowmem: int | None = None
    memcheck: bool = True
    debug: bool = False
    proxy: values.Proxy | None = None
    noverifyssl: bool = False
    console: list[str] = field(default_factory=list)
    ip: list[values.IpConfig] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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


def parse_words(words: Iterable[str], options: BootOptions | None = None,
                origin: str = "/proc/cmdline") -> BootOptions:
    """Parse kernel-style words into `options`; unknown inst.* words are warnings."""
    options = options or BootOptions()
    for word in words:
        name, sep, value = word.partition("=")
        shown = mask_credentials(word)
        if name in BY_NAME:
            apply_word(options, name, value if sep else None, word)
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
        if f.name == "warnings" or value == getattr(defaults, f.name):
            continue
        if isinstance(value, (list, frozenset)):
            value = ",".join(str(v) for v in value)
        shown.append(f"{f.name}={value}")
    return mask_credentials(" ".join(shown)) or "(none)"
