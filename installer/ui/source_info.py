"""The installation source as the screens see it: which one, and whether it answers.

Read from the kickstart (`url`, `cdrom`, `harddrive`, `nfs`, `liveimg`) or the boot
option `inst.repo`, as a `SourceForm` (installer.ui.repos_form) the spoke edits. Proxy
and TLS settings come from the same rules the install uses (installer/payload_request.py),
and hd:/cdrom/nfs are mounted by the same code (installer/sources.py), so what is checked
here is what DNF will be given.
"""
from __future__ import annotations

from dataclasses import dataclass

from installer.bootopts import BootOptions
from installer.credentials import without_url_passwords
from installer.errors import PayloadError
from installer.payload_request import proxy_for
from installer.sources import SourceMounts

from .repocheck import RepoFound, check_mirrors, check_repository
from .repos_form import KIND_LABELS, SourceForm, form_from_handler


@dataclass(frozen=True)
class SourceInfo:
    location: str  # as checked (inst.repo's spelling; a mirror list's URL)
    origin: str  # where it came from, for the screen
    kind: str = "url"  # repos_form.KINDS, or "liveimg"
    checkable: bool = True  # a live image is not a repository
    problem: str = ""  # known to be unusable without any check
    proxy: str = ""
    verify_ssl: bool = True
    form: SourceForm | None = None  # the fields it fills in the spoke

    @property
    def shown(self) -> str:
        """For the screen and the hub: never a password inside the URL."""
        text = without_url_passwords(self.location)
        if self.kind == "nfs" and self.form is not None:
            return f"NFS {self.form.server}:{self.form.directory}"
        if self.kind in ("mirrorlist", "metalink"):
            return f"{KIND_LABELS[self.kind].removesuffix(' URL').lower()} {text}"
        return text


def current_source(handler, options: BootOptions, seen: set[str]) -> SourceInfo | None:
    """The base repository an install would use: the kickstart's, else inst.repo."""
    liveimg = handler.liveimg
    if liveimg.seen:
        return SourceInfo(f"live image {liveimg.url}", "the kickstart (liveimg)", "liveimg",
                          checkable=False)
    form = form_from_handler(handler, options)
    if form is None:
        return None
    command = {"url": "url", "mirrorlist": "url", "metalink": "url", "cdrom": "cdrom",
               "hd": "harddrive", "nfs": "nfs"}[form.kind]
    if getattr(handler, command).seen:
        origin = f"the kickstart ({command})" if command in seen else "entered here"
    else:
        origin = "the boot option inst.repo"
    return source_of(form, handler, options, origin)


def source_of(form: SourceForm, handler, options: BootOptions, origin: str) -> SourceInfo:
    """What a (checked) form is checked as: the command's proxy, else inst.proxy; TLS
    verification off with the form's or the boot option's noverifyssl."""
    proxy = proxy_for(form.proxy_url, options) if form.kind in ("url", "mirrorlist", "metalink") else ""
    verify = not (form.noverifyssl or options.noverifyssl)
    return SourceInfo(form.location(), origin, form.kind, proxy=proxy, verify_ssl=verify,
                      form=form)


def check_source(source: SourceInfo) -> RepoFound:
    """Fetch the source's repomd.xml (a mirror list's: a mirror's); hd:/cdrom/nfs are
    mounted read-only for the look and unmounted again."""
    if source.problem:
        raise PayloadError(source.problem)
    if source.kind in ("mirrorlist", "metalink"):
        return check_mirrors(source.location, source.kind, source.proxy, source.verify_ssl)
    scheme = source.location.partition(":")[0].lower()
    if scheme in ("http", "https", "ftp", "file"):
        return check_repository(source.location, source.proxy, source.verify_ssl)
    with SourceMounts() as mounts:
        found = check_repository(mounts.url_for(source.location))
    return RepoFound(source.location, found.revision)
