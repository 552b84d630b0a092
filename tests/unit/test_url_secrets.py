"""Passwords inside URLs and the other places a secret is registered before it is logged:
boot options, the kickstart handler, the early read before %pre, the DNF worker's log."""
from __future__ import annotations

import json
import logging
import os

from pykickstart.parser import KickstartParser

from installer.bootopts import describe, parse_cmdline
from installer.credentials import url_passwords, without_url_passwords
from installer.kickstart import secrets
from installer.kickstart.presecrets import register_before_pre
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler
from installer.logs import MASK, redact
from payload import logfile
from payload.model import InstallRequest, PackageSelection


def test_url_passwords_found_and_left_out():
    assert url_passwords("http://u:pw-1@h/x") == ["pw-1"]
    assert url_passwords("ftp://u:p%40w@h/") == ["p%40w", "p@w"]
    assert url_passwords("see http://u:a@b@h/x and https://v:c@h2") == ["a@b", "c"]
    assert url_passwords("http://u@h/ http://h/ file:///x@y") == []
    assert url_passwords("u:bare@proxy:3128", proxy=True) == ["bare"]
    assert url_passwords("u:bare@proxy:3128") == []
    assert without_url_passwords("http://u:pw@h/x?y=@") == "http://u@h/x?y=@"
    assert without_url_passwords("http://:pw@h/") == "http://h/"
    assert without_url_passwords("u:bare@proxy:3128", proxy=True) == "u@proxy:3128"
    assert without_url_passwords("--url=http://u:a@b@h/") == "--url=http://u@h/"


def test_boot_option_urls_are_secrets_and_never_described():
    options = parse_cmdline("inst.ks=http://k:Boot-Ks-201@h/ks.cfg inst.repo=http://r:Boot-Repo-202@h/ "
                            "inst.addrepo=extra,https://a:Boot-Add-203@h/ "
                            "inst.stage2=http://s:Boot-Stage-204@h/ inst.proxy=p:Boot-Proxy-205@h:3128")
    assert sorted(options.secrets()) == ["Boot-Add-203", "Boot-Ks-201", "Boot-Proxy-205",
                                         "Boot-Repo-202", "Boot-Stage-204"]
    assert "Boot-" not in describe(options)


def test_handler_url_passwords_registered_and_left_out_of_the_saved_text():
    handler = make_handler()
    KickstartParser(handler).readKickstartFromString(
        "url --url=http://u:Hd-Url-211@h/os/ --proxy=p:Hd-Proxy-212@h:3128\n"
        "repo --name=m --mirrorlist=http://m:Hd-Mirror-213@h/ml\n"
        "repo --name=l --metalink=http://l:Hd-Meta-214@h/ml --proxy=http://q:Hd-Proxy-215@h:1\n"
        "repo --name=b --baseurl=http://b:Hd-Base-216@h/\n")
    secrets.register_all(handler)
    assert redact("Hd-Url-211 Hd-Proxy-212 Hd-Mirror-213 Hd-Meta-214 Hd-Proxy-215 Hd-Base-216") == \
        " ".join([MASK] * 6)
    text = secrets.safe_text(handler)
    assert "Hd-" not in text and "http://u@h/os/" in text and "http://b@h/" in text
    assert handler.url.url == "http://u:Hd-Url-211@h/os/"  # the install still has it


def test_early_read_registers_secrets_past_errors_and_missing_includes(tmp_path):
    """Before %pre runs: a bad command, a missing %include and a broken section do not
    stop the secrets before and after them from being registered."""
    text = ("bogus-command --x\n%include /nonexistent/written-by-pre.ks\n"
            "rootpw --plaintext Early-Root-221\nuser --name=a --password=Early-User-222\n"
            "%include http://i:Early-Include-223@h.invalid/x.ks\n"
            "%pre\necho hello\n%end\n")
    register_before_pre([(str(tmp_path / "ks.cfg"), text)], None, Reader(retries=1, timeout=1))
    assert redact("Early-Root-221 Early-User-222 Early-Include-223") == f"{MASK} {MASK} {MASK}"


def test_worker_log_is_private_and_masked(tmp_path):
    path = tmp_path / "packaging.log"
    old = os.umask(0)
    try:
        logfile.setup(str(path), ["Worker-Secret-231"])
    finally:
        os.umask(old)
    try:
        logging.getLogger("anaconda.payload").info("repo http://u:Worker-Secret-231@h/")
        logging.getLogger("dnf").info("dnf says Worker-Secret-231")
        logging.getLogger("librepo").warning("librepo says Worker-Secret-231")
        logging.getLogger("librepo").info("not written: below WARNING")
        try:
            raise RuntimeError("Worker-Secret-231 in a traceback")
        except RuntimeError:
            logging.getLogger("anaconda.payload").exception("failed")
    finally:
        for name in logfile.LOGGERS:
            for handler in logging.getLogger(name).handlers[:]:
                logging.getLogger(name).removeHandler(handler)
                handler.close()
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text()
    assert "Worker-Secret" not in text and text.count(logfile.MASK) == 5
    assert "not written" not in text


def test_request_carries_secrets_to_the_worker_but_never_shows_them():
    request = InstallRequest("/r", [], PackageSelection(), "/c", secrets=["Req-Secret-241"])
    assert InstallRequest.from_json(request.to_json()).secrets == ["Req-Secret-241"]
    assert "Req-Secret" not in repr(request)
    assert json.loads(request.to_json())["secrets"] == ["Req-Secret-241"]
