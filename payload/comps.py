"""The choices a repository's comps offers, for a front end to show before any install.

The TUI's software spoke lists environments and their add-on groups; the comps data
lives in DNF, which only the worker process loads, so the worker sends it as one
"comps" event whose message is the JSON made here (read back with `json.loads`):

    {"environments": [{"id", "name", "description", "groups": [id...],
                       "options": [[id, default]...]}...],   # in display order
     "groups": [{"id", "name", "description", "visible"}...]}  # in display order
"""
from __future__ import annotations

import json


def _order(item) -> tuple:
    return (item.display_order if item.display_order is not None else 1 << 30, item.id)


def comps_json(base) -> str:
    """The environments and groups of the loaded repositories (after `read_comps`)."""
    environments = [{"id": env.id, "name": env.ui_name or env.id,
                     "description": env.ui_description or "",
                     "groups": [g.name for g in env.group_ids],
                     "options": [[g.name, bool(g.default)] for g in env.option_ids]}
                    for env in sorted(base.comps.environments, key=_order)]
    groups = [{"id": group.id, "name": group.ui_name or group.id,
               "description": group.ui_description or "", "visible": bool(group.visible)}
              for group in sorted(base.comps.groups, key=_order)]
    return json.dumps({"environments": environments, "groups": groups})
