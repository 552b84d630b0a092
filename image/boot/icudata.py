"""An empty stand-in for ICU's data library in stage2.

libicudata is 31 MB (7.5 MB of the xz squashfs), and on a network boot the whole
squashfs stays in RAM. In stage2 only libxml2 links ICU (libicuuc), and libxml2 asks ICU
only for a legacy character set that iconv does not know; repository metadata and comps
are UTF-8. So stage2 keeps libicuuc and gets a data library that exports the one symbol
libicuuc needs to load, `icudtNN_dat`, holding no data: should ICU ever be asked for a
converter, it fails with an error code (the data has no valid header) instead of crashing.

Built with gcc and no C library (`-nostdlib`): binutils and gcc are the only tools needed.
"""
from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

LIBDIR = "usr/lib/x86_64-linux-gnu"
#: A zeroed block in place of ICU's common data: too short and with no magic bytes, so
#: ICU's own header check rejects it (U_INVALID_FORMAT_ERROR).
SOURCE = "const unsigned char {symbol}[64] __attribute__((aligned(16))) = {{0}};\n"


class IcuStubError(RuntimeError):
    pass


def real_library(tree: Path) -> Path | None:
    """libicudata.so.MAJOR.MINOR in the tree, or None when there is no ICU."""
    found = sorted(p for p in (tree / LIBDIR).glob("libicudata.so.*.*") if not p.is_symlink())
    return found[-1] if found else None


def major_version(library: Path) -> str:
    match = re.fullmatch(r"libicudata\.so\.(\d+)\.\d+", library.name)
    if not match:
        raise IcuStubError(f"unexpected ICU data library name {library.name}")
    return match.group(1)


def replace_with_stub(tree: Path) -> int:
    """Swap the tree's libicudata for the empty one; returns the bytes saved (0: no ICU)."""
    library = real_library(tree)
    if library is None:
        return 0
    major = major_version(library)
    before = library.stat().st_size
    with tempfile.TemporaryDirectory(prefix="icudata-") as tmp:
        source = Path(tmp) / "icudata.c"
        source.write_text(SOURCE.format(symbol=f"icudt{major}_dat"))
        built = Path(tmp) / library.name
        result = subprocess.run(["gcc", "-shared", "-nostdlib", "-fPIC", "-O2",
                                 f"-Wl,-soname,libicudata.so.{major}", "-o", str(built), str(source)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise IcuStubError(f"gcc could not build the ICU data stand-in: {result.stderr.strip()[-500:]}")
        library.write_bytes(built.read_bytes())
    return before - library.stat().st_size
