"""installer.disks.source_devices: what holds the install source is kept out of the layout,
whether it is named by a boot option or by the kickstart's `harddrive`."""
from __future__ import annotations

from installer.bootopts import parse_cmdline
from installer.disks import source_devices
from installer.kickstart.version import make_handler


def test_boot_options_and_the_kickstart_harddrive_are_protected():
    handler = make_handler()
    handler.harddrive.seen, handler.harddrive.partition, handler.harddrive.dir = True, "sdc1", "/repo"
    found = source_devices(parse_cmdline("inst.repo=hd:sdb1:/iso inst.stage2=hd:/dev/sdd2:/img"), handler)
    assert found == {"/dev/sdb1": "it holds the installation source",
                     "/dev/sdd2": "it holds the installer image",
                     "/dev/sdc1": "it holds the installation source (harddrive)"}


def test_nothing_named_nothing_protected():
    assert source_devices(parse_cmdline("inst.repo=http://example.test/repo"), make_handler()) == {}
