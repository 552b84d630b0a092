"""Sparse disk image files for planning tests on the host: "sda" with three filesystems,
blank GPT disks. Each filesystem is also kept as its own file at the partition's path
(root/sda1 ...), where blivet reads its size and minimum, as a scan does on /dev/sda1."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

#: (start MiB, size MiB, mkfs argv) of sda's partitions
SDA_PARTS = ((1, 4096, ["mkfs.ext4", "-q", "-L", "data"]), (4097, 1024, ["mkfs.xfs", "-q", "-L", "logs"]),
             (5121, 512, ["mkfs.vfat", "-n", "WINDATA"]))


def run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def copy_data(source: Path, target: Path, offset: int) -> None:
    """Only the data extents of a sparse file, into `target` at `offset` (dd reads holes)."""
    with open(source, "rb") as src, open(target, "r+b") as dst:
        end, position = os.fstat(src.fileno()).st_size, 0
        while position < end:
            try:
                start = os.lseek(src.fileno(), position, os.SEEK_DATA)
            except OSError:
                break
            stop = os.lseek(src.fileno(), start, os.SEEK_HOLE)
            src.seek(start)
            dst.seek(offset + start)
            dst.write(src.read(stop - start))
            position = stop


def write_sda(root: Path) -> Path:
    """root/sda: 20 GiB GPT with ext4 "data", xfs "logs" and vfat "WINDATA"."""
    sda = root / "sda"
    run("truncate", "-s", "20G", str(sda))
    layout = ["parted", "-s", str(sda), "mklabel", "gpt"]
    for number, (start, size, _) in enumerate(SDA_PARTS, start=1):
        layout += ["mkpart", f"p{number}", f"{start}MiB", f"{start + size}MiB"]
    run(*layout)
    for number, (start, size, mkfs) in enumerate(SDA_PARTS, start=1):
        fs = root / f"sda{number}"
        run("truncate", "-s", f"{size}M", str(fs))
        run(*mkfs, str(fs))
        copy_data(fs, sda, start * 1024 * 1024)
    return sda


def blank_gpt(path: Path) -> Path:
    """A 20 GiB sparse disk with an empty GPT."""
    run("truncate", "-s", "20G", str(path))
    run("parted", "-s", str(path), "mklabel", "gpt")
    return path


def sparse_session(directory: Path, sizes, platform: str = "bios", memory: str = "1 GiB"):
    """A storage session over sparse files named sda, sdb... of `sizes` ("20 GiB"), as
    planning tests on the host use them."""
    from blivet.size import Size

    from storage.session import from_image_files

    paths = []
    for name, size in zip(("sda", "sdb", "sdc", "sdd"), sizes):
        path = directory / name
        with open(path, "wb") as handle:
            handle.truncate(int(Size(size)))
        paths.append(path)
    return from_image_files(paths, platform=platform, memory=Size(memory))
