"""Accounts from the kickstart: the argv given to the target's shadow tools, the checks
against its account files, and the direct file edits used when it has no tools (on a
fake root tree without useradd, so configure_accounts takes that path for real)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from installer.configure import accountdb
from installer.configure.accountdb import AccountDB
from installer.configure.accounts import (SSHD_DROPIN, Line, Skipped, Target, UserPlan,
                                          configure_accounts, groupadd_argv, locate, plan_user,
                                          useradd_argv)
from installer.errors import ConfigurationError
from installer.kickstart import secrets
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.passwords import verify_password

PASSWD = """root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
"""
GROUP = "root:x:0:\ndaemon:x:1:\nwheel:x:10:\nusers:x:100:\nnogroup:x:65534:\n"
SHADOW = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n"
GSHADOW = "root:*::\ndaemon:*::\nwheel:*::\nusers:*::\nnogroup:*::\n"
LINE = Line("ks.cfg:7", "user --name=alice")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to other users needs root")


@pytest.fixture
def root(tmp_path) -> Path:
    """A target tree with Debian-like account files and no shadow tools."""
    etc = tmp_path / "etc"
    (etc / "skel").mkdir(parents=True)
    (etc / "skel/.profile").write_text("# skeleton\n")
    (etc / "skel/.config").mkdir()
    (etc / "skel/.config/app.conf").write_text("x=1\n")
    for name, text, mode in (("passwd", PASSWD, 0o644), ("group", GROUP, 0o644),
                             ("shadow", SHADOW, 0o640), ("gshadow", GSHADOW, 0o640)):
        (etc / name).write_text(text)
        os.chmod(etc / name, mode)
    (etc / "login.defs").write_text("UID_MIN 1000\nUID_MAX 60000\nGID_MIN 1000\n"
                                    "GID_MAX 60000\nUMASK 022\nHOME_MODE 0700\n")
    (etc / "default").mkdir()
    (etc / "default/useradd").write_text("SHELL=/bin/bash\n")
    (tmp_path / "home").mkdir()
    return tmp_path


def user_data(text: str):
    return parse([("ks.cfg", text)], None, Reader()).handler.user.userList[0]


def rows(root: Path, name: str) -> dict[str, list[str]]:
    return {row[0]: row for row in accountdb.read_table(root, name)}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# ---- argv ------------------------------------------------------------------------------

def test_useradd_argv_with_every_option():
    plan = UserPlan("alice", "/srv/alice", True, uid=1500, group="1500", groups=["wheel", "devs"],
                    gecos="Alice Example", shell="/bin/zsh")
    assert useradd_argv("/usr/sbin/useradd", plan) == [
        "/usr/sbin/useradd", "-d", "/srv/alice", "-m", "-g", "1500", "-G", "wheel,devs",
        "-u", "1500", "-s", "/bin/zsh", "-c", "Alice Example", "alice"]


def test_useradd_argv_defaults_make_a_user_group_and_keep_an_existing_home():
    plan = UserPlan("bob", "/home/bob", False)
    assert useradd_argv("/usr/sbin/useradd", plan) == [
        "/usr/sbin/useradd", "-d", "/home/bob", "-M", "-U", "bob"]


def test_groupadd_argv():
    assert groupadd_argv("/usr/sbin/groupadd", "devs", 2500) == ["/usr/sbin/groupadd", "-g", "2500", "devs"]
    assert groupadd_argv("/usr/sbin/groupadd", "devs", None) == ["/usr/sbin/groupadd", "devs"]


# ---- planning against the target's files ------------------------------------------------

def test_plan_with_gid_of_no_group_makes_the_users_group_and_missing_groups(root):
    user = user_data("user --name=alice --uid=1500 --gid=1500 --groups=wheel,devs,audio2(2600)\n")
    plan = plan_user(AccountDB.read(root), root, LINE, user)
    assert (plan.group, plan.groups) == ("1500", ["wheel", "devs", "audio2"])
    assert plan.new_groups == [("alice", 1500), ("devs", None), ("audio2", 2600)]
    assert plan.create_home and plan.home == "/home/alice"


def test_plan_joins_an_existing_gid(root):
    assert plan_user(AccountDB.read(root), root, LINE, user_data("user --name=x --gid=100\n")).group == "100"
    (root / "etc/group").write_text(GROUP + "carol:x:1234:\n")
    plan = plan_user(AccountDB.read(root), root, LINE, user_data("user --name=carol --gid=1234\n"))
    assert (plan.group, plan.new_groups) == ("1234", [])


def test_a_group_named_like_the_user_skips_it_without_gid(root):
    """useradd -U cannot make the user's own group then; Anaconda skips the user."""
    (root / "etc/group").write_text(GROUP + "carol:x:1234:\n")
    with pytest.raises(Skipped, match="a group named carol exists already .GID 1234.*--gid=1234"):
        plan_user(AccountDB.read(root), root, LINE, user_data("user --name=carol\n"))


def test_plan_keeps_an_existing_home(root):
    (root / "srv/bob").mkdir(parents=True)
    plan = plan_user(AccountDB.read(root), root, LINE, user_data("user --name=bob --homedir=/srv/bob\n"))
    assert not plan.create_home


@pytest.mark.parametrize("text, words", [
    ("user --name=root\n", ["ks.cfg:7: user --name=alice:", "user root exists already"]),
    ("user --name=x --uid=1\n", ["UID 1 is already used by the user daemon"]),
    ("user --name=x --groups=wheel(99)\n", ["wheel exists already with GID 10, not 99"]),
    ("user --name=x --groups=newg(100)\n", ["GID 100 for newg is already used by the group users"]),
])
def test_plan_skips_taken_names_and_ids_as_anaconda(root, text, words):
    with pytest.raises(Skipped) as caught:
        plan_user(AccountDB.read(root), root, LINE, user_data(text))
    assert str(caught.value).endswith("; the line is skipped, as Anaconda skips it")
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("text, words", [
    ("user --name=x --groups=a:b\n", ["'a:b' cannot be a group name"]),
    ("user --name=1234\n", ["'1234' cannot be a user name"]),
    ("user --name=x --homedir=home/x\n", ["--homedir=home/x is not an absolute path"]),
    ("user --name=x --gecos=a:b\n", ["--gecos cannot hold ':'"]),
])
def test_plan_refuses_clashes_with_a_message_naming_the_line(root, text, words):
    with pytest.raises(ConfigurationError) as caught:
        plan_user(AccountDB.read(root), root, LINE, user_data(text))
    assert caught.value.exit_code == 6 and "\n" not in str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_gid_that_needs_a_group_named_like_an_existing_one(root):
    (root / "etc/group").write_text(GROUP + "x:x:1234:\n")
    with pytest.raises(Skipped, match="x exists with GID 1234"):
        plan_user(AccountDB.read(root), root, LINE, user_data("user --name=x --gid=4321\n"))


def test_locate_uses_the_loaders_file_and_line():
    loaded = parse([("main.ks", "lang en_US.UTF-8\nuser --name=a\n\nuser --name=b\nrootpw --lock\n"
                     "rootpw --plaintext xyz\n")], None, Reader())
    seen = loaded.commands_seen
    assert locate(seen, "user", 1, 99) == "main.ks:4"
    assert locate(seen, "rootpw", -1, 99) == "main.ks:6"
    assert locate(seen, "sshkey", 0, 12) == "kickstart line 12"
    assert locate((), "user", 0, None) == "kickstart"


def test_a_failing_tool_is_one_line_naming_the_kickstart_line():
    with pytest.raises(ConfigurationError) as caught:
        Target(Path("/")).run(LINE, ["/bin/sh", "-c", "echo first; echo 'useradd: UID 1 is not unique'; exit 4"],
                              {4: "the UID is already used"})
    assert str(caught.value) == ("ks.cfg:7: user --name=alice: sh failed (exit 4: the UID is already "
                                 "used) useradd: UID 1 is not unique")


# ---- the direct file edits (no tools in the target) -------------------------------------

def test_next_id_like_useradd():
    assert accountdb.next_id({0, 1, 65534}, 1000, 60000) == 1000
    assert accountdb.next_id({1000, 1001, 1500}, 1000, 60000) == 1501
    assert accountdb.next_id({1000, 1001}, 1000, 60000, prefer=1200) == 1200
    assert accountdb.next_id({1000, 1001}, 1000, 60000, prefer=1001) == 1002
    assert accountdb.next_id({1000, 1002}, 1000, 1002) == 1001
    with pytest.raises(ValueError):
        accountdb.next_id({1, 2}, 1, 2)


def test_lock_is_idempotent_and_keeps_the_hash(root):
    accountdb.set_password(root, "daemon", "$6$salt$hash")
    accountdb.lock(root, "daemon")
    accountdb.lock(root, "daemon")
    assert rows(root, "etc/shadow")["daemon"][1] == "!$6$salt$hash"
    assert mode(root / "etc/shadow") == 0o640


def test_add_member_to_group_and_gshadow(root):
    accountdb.add_member(root, "wheel", "alice")
    accountdb.add_member(root, "wheel", "bob")
    accountdb.add_member(root, "wheel", "alice")
    assert rows(root, "etc/group")["wheel"] == ["wheel", "x", "10", "alice,bob"]
    assert rows(root, "etc/gshadow")["wheel"] == ["wheel", "*", "", "alice,bob"]


KICKSTART = """rootpw --plaintext RootPlain-1 --lock --allow-ssh
group --name=devs --gid=2500
group --name=wheel
user --name=alice --password=AlicePlain-2 --plaintext --groups=wheel,devs,extra --gecos="Alice A" --uid=1500
user --name=bob --password=$6$salt$hash --iscrypted --homedir=/srv/bob --shell=/bin/sh --gid=100 --lock
sshkey --username=alice "ssh-ed25519 AAAAkey alice@example"
"""


@needs_root
def test_whole_step_without_tools_edits_the_files(root):
    (root / "usr/sbin").mkdir(parents=True)
    (root / "usr/sbin/sshd").write_text("")  # only its presence matters
    loaded = parse([("ks.cfg", KICKSTART)], None, Reader())
    secrets.hash_in_place(loaded.handler)
    configure_accounts(loaded.handler, root, loaded.commands_seen)

    passwd, group, shadow = rows(root, "etc/passwd"), rows(root, "etc/group"), rows(root, "etc/shadow")
    assert passwd["alice"] == ["alice", "x", "1500", "1500", "Alice A", "/home/alice", "/bin/bash"]
    assert passwd["bob"] == ["bob", "x", "1501", "100", "", "/srv/bob", "/bin/sh"]
    assert group["alice"][2] == "1500" and group["devs"] == ["devs", "x", "2500", "alice"]
    assert group["wheel"] == ["wheel", "x", "10", "alice"] and group["extra"][3] == "alice"
    assert rows(root, "etc/gshadow")["devs"] == ["devs", "!", "", "alice"]
    assert verify_password("AlicePlain-2", shadow["alice"][1])
    assert shadow["bob"][1] == "!$6$salt$hash"
    assert shadow["root"][1].startswith("!$y$") and verify_password("RootPlain-1", shadow["root"][1][1:])
    # no date of the last password change, as Anaconda leaves it (chage -d '')
    assert shadow["root"][2] == shadow["alice"][2] == shadow["bob"][2] == ""
    assert shadow["daemon"][2] == "19000"
    assert mode(root / "etc/shadow") == 0o640 and mode(root / "etc/passwd") == 0o644

    home = root / "home/alice"
    assert mode(home) == 0o700 and (home.stat().st_uid, home.stat().st_gid) == (1500, 1500)
    assert (home / ".config/app.conf").read_text() == "x=1\n"
    assert (home / ".config/app.conf").stat().st_uid == 1500
    keys = home / ".ssh/authorized_keys"
    assert keys.read_text() == "ssh-ed25519 AAAAkey alice@example\n"
    assert mode(home / ".ssh") == 0o700 and mode(keys) == 0o600 and keys.stat().st_uid == 1500
    assert (root / "srv/bob/.profile").stat().st_gid == 100
    assert "PermitRootLogin yes" in (root / SSHD_DROPIN).read_text()
    for path in accountdb.tree(root):
        if path.is_file():
            assert b"Plain-" not in path.read_bytes(), path


def test_no_rootpw_locks_root_and_no_sshd_means_no_dropin(root):
    loaded = parse([("ks.cfg", "lang en_US.UTF-8\n")], None, Reader())
    configure_accounts(loaded.handler, root, loaded.commands_seen)
    assert rows(root, "etc/shadow")["root"][:3] == ["root", "!*", ""]
    loaded = parse([("ks.cfg", "rootpw --iscrypted --allow-ssh $6$a$b\n")], None, Reader())
    configure_accounts(loaded.handler, root, loaded.commands_seen)
    assert rows(root, "etc/shadow")["root"][:3] == ["root", "$6$a$b", ""]
    assert not (root / SSHD_DROPIN).exists()


def test_sshkey_for_a_missing_user_names_the_line(root):
    loaded = parse([("ks.cfg", "lang en_US.UTF-8\nsshkey --username=ghost \"ssh-rsa AAAA\"\n")],
                   None, Reader())
    with pytest.raises(ConfigurationError, match=r"^ks.cfg:2: sshkey --username=ghost: there is no user ghost"):
        configure_accounts(loaded.handler, root, loaded.commands_seen)


def test_a_target_without_passwd_is_left_alone(tmp_path):
    loaded = parse([("ks.cfg", "rootpw --plaintext abcdef\nuser --name=alice\n")], None, Reader())
    configure_accounts(loaded.handler, tmp_path, loaded.commands_seen)
    assert list(tmp_path.iterdir()) == []


SKIPS = """rootpw --lock
group --name=wheel --gid=4242
group --name=audio
user --name=daemon
user --name=ann --uid=1
user --name=cat
user --name=cat
user --name=dog --groups=wheel(99)
"""


def test_skipped_lines_are_warned_with_their_line_and_the_rest_is_made(root, caplog):
    """What Anaconda skips with a warning is skipped here too; a line the kickstart checks
    already warned of (audio, daemon, the second cat, dog) is not shown a second time."""
    caplog.set_level("WARNING", logger="anaconda.configure")
    loaded = parse([("ks.cfg", SKIPS)], None, Reader())
    shown: list[str] = []
    before = rows(root, "etc/passwd")
    configure_accounts(loaded.handler, root, loaded.commands_seen, warn=shown.append)
    assert shown == [
        "ks.cfg:2: group --name=wheel: the group wheel exists already in the installed system "
        "(GID 10, not 4242); the line is skipped, as Anaconda skips it",
        "ks.cfg:5: user --name=ann: UID 1 is already used by the user daemon; the line is "
        "skipped, as Anaconda skips it"]
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    for where in ("ks.cfg:3: group --name=audio", "ks.cfg:4: user --name=daemon",
                  "ks.cfg:7: user --name=cat: the user is already defined at ks.cfg:6",
                  "ks.cfg:8: user --name=dog: --groups=wheel(99): the group wheel is made with "
                  "GID 4242 at ks.cfg:2"):
        assert any(m.startswith(where) and "skipped" in m for m in logged), (where, logged)
    assert all(any(m == s for m in logged) for s in shown)
    passwd = rows(root, "etc/passwd")
    assert set(passwd) - set(before) == {"cat"} and passwd["daemon"] == before["daemon"]
    assert rows(root, "etc/group")["wheel"] == ["wheel", "x", "10", ""]
    assert "ann" not in rows(root, "etc/group") and "dog" not in rows(root, "etc/group")
