"""`liveimg` end to end on the host: an image made once from the bundled test repository
(a `--dirinstall` of the shadow tools, marked files added), packed as a tar.gz, a
squashfs and a squashfs holding LiveOS/rootfs.img (ext4), then installed with
`--dirinstall` from file:// and http:// URLs; the image's files, owners, hard links and
xattrs must arrive, and the configuration (hostname, users) be applied on top."""
from __future__ import annotations

import hashlib
import http.server
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from image.testrepo.build import ensure_repo
from tests.conftest import ANACONDA, REPO

pytestmark = pytest.mark.host

BASE_KS = """lang en_US.UTF-8
timezone Etc/UTC
rootpw --lock
%packages --nocore
passwd
anaconda-test-setup
%end
"""
LIVE_KS = """lang en_US.UTF-8
timezone Etc/UTC
rootpw --lock
network --hostname=live.example.test
user --name=alice --password=Alice-Plain-1 --plaintext
{liveimg}
%packages
vim
%end
"""


@dataclass
class Images:
    tree: Path
    tar_gz: Path
    squashfs: Path
    liveos: Path  # a squashfs with LiveOS/rootfs.img (ext4) inside


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _base_tree(work: Path) -> Path:
    """The test repository's shadow tools installed, plus what the checks look for."""
    ks, tree = work / "base.ks", work / "base"
    ks.write_text(BASE_KS)
    proc = subprocess.run([str(ANACONDA), "--logdir", str(work / "base-logs"), "--boot-options",
                           f"inst.repo={ensure_repo().as_uri()}", "--cmdline", "--dirinstall",
                           str(tree), "--kickstart", str(ks)],
                          capture_output=True, text=True, timeout=600, cwd=REPO,
                          stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    shutil.rmtree(tree / "var/log/anaconda")
    for name in ("anaconda-ks.cfg", "original-ks.cfg"):
        (tree / "root" / name).unlink()
    marker = tree / "usr/share/live-marker"
    marker.write_text("from the image\n")
    os.link(marker, tree / "usr/share/live-marker-link")
    os.chown(marker, 4242, 4243)
    os.setxattr(marker, "user.origin", b"liveimg")
    (tree / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    for leftover in ("tmp/leftover", "run/leftover", "dev/leftover"):
        (tree / leftover).write_text("not copied\n")
    os.chmod(tree / "dev", 0o700)  # the target's /dev (the installer's, on disks) keeps its mode
    (tree / "boot/vmlinuz-6.1.0-test").write_text("kernel\n")
    (tree / "usr/lib/modules/6.1.0-test").mkdir(parents=True)
    return tree


@pytest.fixture(scope="module")
def images(tmp_path_factory) -> Images:
    work = tmp_path_factory.mktemp("liveimg")
    tree = _base_tree(work)
    tar_gz, squashfs = work / "root.tar.gz", work / "root.squashfs"
    subprocess.run(["tar", "-C", str(tree), "--numeric-owner", "--xattrs", "--xattrs-include=*",
                    "--acls", "-czf", str(tar_gz), "."], check=True)
    subprocess.run(["mksquashfs", str(tree), str(squashfs), "-noappend", "-quiet", "-comp", "lz4"],
                   check=True, stdout=subprocess.DEVNULL)
    live = work / "live"
    (live / "LiveOS").mkdir(parents=True)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-d", str(tree), str(live / "LiveOS/rootfs.img"), "64M"],
                   check=True)
    liveos = work / "liveos.squashfs"
    subprocess.run(["mksquashfs", str(live), str(liveos), "-noappend", "-quiet", "-comp", "lz4"],
                   check=True, stdout=subprocess.DEVNULL)
    return Images(tree, tar_gz, squashfs, liveos)


def install(anaconda, tmp_path: Path, liveimg: str, *extra: str, name: str = "live"):
    ks = tmp_path / f"{name}.ks"
    ks.write_text(LIVE_KS.format(liveimg=liveimg))
    target = tmp_path / name
    return anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks), *extra,
                    repo=None), target, ks


def assert_image_installed(target: Path) -> None:
    marker = target / "usr/share/live-marker"
    assert marker.read_text() == "from the image\n"
    info = marker.stat()
    assert (info.st_uid, info.st_gid) == (4242, 4243)
    assert info.st_ino == (target / "usr/share/live-marker-link").stat().st_ino
    assert os.getxattr(marker, "user.origin") == b"liveimg"
    assert (target / "usr/sbin/useradd").is_file()
    for leftover in ("tmp/leftover", "run/leftover", "dev/leftover"):
        assert not (target / leftover).exists(), leftover
    assert (target / "dev").stat().st_mode & 0o777 == 0o755
    assert (target / "proc").is_dir() and (target / "sys").is_dir() and (target / "tmp").is_dir()
    machine_id = target / "etc/machine-id"  # the image's identity is not copied
    assert not machine_id.exists() or "0123456789abcdef" not in machine_id.read_text()
    assert not (target / ".anaconda-liveimg").exists()
    # the configuration, applied on top of the image
    assert (target / "etc/hostname").read_text() == "live.example.test\n"
    assert any(line.startswith("alice:") for line in (target / "etc/passwd").read_text().splitlines())
    assert (target / "home/alice").is_dir()
    assert "liveimg --url=" in (target / "root/anaconda-ks.cfg").read_text()


def test_tarball_with_checksum(anaconda, images, tmp_path):
    line = f"liveimg --url={images.tar_gz.as_uri()} --checksum={sha256(images.tar_gz).upper()}"
    result, target, ks = install(anaconda, tmp_path, line)
    assert result.code == 0, result.text
    assert_image_installed(target)
    assert "Installing the live image" in result.out and "Installing packages" not in result.out
    assert f"{ks}:6: %packages is ignored with liveimg" in result.err
    log = (target / "var/log/anaconda/packaging.log").read_text()
    assert "sha256 of" in log and "Kernels from the image: 6.1.0-test" in log


def test_squashfs_over_http(anaconda, images, http_dir, tmp_path):
    root, base = http_dir
    shutil.copy(images.squashfs, root / "root.squashfs")
    line = f"liveimg --url={base}/root.squashfs --checksum=sha256:{sha256(images.squashfs)}"
    result, target, _ = install(anaconda, tmp_path, line)
    assert result.code == 0, result.text
    assert_image_installed(target)
    assert "Downloading the image" in result.out and "Copying the image" in result.out
    assert not list(Path("/run/install/sources").glob("*/usr")), "an image is still mounted"


class _Proxy(http.server.BaseHTTPRequestHandler):
    """A forward proxy that knows one URL: it answers with the tarball and notes the request."""
    image: Path
    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.path)
        data = self.image.read_bytes() if self.path == "http://images.invalid/root.tar.gz" else b""
        self.send_response(200 if data else 404)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_tarball_through_the_proxy(anaconda, images, tmp_path):
    handler = type("Proxy", (_Proxy,), {"image": images.tar_gz, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        line = ("liveimg --url=http://images.invalid/root.tar.gz "
                f"--proxy=http://127.0.0.1:{server.server_address[1]} --noverifyssl")
        result, target, _ = install(anaconda, tmp_path, line)
    finally:
        server.shutdown()
        server.server_close()
    assert result.code == 0, result.text
    assert handler.seen == ["http://images.invalid/root.tar.gz"]
    assert (target / "usr/share/live-marker").is_file()


def test_liveos_rootfs_inside_squashfs(anaconda, images, tmp_path):
    result, target, _ = install(anaconda, tmp_path, f"liveimg --url={images.liveos.as_uri()}")
    assert result.code == 0, result.text
    assert_image_installed(target)
    log = (target / "var/log/anaconda/packaging.log").read_text()
    assert "The image holds LiveOS/rootfs.img" in log
    assert "not verified" in log  # no --checksum


def test_wrong_checksum_is_refused(anaconda, images, tmp_path):
    line = f"liveimg --url={images.tar_gz.as_uri()} --checksum={'0' * 64}"
    result, target, ks = install(anaconda, tmp_path, line)
    assert result.code == 4, result.text
    assert f"{ks}:6: liveimg --url={images.tar_gz.as_uri()}: the image's sha256 is " \
           f"{sha256(images.tar_gz)}, not {'0' * 64}" in result.err
    assert not (target / "usr").exists(), "unpacked an image that failed its checksum"


def test_full_target_fails_clearly(anaconda, images, tmp_path):
    target = tmp_path / "small"
    target.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(target)], check=True)
    try:
        result, _, ks = install(anaconda, tmp_path, f"liveimg --url={images.tar_gz.as_uri()}",
                                name="small")
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)
    assert result.code == 4, result.text
    assert f"{ks}:6: liveimg" in result.err and "the target is full" in result.err


def test_dry_run_names_the_image(anaconda, images, tmp_path):
    result, target, _ = install(anaconda, tmp_path, f"liveimg --url={images.squashfs.as_uri()}",
                                "--dry-run")
    assert result.code == 0, result.text
    assert f"Live image instead of packages: {images.squashfs.as_uri()} (no --checksum)" in result.out
    assert "Installing the live image" in result.out
    assert not target.exists()
