"""Anaconda boot options this installer does not apply, and why.

Nothing on the kernel command line is dropped without a word (DESIGN.md): an option of
Anaconda's that has no OptionSpec is either
- warned: ignored, with a warning naming it and saying why (the value is never shown:
  some are passwords, which are also handed to the log redactor);
- refused: the installer stops before anything is done, because going on would do
  something other than what was asked (another boot loader than the one named);
- accepted: nothing to do, because this installer already behaves so (no tmux here).
An OptionSpec of the same name wins: whoever implements one of these just adds its spec.
"""
from __future__ import annotations

from dataclasses import dataclass

WARNED, REFUSED, ACCEPTED = "warned", "refused", "accepted"


@dataclass(frozen=True)
class Ignored:
    state: str
    why: str
    secret: bool = False  # the value is a password: redacted from every log


GRAPHICAL = ("this installer has only a text interface (graphical and remote-desktop options "
             "are out of scope)")
REMOTE = ("logs are not streamed over TCP: use inst.syslog=HOST[:PORT] (syslog over UDP) or "
          "inst.virtiolog")
REMOVED = "removed from Anaconda; nothing reads it"
GRUB_ONLY = "only GRUB 2 is installed here"


def _graphical(secret: bool = False) -> Ignored:
    return Ignored(WARNED, GRAPHICAL, secret)


IGNORED: dict[str, Ignored] = {
    # the graphical and remote-desktop interface
    "inst.graphical": _graphical(),
    "inst.resolution": _graphical(),
    "inst.xdriver": _graphical(),
    "inst.usefbx": _graphical(),
    "inst.xtimeout": _graphical(),
    "inst.vnc": _graphical(),
    "inst.vncpassword": _graphical(secret=True),
    "inst.vncconnect": _graphical(),
    "inst.rdp": _graphical(),
    "inst.rdp.username": _graphical(),
    "inst.rdp.password": _graphical(secret=True),
    "inst.webui.remote": _graphical(),
    "inst.webui.remote.noauth": _graphical(),
    "inst.webui.remote.pin": _graphical(secret=True),
    "display": _graphical(),
    # remote access and logging (a later issue)
    "inst.remotelog": Ignored(WARNED, REMOTE),
    # sources, kickstart, network
    "inst.dd": Ignored(WARNED, "driver update disks are not supported: the boot image "
                               "carries its kernel's modules"),
    "inst.dhcpclass": Ignored(WARNED, "the boot image's DHCP client sends no vendor class"),
    "bootdev": Ignored(WARNED, "the boot image's network comes from ip= (name the interface "
                               "there: ip=INTERFACE:dhcp)"),
    "inst.net.noautodefault": Ignored(ACCEPTED, "no automatic default connections are made "
                                                "or carried to the installed system here"),
    "inst.geoloc": Ignored(WARNED, "no geolocation here: language and time zone are never "
                                   "guessed (as with inst.geoloc=0)"),
    "inst.geoloc-use-with-ks": Ignored(WARNED, "no geolocation here"),
    "inst.pauseatsummary": Ignored(REFUSED, "not supported: a kickstart that leaves nothing "
                                            "out begins the install at once; leave out a "
                                            "command (e.g. rootpw) to make the hub ask first"),
    # the installer itself
    "inst.remote-debugger": Ignored(WARNED, "no remote debugger (debugpy) here"),
    "inst.profile": Ignored(WARNED, "no configuration profiles here"),
    "inst.product": Ignored(WARNED, REMOVED + " (Anaconda: use inst.profile)"),
    "inst.variant": Ignored(WARNED, REMOVED + " (Anaconda: use inst.profile)"),
    "inst.noselinux": Ignored(WARNED, "use inst.selinux=0"),
    "inst.nomemcheck": Ignored(WARNED, "use inst.memcheck=0"),
    "inst.kexec": Ignored(WARNED, "the installed system is started by a reboot, not kexec"),
    "inst.noeject": Ignored(ACCEPTED, "the boot medium is never ejected here"),
    # storage and the boot loader
    "inst.extlinux": Ignored(REFUSED, "no extlinux here: " + GRUB_ONLY),
    "inst.sdboot": Ignored(REFUSED, "no systemd-boot here: " + GRUB_ONLY),
    "inst.leavebootorder": Ignored(WARNED, "a UEFI install still puts its boot entry first"),
    "inst.nombr": Ignored(WARNED, "the boot loader is still written to the boot disk"),
    "inst.nonibftiscsiboot": Ignored(WARNED, "iSCSI disks are not supported"),
    "inst.ibft": Ignored(WARNED, "iSCSI disks are not supported"),
    "inst.noibft": Ignored(ACCEPTED, "iBFT is never read here"),
    "inst.mpath": Ignored(WARNED, "multipath devices are not set up here"),
    "inst.nompath": Ignored(WARNED, REMOVED),
    "inst.dmraid": Ignored(WARNED, REMOVED + " (firmware RAID is mdadm's)"),
    "inst.nodmraid": Ignored(WARNED, REMOVED + " (firmware RAID is mdadm's)"),
    # spellings Anaconda's dracut module warns about
    "serial": Ignored(WARNED, REMOVED + "; use console=ttyS0"),
    "ethtool": Ignored(WARNED, REMOVED),
    "askmethod": Ignored(WARNED, REMOVED + "; use inst.repo="),
    "asknetwork": Ignored(WARNED, REMOVED + "; use ip="),
    "ksdevice": Ignored(WARNED, "Anaconda's deprecated spelling; use ip=INTERFACE:dhcp"),
    "dns": Ignored(WARNED, "Anaconda's deprecated spelling; use nameserver= (one per server)"),
    "netmask": Ignored(WARNED, "Anaconda's deprecated spelling; give it inside ip="),
    "gateway": Ignored(WARNED, "Anaconda's deprecated spelling; give it inside ip="),
    "hostname": Ignored(WARNED, "Anaconda's deprecated spelling; give it inside ip="),
    "noipv6": Ignored(WARNED, REMOVED + "; use ipv6.disable=1"),
    "utf8": Ignored(WARNED, REMOVED),
    "gdb": Ignored(WARNED, REMOVED),
    "upgradeany": Ignored(WARNED, REMOVED + "; this installer does not upgrade"),
    "blacklist": Ignored(WARNED, REMOVED + "; use modprobe.blacklist="),
    "nofirewire": Ignored(WARNED, REMOVED + "; use modprobe.blacklist=firewire_ohci"),
    "essid": Ignored(WARNED, "no wireless network in the installer"),
    "wepkey": Ignored(WARNED, "no wireless network in the installer", secret=True),
    "wpakey": Ignored(WARNED, "no wireless network in the installer", secret=True),
}


def message(name: str, origin: str) -> str:
    """The warning or error for an option of IGNORED, naming it without its value."""
    rule = IGNORED[name]
    if rule.state == REFUSED:
        return f"{origin}: {name!r} is refused: {rule.why}"
    return f"{origin}: {name!r} ignored: {rule.why}"


def markdown() -> str:
    """The README's table of these options: options sharing a state and a reason on one
    row. Kept in the README between markers; a unit test compares."""
    rows: dict[tuple[str, str], list[str]] = {}
    for name, rule in IGNORED.items():
        rows.setdefault((rule.state, rule.why), []).append(name)
    order = {REFUSED: 0, WARNED: 1, ACCEPTED: 2}
    lines = ["| options | state | why |", "| --- | --- | --- |"]
    for (state, why), names in sorted(rows.items(), key=lambda item: order[item[0][0]]):
        lines.append(f"| {', '.join(f'`{n}`' for n in names)} | {state} | {why} |")
    return "\n".join(lines) + "\n"
