"""Remote logs from a guest install: `inst.syslog=10.0.2.2:PORT` (qemu's user network
carries the guest's UDP to the host's 127.0.0.1, where the test listens) and
`inst.virtiolog` (a virtio-serial port whose output qemu writes to a file), both on at
once. Both streams carry the install's lines (anaconda, storage, packaging from the DNF
worker, program output), as RFC 5424, and never the root password."""
from __future__ import annotations

import re
import socket
import threading

import pytest

from image.boot.build import ensure_image
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import GUEST_HOST_IP, Disk, HttpServer, KernelBoot, run_vm
from tests.vm.served import STORAGE_ONLY, install_tree

pytestmark = pytest.mark.vm

ROOT_PW = "Vm-Remote-Root-4711"
RFC5424 = re.compile(r"<\d{1,3}>1 \S+ (?P<host>\S+) (?P<app>\S+) (?P<pid>\d+) - - (?P<msg>.*)")
KICKSTART = f"""lang en_US.UTF-8
rootpw --plaintext {ROOT_PW}
{STORAGE_ONLY}%post --nochroot
echo "post sees {ROOT_PW}"
%end
poweroff
"""


class UdpReceiver:
    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.lines: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            try:
                self.lines.append(self.sock.recv(65536).decode("utf-8", "replace"))
            except socket.timeout:
                continue

    def close(self):
        self.stop.set()
        self.thread.join()
        self.sock.close()


def by_app(lines: list[str]) -> dict[str, list[re.Match]]:
    apps: dict[str, list[re.Match]] = {}
    for line in lines:
        match = RFC5424.fullmatch(line)
        assert match, f"not an RFC 5424 line: {line!r}"
        apps.setdefault(match["app"], []).append(match)
    return apps


def test_syslog_and_virtio_streams_from_a_guest(tmp_path, vm_workdir):
    image = ensure_image()
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    (www / "ks.cfg").write_text(KICKSTART)
    virtio_file = vm_workdir / "virtio-log.txt"
    receiver = UdpReceiver()
    try:
        with HttpServer(www) as server:
            append = (f"inst.ks={server.url_for_guest('ks.cfg')} "
                      f"inst.repo={server.url_for_guest('repo/')} quiet "
                      f"inst.syslog={GUEST_HOST_IP}:{receiver.port} inst.virtiolog")
            result = run_vm(KernelBoot(image.vmlinuz, image.pxe_initrd, append),
                            [Disk("target", "4G")], workdir=vm_workdir, timeout=900,
                            virtio_log=virtio_file,
                            stop_on=lambda line: re.search(r"ANACONDA-EXIT: [1-9]", line) is not None)
    finally:
        receiver.close()
        (vm_workdir / "syslog.txt").write_text("".join(l + "\n" for l in receiver.lines))
    assert "ANACONDA-EXIT: 0" in result.console_text, result.summary()
    assert result.exit_state == "poweroff", result.summary()
    virtio_lines = virtio_file.read_text().splitlines()
    for name, lines in (("syslog", receiver.lines), ("virtio", virtio_lines)):
        apps = by_app(lines)
        assert {"anaconda", "storage", "packaging", "program"} <= set(apps), (name, sorted(apps))
        assert any("Finished in" in m["msg"] for m in apps["anaconda"]), name
        assert any("post sees ********" in m["msg"] for m in apps["program"]), name
        workers = {m["pid"] for m in apps["packaging"]} - {m["pid"] for m in apps["anaconda"]}
        assert workers, f"{name}: nothing from the DNF worker's own process"
        assert not any(ROOT_PW in line for line in lines), name
    # the guest's host name is the image's placeholder: its address names it
    assert {RFC5424.fullmatch(l)["host"] for l in receiver.lines} == {"10.0.2.15"}
    assert ROOT_PW not in result.console_text
