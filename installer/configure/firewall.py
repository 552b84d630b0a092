"""`firewall --enabled|--disabled --service --port --trust --remove-service
--use-system-defaults`: firewalld, configured by its own offline tool in the target.

firewall-offline-cmd writes the default zone (services, ports, trusted interfaces) as
firewalld itself would, without a running daemon. As in Anaconda: SSH stays open unless
the kickstart removes it or opens port 22 itself; --use-system-defaults leaves the
packages' settings alone. The unit is enabled or disabled through systemctl like every
other unit (systemd.py), before `services` so the kickstart's own list has the last word.
A target without firewalld cannot honour `firewall --enabled`: a warning names the line
and the package; `firewall --disabled` there is already true and only logged.
"""
from __future__ import annotations

import logging

from installer.errors import ConfigurationError
from installer.program import run

from . import systemd
from .target import Target

log = logging.getLogger("anaconda.configure")

OFFLINE_CMD = "usr/bin/firewall-offline-cmd"
UNIT = "firewalld.service"
SSH_PORT = "22:tcp"
#: Python writes no __pycache__ into the target's system directories while the tool runs
TOOL_ENV = {"PYTHONDONTWRITEBYTECODE": "1"}


def offline_cmd_args(firewall) -> list[str]:
    """firewall-offline-cmd's arguments for the kickstart's firewall data."""
    args = ["--disabled" if firewall.enabled is False else "--enabled"]
    services, removed, ports = list(firewall.services), list(firewall.remove_services), \
        list(firewall.ports)
    if "ssh" not in services and "ssh" not in removed and SSH_PORT not in ports:
        args.append("--service=ssh")
    args += [f"--trust={device}" for device in firewall.trusts]
    args += [f"--port={port}" for port in ports]
    args += [f"--remove-service={service}" for service in removed]
    args += [f"--service={service}" for service in services]
    return args


def configure_firewall(handler, target: Target) -> None:
    firewall = handler.firewall
    if not firewall.seen or firewall.enabled is None:
        return
    where = target.where("firewall")
    if firewall.use_system_defaults:
        log.info("%s: --use-system-defaults: the firewall is left as the packages set it", where)
        return
    if not target.exists(OFFLINE_CMD):
        if firewall.enabled is False:
            log.info("%s: the target has no firewalld; there is no firewall to disable", where)
        else:
            log.warning("%s: the installed system has no firewall-offline-cmd, so the firewall "
                        "is not configured; add firewalld to %%packages", where)
        return
    args = offline_cmd_args(firewall)
    result = run(["firewall-offline-cmd", *args], root=target.root, env=TOOL_ENV)
    if result.returncode != 0:
        output = result.output.strip()
        raise ConfigurationError(f"{where}: firewall-offline-cmd {' '.join(args)} failed: "
                                 f"{output.splitlines()[-1] if output else result.returncode}")
    if target.has_unit(UNIT):
        (systemd.disable if firewall.enabled is False else systemd.enable)(target, UNIT, where)
    log.info("Firewall: %s", " ".join(args))
