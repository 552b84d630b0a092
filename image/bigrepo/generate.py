"""Build (or reuse) the synthetic large RPM repository; print its path as the last stdout line.

    .venv/bin/python image/bigrepo/generate.py [--packages 20000] [--seed 1] [--cache DIR]

The repository lives in `${ANACONDA_CACHE:-/var/cache/anaconda-lean}/bigrepo/<key>/`, where
key hashes the generator's own source with the parameters: a changed generator gives a new
repository, an unchanged one is reused in milliseconds. It is built in a temporary directory
and renamed into place, so a crashed or concurrent run never leaves a half-written repo.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `image.bigrepo` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "image.bigrepo"

from image.bigrepo import closure as closure_mod  # noqa: E402
from image.bigrepo import comps, graph, rpmmd, rpms  # noqa: E402

HERE = Path(__file__).resolve().parent


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def cache_base(cache_dir: Path | None = None) -> Path:
    """`<cache>/bigrepo`, where cache is the argument, $ANACONDA_CACHE or /var/cache/anaconda-lean."""
    root = cache_dir or Path(os.environ.get("ANACONDA_CACHE") or "/var/cache/anaconda-lean")
    return Path(root) / "bigrepo"


def cache_key(packages: int, seed: int) -> str:
    digest = hashlib.sha256()
    for src in sorted(HERE.glob("*.py")):
        digest.update(src.name.encode() + b"\0" + src.read_bytes())
    digest.update(f"packages={packages};seed={seed}".encode())
    return digest.hexdigest()[:16]


def _build(root: Path, packages: int, seed: int, rpm_cache: Path) -> dict:
    """Write the whole repository into the (empty) directory root; returns a few figures."""
    t0 = time.monotonic()
    universe = graph.Universe(packages, seed)
    index = closure_mod.Index(universe.packages)
    missing = index.unresolved()
    if missing:
        raise RuntimeError(f"unprovided requirements: {missing[:5]}")
    core, closure = closure_mod.choose_core(universe, index, seed)
    universe.finish(closure)
    _log(f"bigrepo: {len(universe.packages)} packages, scale-core {len(core)} mandatory, "
         f"closure {len(closure)} ({time.monotonic() - t0:.1f}s)")

    real_pkgs = [p for p in universe.packages if p.name in closure]
    built = rpms.build_all(real_pkgs, rpm_cache, jobs=2, log=_log)
    _log(f"bigrepo: {len(built)} real RPMs ready ({time.monotonic() - t0:.1f}s)")

    entries = []
    for pkg in universe.packages:
        location = f"Packages/{pkg.name[0].lower()}/{pkg.filename}"
        if pkg.name in built:
            target = root / location
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(built[pkg.name], target)
            except OSError:
                shutil.copy2(built[pkg.name], target)
            real, hdr = rpms.inspect(target)
            problems = rpms.mismatches(pkg, hdr)
            if problems:
                raise RuntimeError("built RPM differs from its metadata: " + "; ".join(problems[:5]))
        else:
            real = rpmmd.fake_real(pkg)
        entries.append((pkg, real, location))
    text = comps.build_comps(universe, core, closure, seed)
    written = rpmmd.write_repodata(root, entries, text, graph.T0 + seed)
    _log(f"bigrepo: metadata written ({time.monotonic() - t0:.1f}s)")
    return {"packages": len(universe.packages), "core": len(core), "closure": len(closure),
            "metadata": {w.kind: (w.size, w.open_size) for w in written}}


def ensure_bigrepo(packages: int = 20000, seed: int = 1, cache_dir: Path | None = None) -> Path:
    """Return the path of the finished repository, building it first if it is not cached."""
    base = cache_base(cache_dir)
    final = base / cache_key(packages, seed)
    if (final / "repodata" / "repomd.xml").is_file():
        _log(f"bigrepo: cached {final}")
        return final
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{final.name}-", dir=base))
    try:
        figures = _build(tmp, packages, seed, base / "rpms")
        for kind, (size, open_size) in figures["metadata"].items():
            _log(f"bigrepo:   {kind}: {size} bytes" + (f" ({open_size} uncompressed)" if open_size else ""))
        tmp.chmod(0o755)
        try:
            os.rename(tmp, final)
        except OSError:  # another run finished first: keep its copy
            if not (final / "repodata" / "repomd.xml").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=20000, help="number of packages (default 20000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="cache root (default $ANACONDA_CACHE or /var/cache/anaconda-lean)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    path = ensure_bigrepo(args.packages, args.seed, args.cache)
    _log(f"bigrepo: done in {time.monotonic() - start:.1f}s")
    print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
