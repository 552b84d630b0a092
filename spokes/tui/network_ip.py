"""The address fields every device's settings screen shows (IPv4, IPv6, DNS, search
domains, start at boot), read back into an installer.ui.network_ip.IpConfig."""
from __future__ import annotations

from dataclasses import replace

import urwid

from installer.ui.network_ip import IPV4_METHODS, IPV6_METHODS, IpConfig

from .widgets import boxed, field

V4_LABELS = {"dhcp": "DHCP", "static": "Static", "off": "Off"}
V6_LABELS = {"auto": "Automatic", "dhcp": "DHCPv6", "static": "Static", "off": "Off"}


def radios(labels: dict[str, str], chosen: str, group: list) -> urwid.Widget:
    """One row of radio buttons, one per method."""
    cells = [(len(label) + 6, urwid.AttrMap(urwid.RadioButton(group, label, key == chosen),
                                            None, "focus"))
             for key, label in labels.items()]
    return urwid.Columns(cells)


def edit(text: str) -> urwid.Edit:
    return urwid.Edit("", text, edit_pos=len(text))


def hint(text: str) -> urwid.Widget:
    return field("", urwid.Text(("dim", text)))


class IpFields:
    """The widgets of an IpConfig; `rows()` puts them into a form, `read()` reads them."""

    def __init__(self, config: IpConfig):
        self.config = config
        self.v4: list[urwid.RadioButton] = []
        self.v6: list[urwid.RadioButton] = []
        self.v4_row = radios(V4_LABELS, config.method, self.v4)
        self.v6_row = radios(V6_LABELS, config.method6, self.v6)
        self.address, self.gateway = edit(config.address), edit(config.gateway)
        self.address6, self.gateway6 = edit(config.address6), edit(config.gateway6)
        self.dns, self.search = edit(config.dns), edit(config.search)
        self.onboot = urwid.CheckBox("Connect automatically after reboot", config.onboot)

    def rows(self) -> list[urwid.Widget]:
        return [field("IPv4 method:", self.v4_row),
                field("Address/prefix:", boxed(self.address)),
                hint("static only, e.g. 192.168.1.10/24"),
                field("Gateway:", boxed(self.gateway)),
                field("IPv6 method:", self.v6_row),
                field("IPv6 address/prefix:", boxed(self.address6)),
                hint("static only, e.g. 2001:db8::10/64"),
                field("IPv6 gateway:", boxed(self.gateway6)),
                field("DNS servers:", boxed(self.dns)),
                hint("comma-separated, e.g. 1.1.1.1, 2606:4700:4700::1111"),
                field("Search domains:", boxed(self.search)),
                hint("comma-separated, e.g. example.com, lab.example.com"),
                urwid.AttrMap(self.onboot, None, focus_map="focus")]

    def read(self, config: IpConfig) -> IpConfig:
        """A copy of `config` (same kind, same kickstart line) with what was typed."""
        method = IPV4_METHODS[[b.state for b in self.v4].index(True)]
        method6 = IPV6_METHODS[[b.state for b in self.v6].index(True)]
        return replace(config, method=method, address=self.address.edit_text.strip(),
                       gateway=self.gateway.edit_text.strip(), method6=method6,
                       address6=self.address6.edit_text.strip(),
                       gateway6=self.gateway6.edit_text.strip(), dns=self.dns.edit_text.strip(),
                       search=self.search.edit_text.strip(), onboot=self.onboot.state)
