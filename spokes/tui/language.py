"""Language settings: a language, then one of its locales, into `lang LOCALE`.

The list comes from langtable through installer.ui.localization, read in the
background (a child process; `ready()` is False until then) and dropped again when the
person leaves this spoke: a chosen language needs none of it. Re-opening reads it again.

Choosing a locale also proposes the keyboard layout and the time zone langtable gives for
it, unless the kickstart set them or the person chose them in their own spoke (the
keyboard's rule is installer.ui.keyboard.propose's): a proposal never overrides a choice.

On a plain console (Linux VT, serial terminal) only languages whose native name the
console font can draw are offered (localization.console_displayable), and a line says how
many were left out.
"""
from __future__ import annotations

import logging
from typing import Callable

import urwid

from installer.ui import keyboard, localization
from installer.ui.localization import (DEFAULT_LOCALE, LanguageInfo, LanguageTable,
                                                LocaleInfo, fold)

from .errors import message_of
from .spoke import LOCALIZATION, Spoke
from .widgets import FilterList, error_text, field

log = logging.getLogger("anaconda.tui")

LANGUAGES, LOCALES = "languages", "locales"

HELP = """Language settings: the language of the installed system (its locale, saved in \
the kickstart as `lang LOCALE`).

Type part of a language's name, in English or in the language itself (accents do not \
matter: "cest" finds Čeština), move with the arrow keys and press Enter. Then choose the \
locale (the country variant) the same way. Esc goes back; Esc on the language list \
returns to the hub.

Choosing a locale also proposes its keyboard layout and time zone, unless the kickstart \
gave them or you set them yourself. On a text console only languages whose names the \
console font can show are listed."""


class FoldingFilterList(FilterList):
    """A FilterList that ignores accents as well as case; the folded labels are computed
    once per list, so a key press only scans strings."""

    def __init__(self, caption: str, items: list, on_select: Callable, marked=None):
        self._folded = [fold(label) for label, _ in items]
        super().__init__(caption, items, on_select, marked)

    def matching(self) -> list:
        needle = fold(self.edit.edit_text.strip())
        return [item for item, key in zip(self.items, self._folded) if needle in key]


class LanguageSpoke(Spoke):
    title = "Language settings"
    category = LOCALIZATION
    mandatory = True
    help_text = HELP

    def __init__(self, console: bool | None = None) -> None:
        """`console`: offer only console-displayable languages; None asks TERM."""
        super().__init__()
        self.console = localization.plain_console() if console is None else console
        self.table: LanguageTable | None = None
        self.loading = False
        self.loaded_once = False
        self.error = ""
        self.page = LANGUAGES
        self.language: LanguageInfo | None = None  # whose locales the second page lists
        self.wanted = True  # False once left: a table arriving late is dropped at once
        self._label: tuple[str, str] = ("", "")  # (locale, its name) for status()
        self._proposed_timezone: str | None = None
        self._pages: dict[str, urwid.Widget] = {}

    # ---- hub semantics -----------------------------------------------------------------
    def shown(self, session) -> bool:
        return session.ask_language  # inst.singlelang: set already, never asked

    def setup(self) -> None:
        if "lang" not in self.session.seen and not self.handler.lang.lang:
            self.handler.lang.lang = DEFAULT_LOCALE
        self._load()

    def ready(self) -> bool:
        return self.loaded_once or bool(self.error)

    def completed(self) -> bool:
        return bool(self.handler.lang.lang)

    def status(self) -> str:
        lang = self.handler.lang.lang
        if not self.ready():
            return "Loading languages..."
        if not lang:
            return "Language is not set"
        return self._label[1] if self._label[0] == lang and self._label[1] else lang

    # ---- loading and releasing ---------------------------------------------------------
    def _load(self) -> None:
        if self.loading or self.table is not None:
            return
        self.loading = True
        self.app.run_background("language-table", localization.language_table, self._loaded)

    def _loaded(self, table: LanguageTable | None, error: BaseException | None) -> None:
        self.loading = False
        if error is not None:
            log.warning("Language list not loaded: %s", error)
            self.error = f"The list of languages could not be loaded ({message_of(error)})."
            return
        self.error, self.loaded_once = "", True
        self._remember_label(table)
        if self.wanted:
            self.table = table
        else:
            localization.release_language_table()
        self._pages.clear()

    def release(self) -> None:
        """Drop the language table (issue 7): nothing here needs it once a language is set."""
        self.table = None
        self.language = None
        self._pages.clear()
        localization.release_language_table()

    def _remember_label(self, table: LanguageTable) -> None:
        lang = self.handler.lang.lang
        found = table.find(lang) if lang else None
        self._label = (lang, found[1].label(self.console) if found else "")

    # ---- the screen --------------------------------------------------------------------
    def enter(self) -> None:
        self.wanted = True
        self.page = LANGUAGES
        self._pages.clear()
        self._load()

    def leave(self) -> bool:
        if self.page == LOCALES:
            self._show_page(LANGUAGES)
            return False
        self.wanted = False
        self.release()
        return True

    def _show_page(self, page: str) -> None:
        """The language page is kept while the locales are shown, so Esc returns to the
        list as it was filtered; the locale page is built afresh for each language."""
        self._pages.pop(LOCALES, None)
        self.page = page
        self.redraw()

    def body(self) -> urwid.Widget:
        """Built once per page (not per redraw), so what was typed in the filter stays."""
        if self.page not in self._pages:
            self._pages[self.page] = self._build()
        return self._pages[self.page]

    def _build(self) -> urwid.Widget:
        if self.table is None:
            text = error_text(self.error) if self.error else urwid.Text(
                "Loading the list of languages...")
            return urwid.Filler(urwid.Padding(text, left=1, right=1), valign="top")
        rows: list = [("pack", field("Language:", urwid.Text(self._current_text()), 12)),
                      ("pack", field("Keyboard:", urwid.Text(self._keyboard_text()), 12)),
                      ("pack", field("Time zone:", urwid.Text(
                          self.handler.timezone.timezone or "not set"), 12))]
        if self.page == LOCALES and self.language is not None:
            rows.append(("pack", urwid.Text(f"Locales of {self.language.label}:")))
            rows.append(self._locale_list(self.language))
        else:
            shown, hidden = self.table.offered(self.console)
            if hidden:
                rows.append(("pack", urwid.Text(("warning", f"{hidden} languages need a "
                                                 "graphical console and are not shown"))))
            rows.append(self._language_list(shown))
        pile = urwid.Pile(rows)
        pile.focus_position = len(rows) - 1
        return urwid.Padding(pile, left=1, right=1)

    def _language_list(self, shown: list[LanguageInfo]) -> FilterList:
        current = self.table.find(self.handler.lang.lang) if self.handler.lang.lang else None
        items = [(lang.label, lang.code) for lang in shown]
        return FoldingFilterList("Filter: ", items, self._pick_language,
                                 marked=current[0].code if current else None)

    def _locale_list(self, language: LanguageInfo) -> FilterList:
        items = [(f"{info.name:<18} {info.label(self.console)}", info.name)
                 for info in language.locales]
        current = self.table.find(self.handler.lang.lang) if self.handler.lang.lang else None
        return FoldingFilterList("Filter: ", items, self._pick_locale,
                                 marked=current[1].name if current else None)

    def _current_text(self) -> str:
        lang = self.handler.lang.lang
        found = self.table.find(lang) if lang and self.table else None
        return f"{found[1].label(self.console)}  ({lang})" if found else (lang or "not set")

    def _keyboard_text(self) -> str:
        kb = self.handler.keyboard
        return (kb.vc_keymap or ", ".join(kb.x_layouts) or kb.keyboard
                or "not set (the system's default)")

    # ---- choosing ----------------------------------------------------------------------
    def _pick_language(self, code: str) -> None:
        self.language = next(lang for lang in self.table.languages if lang.code == code)
        self._show_page(LOCALES)

    def _pick_locale(self, name: str) -> None:
        info = next(i for i in self.language.locales if i.name == name)
        self.handler.lang.lang = info.name
        self._label = (info.name, info.label(self.console))
        self._propose_keyboard(info)
        self._propose_timezone(info)
        log.info("Language %s chosen", info.name)
        self.page = LANGUAGES
        self.app.back()

    def _propose_keyboard(self, info: LocaleInfo) -> None:
        """The keyboard spoke's rule (installer.ui.keyboard.propose): only while neither
        the kickstart nor the person has set the keyboard."""
        keyboard.propose(self.handler, self.session.seen, info.layouts, info.switch)

    def _propose_timezone(self, info: LocaleInfo) -> None:
        current = self.handler.timezone.timezone
        if "timezone" in self.session.seen or (current and current != self._proposed_timezone):
            return
        if info.timezone and localization.is_valid_timezone(info.timezone):
            localization.set_timezone(self.handler, info.timezone)
            self._proposed_timezone = info.timezone
