"""The cleanup after an install: every step is tried even when one before it fails, and
each failure is logged, never raised over the install's own error."""
from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

import installer.disks as disks
import installer.install as install
import storage.target as target


def test_wrap_up_tries_every_step(monkeypatch, caplog):
    done = []

    def broken(disk):
        done.append("stage2")
        raise RuntimeError("stage2 stuck")

    monkeypatch.setattr(install, "stage2_back_to_ram", broken)
    monkeypatch.setattr(install, "save_logs", lambda run: done.append("logs"))
    monkeypatch.setattr(install, "take_down", lambda disk: done.append("take down"))
    with caplog.at_level(logging.ERROR):
        install.wrap_up(SimpleNamespace(disk=object()))
    assert done == ["stage2", "logs", "take down"]
    assert "moving stage2 back into RAM failed" in caplog.text and "stage2 stuck" in caplog.text


def test_take_down_closes_the_devices_when_unmounting_fails(monkeypatch, caplog):
    closed = []

    def unmount(mounted):
        raise OSError(16, "Device or resource busy", "/mnt/sysroot")

    monkeypatch.setattr(target, "unmount_target", unmount)
    monkeypatch.setattr(target, "close_devices", lambda session: closed.append(session) or ["vg0: busy"])
    disk = disks.DiskInstall(session="the session", mounted=[Path("/mnt/sysroot")])
    with caplog.at_level(logging.ERROR):
        disks.take_down(disk)
    assert closed == ["the session"] and disk.mounted == []
    assert "unmounting the target failed" in caplog.text and "Device or resource busy" in caplog.text
    assert "closing the devices left vg0: busy" in caplog.text


class Device:
    def __init__(self, name, exists=True, parents=(), swap=False, fail=""):
        self.name, self.exists, self.parents, self.protected = name, exists, list(parents), False
        self.path = f"/dev/{name}"
        self.fail, self.torn = fail, False
        self.format = SimpleNamespace(type="swap" if swap else None, exists=swap, status=swap,
                                      teardown=self._swapoff)

    def _swapoff(self):
        if self.fail == "swapoff":
            raise RuntimeError("swapoff: Invalid argument")

    def teardown(self, recursive=None):
        if self.fail == "teardown":
            raise RuntimeError("Logical volume in use")
        self.torn = True


def test_close_devices_tries_each_device_and_skips_what_was_never_made():
    vg = Device("vg0")
    swap = Device("vg0-swap", parents=[vg], swap=True, fail="swapoff")
    root = Device("vg0-root", parents=[vg], fail="teardown")
    planned = Device("vg0-home", exists=False, parents=[vg])  # execution stopped before it
    luks = Device("luks-sda3")
    never = Device("vg1-data", exists=False, parents=[Device("vg1", exists=False, parents=[luks])])
    session = SimpleNamespace(blivet=SimpleNamespace(
        devices=[vg, swap, root, planned, luks, never],
        devicetree=SimpleNamespace(leaves=[swap, root, planned, never])))
    failed = target.close_devices(session)
    assert failed == ["swapoff /dev/vg0-swap: swapoff: Invalid argument",
                      "vg0-root: Logical volume in use"]
    assert swap.torn and vg.torn and luks.torn and not planned.torn
