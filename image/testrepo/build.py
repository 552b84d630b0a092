"""Build the bundled test repository: Debian 12 binary packages rewrapped as RPMs, with
comps groups, indexed by createrepo_c. Cached by a hash of its inputs.

    .venv/bin/python image/testrepo/build.py [--cache DIR] [--jobs N]

Progress goes to stderr; the last line on stdout is the repository directory."""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1]) not in sys.path:
    sys.path.insert(0, str(HERE.parents[1]))

from image.testrepo import accounts, comps, fetch, generated, reconcile, resolve, rpmspec  # noqa: E402
from image.testrepo.unpack import Deb, unpack  # noqa: E402

PACKAGES = HERE / "packages.txt"
KEEP_REPOS = 3


def default_cache() -> Path:
    return Path(os.environ.get("ANACONDA_CACHE") or "/var/cache/anaconda-lean")


def _log(msg: str) -> None:
    print(f"testrepo: {msg}", file=sys.stderr, flush=True)


def repo_key(recs: dict[str, resolve.DebRecord]) -> str:
    digest = hashlib.sha256()
    for path in sorted(HERE.glob("*.py")) + [PACKAGES]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in sorted(recs):
        digest.update(f"{name}={recs[name].version}\n".encode())
    return digest.hexdigest()[:16]


def _parallel(jobs: int, func, items: list, what: str, log) -> list:
    results = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, result in enumerate(pool.map(func, items), 1):
            results.append(result)
            if i % 10 == 0 or i == len(items):
                log(f"{what} {i}/{len(items)}")
    return results


def _unpack_one(args) -> Deb:
    name, deb, tree = args
    result = unpack(name, deb, tree)
    generated.fixup(result)
    return result


def _build_one(args) -> list[str]:
    deb, universe, spec, topdir, outdir, generated_pkg = args
    if generated_pkg:
        summary, description = rpmspec.summary_and_description(deb.fields)
        rpmspec.write_spec(
            spec, name=deb.name, version=rpmspec.evr(deb.fields["Version"]),
            arch=rpmspec.ARCHES[deb.fields["Architecture"]], summary=summary,
            description=description, requires=[], provides=[],
            files=rpmspec.files_section(deb.entries, deb.conffiles),
            scripts=generated.SETUP_SCRIPTS if deb.name == rpmspec.SETUP else "",
            pre_requires=[rpmspec.SETUP] if deb.name == rpmspec.FILESYSTEM else [])
        notes = []
    else:
        notes = rpmspec.deb_spec(deb, universe, deb.entries, spec, generated.scripts_for(deb.name))
    rpmspec.rpmbuild(spec, deb.tree, topdir, outdir)
    return notes


def _assemble(work: Path, recs: dict[str, resolve.DebRecord],
              groups: dict[str, list[tuple[str, str]]], cache: Path, jobs: int, log) -> Path:
    debs_dir = cache / "debs"
    paths = fetch.download(list(recs.values()), debs_dir, log)
    order = sorted(recs, key=lambda n: -recs[n].size)     # biggest first: better packing
    debs = {d.name: d for d in _parallel(
        jobs, _unpack_one, [(n, paths[n], work / "trees" / n) for n in order], "unpack", log)}
    notes = [f"{d.name}: {n}" for d in debs.values() for n in d.notes]

    all_paths = {p for d in debs.values() for p in d.entries}
    notes += generated.add_alternatives(debs, all_paths)
    owners = {(e.user, e.group) for d in debs.values() for e in d.entries.values()}
    fs = generated.filesystem_package(work / "gen/filesystem", all_paths)
    acc = accounts.build_accounts({n: d.tree for n, d in debs.items()}, owners)
    setup = generated.setup_package(work / "gen/setup", acc.files(),
                                    debs["base-files"].tree / "usr/share/base-files", all_paths)
    everything = {**debs, fs.name: fs, setup.name: setup}
    notes += reconcile.reconcile(everything, fs.name)

    repo = work / "repo"
    (work / "specs").mkdir()
    universe = rpmspec.Universe(debs)
    jobs_list = [(everything[n], universe, work / "specs" / f"{n}.spec", work / "rpmtop" / n,
                  repo / "Packages", n in (fs.name, setup.name))
                 for n in order + [fs.name, setup.name]]
    for result in _parallel(jobs, _build_one, jobs_list, "rpmbuild", log):
        notes += result
    groups = dict(groups)
    groups["core"] = [(fs.name, "mandatory"), (setup.name, "mandatory")] + groups.get("core", [])
    (repo / "comps.xml").write_text(comps.comps_xml(groups))
    (repo / "build-notes.txt").write_text("".join(n + "\n" for n in notes))
    (repo / "packages.lock").write_text("".join(f"{n}={recs[n].version}\n" for n in sorted(recs)))
    log(f"createrepo_c ({len(jobs_list)} packages, {len(notes)} notes in build-notes.txt)")
    subprocess.run(["createrepo_c", "--quiet", "--no-database", "--workers", str(jobs),
                    "--groupfile", str(repo / "comps.xml"), str(repo)], check=True)
    return repo


def _prune(base: Path, keep: Path) -> None:
    """Keep the newest few finished repositories; drop leftovers of dead builds."""
    for tmp in base.glob(".build-*"):
        pid = tmp.name.rsplit("-", 1)[-1]
        if not (pid.isdigit() and Path(f"/proc/{pid}").exists()):
            shutil.rmtree(tmp, ignore_errors=True)
    repos = sorted((p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")
                    and p != keep), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in repos[KEEP_REPOS - 1:]:
        shutil.rmtree(old, ignore_errors=True)


def build(cache: Path | None = None, jobs: int = 2, log=_log) -> Path:
    cache = Path(cache or default_cache()).resolve()
    start = time.monotonic()
    log("resolve 1/3: apt lists")
    resolve.ensure_apt_lists()
    groups = resolve.read_package_list(PACKAGES)
    top = list(dict.fromkeys(n for members in groups.values() for n, _ in members))
    log(f"resolve 2/3: closure of {len(top)} packages")
    recs = resolve.records(resolve.closure(top))
    key = repo_key(recs)
    log(f"resolve 3/3: {len(recs)} packages, key {key}")
    base = cache / "testrepo"
    final = base / key
    if (final / "repodata/repomd.xml").is_file():
        log(f"up to date: {final}")
        return final
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / "repodata/repomd.xml").is_file():   # another build finished it
            return final
        work = base / f".build-{key}-{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        try:
            repo = _assemble(work, recs, groups, cache, jobs, log)
            if final.exists():
                shutil.rmtree(final)
            os.rename(repo, final)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        _prune(base, final)
    log(f"done in {time.monotonic() - start:.0f} s: {final}")
    return final


def ensure_repo(cache_dir: Path | None = None) -> Path:
    """The finished repository directory, built first if the cache has none for the
    current inputs."""
    return build(cache_dir, jobs=max(2, os.cpu_count() or 2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None,
                        help="cache directory (default $ANACONDA_CACHE or /var/cache/anaconda-lean)")
    parser.add_argument("--jobs", type=int, default=2, help="parallel unpack/rpmbuild jobs")
    args = parser.parse_args(argv)
    try:
        path = build(args.cache, max(1, args.jobs))
    except (RuntimeError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"testrepo: error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
