"""pykickstart.load, imported only when pykickstart itself fetches a file.

pykickstart's parser and version modules import `load_to_str` from pykickstart.load, and
that module imports requests (with urllib3, idna, chardet and charset_normalizer): about
6 MiB of the installer's peak RSS (issue 19), for a function the installer reaches only
when pykickstart opens a file itself. The reader fetches network kickstarts on its own
and imports requests then. So before pykickstart is first imported, a stand-in module
takes pykickstart.load's place; its `load_to_str` imports the real module on first call
and hands over to it. Any other public name asked of the stand-in loads the real module too.
"""
from __future__ import annotations

import importlib
import sys
import types

NAME = "pykickstart.load"


def _real() -> types.ModuleType:
    module = sys.modules.get(NAME)
    if module is None or getattr(module, "_deferred_stand_in", False):
        sys.modules.pop(NAME, None)
        module = importlib.import_module(NAME)
    return module


def load_to_str(*args, **kwargs):
    return _real().load_to_str(*args, **kwargs)


def _other_name(name: str):
    if name.startswith("__"):  # the import system probing (__path__ and the like)
        raise AttributeError(name)
    return getattr(_real(), name)


def install() -> None:
    """Put the stand-in in place, unless pykickstart.load is already imported."""
    if NAME in sys.modules:
        return
    stand_in = types.ModuleType(NAME, __doc__)
    stand_in._deferred_stand_in = True
    stand_in.load_to_str = load_to_str
    stand_in.__getattr__ = _other_name
    sys.modules[NAME] = stand_in
