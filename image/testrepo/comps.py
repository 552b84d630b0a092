"""comps.xml: the groups of packages.txt and two environments."""
from __future__ import annotations

from xml.sax.saxutils import escape

GROUPS = {
    "core": ("Core", "Smallest bootable system: kernel, systemd, boot loader files, "
             "base utilities."),
    "standard": ("Standard", "Common tools of an interactive system: editors, pager, sudo, "
                 "ssh server, certificates, locales, time zones."),
    "server-tools": ("Server tools", "Storage administration: LVM, LUKS, software RAID, "
                     "XFS and Btrfs tools."),
    "system-tools": ("System tools", "Optional system services: the firewalld firewall and "
                     "kdump-tools for kernel crash dumps."),
}
ENVIRONMENTS = [
    ("minimal-environment", "Minimal Install", "Basic functionality.", ["core"], ["standard"]),
    ("server-environment", "Server", "A system for servers, with storage tools.",
     ["core", "standard", "server-tools"], []),
]


def comps_xml(groups: dict[str, list[tuple[str, str]]]) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">',
           "<comps>"]
    for order, (gid, members) in enumerate(groups.items(), 1):
        name, desc = GROUPS.get(gid, (gid, gid))
        out += ["  <group>", f"    <id>{escape(gid)}</id>", f"    <name>{escape(name)}</name>",
                f"    <description>{escape(desc)}</description>",
                "    <default>true</default>" if gid == "core" else "    <default>false</default>",
                "    <uservisible>true</uservisible>",
                f"    <display_order>{order * 10}</display_order>", "    <packagelist>"]
        for pkg, kind in members:
            kind = kind or ("mandatory" if gid == "core" else "default")
            out.append(f'      <packagereq type="{kind}">{escape(pkg)}</packagereq>')
        out += ["    </packagelist>", "  </group>"]
    for order, (eid, name, desc, grouplist, optionlist) in enumerate(ENVIRONMENTS, 1):
        out += ["  <environment>", f"    <id>{eid}</id>", f"    <name>{escape(name)}</name>",
                f"    <description>{escape(desc)}</description>",
                f"    <display_order>{order * 10}</display_order>", "    <grouplist>"]
        out += [f"      <groupid>{g}</groupid>" for g in grouplist if g in groups]
        out += ["    </grouplist>", "    <optionlist>"]
        out += [f"      <groupid>{g}</groupid>" for g in optionlist if g in groups]
        out += ["    </optionlist>", "  </environment>"]
    out.append("</comps>")
    return "\n".join(out) + "\n"
