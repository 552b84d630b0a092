"""SSH into a running installer: `inst.sshd` and the kickstart's `sshpw`.

The guest boots by PXE with `inst.sshd` and a kickstart that sets root's SSH password and
leaves the rest to the TUI; qemu forwards a host port on 127.0.0.1 to the guest's port 22.
From the host, OpenSSH's own client (the password typed by an SSH_ASKPASS program, as a
person would) logs in, and the host key it records must have the fingerprint the console
printed. A wrong password is refused. Then a second login runs `tmux attach -t anaconda`
in a terminal: it shows the console's hub, and a key pressed there opens a spoke on the
console too (one session, two terminals). The password never shows on the console.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from image.boot.build import ensure_image
from tests.conftest import free_port
from tests.host.tmux import Tmux, hub_numbers
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import Disk, HttpServer, KernelBoot, qemu_command
from tests.vm.served import install_tree

pytestmark = pytest.mark.vm

SECRET = "Ssh-Into-Installer-5150"
KICKSTART = f"lang en_US.UTF-8\nsshpw --username=root --plaintext {SECRET}\n"
FINGERPRINT = re.compile(r"SSH host key (\w+) (SHA256:[A-Za-z0-9+/]+)")



def askpass(path: Path, password: str) -> dict[str, str]:
    """An environment in which ssh reads `password` from an SSH_ASKPASS program."""
    path.write_text(f"#!/bin/sh\necho {shlex.quote(password)}\n")
    path.chmod(0o700)
    return {"SSH_ASKPASS": str(path), "SSH_ASKPASS_REQUIRE": "force"}


def ssh_argv(port: int, known_hosts: Path, *command: str, tty: bool = False) -> list[str]:
    return ["ssh", "-p", str(port), "-o", f"UserKnownHostsFile={known_hosts}",
            "-o", "StrictHostKeyChecking=accept-new", "-o", "PubkeyAuthentication=no",
            "-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=1",
            "-o", "ConnectTimeout=60", "-o", "HostKeyAlgorithms=ssh-ed25519",
            *(["-tt"] if tty else ["-T"]), "root@127.0.0.1", *command]


def wait_in_file(path: Path, pattern: re.Pattern, timeout: float) -> re.Match:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(errors="replace") if path.exists() else ""
        if match := pattern.search(text):
            return match
        time.sleep(1)
    raise AssertionError(f"{pattern.pattern!r} not on the console within {timeout} s "
                         f"(console log: {path})")


def open_spoke_remotely(pane: Tmux, key: str, timeout: float = 300) -> str:
    """Press `key` in `pane` and return a word the screen gained (the spoke, or the dialog
    saying it is still being prepared: either way the same on every attached terminal)."""
    before = pane.screen()
    words_before = set(re.findall(r"[A-Za-z]{5,}", before))
    pane.send(key)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gained = [w for w in re.findall(r"[A-Za-z]{5,}", pane.screen()) if w not in words_before]
        if gained:
            return max(gained, key=len)
        time.sleep(1)
    raise AssertionError(f"key {key!r} changed nothing within {timeout} s:\n{pane.screen()}")


def test_ssh_login_and_tmux_attach(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    (www / "ks.cfg").write_text(KICKSTART)
    port = free_port()
    log = tmp_path / "console.log"
    known = tmp_path / "known_hosts"
    with HttpServer(www) as server:
        boot = KernelBoot(image.vmlinuz, image.pxe_initrd,
                          f"inst.ks={server.url_for_guest('ks.cfg')} "
                          f"inst.repo={server.url_for_guest('repo/')} inst.sshd quiet")
        nic = ["-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{port}-:22",
               "-device", "virtio-net-pci,netdev=n0"]
        disks = [Disk("target", "4G")]
        for disk in disks:
            disk.ensure(vm_workdir)
        argv = qemu_command(boot, disks, run_dir=vm_workdir, memory_mib=1536,
                            network=False, extra_args=nic)
        console = Tmux(argv, cwd=vm_workdir, env={})
        console.record(log)
        attached = None
        try:
            printed = wait_in_file(log, FINGERPRINT, 600)
            fingerprints = dict(FINGERPRINT.findall(log.read_text(errors="replace")))
            assert printed and "ed25519" in fingerprints, fingerprints
            console.wait_for("INSTALLATION SUMMARY", 900)

            env = {**os.environ, **askpass(tmp_path / "askpass", SECRET)}
            started = time.monotonic()
            login = subprocess.run(
                ssh_argv(port, known, "echo SSH-OK $(id -un)@$(hostname); tmux ls; "
                                      "tmux capture-pane -p -t anaconda"),
                env=env, capture_output=True, text=True, timeout=300)
            assert login.returncode == 0, login.stderr
            assert "SSH-OK root@anaconda" in login.stdout, login.stdout
            assert re.search(r"^anaconda: 1 windows", login.stdout, re.M), login.stdout
            assert "INSTALLATION SUMMARY" in login.stdout, login.stdout
            print(f"ssh login and command: {time.monotonic() - started:.1f} s")

            seen = subprocess.run(["ssh-keygen", "-l", "-f", str(known)], capture_output=True,
                                  text=True, check=True).stdout
            assert fingerprints["ed25519"] in seen, (fingerprints, seen)

            wrong_env = {**os.environ, **askpass(tmp_path / "askpass-wrong", "not-" + SECRET)}
            wrong = subprocess.run(ssh_argv(port, known, "echo IN"), env=wrong_env,
                                   capture_output=True, text=True, timeout=300)
            assert wrong.returncode == 255 and "IN" not in wrong.stdout, wrong
            assert "Permission denied" in wrong.stderr, wrong.stderr

            attached = Tmux(ssh_argv(port, known, "tmux", "attach", "-t", "anaconda", tty=True),
                            cwd=tmp_path, env=askpass(tmp_path / "askpass-attach", SECRET))
            remote_hub = attached.wait_for("INSTALLATION SUMMARY", 300)
            assert "Time settings" in remote_hub, remote_hub
            word = open_spoke_remotely(attached, hub_numbers(remote_hub)["Time settings"])
            console.wait_for(word, 300)  # the console shows what the SSH login did
        finally:
            if attached is not None:
                attached.close()
            console.close()
    text = log.read_text(errors="replace")
    assert SECRET not in text, "the sshpw password reached the console"
