"""The storage checker (storage/checker): each check on a planned in-memory tree, every
problem reported at once, and LUKS2's Argon2 memory cost against the machine's RAM."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from blivet.formats.luks import LUKS2PBKDFArgs
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.checker import CheckReport, check_plan
from storage.checker.layout_checks import check_biosboot, check_boot_device, check_efi, check_root
from storage.checker.luks_memory import check_luks2_memory, memory_cost
from storage.errors import StorageProblem
from storage.execute import activate_new_swaps
from storage.kickstart import _apply, apply_kickstart
from storage.plan import action_lines, describe_actions, planned_actions
from tests.unit.disk_images import sparse_session

PASS = "--passphrase=secret-for-test"


@pytest.fixture
def disks(tmp_path):
    def make(*sizes: str, platform: str = "bios", memory: str = "2 GiB"):
        return sparse_session(tmp_path, sizes, platform, memory)
    return make


def planned(session, text: str):
    """The layout applied without the checks, so each check can be run on its own."""
    _apply(session, parse([("test.ks", text)], None, Reader()).handler)
    return session


def run(check, session) -> CheckReport:
    report = CheckReport()
    check(session, report)
    return report


def test_root_missing_is_an_error(disks):
    session = planned(disks("20 GiB"), "clearpart --all --initlabel\nreqpart\npart /home --size=1000\n")
    assert run(check_root, session).errors == [
        "the layout has no root filesystem (/): add `part /` or `logvol /`, or use autopart"]
    assert run(check_boot_device, session).errors == []  # no root: nothing to say about /boot


def test_boot_on_luks_is_an_error(disks):
    session = planned(disks("20 GiB"), f"clearpart --all --initlabel\nreqpart\n"
                                       f"part / --size=2000 --encrypted {PASS}\n")
    assert run(check_boot_device, session).errors == [
        "/ (there is no /boot) is encrypted; the boot loader cannot read it: add an unencrypted `part /boot`"]


def test_boot_on_a_thin_volume_is_an_error(disks):
    session = planned(disks("20 GiB"), "clearpart --all --initlabel\nautopart --type=thinp --noboot\n")
    (error,) = run(check_boot_device, session).errors
    assert error.startswith("/ (there is no /boot) is on lvmthinlv")


def test_efi_partition_missing_on_uefi(disks):
    session = planned(disks("20 GiB", platform="uefi"), "clearpart --all --initlabel\npart / --size=2000\n")
    assert run(check_efi, session).errors == [
        "UEFI needs an EFI system partition: add `reqpart` or `part /boot/efi --fstype=efi --size=600`"]
    assert run(check_biosboot, session).errors == []


def test_biosboot_missing_on_gpt(disks):
    session = planned(disks("20 GiB"), "clearpart --all --initlabel\npart / --size=2000\n")
    (error,) = run(check_biosboot, session).errors
    assert "needs a biosboot partition" in error
    assert run(check_efi, session).errors == []


def test_no_boot_loader_needs_no_boot_partitions(disks):
    session = planned(disks("20 GiB"), "bootloader --location=none\nclearpart --all --initlabel\n"
                                       "part / --size=2000\n")
    assert check_plan(session).ok


def test_every_error_is_reported_at_once(disks):
    session = disks("20 GiB", platform="uefi")
    handler = parse([("test.ks", "clearpart --all --initlabel\npart /home --size=1000\n")], None,
                    Reader()).handler
    with pytest.raises(StorageProblem) as caught:
        apply_kickstart(session, handler)
    assert len(caught.value.problems) == 2
    assert caught.value.message.startswith("the planned layout has 2 problems:\n  - the layout has no root")
    assert "UEFI needs an EFI system partition" in caught.value.message


def _luks_session(disks, memory: str, options: str = ""):
    return planned(disks("20 GiB", memory=memory),
                   f"clearpart --all --initlabel\nreqpart --add-boot\n"
                   f"part / --size=2000 --encrypted {PASS} {options}\n")


def test_cryptsetups_default_fits_a_big_machine(disks):
    session = _luks_session(disks, "4 GiB")
    assert run(check_luks2_memory, session).warnings == []


def test_an_explicit_cost_above_half_the_ram_is_a_warning(disks):
    session = _luks_session(disks, "512 MiB", "--pbkdf-memory=1048576")
    (warning,) = run(check_luks2_memory, session).warnings
    assert "needs 1024 MiB of memory to unlock" in warning
    assert "--pbkdf-memory=262144 or less" in warning


def test_the_cost_chosen_for_a_small_machine_fits_without_a_warning(disks):
    """165 MiB is MemTotal of a 192 MiB guest: planning chose 69 MiB, which fits."""
    session = _luks_session(disks, "165 MiB")
    assert run(check_luks2_memory, session).warnings == []


def test_a_machine_too_small_even_for_the_floor_is_warned(disks):
    session = _luks_session(disks, "120 MiB")
    (warning,) = run(check_luks2_memory, session).warnings
    assert "needs 32 MiB of memory to unlock (Argon2's cost, the least this installer chooses" in warning
    assert "--pbkdf-memory=24576 or less" in warning  # 120 MiB - 96 MiB for the boot


def test_a_cost_below_the_recommendation_is_said(disks):
    (warning,) = run(check_luks2_memory, _luks_session(disks, "150 MiB")).warnings
    assert "Argon2's memory cost is 54 MiB, chosen so that this machine (150 MiB RAM)" in warning
    assert "less than the 64 MiB RFC 9106 recommends" in warning
    assert run(check_luks2_memory, _luks_session(disks, "256 MiB")).warnings == []


def test_pbkdf_time_without_memory_leaves_cryptsetups_default_and_is_checked(disks):
    session = _luks_session(disks, "165 MiB", "--pbkdf-time=500")
    (warning,) = run(check_luks2_memory, session).warnings
    assert "needs 82.5 MiB of memory to unlock (Argon2's cost, cryptsetup's default)" in warning


def test_pbkdf2_and_luks1_have_no_memory_cost(disks):
    assert run(check_luks2_memory, _luks_session(disks, "200 MiB", "--pbkdf=pbkdf2")).warnings == []
    assert run(check_luks2_memory, _luks_session(disks, "200 MiB", "--luks-version=luks1")).warnings == []


def test_memory_cost_numbers():
    fmt = SimpleNamespace(pbkdf_args=None)
    assert memory_cost(fmt, Size("8 GiB")) == Size("1 GiB")  # cryptsetup's default
    assert memory_cost(fmt, Size("512 MiB")) == Size("256 MiB")  # half the RAM
    explicit = SimpleNamespace(pbkdf_args=LUKS2PBKDFArgs(max_memory_kb=65536))
    assert memory_cost(explicit, Size("8 GiB")) == Size("64 MiB")


def test_the_warning_reaches_the_sessions_warnings(disks):
    session = disks("20 GiB", memory="512 MiB")
    handler = parse([("test.ks", f"clearpart --all --initlabel\nreqpart --add-boot\n"
                                 f"part / --size=2000 --encrypted {PASS} --pbkdf-memory=1048576\n")],
                    None, Reader()).handler
    apply_kickstart(session, handler)
    assert any("needs 1024 MiB of memory to unlock" in w for w in session.warnings)


def test_plan_actions_are_blivet_action_objects(disks):
    from blivet.deviceaction import DeviceAction

    session = planned(disks("20 GiB"), "clearpart --all --initlabel\nreqpart\npart / --size=2000\n"
                                       "part swap --size=500\n")
    actions = planned_actions(session)
    assert actions and all(isinstance(a, DeviceAction) for a in actions)
    lines = action_lines(actions)  # the readable list is derived from the objects
    assert [int(line.split(".")[0]) for line in lines] == list(range(1, len(actions) + 1))
    assert sorted(line.split(". ", 1)[1] for line in lines) == \
        sorted(line.split(". ", 1)[1] for line in describe_actions(session))


def test_activated_swaps_are_kept_in_the_session(disks, monkeypatch):
    session = planned(disks("20 GiB"), "clearpart --all --initlabel\nreqpart\npart / --size=2000\n"
                                       "part swap --size=500\n")
    (swap,) = [d for d in session.blivet.devices if d.format.type == "swap"]
    calls = []
    monkeypatch.setattr(type(swap.format), "exists", property(lambda self: True), raising=False)
    monkeypatch.setattr(type(swap.format), "status", property(lambda self: False), raising=False)
    monkeypatch.setattr(type(swap.format), "setup", lambda self, **kw: calls.append(self))
    assert activate_new_swaps(session) == [swap.path]
    assert activate_new_swaps(session) == []  # once only, recorded by the session
    assert session.swaps_on == {swap.id} and len(calls) == 1
    assert not hasattr(swap, "_anaconda_swap_on")
