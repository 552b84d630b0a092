"""One kickstart with a secret in every place one can be, through the real program.

Account and boot loader passwords, LUKS passphrases on part/raid/logvol, credentials in
`url --url/--proxy`, `repo --baseurl/--mirrorlist/--metalink/--proxy`, and in the boot
options `inst.ks`, `inst.repo`, `inst.addrepo`, `inst.proxy`; a %pre and a %post that echo
them. The kickstart is fetched and the repositories installed from over loopback http
with those credentials (the server also acts as the proxy; it checks no password, but
records what was sent, so the test knows the credentials were really used). Then every
file written (the log directory, the whole target tree, the saved kickstarts) and the
console output are searched for every secret: none may be there.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import re
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from installer.passwords import verify_password

pytestmark = pytest.mark.host

SECRETS = {
    "root": "Every-Root-4711",
    "user": "Every-User-0815",
    "sshpw": "Every-Ssh-2222",
    "grub": "Every-Grub-9999",
    "part": "Every-Part-1234",
    "raid": "Every-Raid-2345",
    "logvol": "Every-Lv-3456",
    "url": "Every-Url-5678",
    "url_proxy": "Every-UrlProxy-6789",
    "baseurl": "Every-Base-7890",
    "mirrorlist": "Every-Mirror-8901",
    "metalink": "Every-Meta-9012",
    "repo_proxy": "Every-RepoProxy-0123",
    "inst_ks": "Every-InstKs-1357",
    "inst_repo": "Every-InstRepo-2468",
    "inst_addrepo": "Every-AddRepo-3579",
    "inst_proxy": "Every-InstProxy-4680",
}
S = SECRETS

KICKSTART = f"""lang en_US.UTF-8
timezone Etc/UTC
rootpw --plaintext {S['root']}
user --name=alice --password "{S['user']}" --groups=wheel
sshpw --username=installer {S['sshpw']}
bootloader --location=none --password={S['grub']}
zerombr
clearpart --all --initlabel
part /boot --fstype=ext4 --size=512 --ondisk=disk0
part pv.01 --size=3000 --grow --ondisk=disk0 --encrypted --passphrase={S['part']}
part raid.01 --size=1000 --ondisk=disk0
part raid.02 --size=1000 --ondisk=disk1
raid /srv --level=1 --device=md0 --fstype=ext4 raid.01 raid.02 --encrypted --passphrase '{S['raid']}'
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=2000 --fstype=ext4
logvol /home --vgname=vg --name=home --size=500 --fstype=ext4 --encrypted --passphrase {S['logvol']}
url --url=http://urluser:{S['url']}@{{host}}/repo/ --proxy=http://puser:{S['url_proxy']}@{{host}}
repo --name=based --baseurl=http://baseuser:{S['baseurl']}@{{host}}/repo/
repo --name=mirrored --mirrorlist=http://mluser:{S['mirrorlist']}@{{host}}/mirrorlist --proxy=rpuser:{S['repo_proxy']}@{{host}}
repo --name=linked --metalink=http://mtuser:{S['metalink']}@{{host}}/metalink
%pre
echo "pre sees {' '.join(SECRETS.values())}"
%end
%post --nochroot
echo "post sees {' '.join(SECRETS.values())}"
%end
"""


class _RepoAndProxy(http.server.SimpleHTTPRequestHandler):
    """Serves a directory, also to requests made through it as an http proxy (an
    absolute URI in the request line); records the credentials each request carried."""

    seen: list[tuple[str, str, str]]  # header, user:password, the path requested

    def translate_path(self, path: str) -> str:
        if path.startswith("http://"):
            path = urlsplit(path).path
        return super().translate_path(path)

    def do_GET(self):  # noqa: N802 - http.server's naming
        if self.path.startswith("http://") and "Proxy-Authorization" not in self.headers:
            self.send_response(407)
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        for header in ("Authorization", "Proxy-Authorization"):
            value = self.headers.get(header, "")
            if value.startswith("Basic "):
                self.seen.append((header, base64.b64decode(value[6:]).decode(), self.path))
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path, small_repo):
    root = tmp_path / "www"
    root.mkdir()
    (root / "repo").symlink_to(small_repo)
    seen: list[tuple[str, str, str]] = []
    handler = functools.partial(type("H", (_RepoAndProxy,), {"seen": seen}), directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    host = f"127.0.0.1:{httpd.server_address[1]}"
    (root / "mirrorlist").write_text(f"http://{host}/repo/\n")
    (root / "metalink").write_text(_metalink(small_repo, host))
    (root / "ks.cfg").write_text(KICKSTART.replace("{host}", host))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield host, seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def _metalink(repo: Path, host: str) -> str:
    repomd = (repo / "repodata/repomd.xml").read_bytes()
    return f"""<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic"
  xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files>
  <file name="repomd.xml">
   <mm0:timestamp>1700000000</mm0:timestamp>
   <size>{len(repomd)}</size>
   <verification><hash type="sha256">{hashlib.sha256(repomd).hexdigest()}</hash></verification>
   <resources maxconnections="1">
    <url protocol="http" type="http" location="US" preference="100">http://{host}/repo/repodata/repomd.xml</url>
   </resources>
  </file>
 </files>
</metalink>
"""


def _boot(host: str) -> str:
    return (f"inst.ks=http://ksuser:{S['inst_ks']}@{host}/ks.cfg "
            f"inst.repo=http://ruser:{S['inst_repo']}@{host}/repo/ "
            f"inst.addrepo=extra,http://auser:{S['inst_addrepo']}@{host}/repo/ "
            f"inst.proxy=http://buser:{S['inst_proxy']}@{host}")


def _files(*roots: Path) -> dict[str, bytes]:
    found = {}
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found[str(path)] = path.read_bytes()
    return found


def _assert_nowhere(searched: dict[str, bytes]) -> None:
    leaks = [f"{name} in {where}" for where, data in searched.items()
             for name, secret in SECRETS.items() if secret.encode() in data]
    assert not leaks, "secrets found: " + "; ".join(leaks)


def test_dirinstall_leaks_no_secret(anaconda, tmp_path, server):
    host, seen = server
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--debug", boot=_boot(host),
                      repo=None)
    assert result.code == 0, result.text
    # the credentials really were used: for the kickstart, the repositories and proxies
    sent = {credentials for _, credentials, _ in seen}
    for user, key in (("ksuser", "inst_ks"), ("urluser", "url"), ("baseuser", "baseurl"),
                      ("mluser", "mirrorlist"), ("mtuser", "metalink"),
                      ("auser", "inst_addrepo")):
        assert f"{user}:{S[key]}" in sent, f"{user} never sent; sent: {sorted(sent)}"
    proxied = {(header, credentials) for header, credentials, path in seen
               if path.startswith("http://")}
    assert ("Proxy-Authorization", f"puser:{S['url_proxy']}") in proxied, seen
    assert ("Proxy-Authorization", f"buser:{S['inst_proxy']}", f"http://{host}/ks.cfg") in seen

    searched = _files(result.log_dir, target)
    searched.update(stdout=result.out.encode(), stderr=result.err.encode())
    assert any("ks-script-pre" in name for name in searched)
    assert str(target / "root/original-ks.cfg") in searched
    assert str(target / "var/log/anaconda/packaging.log") in searched
    _assert_nowhere(searched)

    logs = list(result.log_dir.iterdir()) + list((target / "var/log/anaconda").iterdir())
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in logs)
    pre = next(result.log_dir.glob("ks-script-pre-*.log")).read_text()
    assert pre.count("********") == len(SECRETS)
    original = (target / "root/original-ks.cfg").read_text()
    root_hash = re.search(r"^rootpw --iscrypted (\S+)$", original, re.M).group(1)
    assert verify_password(S["root"], root_hash)
    assert root_hash in (target / "root/anaconda-ks.cfg").read_text()  # the same hash, once made
    assert f"url --url=http://urluser@{host}/repo/ --proxy=http://puser@{host}" in original
    assert "# anaconda-lean: the LUKS passphrase (--passphrase) was left out" in original
    assert "http://baseuser@" in (target / "root/anaconda-ks.cfg").read_text()


@pytest.fixture
def images(tmp_path):
    paths = []
    for name in ("disk0", "disk1"):
        path = tmp_path / name
        subprocess.run(["truncate", "-s", "8G", str(path)], check=True)
        paths.append(path)
    return paths


def test_dry_run_leaks_no_secret(anaconda, tmp_path, server, images):
    host, _ = server
    args = [arg for image in images for arg in ("--image", str(image))]
    result = anaconda("--cmdline", "--dry-run", *args, "--debug", boot=_boot(host), repo=None)
    assert result.code == 0, result.text
    assert "Package transaction:" in result.out and "luks" in result.out.lower()
    searched = _files(result.log_dir)
    searched.update(stdout=result.out.encode(), stderr=result.err.encode())
    assert "packaging.log" in " ".join(searched)
    _assert_nowhere(searched)
