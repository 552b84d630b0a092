"""No password or passphrase reaches a log, the console or the saved kickstart.

An install with known secrets in every place a kickstart or boot option can hold one,
at debug log level, with a %post that even echoes one; then every log, the output and
/root/anaconda-ks.cfg are searched for them.
"""
from __future__ import annotations

import re

from installer.passwords import verify_password

SECRETS = {
    "root": "RootSecret-4711",
    "user": "AliceSecret-0815",
    "sshpw": "SshSecret-2222",
    "grub": "GrubSecret-9999",
    "luks": "LuksSecret-1234",
    "proxy": "ProxySecret-5555",
    "bootproxy": "BootProxySecret-77",
}

KICKSTART = f"""lang en_US.UTF-8
timezone Etc/UTC
rootpw --plaintext {SECRETS['root']}
user --name=alice --password={SECRETS['user']} --groups=wheel
sshpw --username=installer {SECRETS['sshpw']} --plaintext
bootloader --location=mbr --password={SECRETS['grub']}
autopart --type=lvm --encrypted --passphrase={SECRETS['luks']}
url --url={{repo}} --proxy=http://puser:{SECRETS['proxy']}@proxy.invalid:3128
%post --nochroot
echo "the root password is {SECRETS['root']}"
%end
"""


def test_no_secret_in_logs_output_or_saved_kickstart(anaconda, tmp_path, small_repo):
    ks = tmp_path / "secrets.ks"
    ks.write_text(KICKSTART.replace("{repo}", small_repo.as_uri()))
    target = tmp_path / "root"
    result = anaconda("--cmdline", "--dirinstall", str(target), "--kickstart", str(ks), "--debug",
                      boot=f"inst.proxy=http://buser:{SECRETS['bootproxy']}@127.0.0.1:3128",
                      repo=None)
    assert result.code == 0, result.text
    searched = {"stdout": result.out, "stderr": result.err}
    for directory in (result.log_dir, target / "var/log/anaconda"):
        for path in directory.iterdir():
            searched[str(path)] = path.read_text(errors="replace")
    saved = (target / "root/anaconda-ks.cfg").read_text()
    searched["anaconda-ks.cfg"] = saved
    searched["original-ks.cfg"] = (target / "root/original-ks.cfg").read_text()
    assert len(searched) >= 13
    for where, text in searched.items():
        for name, secret in SECRETS.items():
            assert secret not in text, f"{name} secret found in {where}"
    assert "the root password is ********" in (target / "var/log/anaconda/ks-script-post-1.log").read_text()

    root_hash = re.search(r"^rootpw --iscrypted (\S+)", saved, re.M).group(1)
    assert root_hash.startswith("$y$") and verify_password(SECRETS["root"], root_hash)
    user_line = next(l for l in saved.splitlines() if l.startswith("user "))
    user_hash = re.search(r"--password=(\S+)", user_line).group(1)
    assert "--iscrypted" in user_line and verify_password(SECRETS["user"], user_hash)
    ssh_hash = re.search(r"^sshpw --username=installer --iscrypted (\S+)$", saved, re.M).group(1)
    assert verify_password(SECRETS["sshpw"], ssh_hash)
    assert re.search(r'^bootloader .*--password="grub\.pbkdf2\.sha512\.10000\.[0-9A-F.]+" --iscrypted',
                     saved, re.M)
    assert re.search(r"^autopart --encrypted --type=lvm\s*$", saved, re.M), "passphrase kept"
    assert '--proxy="http://puser@proxy.invalid:3128"' in saved  # the user kept, not the password
    assert "--plaintext" not in saved
