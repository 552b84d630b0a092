"""The code layer (`updates.img`, a gzip cpio that busybox can read): the project's own code, data and stage2 init, laid
over the stage2 runtime by the initrd, as Anaconda's inst.updates= does. Seconds to
rebuild, so a code change never rebuilds the runtime."""
from __future__ import annotations

import compileall
import shutil
import subprocess
from pathlib import Path

from image.boot.cache import cached, key_of, log

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGES = ("installer", "spokes", "storage", "payload")
LAUNCHER = "#!/usr/bin/python3\nimport sys\nfrom installer.main import main\nsys.exit(main())\n"


def inputs() -> list[Path]:
    files = [REPO / "data", HERE / "stage2-init", Path(__file__)]
    for package in PACKAGES:
        files += sorted((REPO / package).rglob("*.py"))
    files += sorted(p for p in (REPO / "data").rglob("*") if p.is_file())
    return [f for f in files if f.is_file()]


def ensure_updates() -> Path:
    def build(work: Path) -> None:
        tree = work / "tree"
        site = tree / "usr/lib/python3/dist-packages"
        for package in PACKAGES:
            shutil.copytree(REPO / package, site / package,
                            ignore=shutil.ignore_patterns("__pycache__"))
        compileall.compile_dir(str(site), quiet=1, ddir="/usr/lib/python3/dist-packages")
        shutil.copytree(REPO / "data", tree / "usr/share/anaconda-lean")
        (tree / "usr/bin").mkdir(parents=True)
        (tree / "usr/bin/anaconda").write_text(LAUNCHER)
        (tree / "usr/bin/anaconda").chmod(0o755)
        (tree / "usr/lib/anaconda-lean").mkdir(parents=True)
        shutil.copy2(HERE / "stage2-init", tree / "usr/lib/anaconda-lean/stage2-init")
        (tree / "etc").mkdir()
        (tree / "etc/anaconda-image").write_text("anaconda-lean installer image\n")
        with open(work / "updates.img", "wb") as out:
            cpio = subprocess.Popen("find . | sort | cpio -o -H newc -R 0:0 --quiet", shell=True,
                                    cwd=tree, stdout=subprocess.PIPE)
            subprocess.run(["gzip", "-9", "-n"], stdin=cpio.stdout, stdout=out, check=True)
            if cpio.wait() != 0:
                raise RuntimeError("cpio failed")
        shutil.rmtree(tree)
        log(f"updates.img: {(work / 'updates.img').stat().st_size // 1024} KiB")

    key = key_of([str(p.relative_to(REPO)).encode() + p.read_bytes() for p in inputs()])
    return cached("updates", key, build, keep=3) / "updates.img"
