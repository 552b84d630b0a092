"""The user creation spoke at 80x24 over a real hub: the user name proposed from the full
name, administrator as wheel, groups with GIDs, a hashed password (or none), errors that
name the field, a kickstart `user` line pre-filling, and the root password spoke reading
the administrator from the same handler."""
from __future__ import annotations

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.passwords import verify_password
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.rootpw import RootPasswordSpoke
from spokes.tui.user import UserSpoke
from tests.unit.tui.driver import Driver

GOOD = "correct horse battery staple"


def session_for(kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(""), log_dir=None, loaded=loaded)


def with_hub(session, spokes=None) -> Driver:
    app = TuiApp(session)
    app.show(Hub(spokes or [RootPasswordSpoke(), UserSpoke()], on_begin=lambda: None,
                 on_quit=lambda: None))
    return Driver(app)


def user_spoke(drive: Driver) -> UserSpoke:
    return next(s for s in drive.app.screens[0].spokes if isinstance(s, UserSpoke))


def user_lines(session) -> list[str]:
    return [line for line in str(session.handler).splitlines() if line.startswith("user ")]


def test_administrator_with_groups_and_hashed_password():
    session = session_for()
    drive = with_hub(session)
    drive.assert_shows("2) [ ] User creation", "No user will be created")
    shown = drive.press("2").assert_shows("Full name:", "User name:", "Groups:",
                                          "[ ] Make this user administrator (member of wheel)",
                                          "[X] Require a password to use this account",
                                          "Now: No user will be created")
    assert len(shown.splitlines()) == 24
    drive.type("Alice Smith").assert_shows("User name:            alice")
    drive.press("tab", "tab", " ", "tab").type("audio, mygroup(5000)")
    drive.press("tab", "tab").type(GOOD).press("tab").type(GOOD)
    drive.assert_shows("[X] Make this user administrator", "Strength: Strong")
    drive.press("esc")
    assert isinstance(drive.app.current, Hub)
    drive.assert_shows("[x] User creation", "Administrator alice will be\n")  # hub: wrapped
    assert user_spoke(drive).status() == "Administrator alice will be created"
    [line] = user_lines(session)
    user = session.handler.user.userList[0]
    assert line == (f"user --groups=wheel,audio,mygroup(5000) --name=alice "
                    f'--password={user.password} --iscrypted --gecos="Alice Smith"')
    assert user.password.startswith(("$y$", "$6$")) and verify_password(GOOD, user.password)
    assert GOOD not in str(session.handler)


def test_typed_user_name_is_kept_and_errors_name_the_field():
    session = session_for()
    drive = with_hub(session)
    drive.press("2").type("Bob").press("tab")
    drive.press("backspace", "backspace", "backspace").type("Root")
    drive.press("shift tab").type(" Builder")  # the user name no longer follows
    drive.press("tab", "tab", "tab").type("audio, my group")
    drive.press("esc")
    drive.assert_shows("User name: 'Root' is not accepted. Start with a lowercase letter",
                       "Groups: 'my group' is not accepted.",
                       "Password: enter a password.")
    assert isinstance(drive.app.current, UserSpoke) and user_lines(session) == []
    drive.press("shift tab", "shift tab")
    drive.press("backspace", "backspace", "backspace", "backspace").type("root")
    drive.press("esc").assert_shows("User name: 'root' is reserved for the system")
    assert user_lines(session) == []


def test_user_without_password_and_weak_password_confirmation():
    session = session_for()
    drive = with_hub(session)
    drive.press("2").type("Carol").press("tab", "tab", "tab", "tab", " ")
    drive.assert_shows("[ ] Require a password")
    drive.press("tab").type("x").press("esc")
    drive.assert_shows("Require a password: it is unticked, so clear the password fields")
    drive.press("backspace", "esc")
    assert user_lines(session) == ["user --name=carol --gecos=\"Carol\""]
    drive.assert_shows("User carol will be created")
    drive.press("2").assert_shows("[ ] Require a password")
    drive.press("tab", "tab", "tab", "tab", " ", "tab").type("carol123")
    drive.press("tab").type("carol123").press("esc")
    drive.assert_shows("The password is weak:", "Use it anyway?")
    drive.press("enter")
    assert isinstance(drive.app.current, Hub)
    assert verify_password("carol123", session.handler.user.userList[0].password)


def test_kickstart_user_prefills_and_can_be_removed():
    session = session_for("user --name=dave --gecos=\"Dave D\" --groups=wheel,video "
                          "--plaintext --password=dave-pass-9\n"
                          "user --name=erin\n")
    drive = with_hub(session, [UserSpoke()])  # a kickstart: the hub shows what is missing
    assert user_spoke(drive).status() == "Administrator dave will be created (and 1 more)"
    drive.press("1").assert_shows("Full name:            Dave D", "User name:            dave",
                                  "[X] Make this user administrator", "video",
                                  "A password is set; type a new one to change it.")
    drive.press("esc")  # nothing typed: the password kept, as a hash
    dave = session.handler.user.userList[0]
    assert dave.isCrypted and verify_password("dave-pass-9", dave.password)
    assert "dave-pass-9" not in str(session.handler)
    drive.press("1").press(*["backspace"] * 6).press("tab").press(*["backspace"] * 4)
    drive.press("esc")
    assert [u.name for u in session.handler.user.userList] == ["erin"]


def test_locked_root_needs_the_administrator_from_this_spoke():
    session = session_for()
    drive = with_hub(session)
    drive.press("1", "tab", "tab", " ", "esc")
    drive.assert_shows("1) [!] Root password", "Disabled; needs an admin user")
    drive.press("2").type("Alice").press("tab", "tab", " ", "tab", "tab", " ", "esc")
    drive.assert_shows("1) [x] Root password", "Root account is disabled",
                       "Administrator alice will be\n")
    assert "rootpw --lock" in str(session.handler)
    assert user_lines(session) == ['user --groups=wheel --name=alice --gecos="Alice"']


def test_help_is_specific():
    drive = with_hub(session_for())
    drive.press("2", "f1").assert_shows("Help", "mygroup(5000)", "wheel", "in Add SSH key",
                                        "< OK >")  # all of it fits


def test_ssh_keys_follow_the_account():
    from tests.unit.test_ui_accounts_ssh import ECDSA, ED25519, ED25519_FP

    session = session_for(f'user --name=dave --password=x --plaintext\n'
                          f'sshkey --username=dave "{ED25519}"\n'
                          f'sshkey --username=root "{ECDSA}"\n')
    drive = with_hub(session, [UserSpoke()])
    drive.press("1").assert_shows("SSH keys for the user:", f"ssh-ed25519 {ED25519_FP} "
                                  "alice@laptop")
    drive.press("tab", "end", *["backspace"] * 4).type("erin")  # renamed: the key follows
    drive.press(*["tab"] * 7).type("ssh-rsa AAAA").press("esc")  # left in Add SSH key
    drive.assert_shows("SSH key for the user: the ssh-rsa key data is damaged or cut short;")
    assert isinstance(drive.app.current, UserSpoke)
    drive.press("end", *["backspace"] * 12).type(ECDSA).press("esc")
    assert isinstance(drive.app.current, Hub)
    keys = [(k.username, k.key) for k in session.handler.sshkey.sshUserList]
    assert keys == [("erin", ED25519), ("erin", ECDSA), ("root", ECDSA)]
    assert [u.name for u in session.handler.user.userList] == ["erin"]


def test_keys_without_a_user_are_refused_and_go_with_the_user():
    from tests.unit.test_ui_accounts_ssh import ED25519

    session = session_for(f'user --name=dave\nsshkey --username=dave "{ED25519}"\n')
    drive = with_hub(session, [UserSpoke()])
    drive.press("1", "tab", "end", *["backspace"] * 4, "esc")  # no user name, a key listed
    drive.assert_shows("SSH keys: no user will be created to hold them; enter a user name,")
    drive.press(*["tab"] * 6, "delete", "esc")  # the key deleted: no user, no key
    assert isinstance(drive.app.current, Hub)
    assert session.handler.user.userList == [] and session.handler.sshkey.sshUserList == []
