"""Content-keyed build cache shared by the image parts: build once into a temporary
directory, rename into place, reuse while the inputs are unchanged."""
from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable


def cache_root() -> Path:
    return Path(os.environ.get("ANACONDA_CACHE") or "/var/cache/anaconda-lean") / "image"


def log(message: str) -> None:
    print(f"image: {message}", file=sys.stderr, flush=True)


def key_of(parts: Iterable[bytes | str | Path]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            part = part.name.encode() + b"\0" + part.read_bytes()
        elif isinstance(part, str):
            part = part.encode()
        digest.update(part + b"\0\1")
    return digest.hexdigest()[:16]


def cached(name: str, key: str, build: Callable[[Path], None], keep: int = 2) -> Path:
    """The directory `<cache>/image/<name>-<key>`, built by `build(tmpdir)` if missing."""
    base = cache_root()
    base.mkdir(parents=True, exist_ok=True)
    final = base / f"{name}-{key}"
    if final.is_dir():
        return final
    with open(base / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_dir():
            return final
        work = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=base))
        try:
            build(work)
            os.rename(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        old = sorted((p for p in base.glob(f"{name}-*") if p != final),
                     key=lambda p: p.stat().st_mtime)
        for stale in old[: max(0, len(old) - (keep - 1))]:
            shutil.rmtree(stale, ignore_errors=True)
    return final
