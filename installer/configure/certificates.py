"""`%certificate` sections: certificates written into the installed system.

`--dir D --filename F` writes the section's text to D/F. `--type anchor` makes it a CA
trust anchor: the target's own trust store tool decides where it goes (Fedora's
`update-ca-trust` reads /etc/pki/ca-trust/source/anchors, Debian's
`update-ca-certificates` reads /usr/local/share/ca-certificates/*.crt), and that tool is
run in the target so programs there trust the CA at once. Only the installed system gets
them: the installer's own trust store is the boot image's (limits named in support.py).
"""
from __future__ import annotations

import logging
import posixpath

from installer.errors import ConfigurationError
from installer.program import run

from .target import Target, write_file

log = logging.getLogger("anaconda.configure")

#: trust store layouts: (the tool, where anchors go, the suffix the tool wants)
ANCHOR_STORES = (("usr/bin/update-ca-trust", "etc/pki/ca-trust/source/anchors", ""),
                 ("usr/sbin/update-ca-certificates", "usr/local/share/ca-certificates", ".crt"))


def configure_certificates(handler, target: Target) -> None:
    for cert in getattr(handler, "certificates", []):
        what = f"%certificate --filename {cert.filename}"
        if posixpath.basename(cert.filename) != cert.filename or cert.filename in ("", ".", ".."):
            raise ConfigurationError(f"{what}: --filename must be a file name, not a path")
        text = cert.cert if cert.cert.endswith("\n") else cert.cert + "\n"
        if cert.dir:
            if not cert.dir.startswith("/"):
                raise ConfigurationError(f"{what}: --dir {cert.dir} must be an absolute path")
            write_file(target, posixpath.join(cert.dir, cert.filename), text)
        if cert.type == "anchor":
            _install_anchor(target, cert.filename, text, what)
        elif cert.type:
            raise ConfigurationError(f"{what}: --type {cert.type} is not known; "
                                     "expected anchor")


def _install_anchor(target: Target, filename: str, text: str, what: str) -> None:
    for tool, directory, suffix in ANCHOR_STORES:
        if not target.exists(tool):
            continue
        name = filename if filename.endswith(suffix) else filename + suffix
        write_file(target, posixpath.join(directory, name), text)
        argv = ["/" + tool] + (["extract"] if tool.endswith("update-ca-trust") else [])
        result = run(argv, root=target.root)
        if result.returncode != 0:
            raise ConfigurationError(f"{what}: {posixpath.basename(tool)} failed with exit "
                                     f"code {result.returncode}; see program.log")
        return
    log.warning("%s --type anchor: the target has no trust store tool (update-ca-trust or "
                "update-ca-certificates: add ca-certificates to %%packages); the certificate "
                "is not installed as a trust anchor", what)
