"""The checks a well-formed kickstart meets before anything is written
(installer/kickstart/checks/): each wrong line is named with file:line, all of them at
once; warnings where Anaconda goes on. Pure: no disks, no network."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from installer.errors import KickstartError
from installer.kickstart.checks import check_install, collect
from installer.kickstart.checks import localedata
from installer.kickstart.checks.localedata import KeyboardCatalog
from installer.kickstart.checks.localization import keymap_problem, layout_problem
from installer.kickstart.checks.network import netmask_prefix
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader

REPO = Path(__file__).resolve().parents[2]
GOOD = "lang en_US.UTF-8\nkeyboard us\ntimezone Etc/UTC\nrootpw --lock\n"
DISK = "zerombr\nclearpart --all --initlabel\n"


def findings(text: str):
    return collect(parse([("ks.cfg", text)], None, Reader()))


def errors(text: str) -> list[str]:
    return [f"{where}: {problem}" for where, problem in findings(text).errors]


def warnings(text: str) -> list[str]:
    return [f"{where}: {problem}" for where, problem in findings(text).warnings]


VALID = [
    GOOD,
    GOOD.replace("en_US.UTF-8", "cs_CZ.UTF-8 --addsupport=de_DE,fr"),
    GOOD.replace("en_US.UTF-8", "C.UTF-8"),
    GOOD.replace("en_US.UTF-8", "sr_RS.UTF-8@latin"),
    GOOD.replace("keyboard us", "keyboard --vckeymap=cz-qwerty --xlayouts='cz (qwerty)',us --switch=grp:alt_shift_toggle"),
    GOOD.replace("keyboard us", "keyboard de-latin1-nodeadkeys"),
    GOOD.replace("keyboard us", "keyboard --xlayouts=is"),
    GOOD + "network --bootproto=static --device=eth0 --ip=10.0.0.5 --netmask=255.255.255.0 "
           "--gateway=10.0.0.1 --nameserver=1.1.1.1,2606:4700::1111 --mtu=9000 --hostname=web1.example.com\n",
    GOOD + "network --bootproto=dhcp --ipv6=2001:db8::5/64 --ipv6gateway=2001:db8::1\n",
    GOOD + "group --name=devs --gid=2000\nuser --name=alice --groups=wheel,devs,audio(63) "
           "--homedir=/srv/alice --shell=/bin/zsh\nsshkey --username=alice \"ssh-ed25519 AAAA a@b\"\n"
           "sshkey --username=root \"ssh-ed25519 AAAA r@b\"\n",
    GOOD.replace("rootpw --lock", "rootpw --iscrypted $6$salt$abcdefghijklmnop"),
    GOOD + DISK + "reqpart\npart /boot --size=1024\npart pv.01 --size=8000 --grow\n"
           "volgroup vg pv.01\nlogvol / --vgname=vg --name=root --size=4000\n"
           "logvol swap --vgname=vg --name=swap --recommended\npart /tmp --fstype=tmpfs --size=512\n",
    GOOD + DISK + "part raid.01 --size=4000\npart raid.02 --size=4000\n"
           "raid / --level=1 --device=md0 --fstype=ext4 raid.01 raid.02\n",
    GOOD + DISK + "part btrfs.01 --size=8000\nbtrfs none --label=data btrfs.01\n"
           "btrfs / --subvol --name=root data\nbtrfs /home --subvol --name=home data\n",
    GOOD + DISK + "ignoredisk --only-use=sda,sdb\npart / --size=4000 --ondisk=sdb\nbootloader --boot-drive=sda\n",
    GOOD + DISK + "autopart --type=lvm --fstype=ext4 --encrypted --passphrase=abcdefgh --luks-version=luks2\n",
    GOOD + "url --url=http://mirror.example/os/\nrepo --name=updates --baseurl=https://mirror.example/upd/\n"
           "repo --name=extras --mirrorlist=https://mirror.example/list\n%packages\n@^server\n@core\n%end\n",
]


@pytest.mark.parametrize("text", VALID)
def test_valid_kickstarts_pass(text):
    found = findings(text)
    assert not found.errors and not found.warnings, (found.errors, found.warnings)


# (kickstart, words the error names, its line)
WRONG = [
    (GOOD.replace("en_US.UTF-8", "xx_YY.UTF-8"), ["lang xx_YY.UTF-8", "no language 'xx'", "en_US.UTF-8"], 1),
    (GOOD.replace("en_US.UTF-8", "english"), ["not a locale name"], 1),
    (GOOD.replace("keyboard us", "keyboard --vckeymap=qwertz"), ["'qwertz' is not a console keymap"], 2),
    (GOOD.replace("keyboard us", "keyboard --xlayouts=us,klingon"), ["'klingon' is not an X keyboard layout"], 2),
    (GOOD.replace("keyboard us", "keyboard --xlayouts='cz (azerty)'"), ["cz has no variant 'azerty'", "qwerty"], 2),
    (GOOD + "network --bootproto=static --device=eth0\n", ["--bootproto=static needs --ip"], 5),
    (GOOD + "network --bootproto=static --ip=10.0.0.300 --netmask=255.255.255.0\n", ["not an IP address"], 5),
    (GOOD + "network --bootproto=static --ip=10.0.0.3 --netmask=255.0.255.0\n", ["not a network mask"], 5),
    (GOOD + "network --bootproto=static --ip=10.0.0.3\n", ["needs --netmask"], 5),
    (GOOD + "network --device=eth0 --mtu=10\n", ["--mtu=10", "68"], 5),
    (GOOD + "network --device=eth0 --nameserver=1.2.3\n", ["--nameserver=1.2.3"], 5),
    (GOOD + "network --ipv6=fe80::zz\n", ["--ipv6=fe80::zz"], 5),
    (GOOD + "network --hostname=bad_host!\n", ["--hostname=bad_host!"], 5),
    (GOOD + "user --name=-x\n", ["cannot start with '-'"], 5),
    (GOOD + "user --name=alice --shell=bash\n", ["--shell=bash", "/bin/bash"], 5),
    (GOOD + "group --name=a:b\n", ["group --name=a:b", "cannot contain ':'"], 5),
    (GOOD.replace("rootpw --lock", "rootpw --iscrypted notahash"), ["not a crypt(3) hash"], 4),
    (GOOD + DISK + "part / --size=0\n", ["--size=0"], 7),
    (GOOD + DISK + "part home --size=100\npart / --size=4000\n", ["'home' is not a mount point"], 7),
    (GOOD + DISK + "part / --size=4000\npart /usr/bin --size=100\n", ["/usr/bin must stay on the / file system"], 8),
    (GOOD + DISK + "part / --fstype=swap --size=4000\n", ["swap has no mount point"], 7),
    (GOOD + DISK + "part / --fstype=zfs --size=4000\n", ["--fstype=zfs", "xfs"], 7),
    (GOOD + DISK + "part / --fstype=vfat --size=4000\n", ["/ needs a Linux file system"], 7),
    (GOOD + DISK + "part / --size=4000\npart /tmp --fstype=tmpfs --ondisk=sda\n", ["--ondisk cannot apply to a tmpfs"], 8),
    (GOOD + DISK + "logvol /tmp --vgname=vg --name=tmp --fstype=tmpfs --size=1\n", ["no volgroup vg"], 7),
    (GOOD + DISK + "part / --size=4000 --grow --maxsize=100\n", ["--maxsize=100 is below --size=4000"], 7),
    (GOOD + DISK + "part / --size=4000 --encrypted --passphrase=abcdefgh --luks-version=luks3\n", ["luks3"], 7),
    (GOOD + DISK + "part / --size=4000\npart /boot --size=500 --encrypted --passphrase=abcdefgh\n", ["encrypted /boot"], 8),
    (GOOD + DISK + "autopart --fstype=vfat\n", ["autopart --fstype=vfat"], 7),
    (GOOD + DISK + "part / --size=4000\npart pv.01 --size=100\nvolgroup vg pv.01\nlogvol / --vgname=vg --name=r --size=50\n",
     ["mount point / is already used at ks.cfg:7"], 10),
    (GOOD + DISK + "part / --size=4000\nvolgroup vg pv.01\n", ["no line makes pv.01"], 8),
    (GOOD + DISK + "part raid.01 --size=100\npart raid.02 --size=100\nraid / --level=1 --device=md0 raid.01 raid.02\n"
     "raid /home --level=1 --device=md1 raid.01 raid.02\n", ["raid.01 is already a member of raid /"], 10),
    (GOOD + DISK + "part pv.01 --size=100\nvolgroup vg pv.01\nlogvol / --vgname=vg --name=a --size=10\n"
     "logvol /home --vgname=vg --name=a --size=10\n", ["already has a logical volume a"], 10),
    (GOOD + DISK + "part pv.01 --size=100\npart pv.02 --size=100\nvolgroup vg pv.01\nvolgroup vg pv.02\n"
     "logvol / --vgname=vg --name=a --size=10\n", ["volume group is already defined at ks.cfg:9"], 10),
    (GOOD + DISK + "ignoredisk --only-use=sda\npart / --size=4000 --ondisk=sdb\n", ["--ondisk=sdb", "leaves sdb out"], 8),
    (GOOD + "url --url=os/x86_64\n", ["url --url=os/x86_64"], 5),
    (GOOD + "repo --name=a\n", ["--baseurl, --mirrorlist or --metalink"], 5),
    (GOOD + "repo --name=a --baseurl=http://x/a\nrepo --name=a --baseurl=http://x/b\n", ["already defined at ks.cfg:5"], 6),
    (GOOD + "%packages\n@^server\n@^workstation\n%end\n", ["2 environments", "@^server, @^workstation"], 5),
]


@pytest.mark.parametrize("text, words, line", WRONG, ids=[" ".join(w[1][:1]) for w in WRONG])
def test_wrong_kickstarts_are_refused_with_their_line(text, words, line):
    found = errors(text)
    assert found, f"no error for:\n{text}"
    assert any(f.startswith(f"ks.cfg:{line}: ") and all(w in f for w in words) for f in found), found


WARNED = [
    (GOOD.replace("en_US.UTF-8", "en_XX.UTF-8"), "no such locale is known"),
    (GOOD.replace("en_US.UTF-8", "en_US.UTF-8 --addsupport=klingon"), "--addsupport=klingon"),
    (GOOD + "network --bootproto=static --ip=10.0.0.3 --netmask=255.255.255.0 --gateway=10.1.0.1\n",
     "outside the device's network 10.0.0.0/24"),
    (GOOD + 'sshkey --username=bob "ssh-ed25519 AAAA b@c"\n', "no user command makes bob"),
    (GOOD + "services --enabled=sshd --disabled=sshd\n", "ends up enabled"),
    (GOOD + DISK + "part / --size=4000\npart swap --fstype=xfs --size=100\n", "is always swap"),
    (GOOD + DISK + "part / --size=4000\npart pv.01 --size=100\n", "pv.01 is made but no volgroup uses it"),
]

SKIPPED = "; the line is skipped, as Anaconda skips it"
#: (kickstart, the warning on the line Anaconda skips): known before anything is written
ACCOUNT_SKIPS = [
    (GOOD + "user --name=root\n", "ks.cfg:5: user --name=root: root is an account of the base "
     "system, which has it already (its password is set with rootpw)"),
    (GOOD + "user --name=daemon\n", "ks.cfg:5: user --name=daemon: daemon is an account of the "
     "base system, which has it already"),
    (GOOD + "user --name=alice\nuser --name=alice\n",
     "ks.cfg:6: user --name=alice: the user is already defined at ks.cfg:5"),
    (GOOD + "user --name=a --uid=1500\nuser --name=b --uid=1500\n",
     "ks.cfg:6: user --name=b: UID 1500 is already used by the user a (ks.cfg:5)"),
    (GOOD + "user --name=a --uid=0\n", "ks.cfg:5: user --name=a: UID 0 is already used by the user root"),
    (GOOD + "user --name=alice\ngroup --name=alice\n", "ks.cfg:5: user --name=alice: the group "
     "alice is made at ks.cfg:6, so the user's own group cannot be made; give --gid with that "
     "group's GID to make it the user's group"),
    (GOOD + "user --name=audio\n", "ks.cfg:5: user --name=audio: the base system has a group audio"),
    (GOOD + "group --name=devs --gid=2000\nuser --name=a --groups=devs(3000)\n",
     "ks.cfg:6: user --name=a: --groups=devs(3000): the group devs is made with GID 2000 at ks.cfg:5"),
    (GOOD + "group --name=devs\ngroup --name=devs\n",
     "ks.cfg:6: group --name=devs: the group is already defined at ks.cfg:5"),
    (GOOD + "group --name=a --gid=2000\ngroup --name=b --gid=2000\n",
     "ks.cfg:6: group --name=b: GID 2000 is already used by the group a (ks.cfg:5)"),
    (GOOD + "group --name=users\n", "ks.cfg:5: group --name=users: users is a group of the base "
     "system, which has it already"),
]


@pytest.mark.parametrize("text, warning", ACCOUNT_SKIPS, ids=[w[1][:40] for w in ACCOUNT_SKIPS])
def test_account_lines_anaconda_skips_are_warned_not_refused(text, warning):
    found = findings(text)
    assert not found.errors, found.errors
    assert any(w.startswith(warning) and w.endswith(SKIPPED) for w in warnings(text)), warnings(text)


def test_a_user_joining_a_group_of_its_name_by_gid_is_neither_skipped_nor_warned():
    found = findings(GOOD + "group --name=alice --gid=5000\nuser --name=alice --gid=5000 "
                            "--groups=alice(5000)\n")
    assert not found.errors and not found.warnings, (found.errors, found.warnings)


@pytest.mark.parametrize("text, words", WARNED, ids=[w[1] for w in WARNED])
def test_warnings_where_anaconda_goes_on(text, words):
    found = findings(text)
    assert not found.errors, found.errors
    assert any(words in problem for _, problem in found.warnings), found.warnings


def test_every_error_is_reported_at_once():
    text = GOOD.replace("en_US.UTF-8", "xx_YY") + "user --name=-x\nnetwork --bootproto=static\n"
    with pytest.raises(KickstartError) as raised:
        check_install(parse([("ks.cfg", text)], None, Reader()))
    error = raised.value
    assert (error.file, error.line) == ("ks.cfg", 1)
    assert "\n  ks.cfg:5: user --name=-x" in error.message
    assert "\n  ks.cfg:6: network --bootproto=static" in error.message
    assert "3 problems; nothing was written" in error.message


def test_warnings_join_the_loaded_kickstart():
    loaded = parse([("ks.cfg", GOOD + "services --enabled=a --disabled=a\n")], None, Reader())
    check_install(loaded)
    assert any(w.startswith("ks.cfg:5: services: a both") for w in loaded.warnings)


def test_secrets_are_not_in_the_messages():
    text = GOOD.replace("rootpw --lock", "rootpw --iscrypted hunter2secret")
    assert not any("hunter2secret" in e for e in errors(text))


def test_netmask_prefix():
    assert netmask_prefix("255.255.255.0") == 24 and netmask_prefix("16") == 16
    assert netmask_prefix("255.0.255.0") is None and netmask_prefix("abc") is None


def test_keymaps_without_a_list_are_not_refused(caplog):
    """stage2 has langtable but neither kbd nor xkeyboard-config: skip, with a log line."""
    caplog.set_level("INFO", logger="anaconda.kickstart")
    bare = KeyboardCatalog(x_layouts={"us": set(), "cz": {"qwerty"}})
    assert keymap_problem("sv-latin1", bare) is None
    assert layout_problem("is", bare) is None
    assert "not checked" in caplog.text


def test_keymaps_with_only_kbd_model_map_accept_kbd_names():
    catalog = KeyboardCatalog(x_layouts={"us": set(), "de": {"nodeadkeys"}, "ru": set()},
                              console={"us", "de-latin1", "sv-latin1"}, model_map=True)
    for name in ("de-latin1", "de-nodeadkeys", "ru1", "sv-latin1-x", "us"):
        assert keymap_problem(name, catalog) is None, name
    assert "not a console keymap" in keymap_problem("qwertz", catalog)


def test_locale_catalog_reads_langtable_without_importing_it():
    localedata.locale_catalog.cache_clear()
    catalog = localedata.locale_catalog()
    assert catalog is not None and "cs" in catalog.languages and ("cs", "CZ") in catalog.pairs
    probe = ("import sys; from installer.kickstart.checks.localedata import locale_catalog, "
             "keyboard_catalog; locale_catalog(); keyboard_catalog(); print('langtable' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert done.stdout.strip() == "False"
