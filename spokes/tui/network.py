"""Network & host name: the installed system's host name and, per interface, DHCP or a
static IPv4 address, written as kickstart `network` lines.

Two views on one screen: the host name with the interface list, and the settings of one
interface (Enter on it). Esc in the settings checks them and returns to the list; Esc in
the list checks the host name and writes everything to the handler. The installer's own
network is not changed: these settings are for the installed system.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.network import (Interface, InterfaceConfig, NetworkState,
                                           list_interfaces, read_state, write_state)

from .errors import refuse
from .spoke import SYSTEM, Spoke
from .widgets import Choice, boxed, field

HELP = """Network & host name: how the installed system connects, and its name.

Host name: the system's name, e.g. myhost or myhost.example.com. Parts separated by dots \
use letters, digits and '-' (not first or last), 1-63 characters each, at most 64 in all. \
Leave it empty to let the network (DHCP) name the system.

Interfaces: the machine's network interfaces with their link state and current address. \
Enter on one opens its settings:
  DHCP - the address comes from the network (the usual choice);
  Static - Address/prefix such as 192.168.1.10/24, an optional Gateway in that network, \
and DNS servers separated by commas;
  Connect automatically after reboot - the interface is brought up at boot.
Esc there checks the settings and returns to the list; Esc in the list saves everything \
(as kickstart `network` lines) and returns to the hub. Tab and the arrows move."""

LIST_FOCUS = 4  # the first interface row of the list view


class InterfaceEditor:
    """The widgets of one interface's settings, read back into its InterfaceConfig."""

    def __init__(self, iface: Interface, config: InterfaceConfig):
        self.iface, self.config = iface, config
        self.methods: list[urwid.RadioButton] = []
        self.dhcp = urwid.RadioButton(self.methods, "DHCP", config.method == "dhcp")
        self.static = urwid.RadioButton(self.methods, "Static", config.method == "static")
        self.address, self.gateway, self.dns = (
            urwid.Edit("", text, edit_pos=len(text))
            for text in (config.address, config.gateway, config.dns))
        self.onboot = urwid.CheckBox("Connect automatically after reboot", config.onboot)
        self.error = urwid.Text("")
        self.view = self._build()

    def _build(self) -> urwid.Widget:
        iface = self.iface
        now = " ".join(iface.addresses) or "no address"
        state = "connected" if iface.connected else "disconnected"
        rows = [urwid.Text(f"{iface.kind} interface {iface.name} ({iface.mac or 'no MAC'}), "
                           f"{state}, now: {now}"),
                urwid.Divider(),
                field("IPv4 method:", urwid.Columns([
                    (10, urwid.AttrMap(self.dhcp, None, "focus")),
                    (12, urwid.AttrMap(self.static, None, "focus"))])),
                field("Address/prefix:", boxed(self.address)),
                field("", urwid.Text(("dim", "static only, e.g. 192.168.1.10/24"))),
                field("Gateway:", boxed(self.gateway)),
                field("DNS servers:", boxed(self.dns)),
                field("", urwid.Text(("dim", "comma-separated, e.g. 1.1.1.1, 8.8.8.8"))),
                urwid.AttrMap(self.onboot, None, focus_map="focus"),
                urwid.Divider(),
                urwid.Text(("dim", "Esc: check these settings and return to the list")),
                self.error]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 2
        return urwid.Padding(listbox, left=1, right=1)

    def read(self) -> InterfaceConfig:
        config = self.config
        return InterfaceConfig(config.name, config.mac, "static" if self.static.state else "dhcp",
                               self.address.edit_text.strip(), self.gateway.edit_text.strip(),
                               self.dns.edit_text.strip(), self.onboot.state, config.activate,
                               config.data)


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
        self.editor: InterfaceEditor | None = None
        self.list_view: urwid.Widget | None = None

    # ---- hub semantics -----------------------------------------------------------------
    def status(self) -> str:
        link = next((i for i in self.lister() if i.connected), None)
        return link.describe() if link else "Not connected"

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        self.interfaces = self.lister()
        self.state = read_state(self.handler, self.interfaces, self.session.options.ip)
        self.hostname.set_edit_text(self.state.hostname)
        self.hostname.set_edit_pos(len(self.state.hostname))
        self.error.set_text("")
        self.editor = None
        self._build_list()

    def _build_list(self) -> None:
        rows: list[urwid.Widget] = [
            field("Host name:", boxed(self.hostname)),
            field("", urwid.Text(("dim", "e.g. myhost.example.com; empty: the network names it"))),
            urwid.Divider(),
            urwid.Text(("category", "Interfaces (Enter to configure)")),
        ]
        for iface, config in zip(self.interfaces, self.state.configs):
            state = "connected" if iface.connected else "disconnected"
            now = iface.addresses[0] if iface.addresses else "-"
            rows.append(Choice(f"{iface.name:<10} {state:<13} {now:<20} {config.summary()}",
                               iface.name, self._open))
        if not self.interfaces:
            rows.append(urwid.Text("No network interface was found on this machine."))
        rows += [urwid.Divider(), self.error]
        listbox = urwid.ListBox(urwid.SimpleFocusListWalker(rows))
        listbox.focus_position = 0
        self.list_view = urwid.Padding(listbox, left=1, right=1)

    def body(self) -> urwid.Widget:
        return self.editor.view if self.editor is not None else self.list_view

    def _open(self, name: str) -> None:
        index = next(i for i, iface in enumerate(self.interfaces) if iface.name == name)
        self.editor = InterfaceEditor(self.interfaces[index], self.state.configs[index])
        self.redraw()

    def leave(self) -> bool:
        """Esc: from an interface's settings back to the list (when they are valid); from
        the list, the host name checked and everything written to the handler."""
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
        problems = config.problems()
        if problems:
            return refuse(self, editor.error, problems)
        index = self.state.configs.index(editor.config)
        self.state.configs[index] = config
        self.editor = None
        self.error.set_text("")
        focus = LIST_FOCUS + index
        self._build_list()
        self.list_view.original_widget.focus_position = focus
        self.redraw()
        return False
