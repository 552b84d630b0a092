"""Network time: `timesource --ntp-server/--ntp-pool [--nts]`, `timesource --ntp-disable`,
`timezone --ntpservers`, `timezone --nontp`.

Written for the time daemon the target has: chrony (Anaconda's, Fedora's default) gets
`server`/`pool` lines at the top of its chrony.conf and the lines the package shipped are
commented out, so the kickstart's servers are the ones used; systemd-timesyncd gets a
drop-in with NTP= (it has no pools and no NTS: both are used as plain servers). The daemon
is enabled unless the kickstart turns NTP off, then disabled. With neither installed
there is nothing to configure, and the log says so.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from . import systemd
from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

CHRONY_CONFS = ("etc/chrony.conf", "etc/chrony/chrony.conf")
CHRONY_UNITS = ("chronyd.service", "chrony.service")
TIMESYNCD_UNIT = "systemd-timesyncd.service"
TIMESYNCD_DROPIN = "etc/systemd/timesyncd.conf.d/10-anaconda.conf"
CHRONY_HEADER = "# NTP sources given to the installer (kickstart timesource/timezone):"
CHRONY_KEYWORDS = ("server", "pool", "peer")


@dataclass(frozen=True)
class TimeSource:
    kind: str  # "server" or "pool"
    host: str
    nts: bool = False


def _timesources(handler) -> list:
    """timesource is F33 syntax; older handlers (RHEL8) have only timezone --ntpservers."""
    command = getattr(handler, "timesource", None)
    return list(command.dataList()) if command is not None else []


def time_sources(handler) -> list[TimeSource]:
    sources = []
    for data in _timesources(handler):
        if data.ntp_server:
            sources.append(TimeSource("server", data.ntp_server, bool(data.nts)))
        elif data.ntp_pool:
            sources.append(TimeSource("pool", data.ntp_pool, bool(data.nts)))
    for host in getattr(handler.timezone, "ntpservers", None) or []:
        if host and TimeSource("server", host) not in sources:
            sources.append(TimeSource("server", host))
    return sources


def ntp_wanted(handler) -> bool | None:
    """False: NTP turned off; True: on; None: the kickstart does not mention time at all."""
    timesources = _timesources(handler)
    if getattr(handler.timezone, "nontp", False) or any(d.ntp_disable for d in timesources):
        return False
    if handler.timezone.seen or timesources:
        return True
    return None


def chrony_lines(sources: list[TimeSource]) -> list[str]:
    return [f"{s.kind} {s.host} iburst" + (" nts" if s.nts else "") for s in sources]


def chrony_conf(original: str, sources: list[TimeSource]) -> str:
    """The kickstart's sources first; the package's server/pool/peer lines commented out."""
    kept = []
    for line in original.splitlines():
        words = line.split()
        if line == CHRONY_HEADER or line in chrony_lines(sources):
            continue
        kept.append("#" + line if words and words[0] in CHRONY_KEYWORDS else line)
    return "\n".join([CHRONY_HEADER, *chrony_lines(sources), *kept]) + "\n"


def timesyncd_dropin(sources: list[TimeSource]) -> str:
    hosts = " ".join(s.host for s in sources)
    return ("# NTP sources given to the installer (kickstart timesource/timezone)\n"
            f"[Time]\nNTP={hosts}\n")


def configure_time_sync(handler, target: Target) -> None:
    wanted = ntp_wanted(handler)
    if wanted is None:
        return
    where = target.where("timesource") if _timesources(handler) else target.where("timezone")
    sources = time_sources(handler)
    chrony = next((u for u in CHRONY_UNITS if target.has_unit(u)), None)
    if chrony:
        if wanted and sources:
            path = next((p for p in CHRONY_CONFS if target.exists(p)),
                        CHRONY_CONFS[1] if target.exists("etc/chrony") else CHRONY_CONFS[0])
            original = target.path(path).read_text() if target.exists(path) else ""
            write_file(target, path, chrony_conf(original, sources))
        (systemd.enable if wanted else systemd.disable)(target, chrony, where)
    elif target.has_unit(TIMESYNCD_UNIT):
        if wanted and sources:
            if any(s.nts for s in sources):
                log.warning("%s: systemd-timesyncd has no NTS; the servers are used without it",
                            where)
            write_file(target, TIMESYNCD_DROPIN, timesyncd_dropin(sources))
        (systemd.enable if wanted else systemd.disable)(target, TIMESYNCD_UNIT, where)
    else:
        log.info("%s: the target has no time daemon (chrony, systemd-timesyncd): NTP %s "
                 "not configured%s", where, "on" if wanted else "off",
                 f" (servers {', '.join(s.host for s in sources)})" if sources else "")
