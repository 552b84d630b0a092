"""Host-tier fixtures: a tiny real chroot for %post scripts."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _copy_with_libs(binary: str, root: Path) -> None:
    """Copy a dynamically linked program and the libraries ldd names into root."""
    paths = [binary]
    for line in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.splitlines():
        parts = line.split()
        paths += [p for p in parts if p.startswith("/")]
    for path in paths:
        dest = root / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(os.path.realpath(path), dest)


@pytest.fixture
def shell_root(tmp_path) -> Path:
    """A target root holding just /bin/sh (dash) and its libraries: enough for a chroot."""
    root = tmp_path / "target"
    _copy_with_libs("/bin/dash", root)
    (root / "bin/sh").symlink_to("dash")
    return root
