"""`url`, `repo`, `%packages` and `services`: what the payload and systemd will be given.

A relative or scheme-less URL, a repository without any address or a name DNF cannot use
as a repository id, and two repositories of one name would each stop the payload after
the disks are written. pykickstart keeps only the last `@^environment` of `%packages`
without a word, so a second one is refused. A unit both enabled and disabled ends up
enabled (disabled first, as Anaconda): a warning.
"""
from __future__ import annotations

import re

from installer.bootopts.values import REPO_NAME_RE, SOURCE_FORMS, parse_source

from .findings import Findings, Where, where_each, where_of

URL_SCHEMES = ("http://", "https://", "ftp://", "file:")
PACKAGES_RE = re.compile(r"^%packages\b.*?^%end\b", re.M | re.S)
ENVIRONMENT_RE = re.compile(r"^\s*@\^(\S+)", re.M)


def source_problem(location: str) -> str | None:
    try:
        parse_source(location)
    except ValueError as exc:
        return f"{exc}" if "expected" in str(exc) else f"{exc} (accepted: {SOURCE_FORMS})"
    return None


def list_url_problem(option: str, url: str) -> str | None:
    if not url.startswith(URL_SCHEMES):
        return f"{option}={url}: expected an http(s)://, ftp:// or file: URL"
    return None


def check_url(loaded, found: Findings) -> None:
    url = loaded.handler.url
    if not url.seen:
        return
    where = where_of(loaded, "url")
    problem = source_problem(url.url) if url.url else None
    if problem:
        found.error(where, f"url --url={url.url}: {problem}")
    for option, value in (("--mirrorlist", url.mirrorlist), ("--metalink", url.metalink)):
        problem = list_url_problem(option, value) if value else None
        if problem:
            found.error(where, f"url {problem}")


def check_repos(loaded, found: Findings) -> None:
    repos = list(loaded.handler.repo.repoList)
    names: dict[str, Where] = {}
    for repo, where in zip(repos, where_each(loaded, repos, "repo")):
        what = f"repo --name={repo.name}"
        if not REPO_NAME_RE.match(repo.name or ""):
            found.error(where, f"{what}: a repository name takes letters, digits and _.:- only")
        if repo.name in names:
            found.error(where, f"{what}: a repository of that name is already defined at "
                        f"{names[repo.name]}; give each repo its own --name")
        names.setdefault(repo.name, where)
        if not (repo.baseurl or repo.mirrorlist or repo.metalink):
            found.error(where, f"{what}: give its address with --baseurl, --mirrorlist or --metalink")
        elif repo.baseurl and source_problem(repo.baseurl):
            found.error(where, f"{what} --baseurl={repo.baseurl}: {source_problem(repo.baseurl)}")
        for option, value in (("--mirrorlist", repo.mirrorlist), ("--metalink", repo.metalink)):
            problem = list_url_problem(option, value) if value else None
            if problem:
                found.error(where, f"{what} {problem}")


def check_environments(loaded, found: Findings) -> None:
    """Counted in the text of the kickstart file(s) given (not inside %include files):
    the parsed handler holds only the last environment."""
    for name, text in loaded.sources:
        for section in PACKAGES_RE.finditer(text):
            environments = ENVIRONMENT_RE.findall(section.group(0))
            if len(environments) > 1:
                line = text.count("\n", 0, section.start()) + 1
                found.error(Where(name, line), f"%packages names {len(environments)} environments "
                            f"({', '.join('@^' + e for e in environments)}); an install has one "
                            "environment: keep one and add the others' groups as @group")


def check_services(loaded, found: Findings) -> None:
    services = loaded.handler.services
    both = [unit for unit in services.enabled or [] if unit in (services.disabled or [])]
    if both:
        found.warn(where_of(loaded, "services"), f"services: {', '.join(both)} both --enabled "
                   "and --disabled; it ends up enabled (disabled first, as in Anaconda)")


def check_software(loaded, found: Findings) -> None:
    check_url(loaded, found)
    check_repos(loaded, found)
    check_environments(loaded, found)
    check_services(loaded, found)
