"""`%addon com_redhat_kdump`: its header options checked before anything is written.
(Addons this installer does not have are warned of by name in support.py.)"""
from __future__ import annotations

from installer.kickstart.addons import addons_of
from installer.kickstart.kdump import ADDON as KDUMP, body_lines, parse_kdump_args

from .findings import Findings, Where


def check_addons(loaded, found: Findings) -> None:
    for seen in addons_of(loaded.handler):
        if seen.name != KDUMP or getattr(seen, "section", "%addon") != "%addon":
            continue
        where = Where(seen.file, seen.line)
        try:
            parse_kdump_args(seen.args)
        except ValueError as exc:
            found.error(where, f"%addon {KDUMP}: {exc}")
        ignored = body_lines(seen.lines)
        if ignored:
            found.warn(where, f"%addon {KDUMP} reads only its header line; the {len(ignored)} "
                       "line(s) before its %end are ignored")
