"""What the boot options inst.lang and inst.keymap give a kickstart that leaves them out.

In Anaconda they set the installer's own language and keyboard, and the installed
system's unless the kickstart says otherwise; here the installer's messages are English
only, so they set the installed system's, and the text UI starts from them (the keyboard
counts as chosen, so a language picked later does not replace it). A kickstart's `lang`
or `keyboard` wins, as in Anaconda.
"""
from __future__ import annotations

import logging
import re

from installer.bootopts import BootOptions

log = logging.getLogger("anaconda")

#: inst.keymap=cz(qwerty): an X layout with its variant (a console keymap has no "(").
_X_LAYOUT = re.compile(r"^([A-Za-z0-9_-]+)\(([A-Za-z0-9_-]+)\)$")


def apply_boot_localization(handler, options: BootOptions, seen: set[str]) -> None:
    """`seen`: the names of the kickstart's commands (empty without a kickstart)."""
    if options.lang and "lang" not in seen:
        handler.lang.lang = options.lang
        log.info("inst.lang=%s: the installed system's language", options.lang)
    if options.keymap and "keyboard" not in seen:
        keyboard = handler.keyboard
        layout = _X_LAYOUT.match(options.keymap)
        if layout:
            keyboard.x_layouts = [f"{layout.group(1)} ({layout.group(2)})"]
        else:
            keyboard.keyboard = options.keymap
        keyboard.seen = True
        log.info("inst.keymap=%s: the installed system's keyboard", options.keymap)
