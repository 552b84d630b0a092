"""The kickstart parser on real pykickstart: file:line through %include and %ksappend,
syntax versions, warnings, and the secrets pass."""
from __future__ import annotations

import pytest

from installer.errors import KickstartError
from installer.kickstart import secrets
from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.kickstart.version import make_handler, newest_fedora
from installer.passwords import verify_password


def parse_file(path, version=None, strict=False):
    return parse([(str(path), path.read_text())], version, Reader(), strict)


def test_locations_through_include_and_ksappend(tmp_path):
    (tmp_path / "inc.ks").write_text("# comment\nkeyboard us\n")
    (tmp_path / "app.ks").write_text("\n\nselinux --permissive\n")
    main = tmp_path / "main.ks"
    main.write_text(f"lang en_US.UTF-8\n%include inc.ks\n%ksappend {tmp_path}/app.ks\n"
                    "rootpw --lock\n%post\ntrue\n%end\n")
    loaded = parse_file(main)
    seen = {c.name: str(c.location) for c in loaded.commands_seen}
    assert seen == {"lang": f"{main}:1", "keyboard": f"{tmp_path}/inc.ks:2",
                    "selinux": f"{tmp_path}/app.ks:3", "rootpw": f"{main}:4"}
    assert str(loaded.handler.scripts[0].location) == f"{main}:5"
    assert loaded.files_read == [str(main), f"{tmp_path}/inc.ks"]


def test_error_after_ksappend_keeps_main_file_lines(tmp_path):
    (tmp_path / "app.ks").write_text("selinux --permissive\nfirewall --enabled\n")
    main = tmp_path / "main.ks"
    main.write_text(f"%ksappend {tmp_path}/app.ks\nlang en_US.UTF-8\nbogus\n")
    with pytest.raises(KickstartError) as err:
        parse_file(main)
    assert (err.value.file, err.value.line) == (str(main), 3)


def test_default_version_is_newest_fedora_and_selectable(tmp_path):
    assert make_handler().version == make_handler(newest_fedora()).version
    ks = tmp_path / "v.ks"
    ks.write_text("lang en_US.UTF-8\n")
    assert parse_file(ks, "RHEL9").handler.__class__.__name__ == "RHEL9Handler"
    with pytest.raises(KickstartError, match="F99"):
        parse_file(ks, "F99")


def test_warnings_are_located_and_strict_makes_them_errors(tmp_path):
    ks = tmp_path / "w.ks"
    ks.write_text("lang en_US.UTF-8\ntimezone Etc/UTC --isUtc\n")
    loaded = parse_file(ks)
    assert len(loaded.warnings) == 1 and loaded.warnings[0].startswith(f"{ks}:2: ")
    with pytest.raises(KickstartError, match="inst.ksstrict"):
        parse_file(ks, strict=True)


def test_hash_in_place_and_safe_text(tmp_path):
    ks = tmp_path / "p.ks"
    ks.write_text("rootpw --plaintext hunter2-root\nuser --name=bob --password=hunter2-bob\n"
                  "part / --size=1000 --encrypted --passphrase=hunter2-luks\n")
    handler = parse_file(ks).handler
    secrets.hash_in_place(handler)
    assert handler.rootpw.isCrypted and verify_password("hunter2-root", handler.rootpw.password)
    assert verify_password("hunter2-bob", handler.user.userList[0].password)
    text = secrets.safe_text(handler)
    assert "hunter2" not in text
    # the passphrase is still in the model for storage, only left out of the text
    assert handler.partition.partitions[0].passphrase == "hunter2-luks"


def test_saved_kickstart_leaves_an_unseen_bootloader_out():
    """An unseen bootloader means "install it"; pykickstart would print --location=none,
    which read back means the opposite. A bootloader the kickstart gave is kept."""
    from pykickstart.parser import KickstartParser

    from installer.kickstart.version import make_handler
    from installer.kickstart.writeout import output_text

    handler = make_handler()
    KickstartParser(handler).readKickstartFromString("autopart\n")
    text = output_text(handler)
    assert "bootloader" not in text and "autopart" in text
    assert handler.bootloader.location == "none"  # the handler itself is unchanged
    given = make_handler()
    KickstartParser(given).readKickstartFromString("bootloader --location=none\n")
    assert "bootloader --location=none" in output_text(given)
