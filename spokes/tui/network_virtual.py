"""The settings screen of one bond, VLAN or bridge: its own fields (name, ports, mode and
options; parent and VLAN id) over the address fields every device has. Ports and parents
are chosen from the devices the spoke lists, so nothing has to be typed twice."""
from __future__ import annotations

from dataclasses import replace

import urwid

from installer.bootopts.values import BOND_MODES
from installer.ui.network_virtual import VirtualConfig

from .network_ip import IpFields, edit, hint
from .widgets import boxed, field

TITLES = {"bond": "Bond", "vlan": "VLAN", "bridge": "Bridge"}
NEW = {"bond": "New bond", "vlan": "New VLAN", "bridge": "New bridge"}


def grid(cells: list[urwid.Widget], width: int) -> urwid.GridFlow:
    return urwid.GridFlow([urwid.AttrMap(c, None, "focus") for c in cells], width, 1, 0, "left")


class VirtualEditor:
    """The widgets of one virtual device, read back into a VirtualConfig."""

    def __init__(self, config: VirtualConfig, candidates: list[str], port_owner: dict[str, str]):
        """`candidates`: the devices it can use (ports, or a VLAN's parent);
        `port_owner`: the ports other devices already have, shown as such."""
        self.config = config
        self.name = edit(config.name)
        self.options = edit(config.options)
        self.vlan_id = edit(config.vlan_id)
        # a kickstart's port or parent that this machine does not have stays choosable
        given = config.ports + ([config.parent] if config.parent else [])
        names = list(dict.fromkeys(candidates + given))
        names = [n for n in names if n != config.device]
        self.ports = [urwid.CheckBox(n + (f" ({port_owner[n]})" if n in port_owner else ""),
                                     n in config.ports) for n in names]
        self.port_names = names
        self.modes: list[urwid.RadioButton] = []
        for mode in BOND_MODES:
            urwid.RadioButton(self.modes, mode, mode == config.mode)
        self.parents: list[urwid.RadioButton] = []
        for name in names:
            urwid.RadioButton(self.parents, name, name == config.parent)
        self.ip = IpFields(config)
        self.error = urwid.Text("")
        self.view = self._build()

    def _kind_rows(self) -> list[urwid.Widget]:
        kind = self.config.kind
        if kind == "vlan":
            return [field("Parent:", grid(self.parents, 18) if self.parents
                          else urwid.Text("(no device to carry it)")),
                    field("VLAN id:", boxed(self.vlan_id)),
                    hint("1 to 4094"),
                    field("Name:", boxed(self.name)),
                    hint("optional; empty: PARENT.ID, e.g. enp1s0.10")]
        width = max([len(n) for n in (b.label for b in self.ports)] + [8]) + 5
        rows = [field("Name:", boxed(self.name)),
                field("Ports:", grid(self.ports, width) if self.ports
                      else urwid.Text("(no interface to use)"))]
        if kind == "bond":
            rows += [field("Mode:", grid(self.modes, 18)),
                     field("Options:", boxed(self.options)),
                     hint("e.g. miimon=100,primary=enp1s0")]
        else:
            rows += [field("Options:", boxed(self.options)),
                     hint("e.g. stp=no,forward-delay=2")]
        return rows

    def _build(self) -> urwid.Widget:
        config = self.config
        title = f"{TITLES[config.kind]} {config.device}" if config.device else NEW[config.kind]
        rows = [urwid.Text(title), urwid.Divider(), *self._kind_rows(), urwid.Divider(),
                *self.ip.rows(), urwid.Divider(),
                urwid.Text(("dim", "Esc: check these settings and return to the list"))]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 2
        return urwid.Padding(urwid.Pile([listbox, ("pack", self.error)]), left=1, right=1)

    def read(self) -> VirtualConfig:
        config = self.ip.read(self.config)
        ports = [n for n, box in zip(self.port_names, self.ports) if box.state]
        parent = next((b.label for b in self.parents if b.state), "")
        mode = next((b.label for b in self.modes if b.state), config.mode)
        return replace(config, name=self.name.edit_text.strip(), ports=ports, mode=mode,
                       options=self.options.edit_text.strip(), parent=parent,
                       vlan_id=self.vlan_id.edit_text.strip())
