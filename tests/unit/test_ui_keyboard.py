"""The keyboard spoke's model without urwid: the lists read from the system's files (and
from files a test writes), the rule that a language only proposes an unset keyboard, and
keymaps checked by the real loadkeys (kbd) against keymaps in a test directory.

Only dry runs call loadkeys here (`--bkeymap`, which opens no terminal): loading a keymap
would change this host's console."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from installer.bootopts import parse_cmdline
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler
from installer.kickstart.writeout import output_text
from installer.keyboards import CHECKED, NOT_LOADED, ConsoleKeymaps, KeyboardError, read_lists
from installer.ui.keyboard import KeyboardModel, propose
from installer.ui.session import new_session

SIMPLE_MAP = "keymaps 0-1\nkeycode 30 = a A\n"
RULES = """! model
  pc105           Generic 105-key PC

! layout
  us              English (US)
  cz              Czech
  ru              Russian

! variant
  qwerty          cz: Czech (QWERTY)
  bksl            cz: Czech (with &lt;\\|&gt; key)

! option
  grp                  Switching to another layout
  grp:alt_shift_toggle Alt+Shift
  terminate:ctrl_alt_bksp Ctrl+Alt+Backspace
"""
MODEL_MAP = """# consolelayout xlayout xmodel xvariant xoptions
us      us      pc105   -       terminate:ctrl_alt_bksp
cz-qwerty cz,us pc105   qwerty, grp:shifts_toggle
ru      ru,us   pc105   -       grp:shifts_toggle
"""


def keymap_dir(tmp_path: Path, *names: str) -> Path:
    directory = tmp_path / "keymaps" / "i386" / "qwerty"
    directory.mkdir(parents=True)
    for name in names:
        (directory / f"{name}.map").write_text(SIMPLE_MAP)
    return tmp_path / "keymaps"


def model(tmp_path: Path, *keymaps: str, kickstart: str | None = None) -> KeyboardModel:
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart else None
    session = new_session(parse_cmdline(""), log_dir=None, loaded=loaded, dry_run=True)
    assert shutil.which("loadkeys"), "loadkeys is missing: install Debian's kbd package"
    console = ConsoleKeymaps(keymap_dir(tmp_path, *keymaps))
    return KeyboardModel(session.handler, session.seen, True, console, lists=read_lists())


def ks_line(handler) -> str:
    return next(l for l in output_text(handler).splitlines() if l.startswith("keyboard"))


# ---- lists ---------------------------------------------------------------------------------
def test_lists_from_written_files_with_descriptions(tmp_path):
    rules, model_map = tmp_path / "evdev.lst", tmp_path / "kbd-model-map"
    rules.write_text(RULES)
    model_map.write_text(MODEL_MAP)
    directory = keymap_dir(tmp_path, "us", "fr-latin9")
    (directory / "i386" / "include").mkdir()
    (directory / "i386" / "include" / "euro.map").write_text(SIMPLE_MAP)
    lists = read_lists((rules,), (model_map,), (directory,))
    assert [e.name for e in lists.layouts] == ["cz", "cz (bksl)", "cz (qwerty)", "ru", "us"]
    assert lists.describe_layout("cz (bksl)") == "Czech (with <\\|> key)"
    assert [(e.name, e.description) for e in lists.switches] == [("grp:alt_shift_toggle",
                                                                  "Alt+Shift")]
    # kbd's names (no description) and kbd-model-map's (described by their X layout)
    assert [(e.name, e.description) for e in lists.keymaps] == [
        ("cz-qwerty", "Czech (QWERTY)"), ("fr-latin9", ""), ("ru", "Russian"),
        ("us", "English (US)")]
    assert lists.keymap_for_layouts(["ru", "us"]) == "ru"
    assert lists.keymap_for_layouts(["cz (qwerty)", "us"]) == "cz-qwerty"
    assert lists.keymap_for_layouts(["cz"]) == ""  # as configure/keyboard.py finds none


def test_lists_of_this_system():
    """xkeyboard-config (xkb-data) and systemd's kbd-model-map, as installed here."""
    lists = read_lists()
    assert ("cz (qwerty)", "Czech (QWERTY)") in [(e.name, e.description) for e in lists.layouts]
    assert "Alt+Shift" == lists.describe_switch("grp:alt_shift_toggle")
    assert "de-latin1-nodeadkeys" in [e.name for e in lists.keymaps]
    assert not [e for e in lists.switches if not e.name.startswith("grp:")]


# ---- the language's proposal ------------------------------------------------------------
def test_a_proposal_fills_an_unset_keyboard_only():
    handler = make_handler(None)
    assert propose(handler, set(), ["ru", "us"], ["grp:alt_shift_toggle"])
    assert ks_line(handler) == "keyboard --xlayouts='ru','us' --switch='grp:alt_shift_toggle'"
    assert propose(handler, set(), ["cz"], [])  # a later language, nothing chosen yet
    assert ks_line(handler) == "keyboard --xlayouts='cz'"
    handler.keyboard.seen = True  # the person chose (or the kickstart gave) it
    assert not propose(handler, set(), ["de"], [])
    assert ks_line(handler) == "keyboard --xlayouts='cz'"
    assert not propose(make_handler(None), {"keyboard"}, ["de"], [])


def test_a_choice_is_not_overwritten_by_a_later_language(tmp_path):
    kb = model(tmp_path, "one")
    propose(kb.handler, kb.seen, ["ru", "us"], [])
    assert not kb.handler.keyboard.seen
    kb.choose_keymap("one")
    assert not propose(kb.handler, kb.seen, ["cz"], [])
    assert ks_line(kb.handler) == "keyboard --vckeymap=one --xlayouts='ru','us'"


# ---- console keymaps -------------------------------------------------------------------
def test_a_known_keymap_is_checked_not_loaded_in_a_dry_run(tmp_path):
    kb = model(tmp_path, "one")
    activation = kb.choose_keymap("one")
    assert activation.state == CHECKED and "not loaded (dry run)" in activation.note
    assert kb.handler.keyboard.seen and kb.status() == "one"
    assert ks_line(kb.handler) == "keyboard --vckeymap=one"


def test_an_unknown_keymap_is_refused_naming_the_field(tmp_path):
    kb = model(tmp_path, "one")
    kb.choose_keymap("one")
    with pytest.raises(KeyboardError) as refused:
        kb.choose_keymap("nosuch")
    assert str(refused.value).startswith("Console keymap: 'nosuch' is not a keymap")
    assert "expected a console keymap from the list, such as us" in str(refused.value)
    assert ks_line(kb.handler) == "keyboard --vckeymap=one"  # put back as it was


@pytest.mark.parametrize("name", ["../../etc/passwd", "-d", "us map", ""])
def test_names_that_are_paths_or_options_are_refused_before_loadkeys(tmp_path, name):
    kb = model(tmp_path, "one")
    with pytest.raises(KeyboardError, match="is not a keymap name"):
        kb.choose_keymap(name)
    assert not kb.handler.keyboard.seen and not kb.is_set()


def test_a_keymap_loadkeys_cannot_read_says_what_it_said(tmp_path):
    kb = model(tmp_path)
    broken = tmp_path / "keymaps" / "i386" / "qwerty" / "broken.map"
    broken.write_text("keycode 30 = nonsense_sym\n")
    with pytest.raises(KeyboardError, match="broken could not be read by loadkeys: .*"
                                            "unknown keysym 'nonsense_sym'"):
        kb.choose_keymap("broken")


def test_the_keymap_follows_the_layouts_through_kbd_model_map(tmp_path):
    kb = model(tmp_path, "ru")
    propose(kb.handler, kb.seen, ["ru", "us"], [])
    assert kb.console_keymap() == ("ru", "from the X layouts")
    activation = kb.use_now()
    assert activation.keymap == "ru" and activation.state == CHECKED
    assert kb.handler.keyboard.seen
    assert ks_line(kb.handler) == "keyboard --xlayouts='ru','us'"  # the target derives it too


def test_without_loadkeys_the_catalog_checks_and_nothing_is_loaded():
    """Today's stage2 (no kbd): a real install must not fail, nor pretend it loaded."""
    kb = KeyboardModel(make_handler(None), set(), dry_run=False,
                       console=ConsoleKeymaps(installed=False), lists=read_lists())
    activation = kb.choose_keymap("de-latin1-nodeadkeys")
    assert activation.state == NOT_LOADED
    assert activation.note == ("de-latin1-nodeadkeys not loaded: loadkeys (kbd) is not "
                               "installed here; the installed system still gets it")
    with pytest.raises(KeyboardError, match="Console keymap: 'zzqq' is not a console keymap"):
        kb.choose_keymap("zzqq")


def test_no_keymap_directory_is_said(tmp_path):
    console = ConsoleKeymaps(tmp_path / "none", installed=True)
    assert console.unusable() == "no console keymaps are installed here"
    assert ConsoleKeymaps(tmp_path, installed=True).unusable() is None


# ---- layouts and switching ----------------------------------------------------------------
def test_layouts_added_ordered_removed_and_a_switch(tmp_path):
    kb = model(tmp_path, "one")
    kb.choose_keymap("one")
    kb.add_layout("us")
    kb.add_layout("cz(qwerty)")  # written as kickstart writes it
    kb.add_layout("us")  # already there: nothing changes
    kb.move_up("cz (qwerty)")
    kb.set_switch("grp:alt_shift_toggle")
    assert ks_line(kb.handler) == ("keyboard --vckeymap=one --xlayouts='cz (qwerty)','us' "
                                   "--switch='grp:alt_shift_toggle'")
    kb.move_up("cz (qwerty)")  # first already
    kb.remove_layout("us")
    kb.set_switch("")
    assert ks_line(kb.handler) == "keyboard --vckeymap=one --xlayouts='cz (qwerty)'"
    with pytest.raises(KeyboardError, match="X layout: 'zz' is not an X keyboard layout"):
        kb.add_layout("zz")
    with pytest.raises(KeyboardError, match="X layout: layout cz has no variant 'nope'"):
        kb.add_layout("cz (nope)")


def test_the_old_keyboard_form_gives_way_to_the_new_options(tmp_path):
    kb = model(tmp_path, "one", "us", kickstart="keyboard one\n")
    assert kb.console_keymap() == ("one", "") and kb.is_set()
    kb.add_layout("us")
    assert ks_line(kb.handler) == "keyboard --xlayouts='us'"
    assert "old format" not in output_text(kb.handler)


# ---- a kickstart's keyboard ------------------------------------------------------------------
def test_a_kickstart_keyboard_is_used_at_once_and_kept(tmp_path):
    kb = model(tmp_path, "one", kickstart="keyboard --vckeymap=one --xlayouts=us\n")
    kb.activate_given()
    assert kb.activation.keymap == "one" and kb.activation.state == CHECKED
    assert kb.status() == "one; us"
    assert not propose(kb.handler, kb.seen, ["cz"], [])


def test_a_kickstart_keymap_loadkeys_lacks_is_a_note_not_a_refusal(tmp_path):
    """The kickstart's checks judged the name against what targets have when it was
    loaded; this console lacking it (a Fedora name on Debian's keymaps) is said only."""
    kb = model(tmp_path, "one", kickstart="keyboard --vckeymap=cz-qwerty\n")
    kb.activate_given()
    assert kb.activation.state == NOT_LOADED
    assert kb.activation.note == "not loaded: 'cz-qwerty' is not a keymap loadkeys finds"
    assert kb.is_set() and kb.status() == "cz-qwerty"
    kb.add_layout("us")  # other changes go on; only a keymap being chosen is refused
    with pytest.raises(KeyboardError, match="'cz-qwerty' is not a keymap loadkeys finds"):
        kb.choose_keymap("cz-qwerty")
    assert ks_line(kb.handler) == "keyboard --vckeymap=cz-qwerty --xlayouts='us'"


def test_lists_without_xkeyboard_config_fall_back_to_langtable(tmp_path):
    """Today's stage2: no rules, no kbd-model-map, no keymaps; langtable's names remain."""
    lists = read_lists((tmp_path / "none.lst",), (tmp_path / "none",), (tmp_path / "none",))
    names = [e.name for e in lists.layouts]
    assert "cz" in names and "de (nodeadkeys)" in names
    assert lists.describe_switch("grp:alt_shift_toggle") == "Alt+Shift"
    assert lists.keymaps == () and lists.keymap_for_layouts(["us"]) == ""


def test_what_the_console_has_is_said(tmp_path):
    kb = model(tmp_path, "ru")
    assert kb.console_state() == ("unchanged (no console keymap is known for these layouts; "
                                  "k sets one)", False)
    propose(kb.handler, kb.seen, ["ru", "us"], [])
    assert kb.console_state() == ("ru is not loaded yet (l loads it)", False)
    kb.use_now()
    assert kb.console_state() == ("ru checked by loadkeys; not loaded (dry run)", True)
