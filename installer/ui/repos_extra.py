"""Additional repositories: the kickstart's `repo` commands as forms the spoke edits.

Each repository is a `RepoForm` (name, where: a base URL, a mirror list or a metalink,
cost, package filters, proxy, TLS verification, whether it is kept on the installed
system); `repo_problems` names each field that is wrong and what it accepts, and
`to_repo` turns a checked form into the handler's RepoData, which the install reads
(installer/payload_request.py repos_from) and the saved kickstart writes out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Sequence

from installer.bootopts.values import REPO_NAME_RE
from installer.credentials import url_passwords, without_url_passwords
from installer.errors import PayloadError
from installer.logs import register_secret
from installer.payload_request import BASE_REPO

from .repocheck import join_proxy, parse_url, proxy_problems, split_proxy

REPO_KINDS = ("baseurl", "mirrorlist", "metalink")
REPO_KIND_LABELS = {"baseurl": "Base URL", "mirrorlist": "Mirror list", "metalink": "Metalink"}
PACKAGE_RE = re.compile(r"^[A-Za-z0-9_.+*?\[\]:-]+$")
MAX_COST = 1 << 31


@dataclass(frozen=True)
class RepoForm:
    name: str = ""
    kind: str = "baseurl"
    url: str = ""
    cost: str = ""  # as typed; empty: DNF's default (1000)
    includepkgs: str = ""  # comma- or space-separated names or globs
    excludepkgs: str = ""
    proxy: str = ""  # without its password: [SCHEME://][USER@]HOST[:PORT]
    proxy_password: str = field(default="", repr=False)
    noverifyssl: bool = False
    install: bool = False  # also /etc/yum.repos.d/NAME.repo on the installed system

    @property
    def proxy_url(self) -> str:
        """As `--proxy=` takes it, with USER:PASSWORD@."""
        return join_proxy(self.proxy, self.proxy_password)

    @property
    def shown_url(self) -> str:
        return without_url_passwords(self.url)

    def summary(self) -> str:
        """The name and where: the first line of the list."""
        kind = "" if self.kind == "baseurl" else REPO_KIND_LABELS[self.kind].lower() + " "
        return f"{self.name}  {kind}{self.shown_url}"

    def details(self) -> str:
        """The options given, for the list's second line."""
        words = [f"cost {self.cost}"] if self.cost else []
        words += [f"only {self.includepkgs}"] if self.includepkgs else []
        words += [f"not {self.excludepkgs}"] if self.excludepkgs else []
        words += ["via proxy"] if self.proxy else []
        words += ["TLS not verified"] if self.noverifyssl else []
        words += ["kept on the system"] if self.install else []
        return ", ".join(words)


def packages_of(text: str) -> list[str]:
    return [word for word in re.split(r"[,\s]+", text.strip()) if word]


def repo_problems(form: RepoForm, taken: Sequence[str] = ()) -> tuple[RepoForm, list[str]]:
    """The tidied form and every problem, each naming its field; `taken`: the names of
    the other repositories. Passwords in the URL and the proxy are registered at once."""
    problems: list[str] = []
    name = form.name.strip()
    if not name:
        problems.append("Name is empty: enter a name of letters, digits, '_', '.', ':' or '-'")
    elif not REPO_NAME_RE.match(name):
        problems.append(f"Name {name!r}: use only letters, digits, '_', '.', ':' or '-'")
    elif name == BASE_REPO:
        problems.append(f"Name {name!r} is the installation source's own; choose another")
    elif name in taken:
        problems.append(f"Name {name!r} is taken by another repository; choose another")
    for password in url_passwords(form.url):
        register_secret(password)
    label = REPO_KIND_LABELS.get(form.kind, form.kind)
    url = form.url
    try:
        url = parse_url(form.url, label)
    except PayloadError as exc:
        problems.append(exc.message)
    cost = form.cost.strip()
    if cost and not (cost.isdigit() and int(cost) < MAX_COST):
        problems.append(f"Cost {cost!r}: enter a whole number, 0 or more (lower is preferred; "
                        "DNF's default is 1000), or leave it empty")
    for what, text in (("Include only", form.includepkgs), ("Exclude", form.excludepkgs)):
        bad = [word for word in packages_of(text) if not PACKAGE_RE.match(word)]
        if bad:
            problems.append(f"{what} {', '.join(bad)!r}: package names or globs (e.g. "
                            "kernel*, foo-tools) separated by commas or spaces")
    problems += proxy_problems(form.proxy, form.proxy_password)
    tidy = replace(form, name=name, url=url, cost=cost, proxy=form.proxy.strip(),
                   includepkgs=",".join(packages_of(form.includepkgs)),
                   excludepkgs=",".join(packages_of(form.excludepkgs)))
    return tidy, problems


def form_of(repo) -> RepoForm:
    """A `repo` command (RepoData) as the form's fields."""
    kind = "mirrorlist" if repo.mirrorlist else "metalink" if repo.metalink else "baseurl"
    proxy, password = split_proxy(repo.proxy or "")
    return RepoForm(name=repo.name or "", kind=kind,
                    url=repo.mirrorlist or repo.metalink or repo.baseurl or "",
                    cost="" if repo.cost is None else str(repo.cost),
                    includepkgs=",".join(repo.includepkgs or []),
                    excludepkgs=",".join(repo.excludepkgs or []),
                    proxy=proxy, proxy_password=password, noverifyssl=bool(repo.noverifyssl),
                    install=bool(repo.install))


def to_repo(handler, form: RepoForm):
    """A checked form as the handler's RepoData (what `repo --name=...` writes)."""
    repo = handler.RepoData(name=form.name)
    repo.baseurl = form.url if form.kind == "baseurl" else ""
    repo.mirrorlist = form.url if form.kind == "mirrorlist" else ""
    repo.metalink = form.url if form.kind == "metalink" else False
    repo.cost = int(form.cost) if form.cost else None
    repo.includepkgs = packages_of(form.includepkgs)
    repo.excludepkgs = packages_of(form.excludepkgs)
    repo.proxy = form.proxy_url
    repo.noverifyssl, repo.install = form.noverifyssl, form.install
    return repo


def put_repo(handler, form: RepoForm, replacing: str | None = None) -> None:
    """Add the repository, or replace the one named `replacing` where it stands."""
    repos = handler.repo.repoList
    names = [repo.name for repo in repos]
    repo = to_repo(handler, form)
    if replacing is not None and replacing in names:
        repos[names.index(replacing)] = repo
    else:
        repos.append(repo)
    handler.repo.seen = True


def remove_repo(handler, name: str) -> None:
    handler.repo.repoList[:] = [r for r in handler.repo.repoList if r.name != name]
    handler.repo.seen = bool(handler.repo.repoList)
