"""liveimg and NFS sources, the pure parts: NFS locations and options, what kind of image
a file is, checksums, LiveOS images, the dry-run line, and the kickstart checks
(installer/kickstart/checks/liveimg_nfs.py)."""
from __future__ import annotations

import gzip
import io
import tarfile
from pathlib import Path

import pytest

from installer.kickstart.checks.findings import Findings
from installer.kickstart.checks.liveimg_nfs import check_sources
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.liveimg import describe, liveos_image
from installer.sources import libnfs_query, nfs_parts
from payload.liveimg import LiveImageError, _reason, kind_of, normal_checksum

SHA = "c5b8ddd72536c45d955c31fdb463d83527934e16ee9bfb51f22c6e040e155668"


@pytest.mark.parametrize("location, parts", [
    ("nfs:server:/export/repo", ("", "server", "/export/repo")),
    ("nfs:vers=4,port=2050:10.0.0.1:/srv/os", ("vers=4,port=2050", "10.0.0.1", "/srv/os")),
    ("nfs:nfs.example.com:/isos/Fedora.iso", ("", "nfs.example.com", "/isos/Fedora.iso")),
    ("nfs://server:/export/repo", ("", "server", "/export/repo")),
    ("nfs://server/export/repo", ("", "server", "/export/repo")),
    ("NFS:server:/x", ("", "server", "/x")),
])
def test_nfs_parts(location, parts):
    assert nfs_parts(location) == parts


@pytest.mark.parametrize("options, query", [
    ("", ""),
    ("vers=4,port=20490", "?version=4&nfsport=20490"),
    ("nfsvers=4.2,nolock,ro", "?version=4"),
    ("vers=3,mountport=635,tcp,timeo=600", "?version=3&mountport=635"),
])
def test_libnfs_query(options, query):
    assert libnfs_query(options) == query


def _tar_bytes() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        data = b"hello\n"
        info = tarfile.TarInfo("etc/hello")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_kind_by_name_and_by_bytes(tmp_path):
    plain = tmp_path / "image"  # no telling suffix: the bytes say tar
    plain.write_bytes(_tar_bytes())
    assert kind_of(plain) == kind_of(plain, "root.tar")
    assert kind_of(plain).tar and kind_of(plain).compression == ""
    packed = tmp_path / "download"
    packed.write_bytes(gzip.compress(_tar_bytes()))
    kind = kind_of(packed, "root.tgz")
    assert kind.tar and kind.compression == "--gzip" and kind.what == "tarball (gzip)"
    squash = tmp_path / "squashfs.img"
    squash.write_bytes(b"hsqs" + bytes(70000))
    assert not kind_of(squash).tar and kind_of(squash).what == "squashfs"
    ext4 = tmp_path / "rootfs.img"
    ext4.write_bytes(bytes(1080) + b"\x53\xef" + bytes(70000))
    assert kind_of(ext4).what == "ext2/3/4"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n" * 100)
    with pytest.raises(LiveImageError, match="neither a tarball"):
        kind_of(text)


def test_checksums():
    assert normal_checksum(SHA.upper()) == SHA
    assert normal_checksum(f"sha256:{SHA}") == SHA
    assert normal_checksum(" " + SHA + "\n") == SHA
    assert normal_checksum("md5:abc") is None
    assert normal_checksum(SHA[:-1]) is None


def test_liveos_image_prefers_rootfs(tmp_path):
    assert liveos_image(tmp_path) is None
    (tmp_path / "LiveOS").mkdir()
    assert liveos_image(tmp_path) is None
    for name in ("osmin.img", "squashfs.img", "rootfs.img"):
        (tmp_path / "LiveOS" / name).write_bytes(b"")
    assert liveos_image(tmp_path) == tmp_path / "LiveOS/rootfs.img"
    (tmp_path / "LiveOS/rootfs.img").unlink()
    assert liveos_image(tmp_path) == tmp_path / "LiveOS/squashfs.img"


def test_connection_reason():
    error = OSError("HTTPConnectionPool(host='h', port=1): Max retries exceeded (Caused by "
                    "NewConnectionError('<x>: Failed to establish a new connection: "
                    "[Errno 111] Connection refused'))")
    assert _reason(error) == "Connection refused"


GOOD = "lang en_US.UTF-8\ntimezone Etc/UTC\nrootpw --lock\n"


def findings(text: str) -> Findings:
    loaded = parse([("ks.cfg", GOOD + text)], None, Reader())
    found = Findings()
    check_sources(loaded, found)
    return found


def test_dry_run_line_hides_the_password():
    loaded = parse([("ks.cfg", GOOD + "liveimg --url=http://me:s3cret@h/root.tar.xz\n")],
                   None, Reader())
    line = describe(loaded.handler)
    assert line == "Live image instead of packages: http://me@h/root.tar.xz (no --checksum)"


@pytest.mark.parametrize("text, expected", [
    ("liveimg --url=/srv/root.tar\n", "ks.cfg:4: liveimg --url=/srv/root.tar: expected an http(s)://"),
    ("liveimg --url=http:///root.tar\n", "ks.cfg:4: liveimg --url=http:///root.tar: expected"),
    (f"liveimg --url=file:///root.tar --checksum=md5:{SHA[:32]}\n",
     f"ks.cfg:4: liveimg --checksum=md5:{SHA[:32]}: expected the image's sha256"),
    ("nfs --server=srv --dir=export/repo\n", "ks.cfg:4: nfs --dir=export/repo: expected an absolute path"),
])
def test_checks_refuse(text, expected):
    found = findings(text)
    assert any(f"{where}: {problem}".startswith(expected) for where, problem in found.errors), \
        found.errors


def test_checks_accept_and_warn():
    found = findings(f"liveimg --url=https://h/root.squashfs --checksum=SHA256:{SHA.upper()}\n"
                     "repo --name=x --baseurl=http://h/x\n%packages\nvim\n%end\n")
    assert not found.errors
    assert [f"{w}: {p}" for w, p in found.warnings] == [
        "ks.cfg:4: %packages is ignored with liveimg: the image is installed as it is",
        "ks.cfg:4: repo lines are not used with liveimg: the image brings its software"]
    assert not findings("nfs --server=srv --dir=/export/repo --opts=vers=4\n").errors
