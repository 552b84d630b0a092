"""System needs: packages the layout and boot loader need, added by the payload beyond
%packages; alternatives (Fedora's name, then Debian's) and required vs helpful. Real dnf
into a real installroot from the small test repository."""
from __future__ import annotations

import subprocess

from payload.events import PayloadFailure
from payload.model import InstallRequest, PackageSelection, RepoSpec, SystemNeed
from payload.runner import run_worker


def request(repo, root, needs) -> InstallRequest:
    return InstallRequest(root=str(root), repos=[RepoSpec("base", baseurl=[f"file://{repo}"])],
                          selection=PackageSelection(packages=["base-a"], nocore=True,
                                                     system_needs=needs),
                          cache_dir=str(root / "var/cache/anaconda-dnf"),
                          log_file=str(root.parent / "packaging.log"))


def installed(root) -> set[str]:
    out = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-qa", "--qf",
                          "%{NAME}\n"], capture_output=True, text=True).stdout
    return set(out.split())


def test_first_available_alternative_is_installed(small_repo, tmp_path):
    needs = [SystemNeed(["grub2-pc", "tool-j"], "the BIOS boot loader"),
             SystemNeed(["not-here"], "LVM thin provisioning", required=False)]
    run_worker(request(small_repo, tmp_path / "root", needs), lambda e: None)
    assert installed(tmp_path / "root") == {"filesystem-t", "base-a", "tool-j"}
    log = (tmp_path / "packaging.log").read_text()
    assert "Adding tool-j: the BIOS boot loader" in log
    assert "the installed system may lack it: not-here (LVM thin provisioning)" in log


def test_missing_required_need_names_what_and_why(small_repo, tmp_path):
    needs = [SystemNeed(["lvm2"], "the layout uses lvmpv on vda2"),
             SystemNeed(["grub2-pc", "grub-pc-bin"], "the BIOS boot loader")]
    try:
        run_worker(request(small_repo, tmp_path / "root", needs), lambda e: None)
    except PayloadFailure as exc:
        message = exc.message
    else:
        raise AssertionError("a missing required package did not stop the install")
    assert "would not boot without packages no repository has" in message
    assert "lvm2 (the layout uses lvmpv on vda2)" in message
    assert "grub2-pc or grub-pc-bin (the BIOS boot loader)" in message
    assert not installed(tmp_path / "root")
