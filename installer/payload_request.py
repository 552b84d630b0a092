"""From the kickstart and boot options to a payload request, and running it.

Sources: the kickstart's `url`, `nfs`, `harddrive` or `cdrom` (or, when the kickstart
names none, `inst.repo`),
every `repo` command and every `inst.addrepo`. `hd:`, `cdrom` and `nfs:` sources are
mounted read-only first (installer/sources.py) and handed to the payload as file:// URLs;
a source that cannot be set up is an error naming its kickstart line or boot option.
%packages maps one to one onto PackageSelection; no %packages section means the default
environment. `run_payload` runs a request in the DNF worker and is the one place where
the payload's error type (PayloadFailure) becomes the installer's PayloadError.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from pykickstart.constants import GROUP_ALL, GROUP_REQUIRED, KS_MISSING_IGNORE

from installer.bootopts import BootOptions
from installer.bootopts.values import parse_source
from installer.errors import PayloadError
from installer.logs import file_level, registered_secrets
from installer.remote_log import targets as remote_targets
from installer.sources import SourceMounts
from payload.events import PayloadEvent, PayloadFailure
from payload.model import (GROUP_DEFAULT, GROUP_MANDATORY, GROUP_OPTIONAL, GroupRequest,
                           InstallRequest, PackageSelection, RepoSpec)

log = logging.getLogger("anaconda.payload")

BASE_REPO = "anaconda"
LEVELS = {GROUP_REQUIRED: GROUP_MANDATORY, GROUP_ALL: GROUP_OPTIONAL}


def selection_from(packages) -> PackageSelection:
    return PackageSelection(
        environment=packages.environment or None,
        groups=[GroupRequest(g.name, LEVELS.get(g.include, GROUP_DEFAULT)) for g in packages.groupList],
        packages=list(packages.packageList),
        excluded_packages=list(packages.excludedList),
        excluded_groups=[g.name for g in packages.excludedGroupList],
        use_default_environment=not packages.seen or packages.default,  # %packages --default
        nocore=packages.nocore,
        ignore_missing=packages.handleMissing == KS_MISSING_IGNORE,
        exclude_docs=packages.excludeDocs,
        exclude_weakdeps=packages.excludeWeakdeps,
        inst_langs=packages.instLangs,
        multilib=packages.multiLib,
    )


def proxy_for(url_proxy: str, options: BootOptions) -> str:
    """A command's --proxy, else inst.proxy (with its credentials), else none."""
    if url_proxy:
        return url_proxy
    if options.proxy:
        p = options.proxy
        if p.username:
            scheme, rest = p.url.split("://", 1)
            return f"{scheme}://{p.username}:{p.password}@{rest}"
        return p.url
    return ""


@contextmanager
def _named(where: str) -> Iterator[None]:
    """A source that cannot be set up names the line or option that asked for it."""
    try:
        yield
    except PayloadError as exc:
        raise PayloadError(f"{where}: {exc.message}") from None


def _kickstart_repo(name: str, origin: str, command, location: str, options: BootOptions,
                    mounts: SourceMounts) -> RepoSpec:
    """A repository from `url` or `repo`: both have --mirrorlist/--metalink/--proxy/--noverifyssl."""
    spec = RepoSpec(name, origin=origin, proxy=proxy_for(command.proxy or "", options),
                    sslverify=ssl_verify(command, options))
    if command.mirrorlist:
        spec.mirrorlist = command.mirrorlist
    elif command.metalink:
        spec.metalink = command.metalink
    else:
        with _named(origin):
            spec.baseurl = [mounts.url_for(location)]
    return spec


def ssl_verify(command, options: BootOptions) -> bool:
    """False with the command's --noverifyssl or inst.noverifyssl (command None: boot only)."""
    return not ((command is not None and command.noverifyssl) or options.noverifyssl)


def _boot_repo(name: str, source, origin: str, options: BootOptions,
               mounts: SourceMounts) -> RepoSpec:
    with _named(origin.partition("=")[0]):  # the location starts the message already
        url = mounts.url_for(source.location)
    return RepoSpec(name, baseurl=[url], origin=origin, proxy=proxy_for("", options),
                    sslverify=ssl_verify(None, options))


def harddrive_location(harddrive) -> str:
    """`harddrive --partition=sdb1 --dir=/repo` as the hd: location inst.repo would give."""
    return f"hd:{harddrive.partition or ''}:{harddrive.dir or '/'}"


def _parsed(location: str, where: str):
    try:
        return parse_source(location)
    except ValueError as exc:
        raise PayloadError(f"{where}: {location}: {exc}") from None


def _nfs_repo(nfs, where: str, options: BootOptions, mounts: SourceMounts) -> RepoSpec:
    """`nfs --server --dir --opts`: the export mounted read-only (installer/sources.py)."""
    with _named(where):
        url = mounts.nfs_url(nfs.opts or "", nfs.server or "", nfs.dir or "",
                             f"nfs --server={nfs.server} --dir={nfs.dir}")
    return RepoSpec(BASE_REPO, baseurl=[url], origin=f"{where}: nfs", proxy=proxy_for("", options),
                    sslverify=ssl_verify(None, options))


def _where(seen: Sequence, name: str, command, index: int = -1) -> str:
    """file:line of the `index`-th `name` line when the loaded kickstart's commands_seen is
    given, else the line number pykickstart kept."""
    found = [entry for entry in seen if entry.name == name]
    if found and (index == -1 or len(found) > index):
        return str(found[index].location)
    return f"kickstart line {command.lineno}"


def repos_from(handler, options: BootOptions, mounts: SourceMounts,
               seen: Sequence = ()) -> list[RepoSpec]:
    """The base repository (kickstart `url`, `nfs`, `harddrive` or `cdrom`, else
    inst.repo), then `repo`s, then inst.addrepo. `seen` (the loaded kickstart's
    commands_seen) names files in errors."""
    repos = []
    url, nfs, harddrive, cdrom = handler.url, handler.nfs, handler.harddrive, handler.cdrom
    if url.seen and (url.url or url.mirrorlist or url.metalink):
        repos.append(_kickstart_repo(BASE_REPO, f"{_where(seen, 'url', url)}: url", url,
                                     url.url, options, mounts))
    elif nfs.seen:
        repos.append(_nfs_repo(nfs, _where(seen, "nfs", nfs), options, mounts))
    elif harddrive.seen:
        where = _where(seen, "harddrive", harddrive)
        location = harddrive_location(harddrive)
        repos.append(_boot_repo(BASE_REPO, _parsed(location, where), f"{where}: harddrive", options, mounts))
    elif cdrom.seen:
        where = _where(seen, "cdrom", cdrom)
        repos.append(_boot_repo(BASE_REPO, _parsed("cdrom", where), f"{where}: cdrom", options, mounts))
    elif options.repo is not None:
        repos.append(_boot_repo(BASE_REPO, options.repo, f"inst.repo={options.repo}", options, mounts))
    for index, repo in enumerate(handler.repo.repoList):
        spec = _kickstart_repo(repo.name, f"{_where(seen, 'repo', repo, index)}: repo --name={repo.name}",
                               repo, repo.baseurl, options, mounts)
        spec.cost = repo.cost
        spec.includepkgs = list(repo.includepkgs)
        spec.excludepkgs = list(repo.excludepkgs)
        spec.install = bool(repo.install)
        repos.append(spec)
    for name, source in options.addrepo:
        repos.append(_boot_repo(name, source, f"inst.addrepo={name},{source}", options, mounts))
    return repos


def build_request(handler, options: BootOptions, root: Path, log_dir: Path,
                  mounts: SourceMounts, dry_run: bool = False, needs: list | None = None,
                  seen: Sequence = ()) -> InstallRequest:
    repos = repos_from(handler, options, mounts, seen)
    if not repos:
        raise PayloadError("no installation source: give the kickstart a url (or repo) "
                           "command, or boot with inst.repo=URL")
    packages = handler.packages
    selection = selection_from(packages)
    selection.system_needs = list(needs or [])
    selection.multilib = selection.multilib or options.multilib  # inst.multilib, as Anaconda
    return InstallRequest(root=str(root), repos=repos, selection=selection,
                          cache_dir=str(root / "var/cache/anaconda-dnf"),
                          log_file=str(log_dir / "packaging.log"),
                          retries=packages.retries if packages.retries is not None else 10,
                          timeout=packages.timeout if packages.timeout is not None else 30,
                          # `--retries=N` bounds the tries: no waiting rounds on top of DNF's
                          **({"download_waits": []} if packages.retries is not None else {}),
                          dry_run=dry_run, secrets=registered_secrets(),
                          log_level=file_level(loglevel=options.loglevel)
                          if options.loglevel else 0, remote_logs=remote_targets())


def run_payload(request: InstallRequest, on_event: Callable[[PayloadEvent], None],
                on_start: Callable | None = None) -> int:
    """The request in the DNF worker (payload/runner.py); returns the package count. A
    payload failure is raised as PayloadError, its classification kept in `reason`."""
    from payload.runner import run_worker  # subprocess machinery, only when a run starts

    try:
        return run_worker(request, on_event, on_start)
    except PayloadFailure as exc:
        raise PayloadError(exc.message, reason=exc.kind) from None
