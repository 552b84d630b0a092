"""`part /tmp --fstype=tmpfs --size=N` (Anaconda's form): a tmpfs mount in fstab, no
partition, planned on an in-memory blivet tree (was a traceback: blivet's tmpfs format
cannot get a "create format" action)."""
from __future__ import annotations

from blivet.size import Size

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from storage.kickstart import apply_kickstart
from storage.plan import mountpoints
from storage.session import from_image_files
from storage.target import fstab_lines

KS = ("zerombr\nclearpart --all --initlabel\nbootloader --location=none\n"
      "part / --size=4000\npart /tmp --fstype=tmpfs --size=512\n"
      "part /var/tmp --fstype=tmpfs --fsoptions=mode=1777\n")


def test_tmpfs_is_an_fstab_line_not_a_partition(tmp_path):
    disk = tmp_path / "sda"
    with open(disk, "wb") as handle:
        handle.truncate(int(Size("20 GiB")))
    session = from_image_files([disk], platform="bios", memory=Size("1 GiB"))
    apply_kickstart(session, parse([("test.ks", KS)], None, Reader()).handler)
    mounts = mountpoints(session)
    assert mounts["/tmp"].type == "tmpfs" and mounts["/tmp"].size == Size("512 MiB")
    assert [p.format.mountpoint for p in session.blivet.partitions if not p.exists] == ["/"]
    lines = fstab_lines(session)
    assert "tmpfs /tmp tmpfs defaults,size=512m 0 0" in lines
    assert "tmpfs /var/tmp tmpfs mode=1777 0 0" in lines
