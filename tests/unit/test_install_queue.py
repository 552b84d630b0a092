"""Which tasks the install queue holds: stage2 leaves RAM only for a disk install on a
network boot (stage2 held in RAM) at a low-memory level."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from installer.bootopts import parse_cmdline
from installer.disks import DiskInstall
from installer.install import InstallRun, build_queue
from installer.kickstart.load import load
from installer.kickstart.reader import Reader
from installer.memory.levels import MemInfo, MiB
from installer.memory.startup import MemorySession
from spokes.cmdline import CmdlineFrontend

MOVE = "Moving stage2 to the target disk"
#: build_queue only asks the storage session whether a boot loader is wanted
SIMPLE_LAYOUT = SimpleNamespace(bootloader=False)


def titles(tmp_path: Path, disk: bool, level: int, held_mib: int) -> list[str]:
    ks = tmp_path / "ks.cfg"
    ks.write_text("rootpw --lock\n%packages --nocore\nbase-a\n%end\n")
    loaded = load([str(ks)], reader=Reader(), log_dir=tmp_path)
    memory = MemorySession(info=MemInfo(300 * MiB, 200 * MiB), level=level, zram_active=True,
                           stage2_held=held_mib * MiB)
    run = InstallRun(loaded=loaded, options=parse_cmdline(""), log_dir=tmp_path,
                     target_root=tmp_path / "root", frontend=CmdlineFrontend(),
                     disk=DiskInstall(session=SIMPLE_LAYOUT) if disk else None, memory=memory)
    return [task.title for task in build_queue(run).tasks]


@pytest.mark.parametrize("disk, level, held, moved", [
    (True, 1, 64, True), (True, 2, 64, True),
    (True, 0, 64, False),   # plenty of RAM: not worth the copy
    (True, 1, 0, False),    # stage2 read in place from the ISO
    (False, 2, 64, False),  # --dirinstall: no target disk to hold it
])
def test_stage2_move_is_queued_after_the_storage_layout(tmp_path, disk, level, held, moved):
    found = titles(tmp_path, disk, level, held)
    assert (MOVE in found) == moved
    if moved:
        assert found.index(MOVE) == found.index("Writing the storage layout") + 1
        assert found.index(MOVE) < found.index("Installing packages")
