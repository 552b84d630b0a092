"""What the payload is asked to do, as plain data.

The installer turns the kickstart (`url`, `repo`, `%packages`) and the boot options
(`inst.repo`, `inst.addrepo`, `inst.proxy`) into these; the payload never sees
pykickstart. They travel as JSON to the worker process that runs DNF, so the
installer's own process does not carry DNF's memory.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field


@dataclass
class RepoSpec:
    name: str
    baseurl: list[str] = field(default_factory=list)
    mirrorlist: str = ""
    metalink: str = ""
    proxy: str = ""
    sslverify: bool = True
    cost: int | None = None
    includepkgs: list[str] = field(default_factory=list)
    excludepkgs: list[str] = field(default_factory=list)
    gpgcheck: bool = False
    gpgkey: list[str] = field(default_factory=list)
    install: bool = False  # `repo --install`: also configure it in the target
    origin: str = ""  # where it was defined, for messages (ks file:line, inst.repo)

    @property
    def where(self) -> str:
        return self.baseurl[0] if self.baseurl else self.mirrorlist or self.metalink


#: pykickstart's group levels
GROUP_MANDATORY, GROUP_DEFAULT, GROUP_OPTIONAL = "mandatory", "default", "optional"


@dataclass
class GroupRequest:
    name: str
    level: str = GROUP_DEFAULT  # mandatory (--nodefaults), default, optional (--optional)


@dataclass
class SystemNeed:
    """A package the installed system needs to boot its layout (lvm2 for LVM, grub for
    the boot loader...). `names` are alternatives (Fedora's, then Debian's), the first
    one a repository has wins; `required` makes their absence an error naming `why`."""

    names: list[str]
    why: str
    required: bool = True


@dataclass
class PackageSelection:
    """%packages, in DNF terms. `environment` None and nothing else: the default one."""

    environment: str | None = None
    groups: list[GroupRequest] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)  # names and globs
    excluded_packages: list[str] = field(default_factory=list)
    excluded_groups: list[str] = field(default_factory=list)  # groups and environments
    use_default_environment: bool = False  # no %packages section at all
    nocore: bool = False
    ignore_missing: bool = False
    exclude_docs: bool = False
    exclude_weakdeps: bool = False
    inst_langs: str | None = None
    multilib: bool = False
    system_needs: list[SystemNeed] = field(default_factory=list)


@dataclass
class InstallRequest:
    root: str
    repos: list[RepoSpec]
    selection: PackageSelection
    cache_dir: str
    log_file: str = ""
    releasever: str = "12"
    retries: int = 10
    timeout: int = 30
    #: seconds to wait before each further try of the whole download once DNF's own
    #: `retries` are spent (a mirror restarting, a switch port flapping): 5 tries over
    #: about two minutes before the install gives up
    download_waits: list[int] = field(default_factory=lambda: [5, 10, 20, 30, 60])
    dry_run: bool = False  # depsolve only, report the transaction
    report_comps: bool = False  # send the comps choices (payload/comps.py) once loaded
    #: strings the worker masks in packaging.log (passwords, URL passwords): the
    #: installer's redactor does not reach into the worker's process
    secrets: list[str] = field(default_factory=list, repr=False)
    #: lowest level packaging.log keeps (inst.loglevel); 0: each logger's own level
    log_level: int = 0
    #: remote log streams (payload/remotelog.py RemoteTarget as dicts): the worker sends
    #: its packaging lines to each, masked like packaging.log
    remote_logs: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "InstallRequest":
        data = json.loads(text)
        data["repos"] = [RepoSpec(**r) for r in data["repos"]]
        selection = data["selection"]
        selection["groups"] = [GroupRequest(**g) for g in selection["groups"]]
        selection["system_needs"] = [SystemNeed(**n) for n in selection["system_needs"]]
        data["selection"] = PackageSelection(**selection)
        return cls(**data)
