"""`sshpw` for the installer's SSH logins (installer/sshd.py): the accounts written into a
runtime's /etc files, passwords hashed or locked, never printed or left unregistered."""
from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from installer import sshd
from installer.bootopts.ignored import IGNORED
from installer.bootopts.options import parse_cmdline
from installer.kickstart.support import APPLIED, COMMANDS
from installer.logs import redact

SECRET = "Ssh-Pw-Secret-9931"
HASH = "$6$saltsalt$DZIlSpTquP1Ppd7NPLEXBbvnBi1MvNlzd6gk6Pwaj4GiodwE5f8pctaMnkGeEWwqStkZ6U/A5g0vTHL5gWyHV/"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIONx9tFT8HFAtoAZiOwWpcXalYLCFn8uNsgZtdNn78jf bob@host"


@pytest.fixture
def runtime(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "shadow").write_text("root:*:19000:0:99999:7:::\n")
    (etc / "group").write_text("root:x:0:\n")
    (tmp_path / "root").mkdir()
    return tmp_path


def shadow(root) -> dict[str, str]:
    return {row.split(":")[0]: row.split(":")[1]
            for row in (root / "etc/shadow").read_text().splitlines()}


def verify(password: str, hashed: str) -> bool:
    lib = ctypes.CDLL(ctypes.util.find_library("crypt"))
    lib.crypt.restype = ctypes.c_char_p
    return lib.crypt(password.encode(), hashed.encode()) == hashed.encode()


def test_plaintext_is_hashed_and_registered(runtime, capsys):
    ks = runtime / "ks.cfg"
    ks.write_text(f"lang en_US.UTF-8\nsshpw --username=root --plaintext {SECRET}\n")
    assert sshd.main([str(ks), str(runtime)]) == 0
    field = shadow(runtime)["root"]
    assert SECRET not in (runtime / "etc/shadow").read_text()
    assert verify(SECRET, field)
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    assert "root: a password (sshpw, line 2)" in out.out
    assert SECRET not in redact(f"said {SECRET}")


def test_iscrypted_lock_new_user_and_key(runtime):
    text = (f"sshpw --username=alice --iscrypted --lock {HASH}\n"
            f"sshpw --username=bob --sshkey \"{KEY}\"\n")
    done = sshd.apply(sshd.parse(text), runtime)
    assert shadow(runtime)["alice"] == "!" + HASH
    assert shadow(runtime)["bob"] == "!"  # a key only
    assert shadow(runtime)["root"] == ""  # no sshpw for root: Anaconda's empty password
    passwd = (runtime / "etc/passwd").read_text()
    assert "alice:x:1000:1000::/home/alice:/bin/bash" in passwd
    assert "bob:x:1001:1001::/home/bob:/bin/bash" in passwd
    keys = runtime / "home/bob/.ssh/authorized_keys"
    assert keys.read_text() == KEY + "\n"
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    assert oct((runtime / "etc/shadow").stat().st_mode & 0o777) == "0o640"
    assert [line.split(":")[0] for line in done] == ["alice", "bob", "root"]


def test_sections_are_skipped_and_no_kickstart_means_empty_root(runtime):
    text = "%post\nsshpw --username=evil --plaintext x\n%end\n"
    assert sshd.parse(text) == []
    assert sshd.main(["/nonexistent/ks.cfg", str(runtime)]) == 0
    assert shadow(runtime)["root"] == ""
    assert "evil" not in (runtime / "etc/passwd").read_text()


def test_a_bad_line_is_an_error_without_the_password(runtime, capsys):
    ks = runtime / "ks.cfg"
    ks.write_text(f"sshpw --iscrypted --plaintext {SECRET}\n")
    assert sshd.main([str(ks), str(runtime)]) == 1
    err = capsys.readouterr().err
    assert "line 1: sshpw" in err and SECRET not in err
    assert shadow(runtime)["root"] == "*"  # nothing written


def test_boot_options_and_tables():
    options = parse_cmdline("inst.sshd inst.notmux")
    assert options.sshd and options.notmux and not options.warnings
    assert not parse_cmdline("inst.sshd=0").sshd
    assert "inst.sshd" not in IGNORED and "inst.notmux" not in IGNORED
    command = next(c for c in COMMANDS if c.name == "sshpw")
    assert command.state == APPLIED
