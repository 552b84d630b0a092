"""The installation source spoke's form: the kind of source and the fields of that kind.

Widgets only: they keep what was typed across redraws (the spoke rebuilds its body from
the state each time) and hand it over as an installer.ui.repos_form `SourceForm`.
"""
from __future__ import annotations

from typing import Callable

import urwid

from installer.ui.repos_form import KIND_LABELS, KINDS, URL_KINDS, SourceForm

from .widgets import EnterEdit, boxed, field


class SourceFields:
    """Kind radio buttons and one edit per field; `on_kind` runs when the kind changes."""

    def __init__(self, on_enter: Callable[[], object], on_kind: Callable[[str], None]):
        self.group: list[urwid.RadioButton] = []
        self.radios = {kind: urwid.RadioButton(self.group, KIND_LABELS[kind]) for kind in KINDS}
        self._kind = "url"
        self.on_kind = on_kind
        for kind, radio in self.radios.items():
            urwid.connect_signal(radio, "postchange",
                                 lambda _r, _old, k=kind: self._picked(k))
        self.url, self.proxy = EnterEdit(on_enter), EnterEdit(on_enter)
        self.proxy_password = EnterEdit(on_enter, mask="*")
        self.partition, self.path = EnterEdit(on_enter), EnterEdit(on_enter)
        self.server, self.directory, self.options = (EnterEdit(on_enter), EnterEdit(on_enter),
                                                     EnterEdit(on_enter))
        self.noverifyssl = urwid.CheckBox("Do not verify the server's TLS certificate")

    @property
    def kind(self) -> str:
        return self._kind

    def _picked(self, kind: str) -> None:
        if self.radios[kind].state and kind != self._kind:
            self._kind = kind
            self.on_kind(kind)

    def fill(self, form: SourceForm) -> None:
        self._kind = form.kind
        self.radios[form.kind].set_state(True, do_callback=False)
        for edit, text in ((self.url, form.url), (self.proxy, form.proxy),
                           (self.proxy_password, form.proxy_password),
                           (self.partition, form.partition), (self.path, form.path),
                           (self.server, form.server), (self.directory, form.directory),
                           (self.options, form.options)):
            edit.set(text)
        self.noverifyssl.set_state(form.noverifyssl, do_callback=False)

    def collect(self) -> SourceForm:
        return SourceForm(self.kind, url=self.url.edit_text, proxy=self.proxy.edit_text,
                          proxy_password=self.proxy_password.edit_text,
                          noverifyssl=self.noverifyssl.state,
                          partition=self.partition.edit_text, path=self.path.edit_text,
                          server=self.server.edit_text, directory=self.directory.edit_text,
                          options=self.options.edit_text)

    def kind_rows(self) -> list[tuple[str, urwid.Widget]]:
        """Two lines of three kinds each."""
        cells = [urwid.AttrMap(self.radios[k], None, focus_map="focus") for k in KINDS]
        grid = urwid.GridFlow(cells, 26, 0, 0, "left")
        grid.focus_position = KINDS.index(self.kind)  # the picked one, after a redraw
        return [("kinds", grid)]

    def field_rows(self) -> list[tuple[str, urwid.Widget]]:
        """The fields of the chosen kind, keyed for keeping the focus across redraws."""
        kind = self.kind
        if kind in URL_KINDS:
            return [("url", field(KIND_LABELS[kind] + ":", boxed(self.url))),
                    ("proxy", field("Proxy (optional):", boxed(self.proxy))),
                    ("proxy-hint", field("", urwid.Text(("dim", "[http://][USER@]HOST[:PORT]")))),
                    ("proxy-password", field("Proxy password:", boxed(self.proxy_password))),
                    ("tls", urwid.AttrMap(self.noverifyssl, None, focus_map="focus"))]
        if kind == "hd":
            return [("partition", field("Partition:", boxed(self.partition))),
                    ("path", field("ISO or directory:", boxed(self.path))),
                    ("path-hint", field("", urwid.Text(
                        ("dim", "path on the partition, e.g. /isos/x.iso or /repo"))))]
        if kind == "nfs":
            return [("server", field("NFS server:", boxed(self.server))),
                    ("directory", field("Directory:", boxed(self.directory))),
                    ("options", field("Mount options:", boxed(self.options))),
                    ("nfs-hint", field("", urwid.Text(
                        ("dim", "optional, e.g. vers=4,port=2049"))))]
        return [("cdrom", urwid.Text("The installer's boot medium (a CD, DVD or USB stick with "
                                     "repodata/), found and mounted read-only."))]

    def first_field(self) -> str:
        return {"hd": "partition", "nfs": "server", "cdrom": "cdrom"}.get(self.kind, "url")
