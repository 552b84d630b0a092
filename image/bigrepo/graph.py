"""The synthetic package universe: names, versions, files and a layered dependency graph.

Why layered and power-law: real distributions have a few hundred low-level libraries that
almost everything links against (glibc, zlib, openssl...), thousands of mid-level libraries,
and many more applications and language modules on top. Depsolver cost is driven by that
shape (fan-in of a few libraries in the thousands, long chains, virtual provides with several
providers), so a flat random graph would measure the wrong thing.

Everything is drawn from one `random.Random(seed)`: the same seed gives the same universe.
"""
from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

T0 = 1_700_000_000  # fixed "now", so the output is reproducible
DIST = "fc40"
PYVER = "3.12"
PERLVER = "5.38.0"
OPS = {"EQ": "=", "GE": ">=", "LE": "<=", "LT": "<", "GT": ">"}


@dataclass(frozen=True)
class Dep:
    """One Provides/Requires/... entry, as rpm-md writes it (flags EQ/GE/LT..., epoch, ver, rel)."""

    name: str
    flags: str | None = None
    ver: str | None = None
    rel: str | None = None
    epoch: int = 0

    def spec(self) -> str:
        """The dependency as a spec-file token, e.g. `libfoo >= 1.2` or `foo = 1:2.0-3.fc40`."""
        if not self.flags:
            return self.name
        evr = (f"{self.epoch}:" if self.epoch else "") + str(self.ver)
        if self.rel:
            evr += f"-{self.rel}"
        return f"{self.name} {OPS[self.flags]} {evr}"


@dataclass
class Source:
    """A source package: shared version, changelog and build time of its binary packages."""

    name: str
    version: str
    release: str
    epoch: int
    license: str
    url: str
    buildtime: int
    changelog: list[tuple[str, int, str]]
    packages: list["Package"] = field(default_factory=list)

    @property
    def srpm(self) -> str:
        return f"{self.name}-{self.version}-{self.release}.src.rpm"


@dataclass
class Package:
    """One binary package. `files` are (path, size); `dirs` are owned directories."""

    name: str
    arch: str
    source: Source
    summary: str
    description: str
    kind: str
    files: list[tuple[str, int]] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    provides: list[Dep] = field(default_factory=list)
    requires: list[Dep] = field(default_factory=list)
    conflicts: list[Dep] = field(default_factory=list)
    obsoletes: list[Dep] = field(default_factory=list)
    recommends: list[Dep] = field(default_factory=list)
    suggests: list[Dep] = field(default_factory=list)

    @property
    def version(self) -> str:
        return self.source.version

    @property
    def release(self) -> str:
        return self.source.release

    @property
    def epoch(self) -> int:
        return self.source.epoch

    @property
    def nevra(self) -> str:
        return f"{self.name}-{self.version}-{self.release}.{self.arch}"

    @property
    def filename(self) -> str:
        return f"{self.nevra}.rpm"

    def self_provides(self) -> list[Dep]:
        """What rpmbuild adds by itself: `name = EVR`, and `name(x86-64) = EVR` for arched packages."""
        evr = dict(flags="EQ", ver=self.version, rel=self.release, epoch=self.epoch)
        own = [Dep(self.name, **evr)]
        if self.arch == "x86_64":
            own.append(Dep(f"{self.name}(x86-64)", **evr))
        return own

    def all_provides(self) -> list[Dep]:
        return self.self_provides() + self.provides

    def exact(self) -> Dep:
        """A `Requires: name = E:V-R` on this package (what -devel packages require)."""
        return Dep(self.name, "EQ", self.version, self.release, self.epoch)


# --- words and prose ------------------------------------------------------------------------

_ONSETS = ("b c d f g h j k l m n p r s t v w z br cr dr fl gl gr kl pr qu sh sk sl sn sp st "
           "str th tr vr zh").split()
_VOWELS = "a e i o u y ai ea io ou".split()
_CODAS = ["", "", "", "n", "r", "s", "x", "l", "m", "k", "t", "nd", "rt", "st", "ck"]
_ADJ = ("fast portable small secure extensible lightweight robust modern simple generic "
        "embeddable thread-safe asynchronous high-performance minimal flexible").split()
_NOUN = ("compression parsing rendering networking cryptography image audio font database "
         "configuration logging serialization scripting regex timezone unicode geometry "
         "spell-checking input-method scheduling caching tracing").split()
_THING = ("library toolkit framework engine backend helper layer runtime interface".split())
_APPS = ("command-line tool|desktop application|system daemon|terminal client|"
         "file manager|network monitor|text processor|backup utility|media player|"
         "archive manager|package helper|log analyser").split("|")
_LICENSES = ["MIT", "BSD-3-Clause", "GPL-2.0-or-later", "GPL-3.0-or-later", "LGPL-2.1-or-later",
             "Apache-2.0", "MPL-2.0", "ISC", "Zlib", "Artistic-1.0-Perl OR GPL-1.0-or-later"]
_PEOPLE = ["Ada Lindqvist", "Bruno Okafor", "Chen Wei", "Dana Kowalska", "Emil Rossi",
           "Farah Haddad", "Goran Petrov", "Hana Sato", "Ivo Moreau", "Jonas Berg"]


class Words:
    """Unique pronounceable pseudo-words: stable package name stems."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self) -> str:
        rng = self.rng
        while True:
            word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS)
                           for _ in range(rng.choice((1, 2, 2, 2, 3))))
            word += rng.choice(_CODAS)
            if len(word) >= 4 and word not in self.used and not word.startswith(("lib", "perl", "py", "ruby")):
                self.used.add(word)
                return word


def _zipf_weights(n: int, s: float) -> list[float]:
    """Cumulative Zipf weights: item i is picked with probability ~ 1/(i+1)^s."""
    return list(accumulate(1.0 / (i + 1) ** s for i in range(n)))


class Pool:
    """Packages of one layer in popularity order, with power-law selection over a prefix.

    Picking only from the prefix `[0, limit)` keeps the graph a DAG inside a layer (package i
    depends on packages j < i), which is how build order works in a real distribution too.
    """

    def __init__(self, s: float = 1.1):
        self.items: list[Package] = []
        self.s = s
        self._cw: list[float] = []

    def add(self, pkg: Package) -> None:
        self.items.append(pkg)
        self._cw.append((self._cw[-1] if self._cw else 0.0) + 1.0 / len(self.items) ** self.s)

    def pick(self, rng: random.Random, k: int, limit: int | None = None) -> list[Package]:
        limit = len(self.items) if limit is None else min(limit, len(self.items))
        if limit <= 0 or k <= 0:
            return []
        total = self._cw[limit - 1]
        chosen = {min(bisect_left(self._cw, rng.random() * total, 0, limit), limit - 1)
                  for _ in range(k)}
        return [self.items[i] for i in sorted(chosen)]


# --- the universe ---------------------------------------------------------------------------

class Universe:
    """All sources and binary packages, generated layer by layer until `target` binaries exist."""

    def __init__(self, target: int = 20000, seed: int = 1):
        self.rng = random.Random(seed)
        self.word = Words(self.rng)
        self.sources: list[Source] = []
        self.packages: list[Package] = []
        self.low, self.mid = Pool(1.15), Pool(1.05)
        self.pymods, self.perlmods, self.gems = Pool(1.0), Pool(1.0), Pool(1.0)
        self.apps = Pool(0.9)
        self.editors: list[Package] = []
        self.mtas: list[Package] = []
        self.conflicting: set[str] = set()  # kept out of comps groups, so groups stay installable
        self._build(target)

    # -- helpers --
    def _source(self, name: str, arch_hint: str = "x86_64") -> Source:
        rng = self.rng
        major = rng.choice((0, 1, 1, 2, 2, 3, 4, 5, 6, 12, 24))
        version = f"{major}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"
        release = f"{rng.randint(1, 6)}.{DIST}"
        epoch = 1 if rng.random() < 0.03 else 0
        buildtime = T0 - rng.randint(3600, 2 * 365 * 86400)
        changelog = []
        when = (buildtime // 86400) * 86400 + 43200
        for i in range(rng.randint(1, 4)):
            who = rng.choice(_PEOPLE)
            email = who.split()[0].lower() + "@scale.example.org"
            evr = f"{version}-{release}" if i == 0 else f"{major}.{rng.randint(0, 30)}.0-1.{DIST}"
            text = rng.choice(("- Update to upstream release", "- Rebuilt for the mass rebuild",
                               "- Fix FTBFS with newer compiler", "- Split out documentation",
                               "- Security fix for a heap overflow"))
            changelog.append((f"{who} <{email}> - {evr}", when, text))
            when -= rng.randint(30, 400) * 86400
        src = Source(name, version, release, epoch, rng.choice(_LICENSES),
                     f"https://{name}.scale.example.org/", buildtime, changelog)
        self.sources.append(src)
        return src

    def _pkg(self, src: Source, name: str, arch: str, kind: str, summary: str) -> Package:
        rng = self.rng
        desc = (f"{summary}. " + " ".join(
            f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)} {rng.choice(_THING)} "
            f"{rng.choice(('supports', 'provides', 'implements', 'wraps', 'exposes'))} "
            f"{rng.choice(_ADJ)} {rng.choice(_NOUN)} for {rng.choice(_APPS)}s."
            for _ in range(rng.randint(2, 5))))
        pkg = Package(name, arch, src, summary, desc, kind)
        if arch == "x86_64":
            pkg.requires.append(Dep("libc.so.6()(64bit)"))
            pkg.requires.append(Dep(f"libc.so.6(GLIBC_2.{rng.randint(2, 38)})(64bit)"))
        src.packages.append(pkg)
        self.packages.append(pkg)
        return pkg

    def _size(self, lo: int = 200, hi: int = 400_000) -> int:
        return int(min(hi, max(lo, self.rng.lognormvariate(8.5, 1.6))))

    def _doc(self, pkg: Package, n: int | None = None) -> None:
        base = f"/usr/share/doc/{pkg.name}"
        pkg.dirs.append(base)
        for f in ["README.md", "NEWS", "CHANGES"][: n or self.rng.randint(1, 3)]:
            pkg.files.append((f"{base}/{f}", self._size(100, 40_000)))
        lic = f"/usr/share/licenses/{pkg.name}"
        pkg.dirs.append(lic)
        pkg.files.append((f"{lic}/COPYING", self._size(1000, 35_000)))

    def _lib(self, pool: Pool, word: str, summary: str, low: bool) -> Package:
        """A C library: lib<word> (+ -devel, maybe -doc and -tools) with a soname provide."""
        rng = self.rng
        src = self._source(f"lib{word}")
        major = src.version.split(".")[0]
        lib = self._pkg(src, f"lib{word}", "x86_64", "lib", summary)
        soname = f"lib{word}.so.{major}"
        lib.provides.append(Dep(f"{soname}()(64bit)"))
        lib.files += [(f"/usr/lib64/{soname}", 0), (f"/usr/lib64/{soname}.{src.version.split('.', 1)[1]}",
                                                      self._size(4000, 3_000_000))]
        self._doc(lib)
        index = len(pool.items)
        deps = self.low.pick(rng, rng.randint(0, 3), index if low else None)
        if not low:
            deps += self.mid.pick(rng, rng.choice((0, 0, 1, 1, 2, 3)), index)
        for dep in deps:
            lib.requires.append(self.soname_dep(dep))
        pool.add(lib)

        devel = self._pkg(src, f"lib{word}-devel", "x86_64", "devel",
                          f"Development files for lib{word}")
        devel.requires += [lib.exact(), Dep("pkgconf-pkg-config")]
        devel.requires += [Dep(f"pkgconfig({d.name[3:]})") for d in deps if d.kind == "lib"]
        devel.provides.append(Dep(f"pkgconfig({word})", "EQ", src.version))
        inc = f"/usr/include/{word}"
        devel.dirs.append(inc)
        devel.files += [(f"{inc}/{h}.h", self._size(300, 90_000))
                        for h in [word] + [self.word() for _ in range(rng.randint(1, 12))]]
        devel.files += [(f"/usr/lib64/lib{word}.so", 0),
                        (f"/usr/lib64/pkgconfig/{word}.pc", self._size(200, 600))]
        if rng.random() < 0.3:
            doc = self._pkg(src, f"lib{word}-doc", "noarch", "doc", f"API documentation for lib{word}")
            base = f"/usr/share/doc/lib{word}-doc/html"
            doc.dirs += [f"/usr/share/doc/lib{word}-doc", base]
            doc.files += [(f"{base}/{self.word()}.html", self._size(500, 80_000))
                          for _ in range(rng.randint(5, 40))]
        if rng.random() < 0.2:
            tools = self._pkg(src, f"{word}-tools", "x86_64", "tools", f"Command-line tools for lib{word}")
            tools.requires.append(Dep(f"{soname}()(64bit)"))
            tools.files += [(f"/usr/bin/{word}-{self.word()}", self._size(5000, 500_000))
                            for _ in range(rng.randint(1, 5))]
            tools.files.append((f"/usr/share/man/man1/{word}.1.gz", self._size(400, 9000)))
        return lib

    @staticmethod
    def soname_dep(lib: Package) -> Dep:
        return next(p for p in lib.provides if p.name.endswith("()(64bit)"))

    # -- layers --
    def _anchors(self) -> None:
        """Hand-shaped packages every distribution has: the ones file and virtual deps point at."""
        rng = self.rng
        fs = self._pkg(self._source("filesystem"), "filesystem", "x86_64", "base",
                       "The basic directory layout for a Linux system")
        fs.requires.clear()
        fs.dirs += ["/etc/skel", "/usr/share/filesystem"]
        fs.files += [("/etc/skel/.profile-filesystem", 120), ("/usr/share/filesystem/layout", 900)]
        setup = self._pkg(self._source("setup"), "setup", "noarch", "base",
                          "A set of system configuration and setup files")
        setup.files += [("/etc/hosts-setup", 158), ("/etc/profile-setup", 2000),
                        ("/etc/shells-setup", 60)]
        setup.requires.append(Dep("filesystem"))

        glibc = self._pkg(self._source("glibc"), "glibc", "x86_64", "base",
                          "The GNU libc libraries")
        glibc.requires = [Dep("filesystem"), Dep("setup"), Dep("glibc-common", "EQ",
                          glibc.version, glibc.release, glibc.epoch)]
        glibc.provides += [Dep("libc.so.6()(64bit)"), Dep("libm.so.6()(64bit)"),
                           Dep("libpthread.so.0()(64bit)"), Dep("libdl.so.2()(64bit)"),
                           Dep("rtld(GNU_HASH)")]
        glibc.provides += [Dep(f"libc.so.6(GLIBC_2.{i})(64bit)") for i in range(2, 39)]
        glibc.files += [(f"/usr/lib64/{n}", self._size(10_000, 2_000_000))
                        for n in ("libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2",
                                  "ld-linux-x86-64.so.2")]
        glibc.files.append(("/etc/ld.so.conf-glibc", 28))
        common = self._pkg(glibc.source, "glibc-common", "x86_64", "base",
                           "Common binaries and locale data for glibc")
        common.files += [("/usr/bin/ldd-common", 5000), ("/usr/bin/locale-common", 60_000),
                         ("/usr/bin/iconv-common", 60_000)]
        common.recommends.append(Dep("glibc-minimal-langpack"))
        lang = self._pkg(glibc.source, "glibc-minimal-langpack", "x86_64", "base",
                         "Minimal language packs for glibc")
        lang.files.append(("/usr/share/locale-minimal/C.UTF-8", 3_000_000))
        self.low.add(glibc)

        bash = self._pkg(self._source("bash"), "bash", "x86_64", "base", "The GNU Bourne Again shell")
        bash.files += [("/usr/bin/bash", 1_400_000), ("/bin/sh", 0), ("/bin/bash", 0),
                       ("/etc/skel/.bashrc", 300)]
        bash.provides += [Dep("/bin/sh"), Dep("/bin/bash")]
        cu = self._pkg(self._source("coreutils"), "coreutils", "x86_64", "base",
                       "A set of basic GNU tools commonly used in shell scripts")
        cu.files += [(f"/usr/bin/{t}", self._size(20_000, 200_000)) for t in
                     ("ls", "cp", "mv", "rm", "cat", "chmod", "chown", "ln", "mkdir", "sort", "tr")]
        cu.requires.append(Dep("/bin/sh"))
        cu.conflicts.append(Dep("coreutils-single"))  # realistic; coreutils-single does not exist

        py = self._source("python3.12")
        py.version, py.epoch = "3.12.1", 0
        pylibs = self._pkg(py, "python3-libs", "x86_64", "base", "Python runtime libraries")
        pylibs.provides += [Dep("libpython3.12.so.1.0()(64bit)")]
        pylibs.dirs.append(f"/usr/lib64/python{PYVER}")
        pylibs.files += [(f"/usr/lib64/python{PYVER}/{m}.py", self._size(500, 200_000)) for m in
                         ("os", "re", "json", "abc", "io", "typing", "pathlib", "subprocess")]
        pylibs.files.append(("/usr/lib64/libpython3.12.so.1.0", 4_000_000))
        python = self._pkg(py, "python3", "x86_64", "base", "Python 3.12 interpreter")
        python.provides += [Dep("python(abi)", "EQ", PYVER), Dep("python3.12"),
                            Dep("/usr/bin/python3")]
        python.requires += [pylibs.exact(), Dep("libpython3.12.so.1.0()(64bit)")]
        python.files += [("/usr/bin/python3", 0), (f"/usr/bin/python{PYVER}", 16_000)]

        perl = self._source("perl")
        perl.version, perl.epoch = "5.38.2", 4
        plibs = self._pkg(perl, "perl-libs", "x86_64", "base", "The libraries for the perl run-time")
        plibs.provides += [Dep(f"perl(:MODULE_COMPAT_{PERLVER})"), Dep("libperl.so.5.38()(64bit)"),
                           Dep("perl(strict)"), Dep("perl(warnings)")]
        plibs.files += [("/usr/lib64/libperl.so.5.38", 4_000_000)]
        pint = self._pkg(perl, "perl-interpreter", "x86_64", "base", "Standalone executable Perl interpreter")
        pint.provides += [Dep("/usr/bin/perl"), Dep("perl(:VERSION)", "EQ", PERLVER)]
        pint.requires += [plibs.exact(), Dep("libperl.so.5.38()(64bit)")]
        pint.files += [("/usr/bin/perl", 12_000)]

        ruby = self._pkg(self._source("ruby"), "ruby", "x86_64", "base",
                         "An interpreter of object-oriented scripting language")
        ruby.provides += [Dep("ruby(release)", "EQ", "3.3.0"), Dep("/usr/bin/ruby")]
        ruby.files += [("/usr/bin/ruby", 16_000), ("/usr/lib64/libruby.so.3.3", 3_000_000)]

        pkgconf = self._pkg(self._source("pkgconf"), "pkgconf-pkg-config", "x86_64", "tools",
                            "pkgconf shim to provide /usr/bin/pkg-config")
        pkgconf.provides += [Dep("pkg-config", "EQ", "1.9.5"), Dep("/usr/bin/pkg-config")]
        pkgconf.files += [("/usr/bin/pkg-config", 0), ("/usr/bin/pkgconf", 40_000)]

        # Virtual provides with several providers.
        for name in ("vim-enhanced", "nano", "emacs-nox", "micro", "joe"):
            ed = self._pkg(self._source(name), name, "x86_64", "app", f"The {name} text editor")
            ed.provides += [Dep("editor"), Dep("text-editor")]
            ed.files += [(f"/usr/bin/{name}", self._size(100_000, 3_000_000)),
                         (f"/usr/share/man/man1/{name}.1.gz", 4000)]
            self.editors.append(ed)
        for name in ("postfix", "exim", "opensmtpd", "sendmail", "esmtp"):
            mta = self._pkg(self._source(name), name, "x86_64", "app", f"The {name} mail transport agent")
            mta.provides += [Dep("MTA"), Dep("mail-transport-agent"), Dep("server(smtp)"),
                             Dep("smtpdaemon")]
            mta.requires.append(Dep("/bin/sh"))
            mta.dirs.append(f"/etc/{name}")
            mta.files += [(f"/usr/sbin/sendmail.{name}", self._size(50_000, 900_000)),
                          (f"/etc/{name}/main.cf", 3000), (f"/usr/share/man/man8/{name}.8.gz", 5000)]
            self.mtas.append(mta)
        rng.shuffle(self.editors)

    def _lowlibs(self, n: int) -> None:
        for _ in range(n):
            w = self.word()
            self._lib(self.low, w, f"{self.rng.choice(_ADJ).capitalize()} {self.rng.choice(_NOUN)} "
                      f"{self.rng.choice(_THING)}", low=True)

    def _midlibs(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            w = self.word()
            lib = self._lib(self.mid, w, f"{rng.choice(_ADJ).capitalize()} {rng.choice(_NOUN)} "
                            f"{rng.choice(_THING)}", low=False)
            if rng.random() < 0.15:  # compiled Python binding
                b = self._pkg(lib.source, f"python3-{w}", "x86_64", "binding",
                              f"Python 3 bindings for lib{w}")
                b.requires += [lib.exact(), self.soname_dep(lib), Dep("python(abi)", "EQ", PYVER),
                               Dep("libpython3.12.so.1.0()(64bit)")]
                b.provides.append(Dep(f"python{PYVER}dist({w})", "EQ", lib.version))
                site = f"/usr/lib64/python{PYVER}/site-packages/{w}"
                b.dirs.append(site)
                b.files += [(f"{site}/__init__.py", 400),
                            (f"{site}/_{w}.cpython-312-x86_64-linux-gnu.so", self._size(9000, 900_000))]
                self.pymods.add(b)
            if rng.random() < 0.06:  # Perl XS binding
                mod = w.capitalize()
                b = self._pkg(lib.source, f"perl-{mod}", "x86_64", "binding", f"Perl bindings for lib{w}")
                b.requires += [self.soname_dep(lib), Dep(f"perl(:MODULE_COMPAT_{PERLVER})")]
                b.provides.append(Dep(f"perl({mod})", "EQ", lib.version))
                b.files += [(f"/usr/lib64/perl5/vendor_perl/{mod}.pm", 9000),
                            (f"/usr/lib64/perl5/vendor_perl/auto/{mod}/{mod}.so", 40_000)]
                self.perlmods.add(b)

    def _pymod(self) -> None:
        rng = self.rng
        w = self.word()
        src = self._source(f"python-{w}")
        p = self._pkg(src, f"python3-{w}", "noarch", "pymod", f"Python module for {rng.choice(_NOUN)}")
        p.requires += [Dep("python(abi)", "EQ", PYVER)]
        for dep in self.pymods.pick(rng, rng.choice((0, 1, 1, 2, 3, 4)), len(self.pymods.items)):
            distname = dep.name.removeprefix("python3-")
            if rng.random() < 0.3:
                p.requires.append(Dep(f"python{PYVER}dist({distname})", "GE", dep.version.rsplit(".", 1)[0]))
            else:
                p.requires.append(Dep(f"python{PYVER}dist({distname})"))
        p.provides += [Dep(f"python{PYVER}dist({w})", "EQ", src.version),
                       Dep(f"python3dist({w})", "EQ", src.version)]
        site = f"/usr/lib/python{PYVER}/site-packages/{w}"
        info = f"/usr/lib/python{PYVER}/site-packages/{w}-{src.version}.dist-info"
        p.dirs += [site, f"{site}/__pycache__", info]
        for m in ["__init__"] + [self.word() for _ in range(rng.randint(1, 14))]:
            p.files += [(f"{site}/{m}.py", self._size(200, 60_000)),
                        (f"{site}/__pycache__/{m}.cpython-312.pyc", self._size(200, 60_000))]
        p.files += [(f"{info}/METADATA", 1500)]
        if rng.random() < 0.25:
            p.files.append((f"/usr/bin/{w}", 400))
            p.requires.append(Dep("/usr/bin/python3"))
        self.pymods.add(p)

    def _perlmod(self) -> None:
        rng = self.rng
        a, b = self.word().capitalize(), self.word().capitalize()
        src = self._source(f"perl-{a}-{b}")
        p = self._pkg(src, f"perl-{a}-{b}", "noarch", "perlmod", f"Perl module {a}::{b}")
        p.requires += [Dep(f"perl(:MODULE_COMPAT_{PERLVER})"), Dep("perl(strict)"), Dep("perl(warnings)")]
        for dep in self.perlmods.pick(rng, rng.choice((0, 1, 2, 3)), len(self.perlmods.items)):
            p.requires.append(Dep(next(d.name for d in dep.provides if d.name.startswith("perl("))))
        p.provides.append(Dep(f"perl({a}::{b})", "EQ", src.version))
        base = f"/usr/share/perl5/vendor_perl/{a}"
        p.dirs.append(base)
        p.files += [(f"{base}/{b}.pm", self._size(2000, 90_000)),
                    (f"/usr/share/man/man3/{a}::{b}.3pm.gz", self._size(900, 20_000))]
        self._doc(p, 1)
        self.perlmods.add(p)

    def _gem(self) -> None:
        rng = self.rng
        w = self.word()
        src = self._source(f"rubygem-{w}")
        p = self._pkg(src, f"rubygem-{w}", "noarch", "gem", f"Ruby gem for {rng.choice(_NOUN)}")
        p.requires.append(Dep("ruby(release)"))
        for dep in self.gems.pick(rng, rng.choice((0, 1, 1, 2)), len(self.gems.items)):
            p.requires.append(Dep(f"rubygem({dep.name.removeprefix('rubygem-')})"))
        p.provides.append(Dep(f"rubygem({w})", "EQ", src.version))
        base = f"/usr/share/gems/gems/{w}-{src.version}"
        p.dirs += [base, f"{base}/lib"]
        p.files += [(f"{base}/lib/{self.word()}.rb", self._size(300, 40_000))
                    for _ in range(rng.randint(1, 10))]
        p.files.append((f"/usr/share/gems/specifications/{w}-{src.version}.gemspec", 1200))
        self.gems.add(p)

    def _app(self) -> None:
        rng = self.rng
        w = self.word()
        src = self._source(w)
        noarch = rng.random() < 0.25
        app = self._pkg(src, w, "noarch" if noarch else "x86_64", "app",
                        f"{rng.choice(_ADJ).capitalize()} {rng.choice(_APPS)} for {rng.choice(_NOUN)}")
        index = len(self.apps.items)
        if noarch:
            app.requires.append(Dep("/usr/bin/python3"))
            for dep in self.pymods.pick(rng, rng.randint(1, 5)):
                app.requires.append(Dep(f"python{PYVER}dist({dep.name.removeprefix('python3-')})"))
            app.files.append((f"/usr/bin/{w}", 800))
            site = f"/usr/lib/python{PYVER}/site-packages/{w}_app"
            app.dirs.append(site)
            app.files += [(f"{site}/{self.word()}.py", self._size(300, 80_000))
                          for _ in range(rng.randint(2, 20))]
        else:
            for lib in self.low.pick(rng, rng.randint(1, 4)) + self.mid.pick(rng, rng.randint(0, 6)):
                if rng.random() < 0.2:
                    major, minor = lib.version.split(".")[:2]
                    app.requires.append(Dep(lib.name, "GE", f"{major}.{minor}"))
                app.requires.append(self.soname_dep(lib))
            app.files += [(f"/usr/bin/{w}", self._size(10_000, 4_000_000))]
            app.files += [(f"/usr/libexec/{w}/{self.word()}", self._size(2000, 300_000))
                          for _ in range(rng.randint(0, 4))]
            if len(app.files) > 1:
                app.dirs.append(f"/usr/libexec/{w}")
        if rng.random() < 0.2:
            app.requires.append(Dep("/bin/sh"))
            app.files.append((f"/usr/bin/{w}-wrapper", 300))
        if rng.random() < 0.02:
            app.requires.append(Dep("editor"))
        if rng.random() < 0.01:
            app.requires.append(Dep("mail-transport-agent"))
        if rng.random() < 0.3:
            app.dirs.append(f"/etc/{w}")
            app.files.append((f"/etc/{w}/{w}.conf", self._size(100, 9000)))
        app.files.append((f"/usr/share/man/man1/{w}.1.gz", self._size(400, 20_000)))
        self._doc(app)
        for dep in self.apps.pick(rng, rng.choice((0, 0, 0, 1, 2)), index):
            app.recommends.append(Dep(dep.name))
        if rng.random() < 0.05:
            app.recommends.append(Dep("text-editor"))
        self.apps.add(app)
        if rng.random() < 0.3:
            data = self._pkg(src, f"{w}-data", "noarch", "data", f"Architecture-independent data for {w}")
            base = f"/usr/share/{w}"
            data.dirs += [base] + [f"{base}/{d}" for d in ("icons", "themes", "locale")[: rng.randint(1, 3)]]
            data.files += [(f"{rng.choice(data.dirs)}/{self.word()}.{rng.choice(('png', 'svg', 'json', 'mo'))}",
                            self._size(100, 200_000)) for _ in range(rng.randint(3, 40))]
            app.requires.append(Dep(data.name, "EQ", src.version, src.release, src.epoch))
        if rng.random() < 0.2:
            doc = self._pkg(src, f"{w}-doc", "noarch", "doc", f"Documentation for {w}")
            base = f"/usr/share/doc/{w}-doc"
            doc.dirs.append(base)
            doc.files += [(f"{base}/{self.word()}.html", self._size(500, 60_000))
                          for _ in range(rng.randint(3, 30))]
            doc.requires.append(Dep(w))
            app.suggests.append(Dep(doc.name))
        if not noarch and rng.random() < 0.08:
            devel = self._pkg(src, f"{w}-devel", "x86_64", "devel", f"Plugin development files for {w}")
            devel.requires.append(app.exact())
            devel.dirs.append(f"/usr/include/{w}")
            devel.files += [(f"/usr/include/{w}/{self.word()}.h", self._size(300, 30_000))
                            for _ in range(rng.randint(1, 8))]

    def _build(self, target: int) -> None:
        rng = self.rng
        self.word.used.update(("filesystem", "setup", "glibc", "bash", "coreutils", "python3", "perl",
                               "ruby", "pkgconf", "nano", "micro", "joe", "exim", "esmtp",
                               "postfix", "sendmail", "opensmtpd"))
        self._anchors()
        self._lowlibs(max(60, round(target * 0.015)))
        self._midlibs(max(100, round(target * 0.11)))
        for _ in range(round(target * 0.10)):
            self._pymod()
        for _ in range(round(target * 0.05)):
            self._perlmod()
        for _ in range(round(target * 0.03)):
            self._gem()
        while len(self.packages) < target:
            self._app()
        # Sizes of owned directories are not files; give symlinks (size 0) a tiny real size.
        for pkg in self.packages:
            pkg.files = [(p, s or rng.randint(8, 40)) for p, s in pkg.files]
            for attr in ("provides", "requires", "recommends", "suggests"):
                setattr(pkg, attr, list(dict.fromkeys(getattr(pkg, attr))))
        names = [p.name for p in self.packages]
        assert len(names) == len(set(names)), "duplicate package names"

    def finish(self, closure: set[str]) -> None:
        """Add Obsoletes/Conflicts, but only among packages outside `closure`.

        Why afterwards: they must never make the scale-core closure unsolvable, so they are
        placed once that closure is known, and they touch no name inside it.
        """
        rng = random.Random(len(self.packages) * 7919 + len(closure))
        outside = [p for p in self.packages if p.name not in closure and p.kind == "app"]
        names = {p.name for p in self.packages}
        for pkg in rng.sample(outside, min(len(outside), max(1, len(self.packages) // 100))):
            old = f"{pkg.name}-legacy"
            if old not in names:  # a rename: obsolete and provide the old name
                pkg.obsoletes.append(Dep(old, "LT", pkg.version, epoch=pkg.epoch))
                pkg.provides.append(Dep(old, "EQ", pkg.version, pkg.release, pkg.epoch))
        pool = [p for p in outside if not p.obsoletes]
        for _ in range(max(1, len(self.packages) // 200)):
            a, b = rng.sample(pool, 2)
            a.conflicts.append(Dep(b.name, "LT", "99"))
            # Whole sources: a's -doc/-devel require a by name, so they are tainted too.
            self.conflicting.update(p.name for p in a.source.packages + b.source.packages)
