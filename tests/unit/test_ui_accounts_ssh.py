"""SSH public keys as the root and user spokes check them (installer/ui/ssh_keys.py):
real keys made by ssh-keygen are taken with ssh-keygen's fingerprints; damaged, private,
DSA, short RSA and foreign lines are refused with a message naming the field; keys go in
and out of a real pykickstart handler's `sshkey` lines, other users' untouched."""
from __future__ import annotations

import base64
import struct

import pytest

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler
from installer.ui import accounts
from installer.ui.ssh_keys import drop_keys, keys_of, parse_key, parse_keys, set_keys

# made with ssh-keygen -t ed25519 / rsa -b 2048 / ecdsa -b 256; fingerprints from ssh-keygen -l
ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKfBr1Zev8iXYHLLS2LcicfNQNEDsL/S+QfCOMmHMXZF alice@laptop"
RSA = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCwH5o2AwHaBTYjKY6uxzSSoNA74W0SKa3PjQM6lhWjwClxrHN86YL7gqcLE1Yv/YVpSClZKE8sI6ThAOVIcZwPfJZJfZdy/WdZFDBF0EFUPmFZMo+7WBbHWdLXkQzUOy8Ghan+f7D/Xw80zZkeD041H02cwQkdZnegpBEDREpn2WjWLdn1qf/rQEP83V54D/0ABv3mWLTwmMesFjz6JsfqylP3n70aHLrfl+eqtmG/hF/j2qWJljTPOtOBDRb5aT8fi+ry551H4Z/oO7GK8MCJXtfEC0LophXViw996WT7NiMM5ZjGGDs/EQTWEp7saBk8CUyrp+csR0/oy5tBloZT root@admin"
ECDSA = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLrljvUyjoi3h8sO3bkGarrX19r2dmVSPkOotDKSUos74xWbixeGbB2KgrfKaDxOT1hehKmAkkxcK8cRKjSEnxw="
ED25519_FP = "SHA256:lSOz4QN1ZxeUiRvbKQ8qIgXilqMIZsQRpHCO+HTSYpQ"
ECDSA_FP = "SHA256:RPmK3EEn2h/80SArNBeOoPWgLsjMPk9vGMhOENwOcrI"


def blob(*fields: bytes) -> str:
    return base64.b64encode(b"".join(struct.pack(">I", len(f)) + f for f in fields)).decode()


def test_real_keys_are_read_with_their_fingerprints():
    key = parse_key(ED25519)
    assert (key.kind, key.fingerprint, key.comment) == ("ssh-ed25519", ED25519_FP, "alice@laptop")
    assert key.describe() == f"ssh-ed25519 {ED25519_FP} alice@laptop"
    assert parse_key(ECDSA).fingerprint == ECDSA_FP and parse_key(ECDSA).comment == ""
    assert parse_key(RSA).kind == "ssh-rsa"
    assert parse_key("  " + ED25519.replace(" ", "\t ") + "\n").text == ED25519  # blanks tidied
    options = parse_key("no-pty,no-agent-forwarding " + ED25519)
    assert options.fingerprint == ED25519_FP


@pytest.mark.parametrize("text, expected", [
    ("", "SSH key: paste a public key, such as ssh-ed25519 AAAAC3Nza... you@host."),
    ("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXk", "SSH key: this is a private key."),
    ("/root/.ssh/id_ed25519.pub", "SSH key: '/root/.ssh/id_ed25519.pub' looks like a file's "
     "path; paste the line inside the .pub file instead."),
    ("ssh-ed2551 AAAA", "SSH key: 'ssh-ed2551' is not an OpenSSH public key type. Paste a line "
     "like ssh-ed25519 AAAAC3Nza... you@host; accepted types: ssh-ed25519, "
     "ecdsa-sha2-nistp256/384/521, ssh-rsa or a security-key (sk-) type."),
    ("ssh-ed25519", "SSH key: the ssh-ed25519 key has no key data after its type."),
    (ED25519[:60], "SSH key: the ssh-ed25519 key data is damaged or cut short; paste the whole line again."),
    ("ssh-rsa " + ED25519.split()[1], "SSH key: the key data is not a ssh-rsa key"),
    ("ssh-ed25519 " + blob(b"ssh-ed25519", b"x" * 31), "the ssh-ed25519 key data is damaged"),
    ("ecdsa-sha2-nistp384 " + blob(b"ecdsa-sha2-nistp384", b"nistp256", b"Q"),
     "the ecdsa-sha2-nistp384 key names another curve"),
    ("ssh-rsa " + blob(b"ssh-rsa", b"\x01\x00\x01", b"\x80" + b"\x00" * 63),
     "the RSA key has 512 bits; OpenSSH needs at least 1024"),
    ("ssh-dss " + blob(b"ssh-dss", b"p", b"q", b"g", b"y"), "DSA keys (ssh-dss) are no longer"),
    ('from="10.0.0.0/8" ' + ED25519, "options with double quotes"),
])
def test_what_is_not_a_public_key_is_named(text, expected):
    with pytest.raises(ValueError) as info:
        parse_key(text)
    assert expected in str(info.value)


def test_several_keys_are_numbered():
    with pytest.raises(ValueError, match="^SSH key 2: the ssh-ed25519 key has no key data"):
        parse_keys([ED25519, "ssh-ed25519"])
    assert [k.kind for k in parse_keys([ED25519, RSA])] == ["ssh-ed25519", "ssh-rsa"]


def test_keys_in_and_out_of_the_handler():
    handler = parse([("ks.cfg", f'sshkey --username=alice "{ED25519}"\n'
                                f'sshkey --username=root "{RSA}"\n'
                                f'sshkey --username=alice "{ECDSA}"\n')], None, Reader()).handler
    assert keys_of(handler, "alice") == [ED25519, ECDSA] and keys_of(handler, "bob") == []
    set_keys(handler, "alice", [ECDSA])
    assert [(k.username, k.key) for k in handler.sshkey.sshUserList] == [
        ("alice", ECDSA), ("root", RSA)]
    set_keys(handler, "bob", [ED25519, ECDSA], old_username="alice")  # the account renamed
    assert [(k.username, k.key) for k in handler.sshkey.sshUserList] == [
        ("bob", ED25519), ("bob", ECDSA), ("root", RSA)]
    assert f'sshkey --username=bob "{ED25519}"' in str(handler)
    drop_keys(handler, "bob")
    assert [k.username for k in handler.sshkey.sshUserList] == ["root"]


def test_root_ssh_login_needs_a_password():
    handler = make_handler()
    accounts.set_root_ssh(handler, True)
    assert not accounts.root_ssh_allowed(handler)  # no password: nothing to log in with
    accounts.set_root_password(handler, "correct horse battery staple")
    accounts.set_root_ssh(handler, True)
    assert accounts.root_ssh_allowed(handler)
    assert "\nrootpw --iscrypted --allow-ssh $" in str(handler.rootpw)
    accounts.lock_root(handler)
    accounts.set_root_ssh(handler, True)
    assert not accounts.root_ssh_allowed(handler) and "--allow-ssh" not in str(handler.rootpw)
