"""An interactive install in a qemu guest, driven over its serial console like a person on
a serial line: the guest's console is a tmux pane (tmux is the terminal), keys go in with
send-keys and the screen is read with capture-pane.

Booted by PXE with only `inst.repo=` (no kickstart): language (German, which proposes the
time zone), destination with custom partitioning seeded from LVM and encrypted, the
default software, root password, an administrator user, Begin, Reboot. Then the installed
disk boots on its own: the LUKS passphrase is typed at its prompt, root logs in on the
serial console and the system is checked from its own shell.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from image.boot.build import ensure_image
from image.testrepo.build import ensure_repo
from tests.host.tmux import Tmux, hub_numbers
from tests.vm.harness import Disk, DiskBoot, HttpServer, KernelBoot, qemu_command
from tests.vm.served import install_tree

pytestmark = pytest.mark.vm

ROOT_PASSWORD = "Corr3ct-Horse-Battery"
USER_PASSWORD = "Tr0ub4dor&3-staple"
PASSPHRASE = "lean install secret"
INSTALL_TIMEOUT = 2700


class Console:
    """A guest's serial console in a tmux pane, with the steps of a conversation."""

    def __init__(self, argv: list[str], workdir: Path, log: Path):
        self.pane = Tmux(argv, cwd=workdir, env={})
        self.pane.record(log)
        self.log = log

    def expect(self, text: str, timeout: float = 300) -> str:
        try:
            return self.pane.wait_for(text, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n(console log: {self.log})") from None

    def keys(self, *keys: str, expect: str, timeout: float = 300) -> str:
        for key in keys:
            if key.startswith("text:"):
                self.pane.type(key[5:])
            else:
                self.pane.send(key)
            time.sleep(0.3)  # a serial line at TCG speed: let each key be taken
        return self.expect(expect, timeout)

    def settled(self, timeout: float = 900) -> str:
        """The hub once no spoke is still working in the background ([-])."""
        deadline = time.monotonic() + timeout
        while "[-]" in (screen := self.expect("INSTALLATION SUMMARY")):
            assert time.monotonic() < deadline, f"spokes still working after {timeout} s:\n{screen}"
            time.sleep(2)
        return screen

    def close(self) -> None:
        self.pane.close()


def interactive_install(console: Console) -> None:
    console.expect("INSTALLATION SUMMARY", timeout=900)
    hub = console.settled()
    assert "[x] Installation source" in hub and "Minimal Install" in hub, hub
    number = hub_numbers(hub)
    console.keys(number["Language settings"], expect="Filter")
    console.keys("text:deutsch", "Enter", expect="Locales of Deutsch")
    console.keys("text:de_DE", "Enter", expect="INSTALLATION SUMMARY")
    console.expect("Europe/Berlin")  # proposed from the language
    console.keys(number["Installation destination"], expect="Disks to install to", timeout=600)
    console.keys("e", expect="Disk encryption passphrase")
    console.keys(f"text:{PASSPHRASE}", "Enter", f"text:{PASSPHRASE}", expect="The entries match.")
    console.keys("Enter", expect="[X] Encrypt my data")
    console.keys("c", expect="No mount points yet")
    console.keys("c", expect="swap")
    console.keys("Escape", expect="(X) Custom")
    console.keys("Escape", expect="Summary of changes", timeout=600)
    console.keys("a", expect="Custom partitioning selected", timeout=600)
    console.keys(number["Root password"], expect="Confirm password:")
    console.keys(f"text:{ROOT_PASSWORD}", "Tab", f"text:{ROOT_PASSWORD}", expect="Strong")
    console.keys("Escape", expect="Root password is set")
    console.keys(number["User creation"], expect="Full name:")
    console.keys("text:Alice Liddell", "Tab", expect="alice")
    console.keys("Tab", "Space", "Tab", "Tab", "Tab", f"text:{USER_PASSWORD}", "Tab",
                 f"text:{USER_PASSWORD}", expect="Strength:")
    console.keys("Escape", expect="Administrator alice", timeout=120)
    console.expect("Ready: nothing is written")
    console.keys("b", expect="INSTALLATION PROGRESS", timeout=120)
    console.expect("< Reboot >", timeout=INSTALL_TIMEOUT)
    console.keys("Enter", expect="PANE-EXIT:", timeout=300)


CHECKS = ("echo CHECK lang=$(sed -n 's/^LANG=//p' /etc/locale.conf /etc/default/locale | head -n 1); "
          "echo CHECK zone=$(readlink /etc/localtime | sed 's,.*zoneinfo/,,'); "
          "echo CHECK alice=$(id -nG alice | tr ' ' ,); "
          "echo CHECK rootsrc=$(findmnt -no SOURCE /); "
          "echo CHECK crypt=$(lsblk -lno TYPE | grep -c crypt); "
          "echo CHECK failed=$(systemctl --failed --no-legend --plain | wc -l); "
          "echo CHECKS-END")


def boot_and_check(console: Console) -> dict[str, str]:
    console.expect("Please unlock disk", timeout=900)
    console.keys(f"text:{PASSPHRASE}", "Enter", expect="login:", timeout=900)
    console.keys("text:root", "Enter", expect="Password:", timeout=120)
    console.keys(f"text:{ROOT_PASSWORD}", "Enter", expect="#", timeout=300)
    screen = console.keys(f"text:{CHECKS}", "Enter", expect="CHECKS-END\n", timeout=300)
    values = dict(re.findall(r"^CHECK (\w+)=(.*)$", screen, re.M))
    console.keys("text:poweroff", "Enter", expect="PANE-EXIT:", timeout=300)
    return values


def test_interactive_install_over_the_serial_console(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_repo())
    disks = [Disk("target", "8G")]
    with HttpServer(www) as server:
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd,
                          f"inst.repo={server.url_for_guest('repo/')} quiet")
        install_dir = vm_workdir / "install"
        install_dir.mkdir()
        for disk in disks:
            disk.ensure(install_dir)
        argv = qemu_command(boot, disks, run_dir=install_dir, memory_mib=1536)
        console = Console(argv, install_dir, tmp_path / "install-console.log")
        try:
            interactive_install(console)
        finally:
            console.close()
    boot_dir = vm_workdir / "boot"
    boot_dir.mkdir()
    argv = qemu_command(DiskBoot(), disks, run_dir=boot_dir, memory_mib=1024, network=False)
    console = Console(argv, boot_dir, tmp_path / "boot-console.log")
    try:
        values = boot_and_check(console)
    finally:
        console.close()
    assert values.get("lang") == "de_DE.UTF-8", values
    assert values.get("zone") == "Europe/Berlin", values
    assert "wheel" in values.get("alice", "").split(","), values
    assert values.get("rootsrc", "").startswith("/dev/mapper/"), values
    assert int(values.get("crypt", "0")) >= 1, values
    assert values.get("failed") == "0", values
