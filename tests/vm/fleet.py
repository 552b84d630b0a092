"""A fleet of machines installing at once from one plain web server, for tests/vm/test_fleet.py
and bench/fleet.py.

Each machine is a qemu guest with a MAC of its own that boots the way a rack does: the
NIC's iPXE ROM gets DHCP and TFTP from qemu's user network and runs the boot.ipxe
`make image` ships (its URLs pointing at the machine's own port of one nginx, see
tests/vm/nginx.py), which loads the kernel and initrd over HTTP and boots with
`inst.ks=http://.../ks/ inst.ks.sendmac`. nginx picks each machine's kickstart by the MAC
header; the kickstart gives the machine its host name, which the install reports back.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from image.boot.pxe_root import ipxe_script
from tests.conftest import free_port
from tests.vm.harness import GUEST_HOST_IP, Disk, NetBoot, VmResult, run_vm
from tests.vm.nginx import Nginx, Served
from tests.vm.served import stopped

#: the guests' memory: enough for the PXE boot, which holds stage2 in RAM, with room
MEMORY_MIB = 768
#: what a fleet machine installs: plain partitions on its one disk, tool-j
STORAGE = ("zerombr\nclearpart --all --initlabel\nautopart --type=plain --noswap --nohome\n"
           "bootloader --location=none\n")


#: a file each small-repository package a fleet machine may install puts on the target
PACKAGE_FILES = {"tool-j": "/usr/bin/tool-j", "big-i": "/usr/share/big-i/blob"}


def installed(result: VmResult) -> set[str]:
    """The packages whose file the machine's %post found on its target."""
    files = set(result.values.get("installed", "").split())
    return {name for name, path in PACKAGE_FILES.items() if path in files}


@dataclass(frozen=True)
class Machine:
    name: str
    mac: str
    known: bool = True  # False: the server has no kickstart for its MAC

    @property
    def hostname(self) -> str:
        return f"{self.name}.fleet.example.test"


def machines(count: int, unknown: int = 0) -> list[Machine]:
    """`count` machines the server knows, then `unknown` it does not; MACs 52:54:00:f1:00:NN."""
    return [Machine(f"node{n}", f"52:54:00:f1:00:{n:02x}", known=n <= count)
            for n in range(1, count + unknown + 1)]


def kickstart(machine: Machine, packages: str = "tool-j") -> str:
    """The machine's own kickstart: its host name, the storage-only install, and the
    values the test checks printed on the serial console from %post."""
    return f"""lang en_US.UTF-8
rootpw --lock
network --hostname={machine.hostname}
{STORAGE}%packages --nocore
{packages}
%end
%post --nochroot
exec > /dev/ttyS0 2>&1
echo "RESULT: hostname=$(cat /mnt/sysroot/etc/hostname)"
echo "RESULT: installed=$(for f in {' '.join(PACKAGE_FILES.values())}; do test -e /mnt/sysroot$f && printf '%s ' $f; done)"
echo "RESULT: SUCCESS"
%end
poweroff
"""


@dataclass
class Site:
    """The server's directory, nginx with one port per machine, and a TFTP directory per
    machine holding its boot.ipxe."""
    work: Path
    nginx: Nginx
    ports: dict[str, int]  # machine name -> its port

    def url(self, machine: Machine, path: str) -> str:
        return f"http://{GUEST_HOST_IP}:{self.ports[machine.name]}/{path.lstrip('/')}"

    def served_to(self, machine: Machine) -> list[Served]:
        return [row for row in self.nginx.served() if row.port == self.ports[machine.name]]


def make_site(work: Path, image, repo: Path, fleet: list[Machine], packages: str = "tool-j",
              repo_rate: str | None = None, extra: str = "") -> Site:
    """The web root (pxe-root as `make image` builds it, the repository, the kickstarts
    of the known machines) and the boot script of each machine; nginx not yet started."""
    www = work / "www"
    (www / "kickstarts").mkdir(parents=True, exist_ok=True)
    (www / "pxe").symlink_to(image.pxe_root)
    (www / "repo").symlink_to(repo)
    for machine in fleet:
        if machine.known:
            (www / "kickstarts" / f"{machine.name}.ks").write_text(kickstart(machine, packages))
    ports = {machine.name: free_port() for machine in fleet}
    nginx = Nginx(www, work / "nginx", list(ports.values()),
                  {m.mac: f"{m.name}.ks" for m in fleet if m.known}, repo_rate=repo_rate)
    site = Site(work, nginx, ports)
    for machine in fleet:
        tftp = work / "tftp" / machine.name
        tftp.mkdir(parents=True)
        (tftp / "boot.ipxe").write_text(ipxe_script(
            site.url(machine, "pxe"), site.url(machine, "ks/"), site.url(machine, "repo/"),
            extra=f"inst.ks.sendmac console=ttyS0,115200 quiet inst.shell_timeout=5 {extra}"))
    return site


def boot_fleet(site: Site, fleet: list[Machine], timeout: float = 2400,
               on_line=None) -> dict[str, VmResult]:
    """Power the machines on together and wait for all of them. `on_line(machine, line)`
    sees every console line of every machine."""
    def one(machine: Machine) -> VmResult:
        return run_vm(NetBoot(site.work / "tftp" / machine.name, "boot.ipxe"),
                      [Disk("target", "4G")], workdir=site.work / "vm" / machine.name,
                      memory_mib=MEMORY_MIB, timeout=timeout, stop_on=stopped,
                      name=machine.name, mac=machine.mac,
                      on_line=(lambda line: on_line(machine, line)) if on_line else None)

    with ThreadPoolExecutor(max_workers=len(fleet)) as pool:
        futures = {m.name: pool.submit(one, m) for m in fleet}
        return {name: future.result() for name, future in futures.items()}


KINDS = ("boot", "stage2", "repository", "kickstart")


def kind_of(path: str) -> str:
    """What a request was for, by where the site keeps it."""
    if path.startswith("/pxe/images/"):
        return "stage2"
    if path.startswith("/pxe/"):
        return "boot"  # vmlinuz, initrd.img
    if path.startswith("/repo/"):
        return "repository"
    if path.startswith("/ks/"):
        return "kickstart"
    return "other"


def traffic(rows: list[Served]) -> dict[str, tuple[int, int]]:
    """kind -> (requests, bytes sent)."""
    totals = {kind: (0, 0) for kind in KINDS}
    for row in rows:
        kind = kind_of(row.path)
        count, sent = totals.get(kind, (0, 0))
        totals[kind] = (count + 1, sent + row.bytes)
    return totals


def all_downloading(site: Site, fleet: list[Machine]) -> bool:
    """Every listed machine has fetched a package file (.rpm) whole: their package
    downloads are under way (nginx logs a request when it ends)."""
    ports = {site.ports[m.name] for m in fleet}
    seen = {row.port for row in site.nginx.served()
            if row.path.endswith(".rpm") and row.status == 200}
    return ports <= seen
