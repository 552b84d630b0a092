"""The root password spoke at 80x24 over a real hub: typed twice, strength shown live, a
weak one only after "use it anyway", hashed into `rootpw --iscrypted`, never plaintext;
locking root completes only with an administrator user; a kickstart pre-fills."""
from __future__ import annotations

from installer.bootopts import parse_cmdline
from installer.ui.session import new_session
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.passwords import verify_password
from spokes.tui.app import TuiApp
from spokes.tui.hub import Hub
from spokes.tui.rootpw import RootPasswordSpoke
from tests.unit.tui.driver import Driver

GOOD = "correct horse battery staple"


def session_for(kickstart: str | None = None):
    loaded = parse([("ks.cfg", kickstart)], None, Reader()) if kickstart is not None else None
    return new_session(parse_cmdline(""), log_dir=None, loaded=loaded)


def with_hub(session) -> Driver:
    app = TuiApp(session)
    app.show(Hub([RootPasswordSpoke()], on_begin=lambda: None, on_quit=lambda: None))
    return Driver(app)


def rootpw_line(session) -> str:
    return next(line for line in str(session.handler).splitlines() if line.startswith("rootpw"))


def test_password_typed_twice_is_hashed_into_the_kickstart():
    session = session_for()
    drive = with_hub(session)
    drive.assert_shows("[!] Root password", "Root password is not set")
    shown = drive.press("1").assert_shows("Password:", "Confirm password:",
                                          "Strength: (nothing typed)", "[ ] Lock the root account",
                                          "Now: Root password is not set")
    assert len(shown.splitlines()) == 24
    drive.type("abc")
    drive.assert_shows("Strength: Weak - shorter than 8 characters")
    drive.press(*["backspace"] * 3).type(GOOD)
    assert "*" * len(GOOD) in drive.screen() and GOOD not in drive.screen()
    drive.assert_shows("Strength: Strong")
    drive.press("tab").type(GOOD).press("esc")
    assert isinstance(drive.app.current, Hub)
    drive.assert_shows("[x] Root password", "Root password is set")
    line = rootpw_line(session)
    assert line.startswith(("rootpw --iscrypted $y$", "rootpw --iscrypted $6$"))
    assert verify_password(GOOD, line.split()[-1])
    assert GOOD not in str(session.handler) and "--plaintext" not in str(session.handler)
    drive.press("1").assert_shows("Now: Root password is set")  # fields empty again
    assert "*" not in drive.screen()


def test_mismatch_is_named_and_keeps_the_person_here():
    session = session_for()
    drive = with_hub(session)
    drive.press("1").type(GOOD).press("tab").type(GOOD + "x").press("esc")
    drive.assert_shows("Confirm password: does not match Password; type it again.")
    assert isinstance(drive.app.current, RootPasswordSpoke)
    assert "rootpw" not in str(session.handler)
    drive.press("backspace", "esc")
    assert isinstance(drive.app.current, Hub)


def test_weak_password_needs_confirmation():
    session = session_for()
    drive = with_hub(session)
    drive.press("1").type("fedora").press("tab").type("fedora").press("esc")
    drive.assert_shows("Weak password", "The password is weak: a well-known password. Use it",
                       "anyway?", "< Yes >", "< No")
    drive.press("esc")  # No: back in the spoke, nothing written
    assert isinstance(drive.app.current, RootPasswordSpoke)
    assert "rootpw" not in str(session.handler)
    drive.press("esc").assert_shows("The password is weak")
    drive.press("enter")  # Yes
    assert isinstance(drive.app.current, Hub)
    assert verify_password("fedora", rootpw_line(session).split()[-1])


def test_locked_root_is_complete_only_with_an_administrator():
    session = session_for()
    drive = with_hub(session)
    drive.press("1").assert_shows("Locking needs an administrator user (see User creation).")
    drive.press("tab", "tab", " ").assert_shows("[X] Lock the root account")
    drive.press("esc")
    assert rootpw_line(session) == "rootpw --lock"
    drive.assert_shows("[!] Root password", "Disabled; needs an admin user")
    session.handler.user.userList.append(session.handler.UserData(name="alice", groups=["wheel"]))
    drive.app.redraw()
    drive.assert_shows("[x] Root password", "Root account is disabled")
    drive.press("1").assert_shows("[X] Lock the root account", "locking root is allowed")
    drive.press("shift tab", "shift tab").type(GOOD).press("esc")
    drive.assert_shows("Lock the root account: a locked root has no password.")
    drive.press(*["backspace"] * len(GOOD))
    drive.press("tab", "tab", " ", "esc")  # unticked, nothing typed: root is not set now
    assert "rootpw" not in str(session.handler)
    drive.assert_shows("[!] Root password", "Root password is not set")


def test_kickstart_prefills_and_the_hash_is_kept():
    session = session_for("rootpw --plaintext kickstart-secret-1\n")
    drive = with_hub(session)
    drive.assert_shows("[x] Root password", "Root password is set")
    assert rootpw_line(session) == "rootpw --plaintext kickstart-secret-1"  # parse only
    drive.press("1").assert_shows("Now: Root password is set")
    drive.press("esc")
    hashed = rootpw_line(session)
    assert hashed.startswith("rootpw --iscrypted $")  # hashed on leaving, never plaintext
    assert verify_password("kickstart-secret-1", hashed.split()[-1])
    drive.press("1", "esc")
    assert rootpw_line(session) == hashed  # a hash is kept as it is


def test_help_is_specific():
    drive = with_hub(session_for())
    drive.press("1", "f1").assert_shows("Help", "rootpw --iscrypted", "sudo",
                                        "(rootpw --allow-ssh)", "< OK >")  # all of it fits


def test_root_locked_by_the_kickstart_is_complete_without_an_admin():
    """`rootpw --lock` in a kickstart is a decision made: the hub does not ask again (and
    the front-end choice, which runs before urwid, agrees)."""
    from installer.bootopts import parse_cmdline
    from installer.ui.session import new_session
    from installer.kickstart.version import make_handler
    from pykickstart.parser import KickstartParser
    from spokes.tui.rootpw import RootPasswordSpoke
    from tests.unit.tui.driver import open_spoke

    session = new_session(parse_cmdline(""), log_dir=None)
    KickstartParser(session.handler).readKickstartFromString("rootpw --lock\n")
    session.seen.add("rootpw")
    spoke = RootPasswordSpoke()
    open_spoke(spoke, session)
    assert spoke.completed() and spoke.status() == "Root account is disabled"
    fresh = new_session(parse_cmdline(""), log_dir=None)
    KickstartParser(fresh.handler).readKickstartFromString("rootpw --lock\n")
    chosen = RootPasswordSpoke()
    open_spoke(chosen, fresh)  # the same lock, but not from a kickstart: needs an admin
    assert not chosen.completed()


def test_ssh_login_and_keys_for_root():
    from tests.unit.test_ui_accounts_ssh import ECDSA, ED25519, ED25519_FP, RSA

    session = session_for()
    drive = with_hub(session)
    drive.press("1").assert_shows("[ ] Allow root SSH login with password",
                                  "SSH keys for root:", "(none)", "Add SSH key:")
    drive.press("tab", "tab", "tab", " ", "esc")  # allowed, but no password
    drive.assert_shows("Allow root SSH login with password: set a root password first.")
    drive.press("down", "down").type("ssh-ed25519 AAAAC3bad").press("enter")
    drive.assert_shows("SSH key for root: the ssh-ed25519 key data is damaged")
    drive.press(*["backspace"] * 25).type(ED25519).press("enter")
    drive.assert_shows(f"ssh-ed25519 {ED25519_FP} alice@laptop")
    drive.type(RSA).press("enter").type(ECDSA).press("enter")
    drive.press("up", "up", "delete")  # the RSA key, the second of three
    shown = drive.assert_shows("ssh-ed25519 SHA256:", "ecdsa-sha2-nistp256 SHA256:")
    assert "ssh-rsa" not in shown
    drive.press(*["up"] * 6).type(GOOD).press("tab").type(GOOD).press("esc")
    assert isinstance(drive.app.current, Hub)
    lines = [line for line in str(session.handler).splitlines()
             if line.startswith(("rootpw", "sshkey"))]
    assert lines[0].startswith("rootpw --iscrypted --allow-ssh $")
    assert lines[1:] == [f'sshkey --username=root "{ED25519}"',
                         f'sshkey --username=root "{ECDSA}"']


def test_locked_root_with_ssh_login_is_refused_and_keys_prefill():
    from tests.unit.test_ui_accounts_ssh import ED25519, ED25519_FP

    session = session_for(f"rootpw --iscrypted --allow-ssh $6$salt$hash\n"
                          f'sshkey --username=root "{ED25519}"\n'
                          f'sshkey --username=alice "{ED25519}"\n')
    drive = with_hub(session)
    drive.press("1").assert_shows("[X] Allow root SSH login with password",
                                  f"ssh-ed25519 {ED25519_FP} alice@laptop")
    drive.press("tab", "tab", " ", "esc").assert_shows(  # lock it too
        "Allow root SSH login with password: a locked root has no password.")
    drive.press("tab", " ", "down", "delete", "esc")  # SSH login off; key removed
    assert isinstance(drive.app.current, Hub)
    assert [line for line in str(session.handler).splitlines()
            if line.startswith(("rootpw", "sshkey"))] == [
        "rootpw --lock", f'sshkey --username=alice "{ED25519}"']


def test_a_key_left_in_the_add_field_is_taken_on_leaving():
    from tests.unit.test_ui_accounts_ssh import ED25519

    session = session_for("rootpw --iscrypted $6$salt$hash\n")
    drive = with_hub(session)
    drive.press("1", "tab", "tab", "tab", "down", "down").type(ED25519).press("esc")
    assert isinstance(drive.app.current, Hub)
    assert f'sshkey --username=root "{ED25519}"' in str(session.handler)
