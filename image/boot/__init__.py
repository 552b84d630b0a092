"""The netinst/PXE boot image: Debian's kernel, a busybox initrd with one `init`, the
stage2 runtime squashfs, the code layer (updates.img) and a BIOS-bootable ISO.
Entry point: image/boot/build.py (`ensure_image`)."""
