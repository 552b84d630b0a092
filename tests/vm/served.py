"""The directory the VM tests serve on loopback http: stage2 as an install tree
(images/install.img, images/updates.img), so `inst.stage2=http://...` finds it."""
from __future__ import annotations

from pathlib import Path


def install_tree(www: Path, image) -> Path:
    (www / "images").mkdir(parents=True, exist_ok=True)
    for part, name in ((image.stage2, "install.img"), (image.updates, "updates.img")):
        (www / "images" / name).symlink_to(part)
    return www
