"""Network & host name: the installed system's host name and, per device, its addresses,
written as kickstart `network` lines; bonds, VLANs and bridges are made over the listed
interfaces.

Two views on one screen: the host name with the device lists, and the settings of one
device (Enter on it, or on an "Add" line). Esc in the settings checks them and returns to
the list; Esc in the list checks everything and writes it to the handler. The installer's
own network is not changed: these settings are for the installed system.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.network import (Interface, InterfaceConfig, NetworkState, describe_line,
                                  list_interfaces, read_state, write_state)
from installer.ui.network_virtual import VirtualConfig

from .errors import refuse
from .network_ip import IpFields
from .network_virtual import VirtualEditor
from .spoke import SYSTEM, Spoke
from .widgets import Choice, boxed, field

HELP = """Network & host name: the installed system's name and connections.

Host name: e.g. myhost.example.com (letters, digits and '-', parts of 1-63 \
characters). Empty: the network (DHCP) names the system.

Enter on an interface: IPv4 DHCP, Static (192.168.1.10/24 and a gateway) or Off; \
IPv6 Automatic, DHCPv6, Static (2001:db8::10/64) or Off; DNS servers and search \
domains, comma-separated.

Add a bond (ports, mode, options such as miimon=100), a VLAN (id 1-4094 on a \
parent) or a bridge (ports, options such as stp=no). Delete or '-' removes one.

Esc checks a device's settings and returns to the list; Esc in the list saves all \
as kickstart `network` lines."""

LIST_FOCUS = 4  # the first interface row of the list view
ADD = (("bond", "Add a bond"), ("vlan", "Add a VLAN"), ("bridge", "Add a bridge"))


class InterfaceEditor:
    """The widgets of one interface's settings, read back into its InterfaceConfig."""

    def __init__(self, iface: Interface, config: InterfaceConfig):
        self.iface, self.config = iface, config
        self.ip = IpFields(config)
        self.error = urwid.Text("")
        self.view = self._build()

    def _build(self) -> urwid.Widget:
        iface = self.iface
        now = " ".join(iface.addresses) or "no address"
        state = "connected" if iface.connected else "disconnected"
        rows = [urwid.Text(f"{iface.kind} interface {iface.name} ({iface.mac or 'no MAC'}), "
                           f"{state}, now: {now}"),
                urwid.Divider(), *self.ip.rows(), urwid.Divider(),
                urwid.Text(("dim", "Esc: check these settings and return to the list"))]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 2
        return urwid.Padding(urwid.Pile([listbox, ("pack", self.error)]), left=1, right=1)

    def read(self) -> InterfaceConfig:
        return self.ip.read(self.config)


class NetworkSpoke(Spoke):
    title = "Network & host name"
    category = SYSTEM
    mandatory = False
    help_text = HELP

    def __init__(self, lister: Callable[[], list[Interface]] = list_interfaces) -> None:
        super().__init__()
        self.lister = lister
        self.interfaces: list[Interface] = []
        self.state = NetworkState("", [])
        self.hostname = urwid.Edit("")
        self.error = urwid.Text("")
        self.editor: InterfaceEditor | VirtualEditor | None = None
        self.editing: VirtualConfig | None = None  # the device the virtual editor replaces
        self.list_view: urwid.Widget | None = None
        self.listbox: urwid.ListBox | None = None

    # ---- hub semantics -----------------------------------------------------------------
    def status(self) -> str:
        link = next((i for i in self.lister() if i.connected), None)
        return link.describe() if link else "Not connected"

    def keys_hint(self) -> str:
        if self.editor is None:
            return "F1 Help  Esc Done  Enter Configure/Add  Del Remove bond/VLAN/bridge"
        return "F1 Help  Esc Check and back to the list  Tab/arrows Move  Space Tick/choose"

    # ---- the list ----------------------------------------------------------------------
    def enter(self) -> None:
        self.interfaces = self.lister()
        self.state = read_state(self.handler, self.interfaces, self.session.options.ip)
        self.hostname.set_edit_text(self.state.hostname)
        self.hostname.set_edit_pos(len(self.state.hostname))
        self.error.set_text("")
        self.editor = None
        self._build_list()

    def _build_list(self, focus: int = 0) -> None:
        rows: list[urwid.Widget] = [
            field("Host name:", boxed(self.hostname)),
            field("", urwid.Text(("dim", "e.g. myhost.example.com; empty: the network names it"))),
            urwid.Divider(),
            urwid.Text(("category", "Interfaces (Enter to configure)")),
        ]
        for iface, config in zip(self.interfaces, self.state.configs):
            state = "connected" if iface.connected else "disconnected"
            now = iface.addresses[0] if iface.addresses else "-"
            owner = self.state.port_of(iface.name)
            what = f"port of {owner}" if owner else config.summary()
            rows.append(Choice(f"{iface.name:<10} {state:<13} {now:<20} {what}",
                               ("iface", iface.name), self._open))
        if not self.interfaces:
            rows.append(urwid.Text("No network interface was found on this machine."))
        rows += [urwid.Divider(), urwid.Text(("category", "Bonds, VLANs and bridges"))]
        for index, virtual in enumerate(self.state.virtuals):
            rows.append(Choice(f"{virtual.device:<12} {virtual.describe():<26} "
                               f"{virtual.summary()}", ("virtual", index), self._open))
        rows += [Choice(label, ("add", kind), self._open) for kind, label in ADD]
        for data in self.state.kept:
            rows.append(urwid.Text(("dim", f"  {describe_line(data)}: kept as the kickstart "
                                           "gives it")))
        self.listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        self.listbox.focus_position = focus
        self.list_view = urwid.Padding(urwid.Pile([self.listbox, ("pack", self.error)]),
                                       left=1, right=1)

    def body(self) -> urwid.Widget:
        return self.editor.view if self.editor is not None else self.list_view

    def _open(self, target: tuple[str, object]) -> None:
        what, key = target
        if what == "iface":
            index = next(i for i, iface in enumerate(self.interfaces) if iface.name == key)
            owner = self.state.port_of(str(key))
            if owner:
                refuse(self, self.error, f"{key} is a port of {owner}: its addresses are "
                       f"{owner}'s. Open {owner} to change them, or take {key} out of it.")
                return
            self.editor = InterfaceEditor(self.interfaces[index], self.state.configs[index])
        else:
            config = self.state.virtuals[key] if what == "virtual" else VirtualConfig(kind=key)
            self.editing = config if what == "virtual" else None
            self.editor = self._virtual_editor(config)
        self.redraw()

    def _virtual_editor(self, config: VirtualConfig) -> VirtualEditor:
        hardware = [c.name for c in self.state.configs]
        bonds = [v.device for v in self.state.virtuals
                 if v.kind == "bond" and v is not self.editing]
        if config.kind == "bond":
            candidates = hardware
        elif config.kind == "bridge":
            candidates = hardware + bonds
        else:
            candidates = [n for n in self.state.device_names() if n != config.device]
        owners = {p: v.device for v in self.state.virtuals if v is not self.editing
                  for p in v.ports}
        return VirtualEditor(config, candidates, {p: f"in {o}" for p, o in owners.items()})

    def shortcut(self, key: str) -> bool:
        """Delete or '-' on a bond, VLAN or bridge: remove it (asked first)."""
        if self.editor is not None or key not in ("delete", "-") or self.listbox is None:
            return False
        row = self.listbox.focus
        value = getattr(row, "value", None)
        if not value or value[0] != "virtual":
            return False
        virtual = self.state.virtuals[value[1]]
        users = self.state.users_of(virtual.device)
        if users:
            refuse(self, self.error, f"{virtual.device} is used by {', '.join(users)}: remove "
                   "or change that first.")
            return True
        self.app.confirm("Remove device", f"Remove {virtual.device} ({virtual.describe()})?",
                         lambda: self._remove(virtual))
        return True

    def _remove(self, virtual: VirtualConfig) -> None:
        self.state.virtuals.remove(virtual)
        if virtual.data is not None:
            self.state.removed.append(virtual.data)
        self._rebuild_list(LIST_FOCUS)

    # ---- leaving -----------------------------------------------------------------------
    def leave(self) -> bool:
        """Esc: from a device's settings back to the list (when they are valid); from the
        list, everything checked and written to the handler."""
        if self.editor is not None:
            return self._close_editor()
        self.state.hostname = self.hostname.edit_text.strip()
        problems = self.state.problems()
        if problems:
            return refuse(self, self.error, problems)
        write_state(self.handler, self.state)
        return True

    def _close_editor(self) -> bool:
        editor = self.editor
        config = editor.read()
        if isinstance(editor, VirtualEditor):
            problems = self.state.virtual_problems(config, self.editing)
        else:
            problems = config.problems()
        if problems:
            return refuse(self, editor.error, problems)
        if isinstance(editor, InterfaceEditor):
            index = self.state.configs.index(editor.config)
            self.state.configs[index] = config
            focus = LIST_FOCUS + index
        elif self.editing is not None:
            index = self.state.virtuals.index(self.editing)
            self.state.virtuals[index] = config
            if self.editing.device != config.device:
                self.state.rename(self.editing.device, config.device)
            focus = self._virtual_row(index)
        else:
            self.state.virtuals.append(config)
            focus = self._virtual_row(len(self.state.virtuals) - 1)
        self.editor = self.editing = None
        self.error.set_text("")
        self._rebuild_list(focus)
        return False

    def _virtual_row(self, index: int) -> int:
        return LIST_FOCUS + max(len(self.interfaces), 1) + 2 + index

    def _rebuild_list(self, focus: int) -> None:
        self._build_list(focus)
        self.redraw()
