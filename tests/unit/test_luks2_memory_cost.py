"""LUKS2's Argon2 memory cost chosen for the machine (storage.format_args): the rule's
numbers, and the pbkdf arguments planning gives the real blivet LUKS formats of autopart,
part, logvol and the storage screen's encryption, with and without the kickstart's
--pbkdf options (parsed by pykickstart, as an install reads them)."""
from __future__ import annotations

import logging

import pytest
from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.format_args import ChosenPBKDFArgs, chosen_memory_cost, unlock_room
from storage.kickstart import apply_kickstart
from storage.planning.planner import Planner
from storage.session import from_image_files
from tests.unit.disk_images import blank_gpt, sparse_session

PASS = "--passphrase=secret-for-test"
#: A small machine's MemTotal, where the boot reserve decides the cost (a qemu guest of
#: -m 192 booting the installer measured 139.8 MiB: see storage/format_args.py).
GUEST_192 = "165 MiB"


@pytest.mark.parametrize("memtotal, cost", [
    ("16 GiB", "1 GiB"),       # cryptsetup's default, as without the rule
    ("1 GiB", "512 MiB"),      # half the RAM, as cryptsetup would lower it itself
    ("256 MiB", "128 MiB"),
    ("192 MiB", "96 MiB"),     # where half the RAM and the boot reserve meet
    (GUEST_192, "69 MiB"),     # 165 - 96 for the kernel and initramfs, whole MiB
    ("150 MiB", "54 MiB"),     # 150 - 96
    ("120 MiB", "32 MiB"),     # the floor, though only 24 MiB is left at boot
])
def test_the_cost_chosen_for_the_ram(memtotal, cost):
    assert chosen_memory_cost(Size(memtotal)) == Size(cost)


def test_unlock_room_is_half_the_ram_or_what_the_boot_leaves():
    assert unlock_room(Size("4 GiB")) == Size("2 GiB")
    assert unlock_room(Size("150 MiB")) == Size("54 MiB")
    assert unlock_room(Size("64 MiB")) == Size(0)


def plan(tmp_path, text: str, memory: str = GUEST_192):
    """The kickstart planned (and checked) on a blank 20 GiB disk of a machine with
    `memory` MemTotal; the new LUKS formats by the name of the device they are on."""
    session = sparse_session(tmp_path, ["20 GiB"], "bios", memory)
    apply_kickstart(session, parse([("test.ks", "clearpart --all --initlabel\n" + text)], None,
                                   Reader()).handler)
    return {d.name: d.format for d in session.blivet.devices if d.format.type == "luks"}


def kib(size: str) -> int:
    return int(Size(size).convert_to("KiB"))


def test_autopart_without_pbkdf_options_gets_the_chosen_cost(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="anaconda.storage")
    (fmt,) = plan(tmp_path, f"autopart --type=lvm --encrypted {PASS}\n").values()
    assert isinstance(fmt.pbkdf_args, ChosenPBKDFArgs)
    assert (fmt.pbkdf_args.type, fmt.pbkdf_args.max_memory_kb) == (None, kib("69 MiB"))
    assert (fmt.pbkdf_args.time_ms, fmt.pbkdf_args.iterations) == (0, 0)
    assert "luks-sda3: Argon2id memory 69 MiB (RAM 165 MiB; kickstart gave none)" in caplog.messages


def test_a_big_machine_gets_cryptsetups_default_cost(tmp_path):
    (fmt,) = plan(tmp_path, f"autopart --type=lvm --encrypted {PASS}\n", memory="8 GiB").values()
    assert fmt.pbkdf_args.max_memory_kb == 1048576


def test_autopart_pbkdf_memory_is_kept_as_given(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="anaconda.storage")
    formats = plan(tmp_path, f"autopart --type=plain --encrypted {PASS} --pbkdf-memory=50000\n")
    assert sorted(formats) == ["sda3", "sda4"]  # / and swap
    for fmt in formats.values():
        assert not isinstance(fmt.pbkdf_args, ChosenPBKDFArgs)
        assert fmt.pbkdf_args.max_memory_kb == 50000
    assert "luks-sda3: Argon2id settings as the kickstart gave them (--pbkdf-memory=50000)" in caplog.messages


def test_part_pbkdf_type_alone_keeps_its_type_and_gets_the_chosen_cost(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="anaconda.storage")
    formats = plan(tmp_path, "reqpart --add-boot\n"
                             f"part / --size=4000 --encrypted {PASS} --pbkdf=argon2i\n")
    (fmt,) = formats.values()
    assert (fmt.pbkdf_args.type, fmt.pbkdf_args.max_memory_kb) == ("argon2i", kib("69 MiB"))
    (name,) = formats
    assert (f"luks-{name}: Argon2i memory 69 MiB (RAM 165 MiB; kickstart gave --pbkdf=argon2i only)"
            in caplog.messages)


def test_part_pbkdf2_and_luks1_are_left_alone(tmp_path):
    formats = plan(tmp_path, "reqpart --add-boot\n"
                             f"part / --size=4000 --encrypted {PASS} --pbkdf=pbkdf2 --pbkdf-iterations=1000\n"
                             f"part /home --size=1000 --encrypted {PASS} --luks-version=luks1\n")
    by_version = {fmt.luks_version: fmt.pbkdf_args for fmt in formats.values()}
    assert by_version["luks1"] is None
    pbkdf2 = by_version["luks2"]
    assert (pbkdf2.type, pbkdf2.iterations, pbkdf2.max_memory_kb) == ("pbkdf2", 1000, 0)


def test_logvol_pbkdf_time_is_kept_and_gets_no_memory(tmp_path):
    """--pbkdf-time (or --pbkdf-iterations) means the kickstart took the cost in hand:
    cryptsetup's default memory then, as Anaconda passes it (the checker looks at it)."""
    formats = plan(tmp_path, "reqpart --add-boot\npart pv.01 --size=6000\nvolgroup vg pv.01\n"
                             f"logvol / --vgname=vg --name=root --size=3000 --encrypted {PASS} "
                             "--pbkdf-time=500\n"
                             f"logvol /home --vgname=vg --name=home --size=1000 --encrypted {PASS}\n")
    assert (formats["vg-root"].pbkdf_args.time_ms, formats["vg-root"].pbkdf_args.max_memory_kb) == (500, 0)
    assert formats["vg-home"].pbkdf_args.max_memory_kb == kib("69 MiB")


def test_the_storage_screens_encryption_gets_the_chosen_cost(tmp_path):
    """The TUI's passphrase becomes `autopart --encrypted` in its kickstart, planned alike."""
    scanned = from_image_files([blank_gpt(tmp_path / "sda")], platform="bios", memory=Size(GUEST_192))
    planner = Planner(scanned)
    planner.clear_all()
    planner.set_encryption("correct horse battery")
    planner.use_automatic("lvm", encrypted=True)
    planned = planner.plan()
    assert planned.ok, planned.problem
    (pv,) = planned.session.blivet.pvs
    assert pv.parents[0].format.pbkdf_args.max_memory_kb == kib("69 MiB")
