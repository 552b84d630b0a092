"""Sources that cannot be reached or used: one clear message naming the kickstart line (or
the boot option), exit code 4 (a payload error: the kickstart itself is well formed), no
traceback, nothing installed. Runs the real program against a loopback NFS server
(tests/host/nfsserver.py) and a loopback http server; as in test_bad_input.py, each case
is one row of a table."""
from __future__ import annotations

import pytest

from tests.host.nfsserver import nfs_server, unavailable

pytestmark = pytest.mark.host

GOOD = "lang en_US.UTF-8\ntimezone Etc/UTC\nrootpw --lock\n"

# (id, source line or boot option, expected words; {ks} the kickstart, {http} the http
# server's base URL, {closed} a port nothing listens on, {nfs} the NFS export,
# {opts} the options that reach the NFS server)
NFS_CASES = [
    ("nfs-unreachable", "nfs --server=127.0.0.1 --dir=/srv/repo --opts=vers=4,port={closed}",
     ["{ks}:4: nfs --server=127.0.0.1 --dir=/srv/repo: cannot read 127.0.0.1:/srv/repo over NFS"]),
    ("nfs-missing-dir", "nfs --server=127.0.0.1 --dir={nfs}/nope --opts={opts}",
     ["{ks}:4: nfs --server=127.0.0.1 --dir=", "cannot read 127.0.0.1:{nfs}/nope over NFS"]),
    ("nfs-dir-without-repository", "nfs --server=127.0.0.1 --dir={nfs}/empty --opts={opts}",
     ["{ks}:4: nfs --server=127.0.0.1 --dir=",
      "holds neither a repository (repodata/repomd.xml) nor an ISO image"]),
    ("nfs-missing-iso", "nfs --server=127.0.0.1 --dir={nfs}/gone.iso --opts={opts}",
     ["{ks}:4: nfs --server=127.0.0.1 --dir=", "gone.iso"]),
    ("url-nfs-unreachable", "url --url=nfs:vers=4,port={closed}:127.0.0.1:/srv/repo",
     ["{ks}:4: url: nfs:vers=4,port={closed}:127.0.0.1:/srv/repo", "cannot read"]),
    ("inst-repo-nfs-unreachable", "boot:inst.repo=nfs:vers=4,port={closed}:127.0.0.1:/srv/repo",
     ["payload error: inst.repo: nfs:vers=4,port={closed}:127.0.0.1:/srv/repo: cannot read"]),
]
LIVEIMG_CASES = [
    ("liveimg-404", "liveimg --url={http}/missing.tar.gz",
     ["{ks}:4: liveimg --url={http}/missing.tar.gz: HTTP 404"]),
    ("liveimg-unreachable", "liveimg --url=http://127.0.0.1:{closed}/root.tar",
     ["{ks}:4: liveimg --url=http://127.0.0.1:{closed}/root.tar: "
      "cannot connect to 127.0.0.1:{closed} (Connection refused)"]),
    ("liveimg-missing-file", "liveimg --url=file:///nonexistent/root.squashfs",
     ["{ks}:4: liveimg", "/nonexistent/root.squashfs: no such file"]),
    ("liveimg-not-an-image", "liveimg --url={http}/notes.txt",
     ["{ks}:4: liveimg", "neither a tarball", "nor a file system image"]),
    # refused when the kickstart is read (exit 2), before any disk or download
    ("liveimg-bad-checksum-text", "liveimg --url={http}/notes.txt --checksum=md5:abc",
     ["{ks}:4: liveimg --checksum=md5:abc: expected the image's sha256"]),
]


@pytest.fixture(scope="module")
def nfs(tmp_path_factory):
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("bad-nfs")
    (work / "export/empty").mkdir(parents=True)
    with nfs_server(work / "export", work / "server") as server:
        yield server


#: cases the kickstart checks refuse on load (exit 2, a kickstart error), not the payload
KICKSTART_ERRORS = ("--checksum=md5:abc",)


def run_case(anaconda, tmp_path, source: str, expected: list[str], values: dict) -> None:
    source = source.format(**values)
    boot = source.removeprefix("boot:") if source.startswith("boot:") else ""
    ks = tmp_path / "ks.cfg"
    ks.write_text(GOOD + ("" if boot else source + "\n"))
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks),
                      boot=boot, repo=None)
    at_load = any(marker in source for marker in KICKSTART_ERRORS)
    assert result.code == (2 if at_load else 4), f"exit {result.code}\n{result.text}"
    assert "Traceback" not in result.text
    kind = "anaconda: kickstart error: " if at_load else "anaconda: payload error: "
    errors = [line for line in result.err.splitlines() if line.startswith(kind)]
    assert len(errors) == 1, result.err
    for word in expected:
        word = word.format(ks=ks, **values)
        assert word in result.err, f"{word!r} not in:\n{result.err}"
    assert not (target / "usr").exists() and not (target / "etc").exists(), "installed something"


@pytest.mark.parametrize("case", NFS_CASES, ids=[c[0] for c in NFS_CASES])
def test_bad_nfs_source(case, anaconda, nfs, closed_port, tmp_path):
    _, source, expected = case
    run_case(anaconda, tmp_path, source, expected,
             {"closed": closed_port, "nfs": nfs.export, "opts": nfs.options})


@pytest.mark.parametrize("case", LIVEIMG_CASES, ids=[c[0] for c in LIVEIMG_CASES])
def test_bad_liveimg(case, anaconda, http_dir, closed_port, tmp_path):
    _, source, expected = case
    root, base = http_dir
    (root / "notes.txt").write_text("not an image\n" * 100)
    run_case(anaconda, tmp_path, source, expected, {"closed": closed_port, "http": base})
