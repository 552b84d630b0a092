"""The stage2 runtime: a squashfs of Debian's packages (mmdebstrap) plus the pinned PyPI
packages, pruned, and `/.buildstamp` as Anaconda's images carry it. Cached by a hash of
what it is built from; the project's own code is not in it (see updates.py), so a code
change does not rebuild it."""
from __future__ import annotations

import platform
import re
import shutil
import subprocess
import time
from pathlib import Path

from image.boot import icudata
from image.boot.cache import cached, key_of, log

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGES = HERE / "stage2-packages.txt"
#: urwid 5 needs typing_extensions >= 4.5 (Debian 12 has 4.4) and wcwidth >= 0.4, so both
#: come pinned from PyPI and replace Debian's copies (--upgrade).
PYPI = ("blivet", "pykickstart", "langtable", "urwid", "typing_extensions", "wcwidth")
SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
#: The product the image names in /.buildstamp (public `%post --nochroot` scripts copy
#: that file into the installed system, or read Product= and Version= from it).
PRODUCT = "anaconda-lean"
#: Empty: the project has no public bug tracker to name yet (the key is kept, as scripts
#: that parse the file expect it).
BUG_URL = ""

#: Paths dropped from the runtime: documentation, other languages, package managers'
#: caches and what only the package build needed.
PRUNE = ["usr/share/doc", "usr/share/man", "usr/share/info", "usr/share/locale",
         "usr/share/lintian", "usr/share/bash-completion", "usr/share/zsh", "var/cache/apt",
         "var/lib/apt/lists", "var/cache/debconf/*-old", "var/log/*", "usr/share/perl",
         "usr/lib/x86_64-linux-gnu/perl", "usr/share/gtk-doc", "usr/share/common-licenses",
         "usr/lib/python3/dist-packages/*/tests", "usr/lib/python3.11/test",
         "usr/lib/python3.11/idlelib", "usr/lib/python3.11/tkinter", "usr/lib/python3.11/ensurepip",
         "usr/lib/python3.11/lib2to3", "usr/lib/python3.11/pydoc_data",
         # udev's hardware database only names vendors; libmagic's data serves rpmbuild
         "usr/lib/udev/hwdb.bin", "usr/lib/udev/hwdb.d", "usr/lib/file",
         "usr/share/misc/magic*",
         # perl (Essential in Debian) only runs maintainer scripts, which are done
         "usr/bin/perl*", "usr/lib/x86_64-linux-gnu/perl-base", "usr/lib/x86_64-linux-gnu/libperl*",
         "var/lib/dpkg/info", "var/lib/apt", "var/cache/debconf",
         # tzdata serves the time spoke's region and city lists; "right/" (leap seconds)
         # and "posix/" are copies of the same zones
         "usr/share/zoneinfo/right", "usr/share/zoneinfo/posix",
         # keyboards: only the keymaps loadkeys reads and the layout list the spoke shows
         "usr/share/consolefonts", "usr/share/consoletrans", "usr/share/keymaps/mac",
         "usr/share/keymaps/sun", "usr/share/keymaps/atari", "usr/share/keymaps/amiga",
         "usr/share/X11/xkb/[!r]*", "usr/share/X11/xkb/rules/[!e]*",
         "usr/share/X11/xkb/rules/evdev", "usr/share/X11/xkb/rules/evdev.*xml",
         # dropbear-bin: only the server and dropbearkey (host keys) run here
         "usr/bin/dbclient", "usr/bin/dropbearconvert", "usr/lib/dropbear",
         # on a network boot all of stage2 stays in RAM, so tools no install step runs go:
         # xfs_scrub (the only user of ICU's i18n library), btrfs' repair and conversion
         # tools, GnuPG's S/MIME, key-server and mail tools (rpm and dnf need gpg, gpgv,
         # gpg-agent and gpgconf), iproute2's traffic-control and RDMA tools, localedef
         # (the target makes its own locales), pzstd, the ICU libraries only ICU's tools use
         "usr/sbin/xfs_scrub*", "usr/lib/x86_64-linux-gnu/libicui18n.so*",
         "usr/lib/x86_64-linux-gnu/libicuio.so*", "usr/lib/x86_64-linux-gnu/libicutu.so*",
         "usr/lib/x86_64-linux-gnu/libicutest.so*",
         "usr/bin/btrfs-convert", "usr/bin/btrfs-image", "usr/bin/btrfs-find-root",
         "usr/bin/btrfs-map-logical", "usr/bin/btrfs-select-super",
         "usr/bin/gpgcompose", "usr/bin/gpgsm", "usr/bin/dirmngr*", "usr/bin/gpg-wks-server",
         "usr/lib/gnupg/gpg-wks-client", "usr/lib/gnupg/dirmngr_ldap", "usr/bin/gpgtar",
         "usr/bin/gpg-zip", "usr/bin/migrate-pubring-from-classic-gpg", "usr/bin/kbxutil", "usr/bin/gpgsplit",
         "usr/bin/gpgparsemail", "usr/bin/watchgnupg",
         "usr/sbin/tc", "usr/sbin/devlink", "usr/sbin/tipc", "usr/sbin/bridge", "usr/sbin/dcb",
         "usr/bin/rdma", "usr/sbin/rdma", "usr/bin/localedef", "usr/bin/pzstd",
         "usr/lib/python3/dist-packages/hawkey/test", "usr/lib/python3/dist-packages/pygtkcompat"]
#: glibc charset converters kept (the rest are for legacy encodings nobody installs with)
GCONV_KEEP = ("gconv-modules", "gconv-modules.cache", "UTF-16.so", "UTF-32.so", "UTF-7.so",
              "UNICODE.so", "ISO8859-1.so", "ISO8859-15.so", "libGB.so")


def debian_packages() -> list[str]:
    return [l.strip() for l in PACKAGES.read_text().splitlines() if l.strip() and not l.startswith("#")]


def pypi_pins() -> list[str]:
    """The same pins as the venv (requirements.txt), so host tests and guests agree."""
    pins = []
    for line in (REPO / "requirements.txt").read_text().splitlines():
        name = re.split(r"[=<>]", line.strip())[0]
        if name in PYPI:
            pins.append(line.strip())
    return pins


def candidate_versions(packages: list[str]) -> str:
    """What apt would install today: part of the cache key, so an update rebuilds."""
    out = subprocess.run(["apt-cache", "policy", *packages], capture_output=True, text=True,
                         check=True).stdout
    return "\n".join(re.findall(r"^\S+:$|Candidate: \S+", out, re.M))


def _prune(tree: Path) -> None:
    for pattern in PRUNE:
        for path in tree.glob(pattern):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    for gconv in (tree / "usr/lib/x86_64-linux-gnu/gconv").glob("*"):
        if gconv.name not in GCONV_KEEP and gconv.is_file():
            gconv.unlink()


def build_tree(tree: Path) -> None:
    packages = debian_packages()
    log(f"stage2: mmdebstrap of {len(packages)} packages (about a minute)")
    excludes = [f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("man", "doc", "locale", "info")]
    subprocess.run(["mmdebstrap", "--quiet", "--variant=essential", "--include=" + ",".join(packages),
                    *excludes, "bookworm", str(tree), str(SOURCES)], check=True)
    log("stage2: pinned PyPI packages")
    pip = subprocess.run(["/usr/bin/python3", "-m", "pip", "install", "--quiet", "--no-deps", "--upgrade",
                          "--disable-pip-version-check", "--no-warn-script-location",
                          "--target", str(tree / "usr/lib/python3/dist-packages"), *pypi_pins()],
                         capture_output=True, text=True)
    if pip.returncode != 0:
        raise RuntimeError(f"pip install into stage2 failed:\n{pip.stderr[-3000:]}")
    _prune(tree)
    saved = icudata.replace_with_stub(tree)
    log(f"stage2: ICU's data library replaced by an empty one ({saved // 1000000} MB less)")
    subprocess.run(["chroot", str(tree), "python3", "-m", "compileall", "-q", "-j", "2",
                    "/usr/lib/python3/dist-packages", "/usr/lib/python3.11"],
                   check=False, capture_output=True)
    (tree / "etc/hostname").write_text("anaconda\n")
    write_buildstamp(tree)


def installer_version() -> str:
    """__version__ of the installer package, read without importing it."""
    text = (REPO / "installer/__init__.py").read_text()
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def buildstamp(version: str, when: float, arch: str) -> str:
    """The [Main] keys Anaconda's images have in /.buildstamp (lorax writes them; its
    [Compose] section names the lorax version, and no lorax builds this image); UUID is
    the build time (UTC) and the architecture, as there; a pre-release is not final."""
    stamp = time.strftime("%Y%m%d%H%M", time.gmtime(when))
    final = not re.search(r"(dev|a|b|rc)\d*$", version)
    return (f"[Main]\nProduct={PRODUCT}\nVersion={version}\nBugURL={BUG_URL}\n"
            f"IsFinal={final}\nUUID={stamp}.{arch}\n")


def write_buildstamp(tree: Path) -> None:
    text = buildstamp(installer_version(), time.time(), platform.machine())
    (tree / ".buildstamp").write_text(text)
    (tree / ".buildstamp").chmod(0o644)
    log(f"stage2: /.buildstamp ({text.splitlines()[1]}, {text.splitlines()[2]})")


def ensure_stage2() -> Path:
    """`install.img`: the base runtime squashfs, zstd in 128 KiB blocks.

    Its code is paged in from the squashfs, and on a small machine paged in again and
    again as memory runs short, so the cost of one page fault sets how fast a thrashing
    install goes. A fault decompresses the whole block the page is in: xz in 1 MiB
    blocks (the smallest image, 51 MB) costs 6 ms per cold 4 KiB read on the host and
    fills 256 page-cache pages; zstd-19 in 128 KiB blocks costs 0.2 ms and fills 32,
    for 63 MB (bench/squashfs_faults.py measures both). 128 KiB is also the kernel's
    read-around window for a fault, so no block is read for pages nobody asked for."""
    def build(work: Path) -> None:
        tree = work / "tree"
        build_tree(tree)
        log("stage2: mksquashfs")
        subprocess.run(["mksquashfs", str(tree), str(work / "install.img"), "-comp", "zstd",
                        "-Xcompression-level", "19", "-b", "128K", "-noappend", "-quiet", "-no-progress",
                        "-processors", "2"], check=True)
        shutil.rmtree(tree)

    key = key_of([PACKAGES, Path(__file__), Path(icudata.__file__), REPO / "requirements.txt",
                  candidate_versions(debian_packages()), installer_version()])
    return cached("stage2", key, build) / "install.img"
