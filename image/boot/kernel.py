"""Debian's kernel (linux-image-amd64's dependency) unpacked, with modules.dep made."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from image.boot.cache import cache_root, cached, key_of, log


@dataclass
class Kernel:
    version: str  # e.g. 6.1.0-56-amd64
    vmlinuz: Path
    modules: Path  # .../lib/modules/VERSION (with modules.dep)


def image_package() -> tuple[str, str]:
    """(package, version) of the kernel image the metapackage points at, per apt."""
    depends = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True,
                             text=True, check=True).stdout
    package = re.search(r"Depends: (linux-image-[\d.]+-\d+-amd64)\b", depends).group(1)
    policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True,
                            check=True).stdout
    return package, re.search(r"Candidate: (\S+)", policy).group(1)


def ensure_kernel() -> Kernel:
    package, version = image_package()

    def build(work: Path) -> None:
        log(f"kernel: downloading {package} {version}")
        subprocess.run(["apt-get", "download", "-qq", f"{package}={version}"], cwd=work, check=True)
        (deb,) = work.glob("*.deb")
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "tree")], check=True)
        deb.unlink()
        release = package.removeprefix("linux-image-")
        subprocess.run(["depmod", "-b", str(work / "tree"), release], check=True)

    root = cached("kernel", key_of([package, version]), build)
    (modules,) = (root / "tree/lib/modules").iterdir()
    return Kernel(modules.name, root / f"tree/boot/vmlinuz-{modules.name}", modules)


__all__ = ["Kernel", "ensure_kernel", "cache_root"]
