"""The DNF payload on the host: real dnf into a real installroot, from the small test
repository over file://, http on loopback and an ISO on a loop device; %packages
semantics; and every failure a clear PayloadError (exit 4) with the target consistent."""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

HEAD = "lang en_US.UTF-8\ntimezone Etc/UTC\nrootpw --lock\n"


def rpm_qa(root: Path) -> set[str]:
    out = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-qa",
                          "--qf", "%{NAME}\n"], capture_output=True, text=True).stdout
    return set(out.split())


@pytest.fixture
def install(anaconda, tmp_path):
    """Install a kickstart body into a fresh target directory; returns (outcome, target)."""
    count = iter(range(100))

    def run(body: str, **kwargs):
        n = next(count)
        ks = tmp_path / f"payload{n}.ks"
        ks.write_text(HEAD + body)
        target = tmp_path / f"target{n}"
        result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks), **kwargs)
        return result, target
    return run


def test_environment_install(install):
    result, target = install("%packages\n@^test-environment\n%end\n")
    assert result.code == 0, result.text
    assert rpm_qa(target) == {"filesystem-t", "base-a", "lib-b", "app-c", "app-d", "extra-f"}
    assert re.search(r"Installing packages: Installing app-c-1\.0-1\.noarch \(\d/6\)", result.out)
    assert (target / "usr/bin/app-d").exists()
    assert not (target / "var/cache/anaconda-dnf").exists(), "package cache left in the target"


def test_default_environment_without_packages_section(install):
    result, target = install("")
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)  # test-environment has the lowest display_order


def test_groups_levels_and_exclusions(install):
    result, target = install("%packages --nocore\n@tools --optional\n-app-d\n%end\n")
    assert result.code == 0, result.text
    assert rpm_qa(target) == {"lib-b", "app-c", "doc-e", "extra-f"}
    result, target = install("%packages\n@tools --nodefaults\n%end\n")
    assert result.code == 0, result.text
    assert rpm_qa(target) == {"filesystem-t", "base-a", "lib-b", "app-c", "extra-f"}


def test_excluded_group_from_environment(install, tmp_path):
    result, target = install("%packages\n@^test-environment\n-@tools\ntool-j\n%end\n")
    assert result.code == 0, result.text
    assert rpm_qa(target) == {"filesystem-t", "base-a", "tool-j"}


def test_install_flags(install):
    result, target = install("%packages --excludedocs --inst-langs=de --exclude-weakdeps\n"
                             "@^test-environment\n%end\n")
    assert result.code == 0, result.text
    assert "extra-f" not in rpm_qa(target)
    assert not (target / "usr/share/doc/app-d/README").exists()
    assert (target / "usr/share/locale/de/LC_MESSAGES/app-c.mo").exists()
    assert not (target / "usr/share/locale/fr/LC_MESSAGES/app-c.mo").exists()


def test_ignoremissing(install):
    result, target = install("%packages --ignoremissing\n@^test-environment\nno-such-pkg\n"
                             "@no-such-group\n%end\n")
    assert result.code == 0, result.text
    log = (result.log_dir / "packaging.log").read_text()
    assert "no-such-pkg" in log and "@no-such-group" in log and "--ignoremissing" in log


def test_missing_is_fatal_and_lists_everything(install):
    result, target = install("%packages\n@^test-environment\nno-such-pkg\n@no-such-group\n"
                             "glob-nothing-*\n%end\n")
    assert result.code == 4, result.text
    err = result.err
    assert "payload error: not in any repository: " in err
    for name in ("no-such-pkg", "@no-such-group", "glob-nothing-*", "--ignoremissing"):
        assert name in err
    assert rpm_qa(target) == set(), "packages installed despite the error"
    assert (target / "var/log/anaconda/packaging.log").exists(), "logs not saved after failure"


def test_conflicts_and_broken_dependencies(install):
    result, target = install("%packages --nocore\napp-c\nconflict-g\n%end\n")
    assert result.code == 4, result.text
    assert "cannot be installed together" in result.err and "conflict" in result.err
    result, target = install("%packages --nocore\nbroken-h\n%end\n")
    assert result.code == 4, result.text
    assert "nothing provides does-not-exist >= 9" in result.err
    assert rpm_qa(target) == set()


def test_repo_command_with_install_and_filters(install, small_repo):
    body = (f"repo --name=small --baseurl={small_repo.as_uri()} --install --cost=50 "
            "--excludepkgs=doc-e\n%packages --nocore\n@tools --optional\n%end\n")
    result, target = install(body, repo=None)
    assert result.code == 0, result.text
    assert "doc-e" not in rpm_qa(target)
    repo_file = (target / "etc/yum.repos.d/small.repo").read_text()
    assert f"baseurl={small_repo.as_uri()}" in repo_file and "excludepkgs=doc-e" in repo_file
    assert "cost=50" in repo_file


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve(tmp_path):
    """Serve a directory on 127.0.0.1; optional `die_on` kills the server mid-transfer
    (the first time that file is asked for), and `back_after` seconds later a new server
    comes up on the same port, as a web server restarted."""
    servers = []

    def start(directory: Path, die_on: str | None = None, back_after: float | None = None) -> str:
        died = threading.Event()

        class Handler(_Handler):
            def copyfile(self, source, outputfile):
                if die_on and self.path.endswith(die_on) and not died.is_set():
                    died.set()
                    outputfile.write(source.read(256 * 1024))
                    outputfile.flush()
                    threading.Thread(target=die, args=(self.server,), daemon=True).start()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                super().copyfile(source, outputfile)

        def listen(port: int) -> http.server.ThreadingHTTPServer:
            server = http.server.ThreadingHTTPServer(
                ("127.0.0.1", port), functools.partial(Handler, directory=str(directory)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
            return server

        def die(server) -> None:
            server.shutdown()
            server.server_close()
            if back_after is not None:
                threading.Timer(back_after, listen, args=(server.server_address[1],)).start()

        return f"http://127.0.0.1:{listen(0).server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_file_lists_loaded_only_for_a_file_dependency(install):
    """The sack is loaded without file lists; a dependency on a file in /usr/share, or a
    %packages entry naming one, is what makes the worker load them and try again. The
    runs share one log directory: packaging.log accumulates."""
    result, target = install("%packages --nocore\nfiledep-k\n%end\n")
    assert result.code == 0, result.text
    assert {"filedep-k", "base-a"} <= rpm_qa(target)
    log = (result.log_dir / "packaging.log").read_text()
    assert "/usr/share/base-a/data: only the file lists can say which package has it" in log
    assert "Installing packages: Loading the file lists (a file dependency)" in result.out
    result, target = install("%packages --nocore\n/usr/share/extra-f/x\n%end\n")
    assert result.code == 0, result.text
    assert "extra-f" in rpm_qa(target)
    log = (result.log_dir / "packaging.log").read_text()
    assert "/usr/share/extra-f/x: only the file lists can say which package has it" in log
    plain, target = install("%packages --nocore\ntool-j\n%end\n")
    assert plain.code == 0, plain.text
    assert (plain.log_dir / "packaging.log").read_text().count("only the file lists") == 2


def test_http_source_with_download_progress(install, small_repo, serve):
    url = serve(small_repo)
    result, target = install("%packages\n@^test-environment\nbig-i\n%end\n", repo=url)
    assert result.code == 0, result.text
    assert "big-i" in rpm_qa(target)
    assert re.search(r"Installing packages: Downloaded big-i-1\.0-1\.noarch", result.out)
    log = (result.log_dir / "packaging.log").read_text()
    assert re.search(r"Downloading 7 packages, \d+\.\d MiB", log)


def test_unreachable_repository(install, closed_port):
    url = f"http://127.0.0.1:{closed_port}/repo"
    result, target = install("%packages --retries=2\n@^test-environment\n%end\n", repo=url)
    assert result.code == 4, result.text
    assert "repository anaconda" in result.err and url in result.err
    assert rpm_qa(target) == set()


def test_truncated_metadata(install, small_repo, tmp_path):
    broken = tmp_path / "broken-repo"
    shutil.copytree(small_repo, broken)
    (primary,) = (broken / "repodata").glob("*primary.xml*")
    primary.write_bytes(primary.read_bytes()[:100])
    result, target = install("%packages\n@^test-environment\n%end\n", repo=broken.as_uri())
    assert result.code == 4, result.text
    assert "repository anaconda" in result.err and "could not be loaded" in result.err


def test_corrupted_package(install, small_repo, tmp_path, serve):
    broken = tmp_path / "corrupt-repo"
    shutil.copytree(small_repo, broken)
    rpm = broken / "Packages/app-c-1.0-1.noarch.rpm"
    data = bytearray(rpm.read_bytes())
    data[-40:-20] = b"X" * 20
    rpm.write_bytes(bytes(data))
    result, target = install("%packages --retries=1\n@^test-environment\n%end\n", repo=serve(broken))
    assert result.code == 4, result.text
    assert "could not be downloaded" in result.err and "app-c-1.0-1.noarch" in result.err
    assert rpm_qa(target) == set()


def test_server_dies_mid_download(install, small_repo, serve):
    url = serve(small_repo, die_on="big-i-1.0-1.noarch.rpm")
    result, target = install("%packages --retries=1 --timeout=5\n@^test-environment\nbig-i\n%end\n",
                             repo=url)
    assert result.code == 4, result.text
    assert "could not be downloaded" in result.err and "big-i" in result.err
    assert rpm_qa(target) == set()


def test_server_back_after_an_outage_install_finishes(install, small_repo, serve):
    """The server goes away in the middle of big-i and comes back 3 s later: DNF's own
    retries fail at once (connection refused), the download waits and tries again for
    what is missing, and the install finishes, saying so on the console and in the logs."""
    url = serve(small_repo, die_on="big-i-1.0-1.noarch.rpm", back_after=3)
    result, target = install("%packages --timeout=5\n@^test-environment\nbig-i\n%end\n",
                             repo=url)
    assert result.code == 0, result.text
    assert "big-i" in rpm_qa(target)
    retried = re.search(r"Downloading packages failed \((\d+) of (\d+) still missing; "
                        r"(.*)\); trying again in 5 s \(try 2 of 6\)", result.out)
    assert retried, result.out
    assert 1 <= int(retried.group(1)) <= int(retried.group(2)) and "Curl error (" in retried.group(3)
    assert "trying again in 5 s" in (result.log_dir / "anaconda.log").read_text()
    assert "trying again in 5 s" in (result.log_dir / "packaging.log").read_text()


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_installroot_filesystem_full(anaconda, tmp_path, small_tmpfs):
    ks = tmp_path / "full.ks"
    ks.write_text(HEAD + "%packages --nocore\nbig-i\n%end\n")
    result = anaconda("--cmdline", "--dirinstall", str(small_tmpfs / "root"), "--kickstart", str(ks))
    assert result.code == 4, result.text
    assert "payload error" in result.err
    assert re.search(r"space|No space left", result.err), result.err
    assert "Traceback" not in result.text


@pytest.fixture
def iso_on_loop_device(small_repo, tmp_path):
    """An ext4 image holding repo.iso (the small repository), attached to a loop device
    this test sets up and removes."""
    iso = tmp_path / "repo.iso"
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-r", "-V", "SMALLREPO", "-o", str(iso),
                    str(small_repo)], check=True, capture_output=True)
    image = tmp_path / "disk.img"
    subprocess.run(["truncate", "-s", "64M", str(image)], check=True)
    subprocess.run(["mkfs.ext4", "-q", "-L", "SRCDISK", str(image)], check=True)
    staging = tmp_path / "staging"
    staging.mkdir()
    subprocess.run(["mount", "-o", "loop", str(image), str(staging)], check=True)
    try:
        (staging / "isos").mkdir()
        shutil.copy(iso, staging / "isos/repo.iso")
    finally:
        subprocess.run(["umount", str(staging)], check=True)
    device = subprocess.run(["losetup", "--find", "--show", str(image)], capture_output=True,
                            text=True, check=True).stdout.strip()
    try:
        yield device
    finally:
        subprocess.run(["losetup", "-d", device], check=False)


def test_hd_iso_source(install, iso_on_loop_device):
    result, target = install("%packages\n@^test-environment\n%end\n",
                             repo=f"hd:{iso_on_loop_device}:/isos/repo.iso")
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)
    mounts = Path("/proc/mounts").read_text()
    assert "/run/install/sources" not in mounts, "source left mounted"
    log = (result.log_dir / "program.log").read_text()
    assert f"mount -o ro {iso_on_loop_device}" in log
    assert re.search(r"mount -o ro,loop \S+/isos/repo\.iso", log)
    if "iso9660" not in Path("/proc/filesystems").read_text():  # this host: the FUSE fallback
        assert re.search(r"fuseiso \S+/isos/repo\.iso", log)


def test_hd_tree_source_by_label(install, iso_on_loop_device, small_repo, tmp_path):
    """hd:LABEL=...:/path with a plain directory tree on the device."""
    staging = tmp_path / "rw"
    staging.mkdir()
    subprocess.run(["mount", iso_on_loop_device, str(staging)], check=True)
    try:
        shutil.copytree(small_repo, staging / "tree")
    finally:
        subprocess.run(["umount", str(staging)], check=True)
    subprocess.run(["udevadm", "settle"], check=False)
    result, target = install("%packages\n@^test-environment\n%end\n", repo="hd:LABEL=SRCDISK:/tree")
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)


def test_cdrom_source(install, small_repo, tmp_path):
    """inst.repo=cdrom:DEVICE with an ISO image on a loop device standing in for the drive."""
    iso = tmp_path / "disc.iso"
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-r", "-V", "DISC", "-o", str(iso),
                    str(small_repo)], check=True, capture_output=True)
    device = subprocess.run(["losetup", "--find", "--show", "--read-only", str(iso)],
                            capture_output=True, text=True, check=True).stdout.strip()
    try:
        result, target = install("%packages\n@^test-environment\n%end\n", repo=f"cdrom:{device}")
    finally:
        subprocess.run(["losetup", "-d", device], check=False)
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)


def test_kickstart_harddrive_source(install, iso_on_loop_device):
    """`harddrive --partition --dir` is the same source as inst.repo=hd:, from the kickstart."""
    result, target = install(f"harddrive --partition={iso_on_loop_device} --dir=/isos/repo.iso\n"
                             "%packages\n@^test-environment\n%end\n", repo=None)
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)
    assert f"mount -o ro {iso_on_loop_device}" in (result.log_dir / "program.log").read_text()
    assert "/run/install/sources" not in Path("/proc/mounts").read_text(), "source left mounted"


def test_kickstart_cdrom_source_is_found_among_discs(install, small_repo, tmp_path):
    """`cdrom` without a device: the optical disc holding a repository is searched for
    (an ISO on a read-only loop device stands in for the drive)."""
    iso = tmp_path / "disc.iso"
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-r", "-V", "KSDISC", "-o", str(iso),
                    str(small_repo)], check=True, capture_output=True)
    device = subprocess.run(["losetup", "--find", "--show", "--read-only", str(iso)],
                            capture_output=True, text=True, check=True).stdout.strip()
    try:
        result, target = install("cdrom\n%packages\n@^test-environment\n%end\n", repo=None)
    finally:
        subprocess.run(["losetup", "-d", device], check=False)
    assert result.code == 0, result.text
    assert "app-d" in rpm_qa(target)
    assert f"mount -o ro {device}" in (result.log_dir / "program.log").read_text()


def test_kickstart_harddrive_on_a_missing_partition_names_the_line(install):
    result, _ = install("harddrive --partition=LABEL=NO-SUCH-LABEL --dir=/repo\n", repo=None)
    assert result.code != 0 and "Traceback" not in result.text
    assert re.search(r"payload\d+\.ks:\d+: harddrive", result.err), result.err
    assert "NO-SUCH-LABEL" in result.err


def _repo_of(rpms: list[Path], where: Path) -> Path:
    (where / "Packages").mkdir(parents=True)
    for rpm in rpms:
        shutil.copy(rpm, where / "Packages")
    subprocess.run(["createrepo_c", "--quiet", str(where)], check=True)
    return where


def test_addrepo_mirrorlist_and_includepkgs(install, small_repo, tmp_path, serve):
    rpms = sorted((small_repo / "Packages").glob("*.rpm"))
    base = _repo_of([r for r in rpms if not r.name.startswith(("tool-j", "doc-e"))], tmp_path / "base")
    shutil.copy(small_repo / "comps.xml", base)
    subprocess.run(["createrepo_c", "--quiet", "--groupfile", "comps.xml", str(base)], check=True)
    extra = _repo_of([r for r in rpms if r.name.startswith(("tool-j", "doc-e"))], tmp_path / "extra")
    # addrepo: tool-j only exists in the added repository
    result, target = install("%packages\n@^test-environment\ntool-j\n%end\n",
                             repo=base.as_uri(), boot=f"inst.addrepo=extra,{extra.as_uri()}")
    assert result.code == 0, result.text
    assert "tool-j" in rpm_qa(target)
    # mirrorlist served over http, and --includepkgs hiding doc-e
    url = serve(tmp_path)
    (tmp_path / "mirrors.txt").write_text(f"{url}/extra/\n")
    body = (f"repo --name=mirrored --mirrorlist={url}/mirrors.txt --includepkgs=tool-j\n"
            "%packages --ignoremissing\n@^test-environment\ntool-j\ndoc-e\n%end\n")
    result, target = install(body, repo=base.as_uri())
    assert result.code == 0, result.text
    assert "tool-j" in rpm_qa(target) and "doc-e" not in rpm_qa(target)
