"""Download .deb files into the shared cache with `apt-get download`."""
from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from image.testrepo.resolve import DebRecord


def _intact(path: Path, rec: DebRecord, check_sum: bool) -> bool:
    if not path.is_file() or path.stat().st_size != rec.size:
        return False
    if not check_sum or not rec.sha256:
        return True
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == rec.sha256


def download(recs: list[DebRecord], debs_dir: Path, log) -> dict[str, Path]:
    """Make sure every record's .deb is in debs_dir; returns {name: path}."""
    debs_dir.mkdir(parents=True, exist_ok=True)
    missing = [r for r in recs if not _intact(debs_dir / r.filename, r, check_sum=False)]
    for i in range(0, len(missing), 40):
        batch = missing[i:i + 40]
        log(f"download {i + len(batch)}/{len(missing)}")
        for rec in batch:
            (debs_dir / rec.filename).unlink(missing_ok=True)
        proc = subprocess.run(["apt-get", "download", "-qq",
                               *(f"{r.name}={r.version}" for r in batch)],
                              cwd=debs_dir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"apt-get download failed: {proc.stderr.strip()[-2000:]}")
        for rec in batch:
            if not _intact(debs_dir / rec.filename, rec, check_sum=True):
                raise RuntimeError(f"download of {rec.filename} is missing or corrupt")
    return {r.name: debs_dir / r.filename for r in recs}
