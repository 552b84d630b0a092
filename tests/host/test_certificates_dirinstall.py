"""`%certificate`, `xconfig --startxonboot`, `eula --agreed` and `%packages --default` in a
real `--dirinstall` of the bundled test repository (Debian's ca-certificates, so a trust
anchor goes through the target's own `update-ca-certificates`)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.host.test_configure_dirinstall import anaconda_log, run_anaconda

pytestmark = pytest.mark.host

CERT = """\
-----BEGIN CERTIFICATE-----
MIIBljCCAT2gAwIBAgIUbGjw+X/A/Jx6hlZpz2dJKES9lAUwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVYW5hY29uZGEtbGVhbiB0ZXN0IENBMCAXDTI2MTIwNTA3NDM0
NVoYDzIxMjYxMTExMDc0MzQ1WjAgMR4wHAYDVQQDDBVhbmFjb25kYS1sZWFuIHRl
c3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATy3mZ/uaRAPzox9qMcNIvE
gbAzd4OTL6BiDR7uDqIV2FEKLA/prC2Es62cg1OQlWidahuugLtfRzh+nFSgGmm5
o1MwUTAdBgNVHQ4EFgQUg/N0+7OEOs0T8KdSVQpT+J9b1ukwHwYDVR0jBBgwFoAU
g/N0+7OEOs0T8KdSVQpT+J9b1ukwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQD
AgNHADBEAiA1vlBgEZlodmqM35R/sywY3RnEcqXYBWRaQBuisF7qUwIgaJUuEVWy
oj+a32abyNbGxBB/gjDJwp+v8lGPXCYhCX8=
-----END CERTIFICATE-----"""

KICKSTART = f"""\
eula --agreed
xconfig --startxonboot
rootpw --lock
%packages
systemd
ca-certificates
%end
%certificate --filename=service.pem --dir=/etc/pki/service
{CERT}
%end
%certificate --filename=corp-ca --type=anchor
{CERT}
%end
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("certificates")
    outcome, target = run_anaconda(tmp, KICKSTART)
    assert outcome.code == 0, outcome.text[-3000:]
    return outcome, target


def test_a_certificate_is_written_where_the_section_says(installed):
    _, target = installed
    path = target / "etc/pki/service/service.pem"
    assert path.read_text() == CERT + "\n"
    assert path.stat().st_mode & 0o777 == 0o644


def test_an_anchor_is_trusted_by_the_installed_system(installed):
    _, target = installed
    anchor = target / "usr/local/share/ca-certificates/corp-ca.crt"
    assert anchor.read_text() == CERT + "\n"
    # update-ca-certificates ran in the target: the CA is linked and in the bundle
    assert os.path.lexists(target / "etc/ssl/certs/corp-ca.pem")
    bundle = (target / "etc/ssl/certs/ca-certificates.crt").read_text()
    assert CERT.splitlines()[1] in bundle


def test_startxonboot_makes_the_graphical_target_the_default(installed):
    _, target = installed
    assert os.readlink(target / "etc/systemd/system/default.target").endswith("graphical.target")


def test_eula_and_the_saved_kickstart(installed):
    outcome, target = installed
    assert "eula --agreed: accepted" in anaconda_log(outcome)
    saved = (target / "root/anaconda-ks.cfg").read_text()
    assert "%certificate --filename=corp-ca --type=anchor" in saved or "corp-ca" in saved
    assert "xconfig  --startxonboot" in saved or "xconfig --startxonboot" in saved


def test_packages_default_installs_the_default_environment(tmp_path):
    outcome, target = run_anaconda(tmp_path, "rootpw --lock\n%packages --default\n%end\n")
    assert outcome.code == 0, outcome.text[-3000:]
    log = (outcome.log_dir / "packaging.log").read_text()
    assert "default environment" in log
