"""The strength estimate shared by the passphrase and password dialogs, and the storage
request read back from the kickstart lines the destination spoke writes (pre-fill)."""
from __future__ import annotations

import pytest

from installer.ui.storage import MountRequest, RequestProblem, accept, load, parse_size, scan
from installer.ui.strength import Strength, password_strength
from installer.bootopts import parse_cmdline
from installer.kickstart.version import make_handler
from tests.unit.tui.test_destination import disks  # noqa: F401


@pytest.mark.parametrize("password, score, label, reason", [
    ("", 0, "Weak", "empty"),
    ("abc", 0, "Weak", "shorter than 8 characters"),
    ("Password1!", 0, "Weak", "a well-known password"),
    ("qwerty123", 0, "Weak", "a well-known password"),
    ("aaaaaaaaaaaa", 0, "Weak", "contains repeated characters"),
    ("abcdefgh", 0, "Weak", "contains a sequence like abc or 123"),
    ("kx7mq2pv", 2, "Fair", "add more characters, or mix letters, digits and symbols"),
    ("xK9#mQ2$vL", 3, "Good", "about 65 bits of guessing work"),
    ("correct horse battery staple", 4, "Strong", "about 164 bits of guessing work"),
])
def test_password_strength(password, score, label, reason):
    found = password_strength(password)
    assert found == Strength(score, label, reason)
    assert found.acceptable == (score >= 2)


def test_length_and_variety_raise_the_score_patterns_do_not():
    assert password_strength("Tr0ub4dor&3").score > password_strength("Tr0ub4").score
    assert password_strength("abcdefghijklmnop").score == 0  # 16 characters, one guess


@pytest.mark.parametrize("text, mib", [("1024", 1024), ("1024 MiB", 1024), ("2 GiB", 2048), ("2G", 2048),
                                       ("0.5 GiB", 512), ("1 TiB", 1048576)])
def test_sizes(text, mib):
    assert parse_size(text, "size") == mib


@pytest.mark.parametrize("text, message", [("", "size: nothing is not a size"),
                                           ("1.3 MiB", "size: 1.3 MiB is not a whole number of MiB"),
                                           ("-5", "size: -5 is not a size")])
def test_bad_sizes_name_the_field(text, message):
    with pytest.raises(RequestProblem) as err:
        parse_size(text, "size")
    assert err.value.message.startswith(message)


def test_written_layout_reads_back_as_the_same_request(disks):  # noqa: F811
    scanned = scan(parse_cmdline(""), disks)
    planner = scanned.planner
    planner.set_encryption("it is a long one")
    planner.delete("sda3")
    planner.shrink("sda1", 3000)
    planner.use_custom(seed=False)
    planner.add_mount(MountRequest("/boot", 1024, "ext4"))
    planner.add_mount(MountRequest("/", 4000, device_type="lvm", grow=True, encrypted=True))
    planner.add_mount(MountRequest("/var", 2000, device_type="lvm thin", encrypted=True))
    planner.add_mount(MountRequest("swap", 512))
    planner.select_disks(["sda", "sdb"])
    handler = make_handler()
    accept(planner, handler)
    wanted = planner.request
    seen = {"ignoredisk", "clearpart", "part", "volgroup", "logvol", "reqpart"}
    found = load(scanned, handler, seen)
    assert found.given and found.exact, found.notes
    again = scanned.planner.request
    assert again.disks == wanted.disks and again.reclaim == wanted.reclaim
    assert again.encryption == wanted.encryption and again.automatic is None
    assert sorted(again.mounts, key=lambda m: m.mountpoint) == sorted(wanted.mounts, key=lambda m: m.mountpoint)


def test_what_the_screens_cannot_show_is_named(disks):  # noqa: F811
    scanned = scan(parse_cmdline(""), disks)
    from installer.kickstart.load import parse
    from installer.kickstart.reader import Reader

    loaded = parse([("ks.cfg", "clearpart --linux\npart raid.01 --size=1000 --ondisk=sda\n"
                               "part raid.02 --size=1000 --ondisk=sdb\nraid / --level=1 --device=md0 "
                               "raid.01 raid.02\n")], None, Reader())
    found = load(scanned, loaded.handler, {c.name for c in loaded.commands_seen})
    assert not found.exact
    assert found.notes == ["clearpart --linux has no choice on these screens",
                           "raid commands are kept as the kickstart gives them"]
