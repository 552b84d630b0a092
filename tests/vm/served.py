"""The directory the VM tests serve on loopback http: stage2 as an install tree
(images/install.img, images/updates.img), so `inst.stage2=http://...` finds it; and the
storage part those small served installs share."""
from __future__ import annotations

import re
from pathlib import Path

#: The storage-only part of the small installs the served-source tests run: plain
#: partitions on the one disk, no boot loader (the small repository has no kernel), tool-j.
STORAGE_ONLY = ("zerombr\nclearpart --all --initlabel\nautopart --type=plain --noswap --nohome\n"
                "bootloader --location=none\n%packages --nocore\ntool-j\n%end\n")


def install_tree(www: Path, image) -> Path:
    (www / "images").mkdir(parents=True, exist_ok=True)
    for part, name in ((image.stage2, "install.img"), (image.updates, "updates.img")):
        (www / "images" / name).symlink_to(part)
    return www


def stopped(line: str) -> bool:
    """The installer exited non-zero or the init dropped to its emergency shell: a served
    install that will not finish (a run_vm `stop_on`)."""
    match = re.search(r"ANACONDA-EXIT: (\d+)", line)
    return (match is not None and match.group(1) != "0") or "EMERGENCY SHELL" in line
