"""Accounts in a real `--dirinstall` of the bundled test repository (Debian 12 packages as
RPMs; shadow's tools come with `passwd`, sshd with `openssh-server`): one install with
every option of rootpw, user, group and sshkey, checked from the files and from inside the
target; the lines Anaconda skips with a warning (taken names and IDs), skipped here too;
then the mistakes, each an exit code 6 with one line naming the kickstart line."""
from __future__ import annotations

import os
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from image.testrepo.build import ensure_repo
from installer.configure import accountdb
from installer.configure.accounts import SSHD_DROPIN
from installer.passwords import crypt_password, verify_password
from tests.conftest import ANACONDA, REPO

pytestmark = pytest.mark.host

ROOT_PW, ALICE_PW, CAROL_PW, BOB_PW = "RootPlain-4711", "AlicePlain-0815", "CarolPlain-42", "BobPlain-7"
BOB_HASH = crypt_password(BOB_PW, "$6$")
ALICE_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice alice@example.test"
ROOT_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRoot admin@example.test"
PACKAGES = "%packages\n@^minimal-environment\nopenssh-server\n%end\n"
#: The shadow tools and the account files only: an install in about a second.
FEW_PACKAGES = "%packages --nocore\npasswd\nanaconda-test-setup\n%end\n"
KICKSTART = f"""lang en_US.UTF-8
timezone Etc/UTC
rootpw --plaintext --allow-ssh {ROOT_PW}
group --name=devs --gid=2500
group --name=wheel
user --name=alice --password={ALICE_PW} --plaintext --groups=wheel,devs,newbies,audio2(2600) --gecos="Alice Example" --shell=/bin/bash --uid=1500 --gid=1500
user --name=bob --password={BOB_HASH} --iscrypted --homedir=/srv/bob --lock
user --name=carol --gid=2500 --password={CAROL_PW} --lock
user --name=dave --homedir=/srv/dave
sshkey --username=alice "{ALICE_KEY}"
sshkey --username=root "{ROOT_KEY}"
%pre-install
mkdir -p "$ANA_INSTALL_PATH/srv/dave/data" && echo kept > "$ANA_INSTALL_PATH/srv/dave/data/file"
chown -R 4242:4242 "$ANA_INSTALL_PATH/srv/dave" && chown 0:0 "$ANA_INSTALL_PATH/srv/dave/data/file"
%end
{PACKAGES}"""


@dataclass
class Install:
    code: int
    out: str
    err: str
    target: Path
    log_dir: Path
    ks: Path


def install(workdir: Path, text: str) -> Install:
    """`anaconda --cmdline --dirinstall` of `text` from the bundled repository."""
    workdir.mkdir(parents=True, exist_ok=True)
    ks, target, log_dir = workdir / "ks.cfg", workdir / "sysroot", workdir / "logs"
    ks.write_text(text)
    argv = [str(ANACONDA), "--logdir", str(log_dir), "--boot-options",
            f"inst.repo={ensure_repo().as_uri()}", "--cmdline", "--dirinstall", str(target),
            "--kickstart", str(ks)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=600,
                          stdin=subprocess.DEVNULL, cwd=REPO)
    return Install(proc.returncode, proc.stdout, proc.stderr, target, log_dir, ks)


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> Install:
    result = install(tmp_path_factory.mktemp("accounts"), KICKSTART)
    assert result.code == 0, result.out[-3000:] + result.err
    return result


def table(done: Install, name: str) -> dict[str, list[str]]:
    return {row[0]: row for row in accountdb.read_table(done.target, f"etc/{name}")}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def owner(path: Path) -> tuple[int, int]:
    st = path.lstat()
    return st.st_uid, st.st_gid


def inside(done: Install, *argv: str) -> str:
    proc = subprocess.run(["chroot", str(done.target), *argv], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_users_in_passwd(done):
    passwd = table(done, "passwd")
    assert passwd["alice"] == ["alice", "x", "1500", "1500", "Alice Example", "/home/alice", "/bin/bash"]
    assert passwd["bob"][5:] == ["/srv/bob", "/bin/sh"]  # the target's useradd default shell
    assert passwd["carol"][3] == "2500"
    assert int(passwd["bob"][2]) >= 1000 and int(passwd["carol"][2]) >= 1000
    assert "Creating users" in done.out


def test_groups_created_reused_and_joined(done):
    group, gshadow = table(done, "group"), table(done, "gshadow")
    assert group["devs"][2:] == ["2500", "alice"]
    assert group["alice"][2] == "1500" and group["audio2"][2] == "2600"
    assert group["newbies"][3] == "alice" and int(group["newbies"][2]) >= 1000
    assert group["wheel"][2] != "" and group["wheel"][3] == "alice"  # the packages' wheel, reused
    assert list(group).count("wheel") == 1
    assert gshadow["devs"][3] == "alice"
    ids = inside(done, "id", "alice").split()
    assert ids[0] == "uid=1500(alice)" and "2500(devs)" in ids[2] and "(wheel)" in ids[2]


def test_shadow_holds_hashes_and_locks(done):
    shadow = table(done, "shadow")
    assert verify_password(ROOT_PW, shadow["root"][1])
    assert shadow["alice"][1].startswith("$y$") and verify_password(ALICE_PW, shadow["alice"][1])
    assert shadow["bob"][1] == "!" + BOB_HASH
    assert shadow["carol"][1].startswith("!$") and verify_password(CAROL_PW, shadow["carol"][1][1:])
    assert mode(done.target / "etc/shadow") == 0o640
    passwd_field = inside(done, "passwd", "-S", "bob").split()[1]
    assert passwd_field == "L"


def test_no_date_of_the_last_password_change_as_anaconda(done):
    """Anaconda runs `chage -d ''` for root and every user it makes: the field is empty."""
    shadow = table(done, "shadow")
    for name in ("root", "alice", "bob", "carol", "dave"):
        assert shadow[name][2] == "", (name, shadow[name])
    assert shadow["daemon"][2] != ""  # the packages' accounts are left as they are
    assert "/usr/bin/chage -d '' root" in (done.log_dir / "program.log").read_text()


def test_homes_from_the_skeleton_owned_by_their_users(done):
    expected_mode = accountdb.home_mode(accountdb.login_defs(done.target))
    skel = sorted(p.name for p in (done.target / "etc/skel").iterdir())
    assert skel, "the target has a skeleton to copy"
    for name, home, ids in (("alice", "home/alice", (1500, 1500)), ("bob", "srv/bob", None),
                            ("carol", "home/carol", None)):
        path = done.target / home
        passwd = table(done, "passwd")[name]
        ids = ids or (int(passwd[2]), int(passwd[3]))
        assert owner(path) == ids and mode(path) == expected_mode, name
        for entry in skel:
            assert owner(path / entry) == ids, f"{name}/{entry}"
            assert (path / entry).read_bytes() == (done.target / "etc/skel" / entry).read_bytes()


def test_an_existing_home_is_kept_and_given_to_the_user(done):
    """As on a reinstall keeping /home: no skeleton, what the old owner had is the user's."""
    passwd = table(done, "passwd")["dave"]
    ids = (int(passwd[2]), int(passwd[3]))
    home = done.target / "srv/dave"
    assert owner(home) == ids and owner(home / "data") == ids
    assert owner(home / "data/file") == (0, 0) and (home / "data/file").read_text() == "kept\n"
    assert not (home / ".profile").exists()
    assert "-d /srv/dave -M -U dave" in (done.log_dir / "program.log").read_text()


def test_authorized_keys(done):
    for home, key, ids in (("home/alice", ALICE_KEY, (1500, 1500)), ("root", ROOT_KEY, (0, 0))):
        ssh = done.target / home / ".ssh"
        assert mode(ssh) == 0o700 and owner(ssh) == ids
        keys = ssh / "authorized_keys"
        assert keys.read_text() == key + "\n"
        assert mode(keys) == 0o600 and owner(keys) == ids


def test_sshd_dropin_lets_root_log_in(done):
    dropin = done.target / SSHD_DROPIN
    assert "PermitRootLogin yes" in dropin.read_text() and mode(dropin) == 0o644
    (done.target / "run/sshd").mkdir(parents=True, exist_ok=True)  # sshd -T wants it
    assert "permitrootlogin yes" in inside(done, "/usr/sbin/sshd", "-T").splitlines()


def test_shadow_tools_did_the_work(done):
    program = (done.log_dir / "program.log").read_text()
    for command in ("/usr/sbin/groupadd -g 2500 devs", "/usr/sbin/useradd -d /home/alice -m -g 1500",
                    "/usr/sbin/chpasswd -e", "/usr/sbin/usermod -L bob"):
        assert f"chroot {done.target} {command}" in program, command
    assert "editing its account files directly" not in (done.log_dir / "anaconda.log").read_text()


def test_no_plaintext_anywhere_and_no_hash_in_logs(done):
    secrets = (ROOT_PW, ALICE_PW, CAROL_PW, BOB_PW)
    hashes = [table(done, "shadow")[name][1].lstrip("!") for name in ("root", "alice", "carol")]
    logs = {p: p.read_text(errors="replace") for d in (done.log_dir, done.target / "var/log/anaconda")
            for p in d.iterdir()}
    assert len(logs) >= 8
    for path, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"{secret} in {path}"
        for hashed in hashes:
            assert hashed not in text, f"a password hash in {path}"
    saved = (done.target / "root/anaconda-ks.cfg").read_text()
    assert "rootpw --iscrypted" in saved and not any(s in saved for s in secrets)
    for secret in secrets + (BOB_HASH,):
        assert secret not in done.out + done.err
    # the whole tree, the input kickstart included (it holds the hashes instead)
    found = subprocess.run(["grep", "-rlF", *[a for s in secrets for a in ("-e", s)], str(done.target)],
                           capture_output=True, text=True).stdout.split()
    assert found == []
    original = (done.target / "root/original-ks.cfg").read_text().splitlines()
    assert "rootpw --allow-ssh --iscrypted " + table(done, "shadow")["root"][1] in original


def test_rootpw_lock_with_a_crypted_password(tmp_path):
    hashed = crypt_password("LockedRoot-1")
    result = install(tmp_path, f"lang en_US.UTF-8\nrootpw --iscrypted --lock {hashed}\n"
                               + FEW_PACKAGES)
    assert result.code == 0, result.err
    root = accountdb.read_table(result.target, "etc/shadow")[0]
    assert root[:2] == ["root", "!" + hashed]
    assert not (result.target / SSHD_DROPIN).exists()


SKIPS = f"""lang en_US.UTF-8
rootpw --lock
user --name=ann --uid=1600
user --name=ben --uid=1600
user --name=cat --uid=1
group --name=wheel --gid=4242
user --name=root --password=x
user --name=dan --groups=wheel
{FEW_PACKAGES}"""
SKIP = "; the line is skipped, as Anaconda skips it"


def test_lines_anaconda_skips_are_warned_and_the_install_goes_on(tmp_path):
    """Each skipped line is one warning naming file:line on the console and in
    anaconda.log: before the install when the kickstart tells (ben, root), when the
    accounts are made when only the installed system does (cat, wheel)."""
    result = install(tmp_path, SKIPS)
    assert result.code == 0, result.out[-2000:] + result.err
    ks = result.ks
    expected = [
        f"{ks}:4: user --name=ben: UID 1600 is already used by the user ann ({ks}:3)",
        f"{ks}:5: user --name=cat: UID 1 is already used by the user daemon",
        f"{ks}:6: group --name=wheel: the group wheel exists already in the installed system "
        "(GID ",
        f"{ks}:7: user --name=root: root is an account of the base system, which has it already",
    ]
    story = (result.log_dir / "anaconda.log").read_text()
    for message in expected:
        shown = [l for l in result.err.splitlines() if l.startswith(f"anaconda: warning: {message}")]
        assert len(shown) == 1 and shown[0].endswith(SKIP), (message, result.err)
        assert "wheel" not in message or shown[0].endswith(f", not 4242){SKIP}")
        assert message in story, message
    passwd, group = table(result, "passwd"), table(result, "group")
    assert passwd["ann"][2] == "1600" and "dan" in passwd
    assert "ben" not in passwd and "cat" not in passwd
    assert group["wheel"][2] != "4242" and group["wheel"][3] == "dan"
    assert table(result, "shadow")["root"][1].startswith("!")


# (id, kickstart lines after line 2, line that is wrong, words of the message)
MISTAKES = [
    # names the tools refuse are refused before anything is written (exit 2): test_bad_input.py
    ("uid-useradd-refuses", "user --name=ann --uid=99999999999\n", 3,
     ["user --name=ann", "useradd failed (exit 3: an option's value is not accepted)",
      "99999999999"]),
    ("sshkey-no-user", 'sshkey --username=ghost "ssh-ed25519 AAAA x"\n', 3,
     ["sshkey --username=ghost", "no user ghost"]),
]


@pytest.mark.parametrize("case", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_mistakes_stop_with_exit_6_and_one_line(case, tmp_path):
    name, lines, lineno, words = case
    result = install(tmp_path, "lang en_US.UTF-8\nrootpw --lock\n" + lines + FEW_PACKAGES)
    assert result.code == 6, result.out[-2000:] + result.err
    errors = [line for line in result.err.splitlines()
              if line.startswith("anaconda: ") and not line.startswith("anaconda: warning: ")]
    assert len(errors) == 1 and "Traceback" not in result.err, result.err
    assert errors[0].startswith(f"anaconda: configuration error: {result.ks}:{lineno}: "), errors[0]
    for word in words:
        assert word in errors[0], errors[0]
    assert (result.target / "var/log/anaconda/anaconda.log").exists()  # logs saved after failure
