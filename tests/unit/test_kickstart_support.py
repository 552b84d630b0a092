"""The disposition table covers everything pykickstart can parse, and is what runs.

These tests walk pykickstart's newest handler and the parser's sections, so a command,
section or option added to pykickstart fails here until someone decides what this
installer does with it (installer/kickstart/support.py)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from installer.kickstart.checks import collect
from installer.kickstart.checks.support import (option_groups, resolve_option,
                                                section_option_groups)
from installer.kickstart.load import parse
from installer.kickstart.parser import LocatingParser
from installer.kickstart.reader import Reader
from installer.kickstart.support import (APPLIED, COMMANDS, INDEX, LIMITED, SECTIONS, STATES,
                                         disposition, markdown, totals)
from installer.kickstart.version import make_handler

README = Path(__file__).resolve().parents[2] / "README.md"


def handler_commands() -> list[str]:
    return sorted(make_handler().commands)


def parser_sections() -> list[str]:
    return sorted(LocatingParser(make_handler(), Reader()).registered_sections)


def test_every_command_of_the_newest_handler_has_a_disposition():
    missing = [name for name in handler_commands() if disposition(name) is None]
    assert not missing, f"commands with no disposition in support.py: {missing}"
    assert len(handler_commands()) >= 75


def test_every_section_has_a_disposition():
    sections = parser_sections()
    assert {"%pre", "%pre-install", "%post", "%onerror", "%traceback", "%packages",
            "%addon"} <= set(sections)
    missing = [name for name in sections if disposition(name) is None]
    assert not missing, f"sections with no disposition in support.py: {missing}"


def test_the_table_names_nothing_pykickstart_does_not_know():
    known = set(handler_commands()) | set(parser_sections())
    stale = [name for name in INDEX if name not in known]
    assert not stale, f"support.py names commands pykickstart does not have: {stale}"


def test_every_state_is_one_of_the_four():
    assert {entry.state for entry in COMMANDS + SECTIONS} <= set(STATES)
    for entry in COMMANDS + SECTIONS:
        assert entry.text.strip(), entry.name


def _applied_entries():
    for entry in COMMANDS:
        if entry.state in (APPLIED, LIMITED):
            for name in (entry.name, *entry.aliases):
                yield name, entry, option_groups(make_handler(), name)
    for entry in SECTIONS:
        if entry.state in (APPLIED, LIMITED):
            yield entry.name, entry, section_option_groups(make_handler(), entry.name)


@pytest.mark.parametrize("name,entry,groups", list(_applied_entries()),
                         ids=[n for n, _, _ in _applied_entries()])
def test_every_option_of_an_applied_command_has_a_disposition(name, entry, groups):
    """Each option (with all its spellings) is listed as applied, warned or refused; and
    the table lists no option pykickstart does not accept for that command."""
    undecided = [group for group in groups
                 if not any(entry.option_state(spelling) for spelling in group)]
    assert not undecided, f"{name}: options with no disposition: {undecided}"
    spellings = {s for group in groups for s in group}
    listed = set(entry.applied.split()) | set(entry.warned) | set(entry.refused)
    assert listed <= spellings, f"{name}: unknown options in support.py: {listed - spellings}"


def test_an_abbreviated_option_is_judged_as_the_option_it_abbreviates():
    groups = option_groups(make_handler(), "ignoredisk")
    assert resolve_option(groups, "--only") == ("--only-use",)
    groups = option_groups(make_handler(), "logvol")
    assert resolve_option(groups, "--th") is None  # --thin or --thinpool: ambiguous


def _load(tmp_path, text):
    path = tmp_path / "ks.cfg"
    path.write_text(text)
    return parse([(str(path), text)], None, Reader()), str(path)


def test_warned_and_refused_commands_and_options_name_their_line(tmp_path):
    loaded, path = _load(tmp_path, """\
url --url=http://example.com/repo --sslcacert=/etc/ca.pem
logging --host=10.0.0.1
bootloader --location=mbr --driveorder=sda --extlinux
part / --size=1000 --encrypted --passphrase=x --escrow=/x.pem --backup
rescue
%packages --ignorebroken
%end
%anaconda
pwpolicy root --minlen=6
%end
%addon org_fedora_oscap
content-type = scap-security-guide
%end
""")
    found = collect(loaded)
    errors = [f"{w}: {p}" for w, p in found.errors]
    warnings = found.warning_lines()
    assert f"{path}:3: bootloader --extlinux: not supported here: no extlinux here: GRUB 2 only" in errors
    assert not any(f"{path}:5: rescue" in e for e in errors + warnings)  # rescue mode: applied
    assert not any(f"{path}:2: logging" in w for w in warnings)  # remote logs: applied
    expected = [f"{path}:1: url --sslcacert: not applied",
                f"{path}:3: bootloader --driveorder: not applied",
                f"{path}:4: part --backup: not applied",  # abbreviation of --backuppassphrase
                f"{path}:4: part --escrow: not applied",
                f"{path}:6: %packages --ignorebroken: not applied",
                f"{path}:8: %anaconda:",
                f"{path}:11: %addon org_fedora_oscap: this add-on is not available here"]
    for start in expected:
        assert any(w.startswith(start) for w in warnings), (start, warnings)


def test_applied_options_and_the_kdump_addon_raise_nothing(tmp_path):
    loaded, _ = _load(tmp_path, """\
url --url=http://example.com/repo --noverifyssl
bootloader --location=mbr --timeout=3 --append="console=ttyS0"
part / --size=1000 --fstype=xfs --fsoptions=noatime
%packages --excludedocs --ignoremissing
%end
%post --nochroot --log=/tmp/x
true
%end
%addon com_redhat_kdump --enable --reserve-mb=auto
%end
""")
    found = collect(loaded)
    ours = [p for _, p in found.warnings + found.errors if "not applied" in p or "not supported" in p
            or "add-on" in p]
    assert ours == []


def test_readme_table_is_the_disposition_table():
    text = README.read_text()
    match = re.search(r"<!-- kickstart-table:begin -->\n(.*?)<!-- kickstart-table:end -->",
                      text, re.S)
    assert match, "README.md lacks the kickstart-table markers"
    assert match.group(1) == markdown(), ("README.md's kickstart table is out of date: "
                                          "run `make readme-tables`")


def test_totals_count_every_name():
    counts = totals()
    assert sum(counts.values()) == len(INDEX)
    assert sum(counts.values()) >= len(handler_commands()) + 7


def test_readme_lists_every_boot_option():
    """The boot options the installer parses each have a row in the README's table, and
    Anaconda's others are the generated table of installer/bootopts/ignored.py."""
    from installer.bootopts import ignored
    from installer.bootopts.options import OPTIONS

    text = README.read_text()
    section = text.split("## Boot options", 1)[1].split("\n## ", 1)[0]
    table = "\n".join(line for line in section.splitlines() if line.startswith("| `"))
    missing = [spec.name for spec in OPTIONS
               if not re.search(rf"`{re.escape(spec.name)}[=`]", table)]
    assert not missing, f"boot options without a README row: {missing}"
    match = re.search(r"<!-- bootopts-ignored:begin -->\n(.*?)<!-- bootopts-ignored:end -->",
                      text, re.S)
    assert match and match.group(1) == ignored.markdown(), \
        "README.md's table of ignored boot options is out of date: run `make readme-tables`"
