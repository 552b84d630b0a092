"""inst.lang and inst.keymap fill in a kickstart's missing lang and keyboard, as in Anaconda."""
from __future__ import annotations

from installer.bootopts import parse_cmdline
from installer.kickstart.boot_defaults import apply_boot_localization
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.writeout import output_text
from installer.ui.session import new_session


def loaded(text: str):
    return parse([("ks.cfg", text)], None, Reader())


def test_they_fill_what_the_kickstart_leaves_out():
    ks = loaded("rootpw --lock\n")
    apply_boot_localization(ks.handler, parse_cmdline("inst.lang=de_DE.UTF-8 inst.keymap=de-latin1"),
                            {c.name for c in ks.commands_seen})
    lines = [line for line in output_text(ks.handler).splitlines() if line.startswith(("lang", "keyboard"))]
    assert lines == ["keyboard 'de-latin1'", "lang de_DE.UTF-8"]


def test_an_x_layout_with_a_variant_and_the_kickstart_wins():
    ks = loaded("lang cs_CZ.UTF-8\nkeyboard --xlayouts=us\n")
    apply_boot_localization(ks.handler, parse_cmdline("inst.lang=de_DE.UTF-8 inst.keymap=cz(qwerty)"),
                            {c.name for c in ks.commands_seen})
    assert ks.handler.lang.lang == "cs_CZ.UTF-8" and ks.handler.keyboard.x_layouts == ["us"]
    ks = loaded("rootpw --lock\n")
    apply_boot_localization(ks.handler, parse_cmdline("inst.keymap=cz(qwerty)"), set())
    assert ks.handler.keyboard.x_layouts == ["cz (qwerty)"] and not ks.handler.keyboard.vc_keymap


def test_the_text_ui_starts_from_them_and_the_keyboard_counts_as_chosen():
    session = new_session(parse_cmdline("inst.lang=fr_FR.UTF-8 inst.keymap=fr-latin9"), log_dir=None)
    assert session.handler.lang.lang == "fr_FR.UTF-8"
    assert session.handler.keyboard.keyboard == "fr-latin9" and session.handler.keyboard.seen
