"""The host-only initramfs-tools configuration: the loaded modules the target's kernel
has, kept apart from the user's own lines, idempotent."""
from __future__ import annotations

import subprocess

import pytest

from installer import program
from installer.configure import initramfs
from installer.configure.initramfs import HOSTONLY_CONF, MODULES_FILE, hostonly_initramfs_tools, kernel_versions
from installer.errors import ConfigurationError


def _target(tmp_path):
    moddir = tmp_path / "lib/modules/6.1.0-9-amd64"
    moddir.mkdir(parents=True)
    (moddir / "modules.dep").write_text(
        "kernel/fs/xfs/xfs.ko.xz: kernel/lib/libcrc32c.ko.xz\n"
        "kernel/drivers/md/dm-mod.ko.xz:\nkernel/drivers/block/virtio_blk.ko.xz:\n")
    (moddir / "modules.order").write_text("")
    (tmp_path / "boot").mkdir()
    (tmp_path / "boot/vmlinuz-6.1.0-9-amd64").write_bytes(b"kernel")
    (tmp_path / MODULES_FILE).parent.mkdir(parents=True)
    (tmp_path / MODULES_FILE).write_text("# user's list\nloop\n")
    return tmp_path


def test_loaded_modules_the_target_has_are_listed(tmp_path):
    root = _target(tmp_path)
    assert kernel_versions(root) == ["6.1.0-9-amd64"]
    wanted = hostonly_initramfs_tools(root, ["6.1.0-9-amd64"], ["xfs", "dm_mod", "squashfs", "virtio_blk"])
    assert wanted == ["dm_mod", "virtio_blk", "xfs"]  # squashfs: not in the target's kernel
    text = (root / MODULES_FILE).read_text()
    assert text.startswith("# user's list\nloop\n") and text.endswith("dm_mod\nvirtio_blk\nxfs\n")
    assert "MODULES=list" in (root / HOSTONLY_CONF).read_text()
    hostonly_initramfs_tools(root, ["6.1.0-9-amd64"], ["xfs"])  # again: replaced, not appended
    assert (root / MODULES_FILE).read_text().count("added by the installer") == 1
    assert (root / MODULES_FILE).read_text().endswith("installer: the modules this machine needs to reach its disks\nxfs\n")


def test_fedora_kernel_is_copied_to_boot(tmp_path):
    moddir = tmp_path / "usr/lib/modules/6.11.4-301.fc41.x86_64"
    moddir.mkdir(parents=True)
    (moddir / "modules.order").write_text("")
    (moddir / "vmlinuz").write_bytes(b"fedora kernel")
    (tmp_path / "boot").mkdir()
    assert kernel_versions(tmp_path) == ["6.11.4-301.fc41.x86_64"]
    assert (tmp_path / "boot/vmlinuz-6.11.4-301.fc41.x86_64").read_bytes() == b"fedora kernel"


def _tool_target(tmp_path):
    root = _target(tmp_path)
    (root / "usr/sbin").mkdir(parents=True)
    (root / "usr/sbin/update-initramfs").write_text("#!/bin/sh\n")
    (root / HOSTONLY_CONF).parent.mkdir(parents=True, exist_ok=True)
    (root / "etc/initramfs-tools/initramfs.conf").write_text("MODULES=most\nCOMPRESS=zstd\n")
    return root


def _sourced_level(root) -> str:
    """COMPRESSLEVEL as mkinitramfs reads it: initramfs.conf, then conf.d/* in order."""
    conf = root / "etc/initramfs-tools"
    script = f'. "{conf}/initramfs.conf"; for i in "{conf}"/conf.d/*; do . "$i"; done; echo "$MODULES ${{COMPRESSLEVEL:-default}}"'
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def test_small_machine_compresses_at_level_1_for_the_installers_run_only(tmp_path, monkeypatch):
    root = _tool_target(tmp_path)
    seen = []

    def run(argv, root=None, **kwargs):
        seen.append((argv, _sourced_level(root)))
        return program.ProgramResult(argv=list(argv), returncode=0, output="")

    monkeypatch.setattr(program, "run", run)
    monkeypatch.setattr(initramfs, "loaded_modules", lambda: ["xfs"])
    assert initramfs.make_initramfs(root, low_memory=True) == ["6.1.0-9-amd64"]
    assert seen == [(["update-initramfs", "-c", "-k", "6.1.0-9-amd64"], "list 1")]
    assert not (root / initramfs.LOW_MEMORY_CONF).exists()
    assert _sourced_level(root) == "list default"  # the installed system compresses as configured

    seen.clear()
    initramfs.make_initramfs(root, low_memory=False)
    assert seen[0][1] == "list default"


def test_the_low_memory_setting_is_removed_when_the_tool_fails(tmp_path, monkeypatch):
    root = _tool_target(tmp_path)
    monkeypatch.setattr(program, "run", lambda argv, root=None, **kw: program.ProgramResult(
        argv=list(argv), returncode=1, output="E: broken"))
    monkeypatch.setattr(initramfs, "loaded_modules", lambda: ["xfs"])
    with pytest.raises(ConfigurationError, match="broken"):
        initramfs.make_initramfs(root, low_memory=True)
    assert not (root / initramfs.LOW_MEMORY_CONF).exists()
