"""Boot options: `inst.*`, `console=` and `ip=` from /proc/cmdline or the same as CLI flags."""
from .options import OPTIONS, BootOptions, apply_word, describe, parse_cmdline, parse_words
from .values import IpConfig, Proxy, Source

__all__ = ["OPTIONS", "BootOptions", "IpConfig", "Proxy", "Source", "apply_word", "describe",
           "parse_cmdline", "parse_words"]
