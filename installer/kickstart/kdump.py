"""The `%addon com_redhat_kdump` header: `--enable|--disable --reserve-mb=auto|N
--enablefadump`, as Anaconda's kdump addon reads it.

No option means kdump on with `--reserve-mb=auto`; the last of --enable/--disable wins;
`--reserve-mb` takes a number of MiB (a trailing M and quotes are allowed) or `auto`.
Anything else is a mistake the checks refuse before a disk is touched.
"""
from __future__ import annotations

from dataclasses import dataclass

ADDON = "com_redhat_kdump"
AUTO = "auto"


@dataclass(frozen=True)
class KdumpSettings:
    enabled: bool = True
    reserve_mb: str = AUTO  # "auto" or a positive number of MiB, as digits
    fadump: bool = False


def reserve_value(value: str) -> str:
    """`'256M'` -> `256`; `auto` stays; anything else is a ValueError saying what is wanted."""
    text = value.strip("'\"")
    if text == AUTO:
        return text
    number = text[:-1] if text.endswith("M") else text
    if not number.isdigit() or int(number) == 0:
        raise ValueError(f"--reserve-mb={value!s} is not a size: expected a number of MiB "
                         "such as 256 (or 256M), or auto")
    return str(int(number))


def parse_kdump_args(args: list[str]) -> KdumpSettings:
    """The header's words after the addon name; a ValueError names the first bad one."""
    enabled, reserve, fadump = True, AUTO, False
    words = list(args)
    while words:
        word = words.pop(0)
        name, equals, value = word.partition("=")
        if name in ("--enable", "--disable", "--enablefadump") and equals:
            raise ValueError(f"{name} takes no value (found {word!r})")
        if name == "--enable":
            enabled = True
        elif name == "--disable":
            enabled = False
        elif name == "--enablefadump":
            fadump = True
        elif name == "--reserve-mb":
            if not equals:
                if not words or words[0].startswith("--"):
                    raise ValueError("--reserve-mb needs a value: a number of MiB or auto")
                value = words.pop(0)
            reserve = reserve_value(value)
        else:
            raise ValueError(f"unknown option {word!r}; %addon {ADDON} takes --enable, "
                             "--disable, --reserve-mb=auto|MiB and --enablefadump")
    return KdumpSettings(enabled, reserve, fadump)


def body_lines(lines: list[str]) -> list[str]:
    """What the section holds between the header and %end (the addon reads none of it)."""
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]
