"""What the source and software spokes need from the payload, without importing it there.

The installation source is read from the kickstart (`url`, else the unsupported
`cdrom`/`harddrive`/`nfs`) or the boot option `inst.repo`, and a URL the person entered
goes back into `url --url=`. The comps choices and the depsolve come from one dry-run
request to the payload's DNF worker process (the same path as `anaconda --dry-run`), so
DNF's memory is returned when it exits and the UI thread never waits for it.
"""
from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pykickstart.constants import KS_MISSING_IGNORE
from pykickstart.parser import Group

from installer.bootopts import BootOptions
from installer.credentials import url_passwords
from installer.errors import PayloadError
from installer.logs import register_secret
from installer.software import _proxy as proxy_for, build_request
from installer.sources import SourceMounts

from .repocheck import RepoFound, check_repository

log = logging.getLogger("anaconda.tui")

#: Installation source commands other than `url` that this installer does not install from.
OTHER_SOURCES = ("cdrom", "harddrive", "nfs", "liveimg")
#: An interactive check gives up sooner than an install (kickstart default: 10 tries).
CHECK_RETRIES = 2


# ---- the installation source ----------------------------------------------------------
@dataclass(frozen=True)
class SourceInfo:
    location: str  # as shown and as checked
    origin: str  # where it came from, for the screen
    checkable: bool = True  # a URL; a mirror list is read by DNF, not checked here
    problem: str = ""  # known to be unusable without any check
    proxy: str = ""
    verify_ssl: bool = True


def current_source(handler, options: BootOptions, seen: set[str]) -> SourceInfo | None:
    """The base repository an install would use: the kickstart's, else inst.repo."""
    url = handler.url
    origin = "the kickstart (url)" if "url" in seen else "entered here"
    if url.seen and url.url:
        return SourceInfo(url.url, origin, proxy=proxy_for(url.proxy or "", options),
                          verify_ssl=not (url.noverifyssl or options.noverifyssl))
    if url.seen and (url.mirrorlist or url.metalink):
        kind = "mirror list" if url.mirrorlist else "metalink"
        return SourceInfo(f"{kind} {url.mirrorlist or url.metalink}", origin, checkable=False)
    for name in OTHER_SOURCES:
        command = getattr(handler, name, None)
        if command is not None and command.seen:
            return SourceInfo(f"kickstart {name} command", f"the kickstart ({name})",
                              checkable=False, problem=f"the kickstart's {name} command is not supported by this "
                                      "installer; enter a repository URL instead")
    if options.repo is not None:
        return SourceInfo(options.repo.location, "the boot option inst.repo",
                          proxy=proxy_for("", options), verify_ssl=not options.noverifyssl)
    return None


def entered_source(handler, options: BootOptions, url: str) -> SourceInfo:
    """A URL typed into the spoke, checked with the kickstart's or the boot proxy; a
    password inside it is registered with the log redactor at once."""
    for password in url_passwords(url):
        register_secret(password)
    return SourceInfo(url, "entered here", proxy=proxy_for(handler.url.proxy or "", options),
                      verify_ssl=not (handler.url.noverifyssl or options.noverifyssl))


def check_source(source: SourceInfo) -> RepoFound:
    """Fetch the source's repomd.xml; hd:/cdrom are mounted read-only for the look."""
    if source.problem:
        raise PayloadError(source.problem)
    scheme = source.location.partition(":")[0].lower()
    if scheme in ("http", "https", "ftp", "file"):
        return check_repository(source.location, source.proxy, source.verify_ssl)
    with SourceMounts() as mounts:
        found = check_repository(mounts.url_for(source.location))
    return RepoFound(source.location, found.revision)


def write_url(handler, url: str) -> None:
    """A checked URL becomes the kickstart's source: `url --url=URL`, the only one."""
    command = handler.url
    command.url, command.mirrorlist, command.metalink = url, "", ""
    command.seen = True
    for name in OTHER_SOURCES:
        other = getattr(handler, name, None)
        if other is not None:
            other.seen = False


def source_key(handler, options: BootOptions) -> tuple | None:
    """What the software list depends on; None when there is no source at all."""
    url = handler.url
    base = (url.url, url.mirrorlist, url.metalink) if url.seen else None
    if base is None or not any(base):
        base = options.repo.location if options.repo is not None else None
    extra = tuple((r.name, r.baseurl, r.mirrorlist, r.metalink) for r in handler.repo.repoList)
    if base is None and not extra and not options.addrepo:
        return None
    return (base, extra, tuple((n, s.location) for n, s in options.addrepo))


# ---- comps ------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupInfo:
    id: str
    name: str
    description: str
    visible: bool = True


@dataclass(frozen=True)
class EnvironmentInfo:
    id: str
    name: str
    description: str
    groups: tuple[str, ...] = ()
    options: tuple[tuple[str, bool], ...] = ()  # add-on group id, selected by default


@dataclass
class Comps:
    environments: list[EnvironmentInfo] = field(default_factory=list)
    groups: dict[str, GroupInfo] = field(default_factory=dict)

    @classmethod
    def from_json(cls, text: str) -> "Comps":
        """Reads what payload/comps.py sends from the worker."""
        data = json.loads(text)
        envs = [EnvironmentInfo(e["id"], e["name"], e["description"], tuple(e["groups"]),
                                tuple((g, bool(d)) for g, d in e["options"]))
                for e in data["environments"]]
        groups = {g["id"]: GroupInfo(g["id"], g["name"], g["description"], g["visible"])
                  for g in data["groups"]}
        return cls(envs, groups)

    def environment(self, name: str | None) -> EnvironmentInfo | None:
        """By id, or by name as a kickstart's @^ may give it."""
        return next((e for e in self.environments if name in (e.id, e.name)), None) if name else None

    def default_environment(self) -> EnvironmentInfo | None:
        return self.environments[0] if self.environments else None

    def addons(self, env_id: str | None) -> list[tuple[GroupInfo, bool]]:
        """Anaconda's add-ons: the environment's optional groups, then every other
        user-visible group it does not already contain; each with its default."""
        env = self.environment(env_id)
        if env is None:
            return []
        listed = [(gid, default) for gid, default in env.options if gid in self.groups]
        taken = set(env.groups) | {gid for gid, _ in listed}
        others = [(gid, False) for gid, group in self.groups.items()
                  if group.visible and gid not in taken]
        return [(self.groups[gid], default) for gid, default in listed + others]


# ---- the depsolve -----------------------------------------------------------------------
@dataclass
class SoftwareCheck:
    comps: Comps | None = None  # when asked for and the repositories loaded
    packages: int = 0  # in the transaction
    error: str = ""  # what stopped the depsolve (or the loading), for the person
    error_kind: str = ""  # the payload's classification: RepoError, MissingPackages, ...


def check_software(handler, options: BootOptions, log_dir: Path | None,
                   read_comps: bool = False) -> SoftwareCheck:
    """Depsolve the handler's %packages in the DNF worker, into a scratch root that is
    removed afterwards; with `read_comps` the comps choices come back too. Slow: run
    it off the UI thread. A missing source raises PayloadError."""
    from payload.runner import PayloadRunError, run_worker

    result = SoftwareCheck()

    def on_event(event) -> None:
        if event.kind == "comps":
            result.comps = Comps.from_json(event.message)

    with tempfile.TemporaryDirectory(prefix="anaconda-software-") as scratch, \
            SourceMounts() as mounts:
        request = build_request(handler, options, Path(scratch), Path(log_dir or scratch),
                                mounts, dry_run=True)
        request.retries = min(request.retries, CHECK_RETRIES)
        request.report_comps = read_comps
        try:
            result.packages = run_worker(request, on_event)
        except PayloadRunError as exc:
            log.info("Software check failed (%s): %s", exc.kind, exc.message)
            result.error, result.error_kind = exc.message, exc.kind
    return result


# ---- %packages edits --------------------------------------------------------------------
def group_names(handler) -> list[str]:
    return [g.name for g in handler.packages.groupList]


def select_environment(handler, comps: Comps, env_id: str, with_defaults: bool = True) -> None:
    """@^env, with its default add-ons unless the person already saw it without them;
    add-ons of the previous environment are dropped, groups the kickstart listed for
    other reasons stay."""
    packages = handler.packages
    old = {g.id for g, _ in comps.addons(packages.environment)} if packages.environment else set()
    kept = [g for g in packages.groupList if g.name not in old]
    names = {g.name for g in kept}
    added = [Group(g.id) for g, default in comps.addons(env_id)
             if default and with_defaults and g.id not in names]
    packages.environment = env_id
    packages.groupList = kept + added
    packages.seen = True


def toggle_group(handler, group_id: str) -> bool:
    """Add or remove @group; True when it is now selected."""
    packages = handler.packages
    selected = group_id in group_names(handler)
    if selected:
        packages.groupList = [g for g in packages.groupList if g.name != group_id]
    else:
        packages.groupList = packages.groupList + [Group(group_id)]
    packages.seen = True
    return not selected


def ignore_missing(handler) -> None:
    """`%packages --ignoremissing`: names no repository has are skipped, not an error."""
    handler.packages.handleMissing = KS_MISSING_IGNORE
    handler.packages.seen = True


def describe_selection(handler, comps: Comps | None) -> str:
    """The hub's line: the environment's name, as Anaconda shows it."""
    packages = handler.packages
    if packages.environment:
        env = comps.environment(packages.environment) if comps else None
        return env.name if env else packages.environment
    if packages.seen:
        return "Custom software selected"
    default = comps.default_environment() if comps else None
    return default.name if default else "Default environment of the source"
