"""Which program runs a kickstart script: bash unless --interpreter names one, as on
Anaconda's platforms where /bin/sh is bash; /bin/sh where the root has no bash. Pure:
fake roots of empty files, nothing is run."""
from __future__ import annotations

from pathlib import Path

import pytest

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.scripts import choose_interpreter


def scripts(text: str) -> list:
    return parse([("ks.cfg", text)], None, Reader()).handler.scripts


def fake_root(tmp_path: Path, *programs: str) -> Path:
    root = tmp_path / "root"
    for program in programs:
        (root / program.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
        (root / program.lstrip("/")).touch()
    return root


@pytest.mark.parametrize("header, given, interp", [
    ("%post", False, "/bin/sh"),
    ("%post --nochroot --log=/root/x.log --erroronfail", False, "/bin/sh"),
    ("%post --interpreter=/bin/sh", True, "/bin/sh"),
    ("%post --interpreter /bin/sh --nochroot", True, "/bin/sh"),
    ("%post --interp=/bin/sh", True, "/bin/sh"),  # pykickstart takes abbreviations
    ("%pre --interpreter=/usr/bin/python3", True, "/usr/bin/python3"),
    ("%pre-install", False, "/bin/sh"),
    ("%onerror --interpreter=/bin/dash", True, "/bin/dash"),
    ("%traceback", False, "/bin/sh"),
])
def test_the_parser_records_whether_the_header_names_an_interpreter(header, given, interp):
    (script,) = scripts(f"{header}\ntrue\n%end\n")
    assert (script.interp_given, script.interp) == (given, interp)


def test_no_interpreter_means_bash_in_the_root_the_script_runs_in(tmp_path):
    (script,) = scripts("%post\n[[ -n x ]] && echo yes\n%end\n")
    assert choose_interpreter(script, fake_root(tmp_path, "/bin/bash", "/bin/sh")) == ("/bin/bash", None)
    assert choose_interpreter(script, None) == ("/bin/bash", None)  # the host has bash


def test_merged_usr_without_a_bin_link_finds_usr_bin_bash(tmp_path):
    (script,) = scripts("%post\ntrue\n%end\n")
    assert choose_interpreter(script, fake_root(tmp_path, "/usr/bin/bash"))[0] == "/usr/bin/bash"


def test_a_root_without_bash_falls_back_to_sh_and_says_so(tmp_path):
    (script,) = scripts("%post\ntrue\n%end\n")
    root = fake_root(tmp_path, "/bin/sh")
    interpreter, note = choose_interpreter(script, root)
    assert interpreter == "/bin/sh"
    assert note.startswith(f"the target ({root}) has no bash (/bin/bash or /usr/bin/bash): the "
                           "script runs with /bin/sh")


def test_an_explicit_interpreter_is_kept_even_when_it_is_sh(tmp_path):
    root = fake_root(tmp_path, "/bin/bash", "/bin/sh")
    explicit, python = scripts("%post --interpreter=/bin/sh\ntrue\n%end\n"
                               "%post --interpreter=/usr/bin/python3\npass\n%end\n")
    assert choose_interpreter(explicit, root) == ("/bin/sh", None)
    assert choose_interpreter(python, root) == ("/usr/bin/python3", None)


def test_a_script_made_in_code_without_the_parser_mark(tmp_path):
    """A handler built in code: /bin/sh is pykickstart's default, so it means "not given"."""
    (script,) = scripts("%post\ntrue\n%end\n")
    del script.interp_given
    assert choose_interpreter(script, fake_root(tmp_path, "/bin/bash"))[0] == "/bin/bash"
    script.interp = "/bin/dash"
    assert choose_interpreter(script, fake_root(tmp_path, "/bin/bash"))[0] == "/bin/dash"
