"""The "Installing the live image" task: kickstart `liveimg` instead of packages.

Anaconda's semantics: the image (a tarball, or a squashfs/ext4/xfs/ISO image, a squashfs
holding LiveOS/rootfs.img included) is fetched (`--proxy`, `--noverifyssl`, else
inst.proxy/inst.noverifyssl), checked against `--checksum` (sha256) and unpacked or copied
into the target root; the rest of the queue (fstab, configuration, users, the initramfs
for the image's kernels, the boot loader, %post) then runs as after packages. `%packages`
and `repo` lines are not used and say so. A download goes to the target root (not RAM)
and is removed afterwards.
"""
from __future__ import annotations

import logging
from pathlib import Path

from installer.credentials import without_url_passwords
from installer.errors import PayloadError
from installer.payload_request import proxy_for
from installer.sources import SourceMounts
from installer.tasks import Progress
from payload.liveimg import (LiveImage, LiveImageError, copy_tree, fetch, kernels, kind_of,
                             unpack_tar, verify)

log = logging.getLogger("anaconda.payload")

#: The download's name in the target root while it is installed from.
DOWNLOAD = ".anaconda-liveimg"
#: LiveOS images inside an image, most wanted first (Fedora's live media).
LIVEOS_NAMES = ("rootfs.img", "squashfs.img", "ext3fs.img")


def where_of(run, name: str = "liveimg") -> str:
    for seen in reversed(run.loaded.commands_seen):
        if seen.name == name:
            return str(seen.location)
    return f"kickstart line {getattr(run.handler, name).lineno}"


def describe(handler) -> str:
    """--dry-run's line: what would be installed instead of packages."""
    command = handler.liveimg
    check = "sha256 checked" if command.checksum else "no --checksum"
    return f"Live image instead of packages: {without_url_passwords(command.url or '')} ({check})"


def unused_lines(handler) -> list[str]:
    """Warnings for what a live image install leaves unused (Anaconda ignores them too)."""
    found = []
    if handler.packages.seen:
        found.append("%packages is ignored with liveimg: the image is installed as it is")
    if handler.repo.repoList:
        found.append("repo lines are not used with liveimg: the image brings its software")
    return found


def image_of(run) -> LiveImage:
    command, options = run.handler.liveimg, run.options
    return LiveImage(command.url or "", command.checksum or "", proxy_for(command.proxy or "", options),
                     sslverify=not (command.noverifyssl or options.noverifyssl))


def liveimg_task(run):
    def task(progress: Progress) -> None:
        where = where_of(run)
        for warning in unused_lines(run.handler):
            text = f"{where}: {warning}"
            if not any(warning in seen for seen in run.loaded.warnings):  # not told at load
                log.warning("%s", text)
                run.frontend.warning(text)
        if run.options.repo is not None:
            log.info("inst.repo=%s is not used: the kickstart's liveimg (%s) is the source",
                     run.options.repo, where)
        image = image_of(run)
        shown = f"liveimg --url={without_url_passwords(image.url)}"
        try:
            install_image(image, run.target_root, progress)
        except LiveImageError as exc:
            raise PayloadError(f"{where}: {shown}: {exc.message}") from None
    return task


def install_image(image: LiveImage, root: Path, progress: Progress) -> None:
    """Fetch, check and install; the download is removed whatever happens."""
    root.mkdir(parents=True, exist_ok=True)
    download = root / DOWNLOAD
    fetch_share = 0.0 if image.is_local else 0.3
    try:
        path = fetch(image, download, lambda m, d: progress.step(m, fetch_share * d))
        if image.checksum:
            verify(path, image.checksum, lambda m, d: progress.step(m, fetch_share + 0.1 * d))
        else:
            log.warning("liveimg has no --checksum: the image is not verified")
        kind = kind_of(path, image.url.rsplit("/", 1)[-1])
        log.info("Live image %s: %s, %.1f MiB", path, kind.what, path.stat().st_size / 2**20)
        start = fetch_share + 0.1

        def step(message: str, done: float) -> None:
            progress.step(message, start + (1 - start) * done)
        if kind.tar:
            unpack_tar(path, kind, root, step)
        else:
            _copy_image(path, root, step)
    finally:
        download.unlink(missing_ok=True)
    found = kernels(root)
    log.info("Kernels from the image: %s", ", ".join(found) or "none")
    progress.step(f"Live image installed ({'kernel ' + ', '.join(found) if found else 'no kernel'})", 1.0)


def _copy_image(path: Path, root: Path, step) -> None:
    with SourceMounts() as mounts:
        try:
            tree = mounts.mount_image(path)
        except PayloadError as exc:
            raise LiveImageError(exc.message) from None
        for _ in range(3):  # a squashfs with LiveOS/rootfs.img (with LiveOS/... in turn)
            inner = liveos_image(tree)
            if inner is None:
                break
            log.info("The image holds %s; installing from that", inner.relative_to(tree))
            tree = mounts.mount_image(inner)
        step("Copying the image", 0.0)
        copy_tree(tree, root, step)


def liveos_image(tree: Path) -> Path | None:
    """LiveOS/rootfs.img (or another LiveOS/*.img) inside a mounted image, as Anaconda
    installs from the first one it finds."""
    liveos = tree / "LiveOS"
    if not liveos.is_dir():
        return None
    def rank(image: Path) -> tuple[int, str]:
        known = image.name in LIVEOS_NAMES
        return (LIVEOS_NAMES.index(image.name) if known else len(LIVEOS_NAMES), image.name)
    images = sorted(liveos.glob("*.img"), key=rank)
    return images[0] if images else None
