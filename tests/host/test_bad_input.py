"""The bad-input table: each malformed or odd input gives one clear message naming the
place (file:line, option, URL) and exit code 2, never a traceback.

Every case runs the real program: `anaconda --cmdline --dirinstall DIR --kickstart FILE`
with the case's kickstart, or with the case's boot options / flags.
"""
from __future__ import annotations

import pytest

GOOD = "lang en_US.UTF-8\nkeyboard us\ntimezone Etc/UTC\nrootpw --lock\n"

# (id, kickstart text or bytes, expected words in the message; {ks} is the file's path)
KICKSTARTS = [
    ("unknown-command", GOOD + "frobnicate --now\n", ["{ks}:5", "Unknown command: frobnicate"]),
    ("unknown-option", GOOD + "network --bogus\n", ["{ks}:5", "--bogus"]),
    ("bad-option-value", GOOD + "part / --size=big\n", ["{ks}:5", "big"]),
    ("bad-choice", GOOD + "autopart --type=zfs\n", ["{ks}:5", "zfs"]),
    ("missing-end-post", GOOD + "%post\necho hi\n", ["{ks}:", "%post does not end with %end"]),
    ("missing-end-packages", GOOD + "%packages\n@core\n", ["{ks}:", "%packages does not end with %end"]),
    ("missing-end-before-next", GOOD + "%pre\ntrue\n%post\ntrue\n%end\n", ["{ks}:7", "%pre does not end"]),
    ("unknown-section", GOOD + "%frobnicate\n%end\n", ["{ks}:5", "Unknown kickstart section: %frobnicate"]),
    ("include-missing", GOOD + "%include /nonexistent/part.ks\n", ["{ks}:5", "/nonexistent/part.ks", "no such file"]),
    ("include-no-arg", GOOD + "%include\n", ["{ks}:5"]),
    ("ksappend-missing", GOOD + "%ksappend /nonexistent/app.ks\n", ["/nonexistent/app.ks", "no such file"]),
    ("ksappend-no-arg", "%ksappend\n" + GOOD, ["{ks}:1", "%ksappend takes exactly one"]),
    ("failing-pre", "%pre --erroronfail\necho pre-output; exit 3\n%end\n" + GOOD,
     ["{ks}:1", "%pre exited with code 3", "pre-output"]),
    ("empty-file", "", ["{ks}", "the kickstart is empty"]),
    ("only-comments", "# nothing\n\n   \n# here\n", ["{ks}", "the kickstart is empty"]),
    ("binary-garbage", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, ["{ks}:1", "not a text file"]),
    ("not-utf8", ("lang en_US.UTF-8\n# caf\xe9\n").encode("latin-1"), ["{ks}:2", "0xe9", "UTF-8"]),
    ("one-megabyte", (GOOD + "# filler line for the size test\n" * 33000 + "bogus\n"),
     ["{ks}:33005", "Unknown command: bogus"]),
    ("conflicting-autopart-part", GOOD + "autopart\npart / --size=1000\n", ["{ks}:6", "autopart"]),
    ("conflicting-sources", GOOD + "url --url=http://a/b\ncdrom\n", ["{ks}:6", "{ks}:5", "url", "cdrom"]),
    ("unbalanced-quote", GOOD + 'rootpw "abc\n', ["{ks}:5", "No closing quotation"]),
    ("rootpw-no-password", "rootpw\n", ["{ks}:1", "rootpw"]),
    ("user-no-name", GOOD + "user --password=x\n", ["{ks}:5", "--name"]),
    ("logvol-no-vg", GOOD + "logvol / --size=100 --name=root\n", ["{ks}:5", "--vgname"]),
    ("raid-bad-level", GOOD + "raid / --level=7 --device=md0 raid.1 raid.2\n", ["{ks}:5", "7"]),
    ("packages-bad-option", GOOD + "%packages --frobnicate\n@core\n%end\n", ["{ks}:5", "--frobnicate"]),
    ("interpreter-no-value", GOOD + "%post --interpreter\ntrue\n%end\n", ["{ks}:5", "--interpreter"]),
    ("bad-timezone", GOOD.replace("Etc/UTC", "Mars/Olympus_Mons"),
     ["{ks}:3", "Mars/Olympus_Mons", "time zone"]),
    ("lang-no-arg", "lang\n", ["{ks}:1", "lang"]),
    ("bad-bootproto", GOOD + "network --bootproto=carrier-pigeon\n", ["{ks}:5", "carrier-pigeon"]),
    # well-formed but wrong: refused before anything is written (installer/kickstart/checks/)
    ("lang-unknown-locale", GOOD.replace("en_US.UTF-8", "xx_YY.UTF-8"),
     ["{ks}:1", "lang xx_YY.UTF-8", "en_US.UTF-8"]),
    ("lang-not-a-locale", GOOD.replace("en_US.UTF-8", "English"), ["{ks}:1", "not a locale name"]),
    ("keyboard-unknown-keymap", GOOD.replace("keyboard us", "keyboard --vckeymap=qwertz"),
     ["{ks}:2", "'qwertz' is not a console keymap", "de-nodeadkeys"]),
    ("keyboard-unknown-layout", GOOD.replace("keyboard us", "keyboard --xlayouts=us,klingon"),
     ["{ks}:2", "'klingon' is not an X keyboard layout"]),
    ("keyboard-unknown-variant", GOOD.replace("keyboard us", "keyboard --xlayouts='cz (azerty)'"),
     ["{ks}:2", "cz has no variant 'azerty'", "qwerty"]),
    ("static-without-ip", GOOD + "network --bootproto=static --device=eth0\n",
     ["{ks}:5", "--bootproto=static needs --ip"]),
    ("static-bad-netmask", GOOD + "network --bootproto=static --ip=10.0.0.5 --netmask=255.0.255.0\n",
     ["{ks}:5", "--netmask=255.0.255.0", "255.255.255.0"]),
    ("static-without-netmask", GOOD + "network --bootproto=static --device=ens3 --ip=192.0.2.10\n",
     ["{ks}:5", "--ip=192.0.2.10 needs --netmask", "ADDRESS/PREFIX"]),
    ("network-tiny-mtu", GOOD + "network --device=eth0 --mtu=10\n", ["{ks}:5", "--mtu=10", "68"]),
    ("network-bad-nameserver", GOOD + "network --device=eth0 --nameserver=1.2.3\n",
     ["{ks}:5", "--nameserver=1.2.3", "1.1.1.1"]),
    ("network-bad-hostname", GOOD + "network --hostname=web_01!\n", ["{ks}:5", "--hostname=web_01!"]),
    # `user --name=root`, a user or group twice, a taken UID/GID: Anaconda skips the line
    # with a warning, so does the install here (test_accounts_dirinstall.py)
    ("user-bad-name", GOOD + "user --name='Bob Smith'\n", ["{ks}:5", "cannot contain ' '"]),
    ("user-relative-shell", GOOD + "user --name=alice --shell=zsh\n", ["{ks}:5", "--shell=zsh", "absolute"]),
    ("group-bad-name", GOOD + "group --name=a:b\n", ["{ks}:5", "group --name=a:b", "cannot contain ':'"]),
    ("rootpw-iscrypted-not-a-hash", GOOD.replace("rootpw --lock", "rootpw --iscrypted letmein"),
     ["{ks}:4", "not a crypt(3) hash"]),
    ("part-tmpfs-on-disk", GOOD + "part / --size=4000\npart /tmp --fstype=tmpfs --ondisk=sda\n",
     ["{ks}:6", "--ondisk cannot apply to a tmpfs"]),
    ("part-size-zero", GOOD + "part / --size=0\n", ["{ks}:5", "--size=0", "more than 0"]),
    ("part-root-as-swap", GOOD + "part / --fstype=swap --size=4000\n", ["{ks}:5", "swap has no mount point"]),
    ("part-unknown-fstype", GOOD + "part / --fstype=zfs --size=4000\n", ["{ks}:5", "--fstype=zfs", "xfs"]),
    ("part-relative-mount", GOOD + "part home --size=1000\npart / --size=4000\n",
     ["{ks}:5", "'home' is not a mount point", "/home"]),
    ("part-etc-off-root", GOOD + "part / --size=4000\npart /etc --size=500\n",
     ["{ks}:6", "/etc must stay on the / file system"]),
    ("duplicate-mount-part-logvol", GOOD + "part / --size=4000\npart pv.01 --size=2000\n"
     "volgroup vg pv.01\nlogvol / --vgname=vg --name=root --size=1000\n",
     ["{ks}:8", "mount point / is already used at {ks}:5"]),
    ("logvol-unknown-vg", GOOD + "part / --size=4000\nlogvol /home --vgname=data --name=home --size=100\n",
     ["{ks}:6", "--vgname=data", "no volgroup data"]),
    ("volgroup-undefined-pv", GOOD + "part / --size=4000\nvolgroup vg pv.01\n",
     ["{ks}:6", "no line makes pv.01", "part pv.01"]),
    ("raid-member-twice", GOOD + "part raid.01 --size=100\npart raid.02 --size=100\n"
     "raid / --level=1 --device=md0 raid.01 raid.02\nraid /home --level=1 --device=md1 raid.01 raid.02\n",
     ["{ks}:8", "raid.01 is already a member of raid /"]),
    ("volgroup-twice", GOOD + "part pv.01 --size=100\npart pv.02 --size=100\nvolgroup vg pv.01\n"
     "volgroup vg pv.02\nlogvol / --vgname=vg --name=root --size=50\n",
     ["{ks}:8", "volgroup vg", "already defined at {ks}:7"]),
    ("luks-version", GOOD + "part / --size=4000 --encrypted --passphrase=abcdefgh --luks-version=luks3\n",
     ["{ks}:5", "--luks-version=luks3", "luks2"]),
    ("boot-encrypted", GOOD + "part / --size=4000\npart /boot --size=500 --encrypted --passphrase=abcdefgh\n",
     ["{ks}:6", "encrypted /boot"]),
    ("autopart-vfat-root", GOOD + "autopart --fstype=vfat\n", ["{ks}:5", "autopart --fstype=vfat", "xfs"]),
    ("ondisk-left-out", GOOD + "ignoredisk --only-use=sda\npart / --size=4000 --ondisk=sdb\n",
     ["{ks}:6", "--ondisk=sdb", "leaves sdb out"]),
    ("url-relative", GOOD + "url --url=os/x86_64\n", ["{ks}:5", "url --url=os/x86_64", "http(s)://"]),
    ("repo-without-address", GOOD + "repo --name=extras\n", ["{ks}:5", "repo --name=extras", "--baseurl"]),
    ("repo-name-twice", GOOD + "repo --name=a --baseurl=http://x/a\nrepo --name=a --baseurl=http://x/b\n",
     ["{ks}:6", "already defined at {ks}:5"]),
    ("two-environments", GOOD + "%packages\n@^server\n@^workstation\n%end\n",
     ["{ks}:5", "2 environments", "@group"]),
]


@pytest.mark.parametrize("case", KICKSTARTS, ids=[c[0] for c in KICKSTARTS])
def test_bad_kickstart(case, anaconda, tmp_path):
    name, content, expected = case
    ks = tmp_path / f"{name}.ks"
    if isinstance(content, bytes):
        ks.write_bytes(content)
    else:
        ks.write_text(content)
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    _assert_clear_error(result, [e.format(ks=ks) for e in expected])


def test_error_inside_included_file(anaconda, tmp_path):
    (tmp_path / "inner.ks").write_text("keyboard us\n\nfrobnicate\n")
    ks = tmp_path / "main.ks"
    ks.write_text(GOOD + "%include inner.ks\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    _assert_clear_error(result, [f"{tmp_path / 'inner.ks'}:3", "Unknown command: frobnicate"])


def test_missing_include_inside_included_file(anaconda, tmp_path):
    (tmp_path / "inner.ks").write_text("keyboard us\n%include gone.ks\n")
    ks = tmp_path / "main.ks"
    ks.write_text(GOOD + "%include inner.ks\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    _assert_clear_error(result, [f"{tmp_path / 'inner.ks'}:2", "gone.ks", "no such file"])


def test_kickstart_http_404(anaconda, http_dir, tmp_path):
    _, base = http_dir
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--ks", f"{base}/missing.ks")
    _assert_clear_error(result, [f"{base}/missing.ks", "HTTP 404"])


def test_kickstart_http_unreachable(anaconda, closed_port, tmp_path):
    url = f"http://127.0.0.1:{closed_port}/ks.cfg"
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--ks", url)
    _assert_clear_error(result, [url, "cannot connect"])


# (id, boot options text, extra CLI args, expected words)
BOOT = [
    ("lowmem-range", "inst.lowmem=5", [], ["inst.lowmem=5", "0 (normal)"]),
    ("zram-word", "inst.zram=maybe", [], ["inst.zram=maybe", "1, 0"]),
    ("ks-empty", "inst.ks=", [], ["inst.ks=", "http(s)://"]),
    ("ks-scheme", "inst.ks=gopher://host/ks", [], ["inst.ks=gopher://host/ks"]),
    ("ks-hd-on-host", "inst.ks=hd:sdz1:/ks.cfg", [], ["inst.ks=hd:sdz1:/ks.cfg", "init"]),
    ("repo-no-host", "inst.repo=http:///path", [], ["inst.repo=http:///path", "without a host"]),
    ("proxy-scheme", "inst.proxy=socks5://proxy:1080", [], ["inst.proxy=socks5://proxy:1080", "PROTOCOL"]),
    ("proxy-port", "inst.proxy=http://proxy:99999", [], ["inst.proxy=http://proxy:99999", "port"]),
    ("ip-bad-gateway", "ip=10.0.0.5::10.0.0.999:24:host:eth0:none", [], ["ip=10.0.0.5::10.0.0.999", "gateway"]),
    ("ip-bad-method", "ip=eth0:telepathy", [], ["ip=eth0:telepathy", "method"]),
    ("console-empty", "console=,", [], ["console=,", "DEVICE"]),
    ("nosave-word", "inst.nosave=everything", [], ["inst.nosave=everything", "all_ks"]),
    ("unbalanced-quote", 'inst.ks="http://a/b', [], ["--boot-options", "quotes"]),
    ("lang-word", "inst.lang=english", [], ["inst.lang=english", "en_US.UTF-8"]),
    ("addrepo-no-name", "inst.addrepo=http://a/b", [], ["inst.addrepo=http://a/b", "NAME,URL"]),
    ("repo-no-value", "inst.repo", [], ["inst.repo", "needs a value"]),
    ("cli-unknown-flag", "", ["--frobnicate"], ["--frobnicate"]),
    ("cli-lowmem", "", ["--lowmem", "9"], ["--lowmem 9", "0 (normal)"]),
    ("cli-ks-version", "", ["--ks-version", "F99"], ["--ks-version", "F99"]),
]


@pytest.mark.parametrize("case", BOOT, ids=[c[0] for c in BOOT])
def test_bad_boot_option(case, anaconda, tmp_path):
    name, boot, extra, expected = case
    ks = tmp_path / "ok.ks"
    ks.write_text(GOOD)
    args = ["--cmdline", "--dirinstall", str(tmp_path / "root")]
    if "inst.ks" not in boot:
        args += ["--kickstart", str(ks)]
    result = anaconda(*args, *extra, boot=boot)
    _assert_clear_error(result, expected)


def test_ksstrict_makes_warnings_fatal(anaconda, tmp_path):
    ks = tmp_path / "warn.ks"
    ks.write_text(GOOD + "timezone Etc/UTC --isUtc\n")  # deprecated option: only a warning
    loose = anaconda("--cmdline", "--dirinstall", str(tmp_path / "a"), "--kickstart", str(ks))
    assert loose.code == 0, loose.text
    assert f"{ks}:5" in loose.err and "deprecated" in loose.err.lower()
    strict = anaconda("--cmdline", "--dirinstall", str(tmp_path / "b"), "--kickstart", str(ks),
                      boot="inst.ksstrict")
    _assert_clear_error(strict, ["inst.ksstrict", f"{ks}:5"])


def test_table_is_large_enough():
    assert len(KICKSTARTS) + len(BOOT) + 5 >= 40


def test_all_problems_are_named_in_one_run(anaconda, tmp_path):
    """Like Anaconda's storage checker: every wrong line at once, each with file:line."""
    ks = tmp_path / "many.ks"
    ks.write_text(GOOD.replace("keyboard us", "keyboard --vckeymap=qwertz") +
                  "user --name=-x\nnetwork --bootproto=static\npart / --size=0\n")
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    _assert_clear_error(result, [f"{ks}:2", f"{ks}:5", f"{ks}:6", f"{ks}:7", "4 problems"])


def test_semantic_warnings_let_the_install_go_on(anaconda, tmp_path):
    """Where Anaconda goes on, a warning naming file:line, and the install finishes."""
    ks = tmp_path / "warn.ks"
    ks.write_text(GOOD.replace("en_US.UTF-8", "en_US.UTF-8 --addsupport=klingon") +
                  "network --bootproto=static --device=eth0 --ip=10.0.0.5 --netmask=255.255.255.0 "
                  "--gateway=10.9.0.1\n")
    strict = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart",
                      str(ks), boot="inst.ksstrict")  # the checks' warnings count there too
    _assert_clear_error(strict, ["inst.ksstrict", f"{ks}:1: lang --addsupport=klingon"])
    result = anaconda("--cmdline", "--dirinstall", str(tmp_path / "root"), "--kickstart", str(ks))
    assert result.code == 0, result.text
    assert f"{ks}:1: lang --addsupport=klingon" in result.err
    assert f"{ks}:5: network --device=eth0 --gateway=10.9.0.1 is outside" in result.err


def _assert_clear_error(result, expected: list[str]) -> None:
    assert result.code == 2, f"exit {result.code}\n{result.text}"
    assert "Traceback" not in result.text
    errors = [line for line in result.err.splitlines() if line.startswith("anaconda: ")
              and "warning" not in line.split(":")[1]]
    assert errors, result.text
    for word in expected:
        assert word in result.err, f"{word!r} not in:\n{result.err}"
    assert not (result.log_dir.parent / "root" / "etc").exists(), "wrote to the target"
