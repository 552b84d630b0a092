"""/root/original-ks.cfg: the input kept line for line, every secret replaced or left out.

Real pykickstart parses the input, the handler's passwords are hashed as at load, and
the rewritten text must read back with pykickstart into the same accounts.
"""
from __future__ import annotations

import re

import pytest
from pykickstart.parser import KickstartParser

from installer.kickstart import original, secrets
from installer.kickstart.version import make_handler
from installer.passwords import verify_password

PLAIN = {
    "root": "Orig-Root-101",
    "user": "Orig User 102",  # quoted, with spaces
    "bob": "Orig-Bob-103",
    "ssh": "Orig-Ssh-104",
    "grub": "Orig-Grub-105",
    "part": "Orig Part 106",
    "lv": "Orig-Lv-107",
    "raid": "Orig-Raid-108",
    "wifi": "Orig-Wifi-109",
    "url": "Orig-Url-110",
    "proxy": "Orig-Proxy-111",
    "mirror": "Orig-Mirror-112",
    "meta": "Orig-Meta-113",
    "include": "Orig-Include-114",
    "iscsi": "Orig-Iscsi-115",
}
KICKSTART = f"""# a comment, kept
lang en_US.UTF-8
rootpw {PLAIN['root']}
user --name=alice --password "{PLAIN['user']}" --groups=wheel
user --name=bob --plaintext --password={PLAIN['bob']}
user --name=carol --iscrypted --password=$6$salt$alreadyhashed
sshpw --username=installer {PLAIN['ssh']} --plaintext
bootloader --location=mbr --password {PLAIN['grub']} --timeout=3
part /boot --size=512
part pv.01 --size=1000 --encrypted --passphrase '{PLAIN['part']}' --luks-version=luks2
part raid.01 --size=500
part raid.02 --size=500
raid /srv --level=1 --device=md0 raid.01 raid.02 --encrypted --passphrase={PLAIN['raid']}
volgroup vg pv.01
logvol / --vgname=vg --name=root --size=500 --encrypted --passphrase {PLAIN['lv']}
network --device=wlan0 --essid=home --wpakey={PLAIN['wifi']}
iscsi --ipaddr=10.0.0.1 --user=joe --password={PLAIN['iscsi']}
url --url=http://uu:{PLAIN['url']}@repo.invalid/os/ --proxy=pu:{PLAIN['proxy']}@proxy.invalid:3128
repo --name=mirrored --mirrorlist="https://mm:{PLAIN['mirror']}@repo.invalid/ml"
repo --name=linked --metalink https://me:{PLAIN['meta']}@repo.invalid/ml
%include http://iu:{PLAIN['include']}@ks.invalid/extra.ks
%post
echo "{PLAIN['root']}" > /dev/null
%end
"""


def _parse(text: str):
    handler = make_handler()
    KickstartParser(handler, missingIncludeIsFatal=False).readKickstartFromString(text)
    return handler


@pytest.fixture(scope="module")
def scrubbed() -> tuple[str, object]:
    handler = _parse(KICKSTART)
    secrets.register_all(handler)
    secrets.hash_in_place(handler)
    return original.scrub(KICKSTART, handler), handler


def test_no_secret_is_left(scrubbed):
    text, _ = scrubbed
    for name, secret in PLAIN.items():
        for part in secret.split():
            if len(part) > 4:
                assert part not in text, f"{name}: {part!r} is in\n{text}"
    assert "--plaintext" not in text


def test_account_passwords_are_the_handlers_hashes(scrubbed):
    text, handler = scrubbed
    back = _parse(text)
    assert back.rootpw.isCrypted and back.rootpw.password == handler.rootpw.password
    assert verify_password(PLAIN["root"], back.rootpw.password)
    users = {u.name: u for u in back.user.userList}
    assert verify_password(PLAIN["user"], users["alice"].password) and users["alice"].isCrypted
    assert verify_password(PLAIN["bob"], users["bob"].password) and users["bob"].isCrypted
    assert users["alice"].groups == ["wheel"]
    ssh = back.sshpw.sshUserList[0]
    assert ssh.isCrypted and verify_password(PLAIN["ssh"], ssh.password)
    assert back.bootloader.isCrypted and back.bootloader.password.startswith("grub.pbkdf2.sha512.")
    assert back.bootloader.password == handler.bootloader.password and back.bootloader.timeout == 3


def test_hashed_input_and_other_lines_are_kept_verbatim(scrubbed):
    text, _ = scrubbed
    lines = text.splitlines()
    for kept in ("# a comment, kept", "lang en_US.UTF-8",
                 "user --name=carol --iscrypted --password=$6$salt$alreadyhashed",
                 "part /boot --size=512", "volgroup vg pv.01", "%post", "%end"):
        assert kept in lines


def test_passphrases_and_url_passwords_are_left_out_with_a_note(scrubbed):
    text, _ = scrubbed
    back = _parse(text)
    assert all(p.encrypted and not p.passphrase for p in back.partition.partitions
               if p.mountpoint == "pv.01")
    assert back.logvol.lvList[0].encrypted and not back.logvol.lvList[0].passphrase
    assert back.raid.raidList[0].encrypted and not back.raid.raidList[0].passphrase
    assert back.partition.partitions[1].luks_version == "luks2"
    assert not back.network.network[0].wpakey and not back.iscsi.iscsi[0].password
    assert back.url.url == "http://uu@repo.invalid/os/" and back.url.proxy == "pu@proxy.invalid:3128"
    repos = {r.name: r for r in back.repo.repoList}
    assert repos["mirrored"].mirrorlist == "https://mm@repo.invalid/ml"
    assert repos["linked"].metalink == "https://me@repo.invalid/ml"
    assert "%include http://iu@ks.invalid/extra.ks" in text.splitlines()
    notes = [line for line in text.splitlines() if line.startswith(original.NOTE)]
    assert len(notes) == 14  # one per rewritten line
    assert any("LUKS passphrase" in n for n in notes) and any("URL of --proxy" in n for n in notes)


def test_every_note_is_above_the_line_it_explains(scrubbed):
    text, _ = scrubbed
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(original.NOTE):
            assert not lines[index + 1].startswith("#")


def test_script_bodies_are_kept_but_masked(scrubbed):
    text, _ = scrubbed
    assert 'echo "********" > /dev/null' in text.splitlines()


def test_a_password_without_a_known_hash_takes_its_line_out():
    """A handler edited since (the text UI) or never hashed: nothing to reuse, so the
    line goes rather than a plaintext or a second hash."""
    text = "rootpw --plaintext Unhashed-Root-121\nbootloader --password=Unhashed-Grub-122\n"
    result = original.scrub(text, make_handler())
    assert "Unhashed" not in result
    assert "rootpw" not in [line.split()[0] for line in result.splitlines() if line[0] != "#"]
    assert "bootloader" in result.splitlines()[-1] and "--password" not in result.splitlines()[-1]


@pytest.mark.parametrize("line, expected", [
    ("rootpw --iscrypted $y$abc$def", None),  # a hash already
    ("rootpw --lock --iscrypted $6$x$y", None),
    ("sshpw --username=k --sshkey 'ssh-ed25519 AAAA k@host'", None),  # a public key
    ("bootloader --md5pass=$1$abc$def", None),
    ("part / --size=1000 --encrypted --backuppassphrase", None),  # a switch, not a secret
    ("url --url=http://repo.invalid/os/", None),
    ("url --url http://u:Split-Word-131@h/", "url --url=http://u@h/"),
    ("repo --name=r --baseurl=http://u:p%40ss-132@h/ --proxy=http://p:q-133@h:3", "repo --name=r --baseurl=http://u@h/ --proxy=http://p@h:3"),
    ("url --url=http://u:at@sign-134@h/", "url --url=http://u@h/"),
    ("autopart --encrypted --pass=Abbrev-135", "autopart --encrypted"),
])
def test_single_lines(line, expected):
    result = original.scrub(line + "\n", make_handler())
    if expected is None:
        assert result == line + "\n"
    else:
        assert result.splitlines()[-1] == expected and result.startswith(original.NOTE)


def test_a_line_that_cannot_be_split_is_left_out():
    result = original.scrub("rootpw 'Unbalanced-141\n", make_handler())
    assert "Unbalanced" not in result and result.startswith(original.NOTE)


def test_the_saved_file_is_the_scrubbed_text(tmp_path):
    from installer.kickstart.writeout import write_kickstarts

    text = "rootpw --plaintext Written-Root-151\nurl --url=http://u:Written-Url-152@h/\n"
    handler = _parse(text)
    secrets.register_all(handler)
    secrets.hash_in_place(handler)
    write_kickstarts(handler, text, tmp_path)
    saved = (tmp_path / "root/original-ks.cfg")
    assert saved.stat().st_mode & 0o777 == 0o600
    body = saved.read_text()
    assert "Written" not in body and re.search(r"^rootpw --iscrypted \$", body, re.M)
    assert "Written" not in (tmp_path / "root/anaconda-ks.cfg").read_text()
