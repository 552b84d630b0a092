"""Rescue mode (`inst.rescue`, the kickstart's `rescue [--nomount|--romount]`).

Instead of installing, find the Linux systems already on the disks, unlock and activate
what they sit on (LUKS, md, LVM), mount the chosen one under /mnt/sysroot and give the
person a shell; when the shell ends, take down exactly what was set up.

The pieces, each a small module the two front ends share through `session.RescueSession`:
`devices` (what the disks hold, probed read-only), `stack` (md, LUKS, LVM brought up and
closed again), `fstab` (an installed system's mount table), `finder` (which devices are
system roots), `mount` (the system and the kernel file systems under the sysroot),
`shell` (the person's shell) and `run` (the entry point `installer.main` calls).
"""
