"""Password hashes for shadow, the saved kickstart and GRUB, with the system's libxcrypt."""
from __future__ import annotations

import hashlib
import re

import pytest

from installer.passwords import best_method, crypt_password, grub_password, is_crypted, verify_password

PASSWORDS = ["secret", "", "pässwörd ☃", "a" * 200, "with space and $ and :"]


def test_yescrypt_is_the_default_here():
    assert best_method() == "$y$"
    assert crypt_password("secret").startswith("$y$")


@pytest.mark.parametrize("prefix", [None, "$y$", "$6$"])
@pytest.mark.parametrize("password", PASSWORDS)
def test_crypt_and_verify_round_trip(password, prefix):
    hashed = crypt_password(password, prefix)
    assert hashed.startswith(prefix or "$y$") and is_crypted(hashed)
    assert verify_password(password, hashed)
    assert not verify_password(password + "x", hashed)


def test_salts_differ():
    assert crypt_password("secret") != crypt_password("secret")


@pytest.mark.parametrize("hashed", ["", "secret", "$6$", "*"])
def test_verify_rejects_non_hashes(hashed):
    assert not verify_password("secret", hashed)


def test_nul_in_password_is_not_truncated():
    try:
        hashed = crypt_password("abc\0xyz")
    except ValueError:
        return  # refusing it is as good as keeping it
    assert not verify_password("abc", hashed)


GRUB_RE = re.compile(r"^grub\.pbkdf2\.sha512\.(\d+)\.([0-9A-F]{128})\.([0-9A-F]{128})$")


@pytest.mark.parametrize("password, iterations", [("secret", 10000), ("pässwörd", 10000), ("", 1000)])
def test_grub_password_recomputes(password, iterations):
    match = GRUB_RE.match(grub_password(password, iterations))
    assert match, "not grub.pbkdf2.sha512.N.SALT.HASH"
    count, salt, digest = match.groups()
    assert int(count) == iterations
    again = hashlib.pbkdf2_hmac("sha512", password.encode(), bytes.fromhex(salt), iterations, 64)
    assert again.hex().upper() == digest


def test_grub_default_iterations_and_fresh_salt():
    first, second = grub_password("secret"), grub_password("secret")
    assert first.startswith("grub.pbkdf2.sha512.10000.") and first != second


def _run_isolated(code: str) -> str:
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    return subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def test_hashing_leaves_the_installer_peak_rss_alone():
    """yescrypt's 16 MiB of scratch is spent in a child: the caller's VmHWM barely moves,
    where hashing in-process raised it by about 16 MiB (issue 19)."""
    out = _run_isolated(
        "import re\n"
        "from installer import passwords\n"
        "hwm = lambda: int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "passwords.best_method(); before = hwm()\n"
        "h = passwords.crypt_password('secret'); passwords.verify_password('secret', h)\n"
        "after_child = hwm()\n"
        "passwords._crypt('secret', '$y$')\n"
        "print(before, after_child, hwm())\n")
    before, after_child, in_process = map(int, out.split())
    assert after_child - before < 4096, out
    assert in_process - before > 12 * 1024, f"the in-process control did not use the scratch: {out}"


def test_a_failure_in_the_child_reaches_the_caller():
    with pytest.raises(RuntimeError, match="crypt_gensalt failed|crypt failed"):
        crypt_password("secret", "$unknown$")
