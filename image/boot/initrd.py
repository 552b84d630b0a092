"""The initrd: static busybox, the kernel modules the installer needs, and one `init`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from image.boot.cache import cached, key_of, log
from image.boot.kernel import Kernel
from image.boot.shutdownenv import ARCHIVE_NAME, SCRIPT, build_archive

HERE = Path(__file__).resolve().parent
BUSYBOX = Path("/bin/busybox")  # Debian's busybox-static
INPUTS = [HERE / "init", HERE / "udhcpc.script", HERE / "initrd-modules.txt", Path(__file__),
          SCRIPT, HERE / "shutdownenv.py"]


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


def ensure_initrd(kernel: Kernel) -> Path:
    """`initrd.img` (zstd cpio), cached by kernel, busybox and the files above."""
    def build(work: Path) -> None:
        tree = work / "tree"
        for d in ("bin", "dev", "proc", "sys", "run", "sysroot", "etc", "tmp"):
            (tree / d).mkdir(parents=True)
        shutil.copy2(BUSYBOX, tree / "bin/busybox")
        shutil.copy2(HERE / "init", tree / "init")
        shutil.copy2(HERE / "udhcpc.script", tree / "etc/udhcpc.script")
        modules, builtin = module_closure(kernel, wanted_modules())
        dest = tree / "lib/modules" / kernel.version
        for rel in modules:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(kernel.modules / rel, dest / rel)
        for meta in ("modules.builtin", "modules.builtin.modinfo", "modules.order"):
            shutil.copy2(kernel.modules / meta, dest / meta)
        subprocess.run(["depmod", "-b", str(tree), kernel.version], check=True)
        (tree / "etc/modules").write_text("\n".join(wanted_modules()) + "\n")
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
