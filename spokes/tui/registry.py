"""Every spoke of the hub, in hub order (numbered as listed within the two columns)."""
from __future__ import annotations


def all_spokes() -> list:
    from .destination import DestinationSpoke
    from .keyboard import KeyboardSpoke
    from .language import LanguageSpoke
    from .network import NetworkSpoke
    from .rootpw import RootPasswordSpoke
    from .software import SoftwareSpoke
    from .source import SourceSpoke
    from .timedate import TimeSpoke
    from .user import UserSpoke

    return [LanguageSpoke(), KeyboardSpoke(), TimeSpoke(), SourceSpoke(), SoftwareSpoke(),
            DestinationSpoke(), NetworkSpoke(), RootPasswordSpoke(), UserSpoke()]
