"""The host-only initramfs-tools configuration: the loaded modules the target's kernel
has, kept apart from the user's own lines, idempotent."""
from __future__ import annotations

from installer.configure.initramfs import HOSTONLY_CONF, MODULES_FILE, hostonly_initramfs_tools, kernel_versions


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
