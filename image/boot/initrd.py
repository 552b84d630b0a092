"""The initrd: static busybox, the kernel modules the installer needs, and one `init`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from image.boot import httpblk
from image.boot.cache import cached, key_of, log
from image.boot.kernel import Kernel
from image.boot.shutdownenv import ARCHIVE_NAME, SCRIPT, build_archive

HERE = Path(__file__).resolve().parent
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static
#: inst.mediacheck: isomd5sum's checker (dynamically linked: its libraries come along)
CHECKISOMD5 = Path("/usr/bin/checkisomd5")
INPUTS = [HERE / "init", HERE / "udhcpc.script", HERE / "initrd-modules.txt", Path(__file__),
          SCRIPT, HERE / "shutdownenv.py", HERE / "mediacheck", CHECKISOMD5, httpblk.SOURCE,
          Path(httpblk.__file__)]
#: In the initrd but not loaded at boot (/etc/modules): loaded when needed, each a few
#: hundred KiB to 4 MiB of kernel memory for the whole install otherwise (raid456 and
#: btrfs also run their xor/raid6 benchmarks at load, seconds under TCG). The init loads
#: nbd (http stage2), bonding, 8021q and bridge (bond=, vlan=, bridge=) itself; the kernel
#: asks modprobe (busybox's in the init, kmod's in stage2, both read modules.alias) for
#: fs-TYPE at mount, md-level-N when an array starts, dm-TARGET at a table's first load
#: and rtnl-link-KIND when the installer creates a bond, VLAN or bridge.
ON_DEMAND = {"nbd", "xfs", "btrfs", "vfat", "erofs", "nfs", "nfsv3", "nfsv4",
             "raid0", "raid1", "raid10", "raid456", "dm_raid", "dm_thin_pool", "dm_snapshot",
             "dm_mirror", "bonding", "8021q", "bridge"}


def wanted_modules() -> list[str]:
    lines = (HERE / "initrd-modules.txt").read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.startswith("#")]


def module_closure(kernel: Kernel, names: list[str]) -> tuple[list[str], list[str]]:
    """Relative paths of the modules and their dependencies; names that are built in."""
    deps: dict[str, list[str]] = {}
    by_name: dict[str, str] = {}
    for line in (kernel.modules / "modules.dep").read_text().splitlines():
        path, _, rest = line.partition(":")
        deps[path] = rest.split()
        by_name[Path(path).name.split(".ko")[0].replace("-", "_")] = path
    builtin = {Path(l).name.split(".ko")[0].replace("-", "_")
               for l in (kernel.modules / "modules.builtin").read_text().split()}
    chosen: set[str] = set()
    missing, inbuilt = [], []
    for name in names:
        key = name.replace("-", "_")
        if key in by_name:
            todo = [by_name[key]]
            while todo:
                path = todo.pop()
                if path not in chosen:
                    chosen.add(path)
                    todo += deps[path]
        elif key in builtin:
            inbuilt.append(name)
        else:
            missing.append(name)
    if missing:
        raise RuntimeError(f"kernel {kernel.version} has no modules {missing}")
    return sorted(chosen), inbuilt


def compress_modules(tree: Path) -> None:
    """Every .ko as .ko.xz (crc32, as the kernel's own module compression writes it).
    The unpacked initramfs is RAM until switch_root: compressed, its 29 MB of modules
    take 8, and they stay so in stage2 (busybox's modprobe and stage2's kmod both read
    xz; the kernel's in-kernel decompression is off in Debian's config)."""
    modules = sorted(str(p) for p in tree.rglob("*.ko"))
    if modules:
        subprocess.run(["xz", "--check=crc32", "-q", "-T2", *modules], check=True)


def copy_program(program: Path, tree: Path) -> None:
    """A dynamically linked program and the libraries (and loader) ldd names, into tree."""
    listed = subprocess.run(["ldd", str(program)], capture_output=True, text=True, check=True)
    paths = [str(program)] + [word for line in listed.stdout.splitlines()
                              for word in line.split() if word.startswith("/")]
    for path in paths:
        dest = tree / path.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(path).resolve(), dest)


def ensure_initrd(kernel: Kernel) -> Path:
    """`initrd.img` (zstd cpio), cached by kernel, busybox and the files above."""
    def build(work: Path) -> None:
        tree = work / "tree"
        for d in ("bin", "dev", "proc", "sys", "run", "sysroot", "etc", "tmp"):
            (tree / d).mkdir(parents=True)
        shutil.copy2(BUSYBOX, tree / "bin/busybox")
        shutil.copy2(HERE / "init", tree / "init")
        shutil.copy2(HERE / "udhcpc.script", tree / "etc/udhcpc.script")
        shutil.copy2(HERE / "mediacheck", tree / "bin/mediacheck")
        copy_program(CHECKISOMD5, tree)
        httpblk.build(tree / "bin/httpblk")
        modules, builtin = module_closure(kernel, wanted_modules())
        dest = tree / "lib/modules" / kernel.version
        for rel in modules:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kernel.modules / rel, dest / rel)
        for meta in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
            shutil.copy2(kernel.modules / meta, dest / meta)
        compress_modules(dest)
        subprocess.run(["depmod", "-b", str(tree), kernel.version], check=True)
        (tree / "etc/modules").write_text(
            "\n".join(m for m in wanted_modules() if m not in ON_DEMAND) + "\n")
        unpacked, packed = build_archive(work, tree / ARCHIVE_NAME)
        log(f"initrd: shutdown environment {packed} bytes as xz cpio ({unpacked} unpacked)")
        log(f"initrd: {len(modules)} modules ({len(builtin)} wanted ones are built in)")
        with open(work / "initrd.img", "wb") as out:
            cpio = subprocess.Popen("find . | sort | cpio -o -H newc -R 0:0 --quiet", shell=True,
                                    cwd=tree, stdout=subprocess.PIPE)
            subprocess.run(["zstd", "-q", "-10", "-T2"], stdin=cpio.stdout, stdout=out, check=True)
            if cpio.wait() != 0:
                raise RuntimeError("cpio failed")
        shutil.rmtree(tree)

    key = key_of([kernel.version, BUSYBOX.read_bytes(), *INPUTS])
    return cached("initrd", key, build) / "initrd.img"
