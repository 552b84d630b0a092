"""Time settings: the time zone (a region, then a city), the hardware clock, network time.

Writes `timezone ZONE [--utc]` and, for NTP off, `timesource --ntp-disable` (F40 made
`timezone --nontp` deprecated; older handlers get that instead: localization.set_ntp).
Zones are only ever picked from the system's tz database (localization.set_timezone
refuses others), so an invalid one cannot be set here; one that came from outside is
shown as such and leaves the spoke incomplete. Checking one zone opens one file, so the
spoke is ready at once; the listing for the region and city pages is read in the
background. Without a kickstart `timezone`, the hardware clock starts in UTC.
"""
from __future__ import annotations

import logging

import urwid

from installer.ui import localization

from .errors import message_of
from .language import FoldingFilterList
from .spoke import LOCALIZATION, Spoke
from .widgets import FilterList, button_row, error_text, field

log = logging.getLogger("anaconda.tui")

MAIN, REGION, CITY = "main", "region", "city"

HELP = """Time settings: the time zone of the installed system, whether its hardware \
clock keeps UTC, and whether it sets its clock from network time (NTP) servers.

Set time zone (or key t): choose a region, then a city. In both lists type part of the name to \
narrow the list, move with the arrow keys and press Enter. UTC itself is in the region \
"Etc". Esc goes back one step; Esc on the first page returns to the hub.

Hardware clock in UTC: leave it on unless this disk also boots Windows, which keeps \
local time in the clock. Network time: on, the installed system synchronises its \
clock with NTP servers; off is saved as `timesource --ntp-disable`.

Choosing a language proposes its usual time zone until you choose one here."""


class TimeSpoke(Spoke):
    title = "Time settings"
    category = LOCALIZATION
    mandatory = True
    help_text = HELP

    def __init__(self) -> None:
        super().__init__()
        self.loaded = False
        self.error = ""
        self.page = MAIN
        self.region = ""
        self.utc_wanted: bool | None = None  # ticked before any zone was set
        self._widget: urwid.Widget | None = None

    # ---- hub semantics -----------------------------------------------------------------
    def setup(self) -> None:
        self.app.run_background("timezones", localization.all_timezones, self._loaded)

    def _loaded(self, _zones, error: BaseException | None) -> None:
        if error is not None:
            log.warning("Time zones not loaded: %s", error)
            self.error = f"The time zone database could not be read ({message_of(error)})."
        self.loaded = True
        self._widget = None

    @property
    def zone(self) -> str:
        return self.handler.timezone.timezone or ""

    def completed(self) -> bool:
        return localization.is_valid_timezone(self.zone)

    def status(self) -> str:
        if not self.zone:
            return "Timezone is not set"
        if not localization.is_valid_timezone(self.zone):
            return f"{self.zone} is not a valid timezone"
        return f"{self.zone} timezone"

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        self.page = MAIN
        self._widget = None

    def leave(self) -> bool:
        if self.page == CITY:
            self._show_page(REGION)
            return False
        if self.page == REGION:
            self._show_page(MAIN)
            return False
        return True

    def shortcut(self, key: str) -> bool:
        if self.page == MAIN and key == "t":
            self._open_regions()
            return True
        return False

    def _show_page(self, page: str) -> None:
        self.page = page
        self._widget = None
        self.redraw()

    def body(self) -> urwid.Widget:
        """Built once per page, so the text typed into a filter survives redraws."""
        if self._widget is None:
            self._widget = {MAIN: self._main, REGION: self._regions,
                            CITY: self._cities}[self.page]()
        return self._widget

    def _main(self) -> urwid.Widget:
        utc = urwid.CheckBox("Hardware clock in UTC (not local time)", self._utc(),
                             on_state_change=lambda _c, state: self._set_utc(state))
        ntp = urwid.CheckBox("Network time: synchronise the clock with NTP servers",
                             localization.ntp_enabled(self.handler),
                             on_state_change=lambda _c, state: localization.set_ntp(
                                 self.handler, state))
        rows: list[urwid.Widget] = [field("Time zone:", urwid.Text(self.zone or "not set"), 12)]
        if self.error:
            rows.append(error_text(self.error))
        if self.zone and not localization.is_valid_timezone(self.zone):
            rows.append(error_text(f"Time zone: {self.zone} is not in the time zone database; "
                                   "choose one with Set time zone."))
        rows += [urwid.Divider(),
                 urwid.AttrMap(utc, None, focus_map="focus"),
                 urwid.AttrMap(ntp, None, focus_map="focus"),
                 urwid.Divider(),
                 button_row([("Set time zone", self._open_regions)])]
        walker = urwid.SimpleFocusListWalker(rows)
        listbox = urwid.ListBox(walker)
        listbox.focus_position = len(rows) - 1
        return urwid.Padding(listbox, left=1, right=1)

    def _heading(self, text: str, chooser: FilterList) -> urwid.Widget:
        pile = urwid.Pile([("pack", field("Time zone:", urwid.Text(self.zone or "not set"), 12)),
                           ("pack", urwid.Text(text)), chooser])
        pile.focus_position = 2
        return urwid.Padding(pile, left=1, right=1)

    def _regions(self) -> urwid.Widget:
        if not self.loaded:
            return urwid.Filler(urwid.Padding(urwid.Text("Loading time zones..."), left=1,
                                              right=1), valign="top")
        current = self.zone.split("/", 1)[0] if "/" in self.zone else ""
        chooser = FilterList("Filter: ", [(r, r) for r in localization.regions()],
                             self._pick_region, marked=current)
        return self._heading("Choose a region:", chooser)

    def _cities(self) -> urwid.Widget:
        items = [(localization.city_label(city), f"{self.region}/{city}")
                 for city in localization.cities(self.region)]
        chooser = FoldingFilterList("Filter: ", items, self._pick_zone, marked=self.zone)
        return self._heading(f"Choose a city in {self.region}:", chooser)

    # ---- choosing ----------------------------------------------------------------------
    def _utc(self) -> bool:
        tz = self.handler.timezone
        if self.zone or tz.seen:
            return tz.isUtc
        return True if self.utc_wanted is None else self.utc_wanted

    def _set_utc(self, state: bool) -> None:
        """Kept aside until a zone is set: pykickstart writes isUtc even without a zone."""
        if self.zone or self.handler.timezone.seen:
            self.handler.timezone.isUtc = state
        else:
            self.utc_wanted = state

    def _open_regions(self) -> None:
        if self.error:
            self.app.message("Time zone", self.error)
            return
        self._show_page(REGION)

    def _pick_region(self, region: str) -> None:
        self.region = region
        self._show_page(CITY)

    def _pick_zone(self, zone: str) -> None:
        first = not self.zone
        try:
            localization.set_timezone(self.handler, zone)
        except ValueError as exc:  # the lists hold only valid zones; the database changed?
            self.app.message("Time zone", f"Time zone: {message_of(exc)}.")
            return
        if first and self.utc_wanted is not None:
            self.handler.timezone.isUtc = self.utc_wanted
        log.info("Time zone %s chosen", zone)
        self._show_page(MAIN)
