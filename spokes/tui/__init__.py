"""The interactive text UI on urwid: hub, spokes, dialogs, progress screen."""
from __future__ import annotations


def create():
    from .frontend import TuiFrontend

    return TuiFrontend()
