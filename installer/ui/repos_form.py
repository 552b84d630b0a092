"""The installation source form: which kind of source, its fields, and their checks.

The spoke offers every source the kickstart has: `url` (a repository, a mirror list or a
metalink, with `--proxy` and `--noverifyssl`), `cdrom`, `harddrive` (hd:) and `nfs`. The
form is what the person edits; `source_problems` says, naming the field, what is wrong
and what would be accepted, using the parsers the boot options and the install use
(installer.bootopts.values), so what passes here is what the install accepts.
`write_source` makes the form the handler's one source command.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from installer.bootopts import BootOptions
from installer.bootopts.values import DEVICE_RE, parse_source
from installer.credentials import url_passwords
from installer.errors import PayloadError
from installer.logs import register_secret
from installer.sources import nfs_parts

from .repocheck import join_proxy, parse_url, proxy_problems, split_proxy

#: The kinds of source, in the order the screen lists them, with their labels.
KINDS = ("url", "mirrorlist", "metalink", "cdrom", "hd", "nfs")
KIND_LABELS = {
    "url": "Repository URL",
    "mirrorlist": "Mirror list URL",
    "metalink": "Metalink URL",
    "cdrom": "Boot medium (cdrom)",
    "hd": "Disk: ISO/tree (hd:)",
    "nfs": "NFS server",
}
URL_KINDS = ("url", "mirrorlist", "metalink")
#: The kickstart commands that name an installation source, other than `url`.
SOURCE_COMMANDS = ("cdrom", "harddrive", "nfs", "liveimg")
OTHER_KINDS = "for those choose Boot medium, Disk or NFS server as the kind of source"
NFS_SERVER_FORMS = "a host name or an IP address, e.g. nfs.example.com or 192.168.1.5"


@dataclass(frozen=True)
class SourceForm:
    """What the spoke's fields hold; only the fields of `kind` count."""

    kind: str = "url"
    url: str = ""  # url, mirrorlist, metalink
    proxy: str = ""  # url kinds: --proxy without its password: [SCHEME://][USER@]HOST[:PORT]
    proxy_password: str = field(default="", repr=False)  # url kinds
    noverifyssl: bool = False  # url kinds
    partition: str = ""  # hd: the device: sdb1, /dev/sdb1, LABEL=, UUID=
    path: str = ""  # hd: the ISO image or the tree on that device
    server: str = ""  # nfs
    directory: str = ""  # nfs: the exported directory, a tree or ISO image(s)
    options: str = ""  # nfs: mount options

    @property
    def proxy_url(self) -> str:
        """As `--proxy=` takes it, with USER:PASSWORD@."""
        return join_proxy(self.proxy, self.proxy_password)

    @property
    def empty(self) -> bool:
        """Nothing entered: the spoke has nothing to check or write."""
        if self.kind in URL_KINDS:
            return not self.url.strip()
        if self.kind == "hd":
            return not self.partition.strip() and not self.path.strip()
        if self.kind == "nfs":
            return not self.server.strip() and not self.directory.strip()
        return False

    def only_kind(self) -> SourceForm:
        """The fields of its kind only (what the other kinds' fields hold does not count)."""
        if self.kind in URL_KINDS:
            return SourceForm(self.kind, url=self.url, proxy=self.proxy,
                              proxy_password=self.proxy_password, noverifyssl=self.noverifyssl)
        if self.kind == "hd":
            return SourceForm("hd", partition=self.partition, path=self.path)
        if self.kind == "nfs":
            return SourceForm("nfs", server=self.server, directory=self.directory,
                              options=self.options)
        return SourceForm(self.kind)

    def location(self) -> str:
        """As inst.repo would spell it (and as installer.sources mounts it); a mirror list
        or metalink is its URL."""
        if self.kind == "cdrom":
            return "cdrom"
        if self.kind == "hd":
            return f"hd:{self.partition}:{self.path or '/'}"
        if self.kind == "nfs":
            return f"nfs:{self.options + ':' if self.options else ''}{self.server}:{self.directory}"
        return self.url


def _url_problem(form: SourceForm) -> tuple[SourceForm, list[str]]:
    label = KIND_LABELS[form.kind]
    problems = []
    try:
        form = replace(form, url=parse_url(form.url, label, OTHER_KINDS))
    except PayloadError as exc:
        problems.append(exc.message)
    problems += proxy_problems(form.proxy, form.proxy_password)
    form = replace(form, proxy=form.proxy.strip())
    for password in url_passwords(form.url):
        register_secret(password)
    return form, problems


def _hd_problems(form: SourceForm) -> tuple[SourceForm, list[str]]:
    device, path = form.partition.strip(), form.path.strip()
    problems = []
    if not device:
        problems.append("Partition is empty: choose one of the list or enter a device such as "
                        "sdb1, /dev/sdb1, LABEL=NAME or UUID=UUID")
    elif not DEVICE_RE.match(device):
        problems.append(f"Partition {device!r} is not a device name, LABEL=, UUID= or PARTUUID=")
    if path and not path.startswith("/"):
        problems.append(f"ISO or directory {path!r}: give an absolute path on the partition, "
                        "e.g. /isos/Fedora.iso or /repo (or / for its top)")
    return replace(form, partition=device, path=path or "/"), problems


def _nfs_problems(form: SourceForm) -> tuple[SourceForm, list[str]]:
    server, directory = form.server.strip(), form.directory.strip()
    options = form.options.strip()
    problems = []
    if not server:
        problems.append(f"NFS server is empty: enter {NFS_SERVER_FORMS}")
    elif any(c in server for c in ":/ ") and not server.startswith("["):
        problems.append(f"NFS server {server!r}: enter {NFS_SERVER_FORMS} (the directory "
                        "goes in its own field)")
    if not directory.startswith("/"):
        problems.append(f"NFS directory {directory!r}: give the exported path, absolute, "
                        "e.g. /exports/fedora (a tree, an ISO file, or a directory of ISOs)")
    if any(c in options for c in ": "):
        problems.append(f"NFS options {options!r}: mount options separated by commas, without "
                        "spaces or ':', e.g. vers=4,port=2049")
    form = replace(form, server=server, directory=directory, options=options)
    if not problems:
        try:
            parse_source(form.location())
        except ValueError as exc:
            problems.append(f"NFS source {form.location()!r}: {exc}")
    return form, problems


def source_problems(form: SourceForm) -> tuple[SourceForm, list[str]]:
    """The form with its fields tidied (a bare path made file://), and every problem,
    each naming its field and what it accepts. Secrets are registered at once."""
    if form.kind not in KINDS:
        return form, [f"Source kind {form.kind!r}: expected one of {', '.join(KINDS)}"]
    if form.kind in URL_KINDS:
        return _url_problem(form)
    if form.kind == "hd":
        return _hd_problems(form)
    if form.kind == "nfs":
        return _nfs_problems(form)
    return form, []


def checked_form(form: SourceForm) -> SourceForm:
    """The tidied form, or PayloadError with every problem (one a line)."""
    form, problems = source_problems(form)
    if problems:
        raise PayloadError("\n".join(problems))
    return form.only_kind()


# ---- from and to the kickstart ------------------------------------------------------------
def form_from_handler(handler, options: BootOptions) -> SourceForm | None:
    """The form a kickstart's source (else inst.repo) pre-fills; None without one."""
    url = handler.url
    if url.seen and (url.url or url.mirrorlist or url.metalink):
        kind = "url" if url.url else "mirrorlist" if url.mirrorlist else "metalink"
        proxy, password = split_proxy(url.proxy or "")
        return SourceForm(kind, url=url.url or url.mirrorlist or url.metalink, proxy=proxy,
                          proxy_password=password, noverifyssl=bool(url.noverifyssl))
    if handler.cdrom.seen:
        return SourceForm("cdrom")
    if handler.harddrive.seen:
        command = handler.harddrive
        return SourceForm("hd", partition=command.partition or "", path=command.dir or "/")
    if handler.nfs.seen:
        command = handler.nfs
        return SourceForm("nfs", server=command.server or "", directory=command.dir or "",
                          options=command.opts or "")
    if options.repo is not None:
        return form_from_location(options.repo.location)
    return None


def form_from_location(location: str) -> SourceForm:
    """inst.repo's forms as the spoke's fields."""
    source = parse_source(location)
    if source.scheme == "cdrom":
        return SourceForm("cdrom")
    if source.scheme == "hd":
        return SourceForm("hd", partition=source.device, path=source.path or "/")
    if source.scheme == "nfs":
        opts, server, path = nfs_parts(location)
        return SourceForm("nfs", server=server, directory=path, options=opts)
    return SourceForm("url", url=location)


def write_source(handler, form: SourceForm) -> None:
    """The (checked) form becomes the handler's only source command."""
    for name in ("url",) + SOURCE_COMMANDS:
        getattr(handler, name).seen = False
    if form.kind in URL_KINDS:
        command = handler.url
        command.url = form.url if form.kind == "url" else None
        command.mirrorlist = form.url if form.kind == "mirrorlist" else None
        command.metalink = form.url if form.kind == "metalink" else None
        command.proxy, command.noverifyssl = form.proxy_url or None, form.noverifyssl
    elif form.kind == "hd":
        command = handler.harddrive
        command.partition, command.dir = form.partition, form.path or "/"
    elif form.kind == "nfs":
        command = handler.nfs
        command.server, command.dir = form.server, form.directory
        command.opts = form.options or None
    else:
        command = handler.cdrom
    command.seen = True
