"""From the kickstart and boot options to a payload request.

Sources: the kickstart's `url` (or, when the kickstart names none, `inst.repo`), every
`repo` command and every `inst.addrepo`. `hd:` and `cdrom` sources are mounted read-only
first (installer/sources.py) and handed to the payload as file:// URLs. %packages maps
one to one onto PackageSelection; no %packages section means the default environment.
"""
from __future__ import annotations

import logging
from pathlib import Path

from pykickstart.constants import GROUP_ALL, GROUP_REQUIRED, KS_MISSING_IGNORE

from installer.bootopts import BootOptions
from installer.errors import PayloadError
from installer.logs import registered_secrets
from installer.sources import SourceMounts
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
        use_default_environment=not packages.seen,
        nocore=packages.nocore,
        ignore_missing=packages.handleMissing == KS_MISSING_IGNORE,
        exclude_docs=packages.excludeDocs,
        exclude_weakdeps=packages.excludeWeakdeps,
        inst_langs=packages.instLangs,
        multilib=packages.multiLib,
    )


def _proxy(url_proxy: str, options: BootOptions) -> str:
    if url_proxy:
        return url_proxy
    if options.proxy:
        p = options.proxy
        if p.username:
            scheme, rest = p.url.split("://", 1)
            return f"{scheme}://{p.username}:{p.password}@{rest}"
        return p.url
    return ""


def _kickstart_repo(name: str, origin: str, command, location: str, options: BootOptions,
                    mounts: SourceMounts) -> RepoSpec:
    """A repository from `url` or `repo`: both have --mirrorlist/--metalink/--proxy/--noverifyssl."""
    spec = RepoSpec(name, origin=origin, proxy=_proxy(command.proxy or "", options),
                    sslverify=not (command.noverifyssl or options.noverifyssl))
    if command.mirrorlist:
        spec.mirrorlist = command.mirrorlist
    elif command.metalink:
        spec.metalink = command.metalink
    else:
        spec.baseurl = [mounts.url_for(location)]
    return spec


def _boot_repo(name: str, source, origin: str, options: BootOptions,
               mounts: SourceMounts) -> RepoSpec:
    return RepoSpec(name, baseurl=[mounts.url_for(source.location)], origin=origin,
                    proxy=_proxy("", options), sslverify=not options.noverifyssl)


def repos_from(handler, options: BootOptions, mounts: SourceMounts) -> list[RepoSpec]:
    """The base repository (kickstart `url`, else inst.repo), then `repo`s, then inst.addrepo."""
    repos = []
    url = handler.url
    if url.seen and (url.url or url.mirrorlist or url.metalink):
        repos.append(_kickstart_repo(BASE_REPO, f"kickstart url (line {url.lineno})", url,
                                     url.url, options, mounts))
    elif options.repo is not None:
        repos.append(_boot_repo(BASE_REPO, options.repo, f"inst.repo={options.repo}", options, mounts))
    for repo in handler.repo.repoList:
        spec = _kickstart_repo(repo.name, f"kickstart repo --name={repo.name} (line {repo.lineno})",
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
                  mounts: SourceMounts, dry_run: bool = False, needs: list | None = None) -> InstallRequest:
    repos = repos_from(handler, options, mounts)
    if not repos:
        raise PayloadError("no installation source: give the kickstart a url (or repo) "
                           "command, or boot with inst.repo=URL")
    packages = handler.packages
    selection = selection_from(packages)
    selection.system_needs = list(needs or [])
    return InstallRequest(root=str(root), repos=repos, selection=selection,
                          cache_dir=str(root / "var/cache/anaconda-dnf"),
                          log_file=str(log_dir / "packaging.log"),
                          retries=packages.retries if packages.retries is not None else 10,
                          timeout=packages.timeout if packages.timeout is not None else 30,
                          dry_run=dry_run, secrets=registered_secrets())
