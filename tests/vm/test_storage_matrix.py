"""The VM storage matrix (issue 5): the layouts test_install.py does not cover, each
installed in a qemu guest and read back from the guest by `%post --nochroot`.

One `%post` (LAYOUT) prints what the guest sees as RESULT lines: lsblk, the partition
tables (blkid, sfdisk), the target's mounts and fstab, LVM, swaps, btrfs subvolumes and
the storage log's action and swap lines. `Guest` parses them on the host, where a failed
assertion can show them. Bystander disks (install_target=False) are checked byte for byte
by the harness; installs are combined so the matrix costs six guests.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

import pytest

from tests.vm.harness import Disk
from tests.vm.test_install import image, install, kickstart  # noqa: F401 (image: a fixture)

pytestmark = pytest.mark.vm

MiB = 1 << 20
BIOSBOOT_GUID = "21686148-6449-6e6f-744e-656564454649"

LAYOUT = r"""
%post --nochroot
exec > /dev/ttyS0 2>&1
for link in /dev/disk/by-id/virtio-*; do
  case "$link" in *-part*) continue ;; esac
  echo "RESULT: disk.${link#/dev/disk/by-id/virtio-}=$(basename "$(readlink -f "$link")")"
done
for sys in /sys/block/vd*; do
  d=${sys##*/}
  echo "RESULT: pttype.$d=$(blkid -p -o value -s PTTYPE /dev/$d)"
  echo "RESULT: parts.$d=$(ls -d $sys/$d* 2>/dev/null | wc -l)"
  sfdisk -d /dev/$d 2>/dev/null | grep '^/dev/' | sed 's/^/RESULT: sfdisk /'
done
lsblk -Pbno NAME,TYPE,FSTYPE,LABEL,PARTTYPE,SIZE,MOUNTPOINT | sed 's/^/RESULT: blk /'
findmnt -rno TARGET,SOURCE,FSTYPE,OPTIONS -R /mnt/sysroot | sed 's/^/RESULT: mnt /'
sed 's/^/RESULT: fstab /' /mnt/sysroot/etc/fstab
lvs --noheadings --units m --nosuffix -o lv_name,vg_name,lv_size,segtype,pool_lv 2>/dev/null | sed 's/^ */RESULT: lvs /'
vgs --noheadings --units m --nosuffix -o vg_name,vg_size,vg_free,vg_extent_size 2>/dev/null | sed 's/^ */RESULT: vgs /'
tail -n +2 /proc/swaps | grep -v '^/dev/zram' | sed 's/^/RESULT: swap /'
btrfs subvolume list /mnt/sysroot 2>/dev/null | sed 's/^/RESULT: subvol /'
grep -n -e 'Storage: ' -e 'Swap activated on' /tmp/storage.log | sed 's/^/RESULT: slog /'
echo "RESULT: layout-done=yes"
%end
"""


@dataclass
class Guest:
    """What LAYOUT printed, parsed. Mount points are the target's (/, /boot, ...)."""

    values: dict[str, str]
    blk: dict[str, dict[str, str]] = field(default_factory=dict)  # lsblk NAME -> columns
    sfdisk: list[str] = field(default_factory=list)
    mounts: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # -> source, fstype, options
    fstab: dict[str, list[str]] = field(default_factory=dict)  # mount point -> fields
    lvs: dict[str, list[str]] = field(default_factory=dict)  # lv name -> vg, size MiB, segtype, pool
    vgs: dict[str, list[float]] = field(default_factory=dict)  # vg -> size, free, extent (MiB)
    proc_swaps: int = 0  # lines of /proc/swaps
    subvols: list[str] = field(default_factory=list)
    slog: list[str] = field(default_factory=list)  # storage.log lines, in file order

    @classmethod
    def read(cls, result) -> Guest:
        guest = cls(values=result.values)
        slog: list[tuple[int, str]] = []
        for note in (r.text for r in result.results if r.kind == "note"):
            kind, _, rest = note.partition(" ")
            if kind == "blk":
                row = dict(pair.split("=", 1) for pair in shlex.split(rest))
                guest.blk[row["NAME"]] = row
            elif kind == "sfdisk":
                guest.sfdisk.append(rest)
            elif kind == "mnt":
                target, source, fstype, options = rest.split(" ", 3)
                mount = target.removeprefix("/mnt/sysroot") or "/"
                guest.mounts[mount] = (source, fstype, options)
            elif kind == "fstab" and not rest.startswith("#") and len(rest.split()) >= 4:
                fields = rest.split()
                guest.fstab[fields[1] if fields[2] != "swap" else f"swap:{fields[0]}"] = fields
            elif kind == "lvs":
                name, *rest_fields = rest.split()
                guest.lvs[name] = rest_fields + [""] * (4 - len(rest_fields))
            elif kind == "vgs":
                name, *numbers = rest.split()
                guest.vgs[name] = [float(n) for n in numbers]
            elif kind == "swap":
                guest.proc_swaps += 1
            elif kind == "subvol":
                guest.subvols.append(rest.split()[-1])
            elif kind == "slog":
                number, _, line = rest.partition(":")
                if number.isdigit():
                    slog.append((int(number), line))
        guest.slog = [line for _, line in sorted(slog)]
        return guest

    @property
    def swaps(self) -> list[str]:
        """Active swaps by the paths the installer uses (/proc/swaps says dm-N for an LV);
        the installer's own zRAM swap (guests under 1 GiB) is not the layout's."""
        return sorted(("/dev/" if row["TYPE"] in ("disk", "part") else "/dev/mapper/") + name
                      for name, row in self.blk.items()
                      if row.get("MOUNTPOINT") == "[SWAP]" and not name.startswith("zram"))

    def device_of(self, mount: str) -> dict[str, str]:
        """lsblk's row for the device mounted on `mount` of the target."""
        source = re.sub(r"\[.*\]$", "", self.mounts[mount][0])  # btrfs: /dev/vda3[/root]
        return self.blk[source.removeprefix("/dev/mapper/").removeprefix("/dev/")]

    def sfdisk_entries(self, disk: str) -> dict[int, str]:
        """Partition number -> the rest of sfdisk's line, for one disk."""
        entries = {}
        for line in self.sfdisk:
            match = re.match(rf"/dev/{disk}(\d+)\s*:\s*(.*)", line)
            if match:
                entries[int(match.group(1))] = match.group(2)
        return entries


def swap_order_problems(slog: list[str]) -> tuple[list[str], list[str]]:
    """The swaps the log shows activated, and every way the log breaks the promise that a
    swap is on as soon as its format is created, before the next storage action runs."""
    created: dict[str, int] = {}
    activated: list[str] = []
    problems: list[str] = []
    for index, line in enumerate(slog):
        match = re.search(r"Storage: Created swap on (\S+)", line)
        if match:
            created[match.group(1)] = index
    for index, line in enumerate(slog):
        match = re.search(r"Swap activated on (\S+)", line)
        if not match:
            continue
        path = match.group(1)
        activated.append(path)
        made = created.get(path)
        if made is None or made > index:
            problems.append(f"{path}: activated without its format created before")
            continue
        later = [i for i in range(made + 1, len(slog)) if "Storage: Executing" in slog[i]]
        if later and later[0] < index:
            problems.append(f"{path}: activated only after the next action: {slog[later[0]].strip()}")
    for path in created:
        if path not in activated:
            problems.append(f"{path}: swap created but never activated")
    return activated, problems


def check_install(result) -> Guest:
    """The checks every install of the matrix shares; returns the parsed guest."""
    assert result.succeeded, result.summary()
    assert result.exit_state == "poweroff", result.summary()
    guest = Guest.read(result)
    assert guest.values.get("layout-done") == "yes", result.summary()
    activated, problems = swap_order_problems(guest.slog)
    assert not problems, "\n".join(problems + ["--- storage.log ---", *guest.slog])
    assert sorted(activated) == guest.swaps and len(activated) == guest.proc_swaps, \
        (activated, guest.swaps, guest.proc_swaps)
    assert result.untouched_disks_ok, result.disk_message
    return guest


def size_mib(row: dict[str, str]) -> float:
    return int(row["SIZE"]) / MiB


# --------------------------------------------------------------------------- autopart

@pytest.mark.parametrize("scheme", ["plain", "thinp", "btrfs"])
def test_autopart_scheme_on_one_of_three_disks(image, tmp_path, vm_workdir, scheme):
    """autopart --type=plain|thinp|btrfs, with ignoredisk --only-use picking the middle one
    of three disks: the other two stay byte-identical and without partitions."""
    storage = ("ignoredisk --only-use=vdb\nzerombr\nclearpart --all --initlabel\n"
               f"autopart --type={scheme}\n")
    disks = [Disk("left", "1G", install_target=False), Disk("target", "8G"),
             Disk("right", "1G", install_target=False)]
    result = install(image, tmp_path, vm_workdir, kickstart(storage) + LAYOUT, disks)
    guest = check_install(result)
    values = guest.values
    assert (values["disk.left"], values["disk.target"], values["disk.right"]) == ("vda", "vdb", "vdc")
    for bystander in ("vda", "vdc"):
        assert values[f"pttype.{bystander}"] == "" and values[f"parts.{bystander}"] == "0", values
        assert not guest.sfdisk_entries(bystander)
    assert values["pttype.vdb"] == "gpt"
    root, boot = guest.device_of("/"), guest.device_of("/boot")
    assert boot["TYPE"] == "part" and boot["NAME"].startswith("vdb"), guest.blk
    assert len(guest.swaps) == 1
    if scheme == "plain":
        assert not guest.vgs and not guest.lvs, (guest.vgs, guest.lvs)
        assert root["TYPE"] == "part" and root["NAME"].startswith("vdb") and root["FSTYPE"] == "xfs"
        assert guest.swaps[0].startswith("/dev/vdb")
    elif scheme == "thinp":
        segtypes = {name: fields[2] for name, fields in guest.lvs.items()}
        pools = [name for name, seg in segtypes.items() if seg == "thin-pool"]
        assert len(pools) == 1, guest.lvs
        assert segtypes["root"] == "thin" and guest.lvs["root"][3] == pools[0], guest.lvs
        assert segtypes["swap"] == "linear", guest.lvs  # swap is never thin
        assert root["FSTYPE"] == "xfs" and guest.mounts["/"][0].endswith("-root")
    else:
        assert not guest.vgs
        assert sorted(guest.subvols) == ["home", "root"], guest.subvols
        assert guest.mounts["/"][1] == guest.mounts["/home"][1] == "btrfs"
        assert guest.device_of("/") == guest.device_of("/home")  # one volume
        assert "subvol=root" in guest.fstab["/"][3] and "subvol=home" in guest.fstab["/home"][3]
        assert boot["FSTYPE"] == "ext4"
        assert guest.swaps[0].startswith("/dev/vdb")  # swap is a partition, not in btrfs


# --------------------------------------------------------------------------- part layouts

PART_LAYOUT = """ignoredisk --only-use=vda
zerombr
clearpart --all --initlabel --disklabel={label}
reqpart
part /boot --fstype=ext4 --size=512 --label=bootfs --asprimary
part / --fstype=xfs --size=1500 --grow --label=rootfs --asprimary
part swap --size=256
part /var --fstype=ext4 --size=500 --grow --maxsize=600 --fsoptions="noatime,nodev"
part /home --fstype=xfs --size=300
"""


@pytest.mark.parametrize("label", ["gpt", "msdos"])
def test_part_layout_on_gpt_and_msdos(image, tmp_path, vm_workdir, label):
    """A mixed `part` layout: labels, --fsoptions, --grow with and without --maxsize, and
    reqpart's biosboot on GPT. On msdos five partitions need an extended one; --asprimary
    keeps /boot and / primary, and reqpart adds nothing.

    The boot loader is --location=none (the small repository has no GRUB) and reqpart
    still makes the biosboot partition. Anaconda would skip it (skip_bootloader): if the
    planner follows it there, the GPT case needs a repository with GRUB instead."""
    result = install(image, tmp_path, vm_workdir, kickstart(PART_LAYOUT.format(label=label)) + LAYOUT,
                     [Disk("target", "4G"), Disk("bystander", "1G", install_target=False)])
    guest = check_install(result)
    values = guest.values
    assert values["pttype.vda"] == ("gpt" if label == "gpt" else "dos"), values
    assert values["pttype.vdb"] == "" and values["parts.vdb"] == "0", values
    boot, root, var = guest.device_of("/boot"), guest.device_of("/"), guest.device_of("/var")
    home = guest.device_of("/home")
    assert (boot["FSTYPE"], boot["LABEL"]) == ("ext4", "bootfs"), boot
    assert (root["FSTYPE"], root["LABEL"]) == ("xfs", "rootfs"), root
    assert (var["FSTYPE"], home["FSTYPE"]) == ("ext4", "xfs")
    # growing requests share the free space by their base sizes (blivet, Anaconda): /var's
    # share (~750 MiB) is capped at --maxsize (a logical partition loses ~2 MiB to its EBR
    # and alignment), and / takes what /var leaves of the 4 GiB
    assert 596 <= size_mib(var) <= 600, var
    assert size_mib(root) > 2300, root
    assert abs(size_mib(home) - 300) <= 1 and abs(size_mib(boot) - 512) <= 1
    assert guest.fstab["/var"][3] == "noatime,nodev", guest.fstab
    options = guest.mounts["/var"][2].split(",")
    assert "noatime" in options and "nodev" in options, guest.mounts["/var"]
    assert len(guest.swaps) == 1 and guest.swaps[0].startswith("/dev/vda")
    entries = guest.sfdisk_entries("vda")
    number = {name: int(re.sub(r"^vda", "", guest.device_of(m)["NAME"]))
              for name, m in (("boot", "/boot"), ("root", "/"))}
    if label == "gpt":
        biosboot = [row for row in guest.blk.values() if row["PARTTYPE"].lower() == BIOSBOOT_GUID]
        assert len(biosboot) == 1 and biosboot[0]["NAME"].startswith("vda"), guest.blk
        assert len(entries) == 6, entries  # biosboot, /boot, /, /home, swap, /var
    else:
        assert not any(row["PARTTYPE"].lower() == BIOSBOOT_GUID for row in guest.blk.values())
        extended = [n for n, entry in entries.items() if re.search(r"type=(5|f|85)\b", entry)]
        logical = [n for n in entries if n >= 5]
        assert len(extended) == 1 and extended[0] <= 4, entries
        assert len(entries) == 6 and len(logical) >= 1, entries  # 5 partitions + extended
        assert number["boot"] <= 4 and number["root"] <= 4, (number, entries)  # --asprimary


# --------------------------------------------------------------------------- LVM sizing, two swaps

LVM_LAYOUT = """ignoredisk --only-use=vda
zerombr
clearpart --all --initlabel
part biosboot --size=1
part /boot --fstype=ext4 --size=512
part swap --size=128
part pv.01 --size=3000
volgroup vg pv.01
logvol swap --vgname=vg --name=swap --size=200
logvol / --vgname=vg --name=root --percent=50
logvol /home --vgname=vg --name=home --size=300 --grow
"""


def test_logvol_percent_grow_and_two_swaps(image, tmp_path, vm_workdir):
    """logvol --percent takes that share of the space the other LVs leave at their base
    sizes (blivet's and Anaconda's meaning), --grow takes the rest, --size is exact. Two
    swaps, a partition and an LV, both made before other actions: each is on before the
    next storage action runs."""
    result = install(image, tmp_path, vm_workdir, kickstart(LVM_LAYOUT) + LAYOUT,
                     [Disk("target", "6G"), Disk("bystander", "1G", install_target=False)])
    guest = check_install(result)
    assert set(guest.lvs) == {"root", "home", "swap"}, guest.lvs
    vg_size, vg_free, extent = guest.vgs["vg"]
    root, home, swap = (float(guest.lvs[name][1]) for name in ("root", "home", "swap"))
    assert 2900 <= vg_size <= 3000 and swap == 200, (guest.vgs, guest.lvs)
    left = vg_size - 300 - 200  # what /home's and swap's base sizes leave
    expected = (left / extent // 2) * extent
    assert abs(root - expected) <= extent, (root, expected, guest.vgs, guest.lvs)
    assert vg_free <= 2 * extent and abs(root + home + swap + vg_free - vg_size) < 1, guest.vgs
    assert guest.mounts["/"][0] == "/dev/mapper/vg-root" and guest.mounts["/home"][1] == "xfs"
    partition_swap = [s for s in guest.swaps if s.startswith("/dev/vda")]
    assert len(partition_swap) == 1 and guest.swaps == sorted(partition_swap + ["/dev/mapper/vg-swap"]), \
        guest.swaps  # both on, each before the next action: check_install read the log
    for swap in guest.swaps:  # and the order check had a next action to compare with
        activated = next(i for i, line in enumerate(guest.slog) if f"Swap activated on {swap} " in line)
        assert any("Storage: Executing" in line for line in guest.slog[activated:]), guest.slog
