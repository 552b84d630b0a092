"""The DNF run itself: configure, load repositories, select, depsolve, download, install.

Runs inside the worker process (payload/worker.py). Every DNF failure becomes a
`PayloadFailure` whose message names the repository, URL or packages concerned.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import dnf
import dnf.exceptions

from .comps import comps_json
from .events import EventWriter, PayloadFailure
from .metadata import LeanBase, file_needs
from .model import InstallRequest, RepoSpec
from .progress import DownloadEvents, TransactionEvents
from .selection import apply_selection

log = logging.getLogger("anaconda.payload")

def configure(request: InstallRequest) -> dnf.Base:
    base = LeanBase()
    conf = base.conf
    conf.installroot = request.root
    conf.cachedir = request.cache_dir
    conf.reposdir = []
    conf.releasever = request.releasever
    conf.retries = request.retries
    conf.timeout = request.timeout
    conf.skip_if_unavailable = False
    conf.install_weak_deps = not request.selection.exclude_weakdeps
    conf.multilib_policy = "all" if request.selection.multilib else "best"
    conf.excludepkgs = list(request.selection.excluded_packages)
    conf.keepcache = False
    conf.logdir = str(Path(request.cache_dir) / "log")
    Path(conf.logdir).mkdir(parents=True, exist_ok=True)
    if request.selection.exclude_docs:
        conf.tsflags.append("nodocs")
    for spec in request.repos:
        add_repo(base, spec)
    return base


def add_repo(base: dnf.Base, spec: RepoSpec) -> None:
    options = {"baseurl": spec.baseurl, "sslverify": spec.sslverify, "gpgcheck": spec.gpgcheck,
               "includepkgs": spec.includepkgs, "excludepkgs": spec.excludepkgs,
               "skip_if_unavailable": False}
    if spec.mirrorlist:
        options["mirrorlist"] = spec.mirrorlist
    if spec.metalink:
        options["metalink"] = spec.metalink
    if spec.proxy:
        options["proxy"] = spec.proxy
    if spec.cost is not None:
        options["cost"] = spec.cost
    if spec.gpgkey:
        options["gpgkey"] = spec.gpgkey
    base.repos.add_new_repo(spec.name, base.conf, **options)
    log.info("Repository %s: %s", spec.name, spec.where)


def load_repositories(base: dnf.Base, request: InstallRequest, events: EventWriter) -> None:
    events.send("phase", "Loading repository metadata")
    try:
        base.fill_sack(load_system_repo=True)  # a target that has packages keeps them
    except dnf.exceptions.RepoError as exc:
        raise PayloadFailure("RepoError", _repo_problem(request, str(exc))) from None
    try:
        base.read_comps(arch_filter=True)
    except dnf.exceptions.Error as exc:
        raise PayloadFailure("RepoError", f"the comps (groups) data cannot be read: {exc}") from None
    log.info("%d packages available", len(base.sack.query().available()))


def _repo_problem(request: InstallRequest, text: str) -> str:
    for spec in request.repos:
        if f"'{spec.name}'" in text or spec.name in text:
            return (f"repository {spec.name} ({spec.where}) could not be loaded "
                    f"after {request.retries} tries: {text}")
    return f"the repositories could not be loaded: {text}"


class _NeedsFileLists(Exception):
    def __init__(self, paths: list[str]):
        super().__init__(", ".join(paths))
        self.paths = paths


def resolve(base: dnf.Base, request: InstallRequest, events: EventWriter) -> list:
    """Select and depsolve; when the sack was loaded without file lists (metadata.py) and a
    file is what is missing, load them and try once more."""
    events.send("phase", "Checking software dependencies")
    try:
        return _resolve(base, request)
    except _NeedsFileLists as need:
        log.info("%s: only the file lists can say which package has it; loading them and "
                 "checking again", need)
        events.send("phase", "Loading the file lists (a file dependency)")
        base.with_file_lists()
        load_repositories(base, request, events)
        return _resolve(base, request)


def _resolve(base: dnf.Base, request: InstallRequest) -> list:
    selection = apply_selection(base, request.selection)
    lean = not getattr(base, "file_lists", True)
    if selection.unmet_needs:
        raise PayloadFailure("MissingPackages",
                             "the installed system would not boot without packages no repository "
                             f"has: {'; '.join(selection.unmet_needs)}; add a repository that has "
                             "them (or `bootloader --location=none` if you boot it another way)")
    if selection.missing:
        if lean and (paths := file_needs("", selection.missing)):
            raise _NeedsFileLists(paths)
        names = ", ".join(selection.missing)
        if request.selection.ignore_missing:
            log.warning("Not in any repository, skipped (--ignoremissing): %s", names)
        else:
            raise PayloadFailure("MissingPackages",
                                 f"not in any repository: {names}; fix the names, add a "
                                 "repository, or use %packages --ignoremissing")
    try:
        base.resolve()
    except dnf.exceptions.DepsolveError as exc:
        if lean and (paths := file_needs(str(exc), [])):
            raise _NeedsFileLists(paths) from None
        raise PayloadFailure("DepsolveError", f"the packages cannot be installed together: {exc}") from None
    packages = sorted(base.transaction.install_set, key=str)
    if not packages:
        log.warning("Nothing to install: everything selected is installed already")
    log.info("Transaction: %d packages, %.1f MiB to download", len(packages),
             sum(p.downloadsize for p in packages) / 2**20)
    return packages


#: What a failed download says when the server or the network was away rather than the
#: package wrong: librepo's curl errors for no route, refused, timed out, cut off, and
#: the server's 5xx; and what says the package itself is wrong or absent.
_TRANSIENT = re.compile(r"Curl error \((?:5|6|7|18|28|35|52|55|56)\)|Status code: 5\d\d")
_PERMANENT = re.compile(r"Status code: 4\d\d|checksum|Curl error \((?:22|37)\)", re.I)


def download(base: dnf.Base, packages: list, events: EventWriter,
             waits: list[int] | tuple[int, ...] = ()) -> None:
    """Download `packages`; when DNF gives up because the server or the network went
    away, wait and try again for what is still missing, once per entry of `waits`. DNF's
    own retries follow each other within seconds, which a server restarting or a link
    coming back does not survive; a fleet installing from one server must. A 404 or a
    checksum mismatch is not tried again."""
    attempts = len(waits) + 1
    for attempt in range(1, attempts + 1):
        missing = [pkg for pkg in packages if not _downloaded(pkg)]
        progress = DownloadEvents(events)
        try:
            base.download_packages(missing, progress)
            return
        except dnf.exceptions.DownloadError as exc:
            problems = _problems(exc, progress.failures)
            text = "\n".join(problems)
            transient = bool(_TRANSIENT.search(text)) and not _PERMANENT.search(text)
            if attempt == attempts or not transient:
                tries = f" (tried {attempt} times over {sum(waits[:attempt - 1])} s)" \
                    if attempt > 1 else ""
                detail = "\n  ".join(problems)
                raise PayloadFailure("DownloadError",
                                     f"packages could not be downloaded{tries}:\n  {detail}") from None
            wait = waits[attempt - 1]
            left = sum(not _downloaded(pkg) for pkg in missing)
            message = (f"Downloading packages failed ({left} of {len(packages)} still missing; "
                       f"{problems[0]}); trying again in {wait} s (try {attempt + 1} of {attempts})")
            log.warning("%s", message)
            events.send("warning", message, done=1 - left / len(packages))
            time.sleep(wait)
        except OSError as exc:
            raise PayloadFailure("DownloadError", f"writing downloaded packages failed: {exc}") from None


def _problems(exc: dnf.exceptions.DownloadError, causes: dict[str, str]) -> list[str]:
    """One line per failed package, the first cause seen for it before DNF's summary."""
    lines = [f"{pkg}: {message}" for pkg, message in causes.items()]
    for pkg, messages in (exc.errmap or {}).items():
        if str(pkg) not in causes:
            lines.append(f"{pkg}: {'; '.join(messages)}" if pkg else "; ".join(messages))
    return lines or [str(exc)]


def _downloaded(pkg) -> bool:
    """The package file is in DNF's cache, whole (its checksum matches the repository's)."""
    try:
        return os.path.exists(pkg.localPkg()) and pkg.verifyLocalPkg() is True
    except Exception:  # noqa: BLE001 - an unreadable partial file is simply not downloaded
        return False


def check_signatures(base: dnf.Base, packages: list, events: EventWriter) -> None:
    """For repositories with gpgcheck: every package signed by a key the repo names.

    The keys come from the repository's own gpgkey URLs, which whoever wrote the
    kickstart chose, so they are imported without asking."""
    checked = [p for p in packages if base.repos[p.repoid].gpgcheck]
    if not checked:
        return
    events.send("phase", f"Checking signatures of {len(checked)} packages")
    for pkg in checked:
        result, problem = base.package_signature_check(pkg)
        if result == 1:
            try:
                base.package_import_key(pkg, askcb=lambda *args: True)
            except dnf.exceptions.Error as exc:
                raise PayloadFailure("SignatureError", f"{pkg} from repository {pkg.repoid}: "
                                     f"{problem}; importing its key failed: {exc}") from None
            result, problem = base.package_signature_check(pkg)
        if result != 0:
            raise PayloadFailure("SignatureError", f"{pkg} from repository {pkg.repoid} fails "
                                 f"the GPG check: {problem}")
    log.info("Signatures of %d packages verified", len(checked))


def install(base: dnf.Base, packages: list, events: EventWriter) -> None:
    events.send("phase", "Installing packages", total=len(packages))
    display = TransactionEvents(events, len(packages))
    try:
        base.do_transaction(display=display)
    except dnf.exceptions.TransactionCheckError as exc:
        raise PayloadFailure("TransactionError", f"the RPM transaction check failed: {exc}") from None
    except dnf.exceptions.Error as exc:
        raise PayloadFailure("TransactionError", f"the RPM transaction failed: {exc}") from None


def write_repo_files(request: InstallRequest) -> None:
    """`repo --install`: the repository is configured in the installed system too."""
    for spec in request.repos:
        if not spec.install:
            continue
        path = Path(request.root) / "etc/yum.repos.d" / f"{spec.name}.repo"
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"[{spec.name}]", f"name={spec.name}", "enabled=1",
                 f"gpgcheck={int(spec.gpgcheck)}", f"sslverify={int(spec.sslverify)}"]
        if spec.baseurl:
            lines.append("baseurl=" + " ".join(spec.baseurl))
        if spec.mirrorlist:
            lines.append(f"mirrorlist={spec.mirrorlist}")
        if spec.metalink:
            lines.append(f"metalink={spec.metalink}")
        if spec.cost is not None:
            lines.append(f"cost={spec.cost}")
        if spec.includepkgs:
            lines.append("includepkgs=" + ",".join(spec.includepkgs))
        if spec.excludepkgs:
            lines.append("excludepkgs=" + ",".join(spec.excludepkgs))
        if spec.gpgkey:
            lines.append("gpgkey=" + " ".join(spec.gpgkey))
        text = "\n".join(lines) + "\n"
        # a URL's user:password@ stays as the kickstart gave it, readable by root only
        private = any("@" in (urlsplit(url).netloc or "") for url in
                      [*spec.baseurl, spec.mirrorlist or "", spec.metalink or ""])
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
        os.fchmod(fd, 0o600 if private else 0o644)
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        log.info("Wrote %s%s", path, " (0600: its URLs hold credentials)" if private else "")


def run(request: InstallRequest, events: EventWriter) -> int:
    """The whole payload run; returns the number of packages installed."""
    Path(request.root).mkdir(parents=True, exist_ok=True)
    base = configure(request)
    try:
        load_repositories(base, request, events)
        if request.report_comps:
            events.send("comps", comps_json(base))
        packages = resolve(base, request, events)
        if request.dry_run:
            for pkg in packages:
                events.send("log", f"would install {pkg}")
            return len(packages)
        if packages:
            download(base, packages, events, request.download_waits)
            check_signatures(base, packages, events)
            install(base, packages, events)
        write_repo_files(request)
        return len(packages)
    finally:
        base.close()
        shutil.rmtree(Path(request.cache_dir), ignore_errors=True)
