"""Kickstarts written the way administrators write them (tests/data/admin-ks/): every
command and option in them is applied, or the check names its line. Nothing in a real
kickstart may pass without a word."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer.kickstart.checks import collect
from installer.kickstart.checks.support import option_groups, resolve_option
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.support import APPLIED, LIMITED, disposition

DATA = Path(__file__).resolve().parents[1] / "data" / "admin-ks"
FILES = sorted(DATA.glob("*.ks"))


def load(path: Path):
    text = path.read_text()
    return parse([(path.name, text)], None, Reader())


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_nothing_in_an_admin_kickstart_passes_without_a_word(path):
    loaded = load(path)
    found = collect(loaded)
    said = {str(where) for where, _ in found.warnings + found.errors}
    for seen in loaded.commands_seen + loaded.sections_seen:
        entry = disposition(seen.name)
        assert entry is not None, seen.name
        where = f"{seen.location.file}:{seen.location.line}"
        if entry.state not in (APPLIED, LIMITED):
            assert where in said, f"{where}: {seen.name} is {entry.state} but nothing said so"
            continue
        groups = option_groups(loaded.handler, seen.name) if not seen.name.startswith("%") else ()
        for option in seen.options:
            # no group: a word of the command's own arguments (`authselect ... --force`)
            group = resolve_option(groups, option) if groups else None
            if group and not any(entry.option_state(s) == (APPLIED, "") for s in group):
                assert where in said, f"{where}: {seen.name} {option} is not applied, unsaid"


def test_the_server_kickstart_says_what_is_not_applied():
    found = collect(load(DATA / "server.ks"))
    warnings = found.warning_lines()
    for start in ("server.ks:12: %addon org_fedora_oscap:",
                  "server.ks:46: reboot --eject: not applied",
                  "server.ks:48: %packages --ignorebroken: not applied"):
        assert any(w.startswith(start) for w in warnings), (start, warnings)
    assert not found.errors, found.errors


def test_the_desktop_kickstart_says_what_is_not_applied():
    found = collect(load(DATA / "fedora-desktop.ks"))
    warnings = found.warning_lines()
    for start in ("fedora-desktop.ks:8: xconfig --defaultdesktop: not applied",
                  "fedora-desktop.ks:13: realm: not applied",
                  "fedora-desktop.ks:22: %anaconda:"):
        assert any(w.startswith(start) for w in warnings), (start, warnings)
