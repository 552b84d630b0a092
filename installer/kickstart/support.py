"""What this installer does with every kickstart command, section, option and %addon.

The product promises that a kickstart which works in Anaconda works here, so nothing in
a kickstart may be dropped without a word. This module is the one table that says, for
each command pykickstart's newest handler knows (and each script/%packages section and
each option of them), one of:

- applied: done to the installed system (the text says what);
- limited: applied, with the limits named in the text;
- warned: not applied; the install goes on and a warning names `file:line`;
- refused: the install stops before anything is written (exit 2) naming `file:line`.

Each option of an applied command is listed as applied, warned or refused; an option
the table does not list (a new pykickstart option) is warned of as having no rule. `checks/support.py` turns the table into warnings and errors for a loaded
kickstart; `tests/unit/test_kickstart_support.py` walks pykickstart's handler so a command
or option nobody thought of fails the test; the README's table is `markdown()`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

APPLIED, LIMITED, WARNED, REFUSED = "applied", "limited", "warned", "refused"
STATES = (APPLIED, LIMITED, WARNED, REFUSED)


@dataclass(frozen=True)
class Command:
    """One command (or section) and its options' dispositions."""

    name: str
    state: str
    text: str
    #: options applied, space-separated (any one spelling of each)
    applied: str = ""
    #: options (any of their spellings) that are not applied, and why
    warned: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    #: other names of the same command (`partition` for `part`)
    aliases: tuple[str, ...] = ()
    #: the README names these options in the command's row
    shown: str = ""

    def option_state(self, option: str) -> tuple[str, str] | None:
        """(state, why) of one spelling of an option; None when the table has no rule."""
        if option in self.refused:
            return REFUSED, self.refused[option]
        if option in self.warned:
            return WARNED, self.warned[option]
        if option in self.applied.split():
            return APPLIED, ""
        return None


REMOVED = "removed from the kickstart syntax (pykickstart refuses it)"
S390 = "IBM Z (s390x) only; this installer installs x86-64 and has no such hardware"
NO_ESCROW = "no key escrow here (Anaconda's needs volume_key and a certificate): not applied"
OPAL = "self-encrypting (OPAL) drives are not supported (blivet 3.7 has no support)"

COMMANDS: tuple[Command, ...] = (
    # ---------------------------------------------------------------- installation source
    Command("url", APPLIED,
            "the package source: `http(s)://`, `ftp://`, `file:`, `nfs:`; `--mirrorlist`, "
            "`--metalink`, `--proxy`, `--noverifyssl`",
            warned={"--sslcacert": "TLS client settings of the source are not passed to DNF",
                    "--sslclientcert": "TLS client settings of the source are not passed to DNF",
                    "--sslclientkey": "TLS client settings of the source are not passed to DNF"},
            applied="--url --mirrorlist --metalink --proxy --noverifyssl"),
    Command("repo", APPLIED,
            "an extra DNF repository (`--name --baseurl --mirrorlist --metalink --cost "
            "--includepkgs --excludepkgs --proxy --noverifyssl`); `--install` writes "
            "`/etc/yum.repos.d/NAME.repo` (0600 when a URL holds credentials)",
            warned={"--sslcacert": "TLS client settings of a repository are not passed to DNF",
                    "--sslclientcert": "TLS client settings of a repository are not passed to DNF",
                    "--sslclientkey": "TLS client settings of a repository are not passed to DNF"},
            applied="--name --baseurl --mirrorlist --metalink --cost --includepkgs --excludepkgs --proxy --noverifyssl --install"),
    Command("cdrom", APPLIED, "the boot medium (or `cdrom:DEVICE`) as the package source, mounted read-only"),
    Command("harddrive", APPLIED,
            "a tree or an ISO on a disk partition (`--partition --dir`) as the package source, "
            "mounted read-only; that disk is protected from the layout",
            applied="--partition --dir"),
    Command("nfs", APPLIED,
            "an NFS export (`--server --dir --opts`: a tree, an ISO, or a directory of ISOs) "
            "as the package source, mounted read-only with `nolock`; on a host whose kernel "
            "has no NFS client the export is copied with libnfs instead",
            applied="--server --dir --opts"),
    Command("liveimg", APPLIED,
            "the system copied from an image instead of packages: a tarball or a filesystem "
            "image (squashfs, also with `LiveOS/rootfs.img` inside, or raw ext4/xfs), fetched "
            "from `--url` (`--proxy`, `--noverifyssl`), `--checksum` sha256 verified before "
            "anything is unpacked; copied with owners, ACLs, xattrs and hard links "
            "(`/dev /proc /sys /run /tmp`, `machine-id` left out); then configured as usual "
            "(the initramfs remade); `%packages` and `repo` are warned of and ignored",
            applied="--url --proxy --noverifyssl --checksum"),
    Command("ostreesetup", REFUSED, "no OSTree payload here: only DNF packages and live images"),
    Command("ostreecontainer", REFUSED, "no OSTree payload here: only DNF packages and live images"),
    Command("bootc", REFUSED, "no bootc payload here: only DNF packages and live images"),
    Command("updates", WARNED,
            "an updates image is applied by the boot image's init, before the kickstart is "
            "read: give `inst.updates=` on the kernel command line"),
    Command("driverdisk", WARNED,
            "driver disks are not supported: the boot image carries its kernel's modules"),
    # ---------------------------------------------------------------- storage
    Command("ignoredisk", APPLIED,
            "`--only-use`, `--drives` (names, `/dev` paths, by-id links, shell patterns such "
            "as `sd*`): which disks the layout may use; a named protected disk is refused",
            applied="--drives --only-use"),
    Command("zerombr", APPLIED, "disks with an unreadable or no partition table are initialised"),
    Command("clearpart", APPLIED,
            "`--all --linux --none --list --drives --initlabel`, `--disklabel=gpt|msdos`: what "
            "is removed before the layout is made; new partition tables are GPT unless "
            "`--disklabel` or `inst.disklabel` say otherwise",
            applied="--all --initlabel --linux --none --disklabel --drives --list",
            warned={"--cdl": "a DASD (IBM Z) disk format; this installer installs x86-64"}),
    Command("autopart", APPLIED,
            "Anaconda's automatic layout (`--type=plain|lvm|thinp|btrfs`, `--nolvm`, "
            "`--fstype`, `--nohome --noswap --noboot`, `--encrypted --passphrase "
            "--luks-version --cipher --pbkdf*` (LUKS2), `--hibernation`); sizes as "
            "Anaconda's, swap by RAM; without `--pbkdf-memory/-time/-iterations` (here and "
            "on part, logvol, raid) LUKS2's Argon2 memory cost is chosen from the RAM so "
            "the installed system can unlock in the same RAM",
            applied="--encrypted --passphrase --nolvm --type --cipher --fstype --nohome "
                    "--noboot --noswap --luks-version --pbkdf --pbkdf-memory --pbkdf-time "
                    "--pbkdf-iterations --hibernation",
            warned={"--escrowcert": NO_ESCROW, "--backuppassphrase": NO_ESCROW,
                    "--hw-passphrase": OPAL}),
    Command("reqpart", APPLIED,
            "the partitions the firmware needs (biosboot on GPT/BIOS, the ESP on UEFI); "
            "`--add-boot` adds `/boot`",
            applied="--add-boot"),
    Command("part", LIMITED,
            "a partition (`--size --grow --maxsize --recommended --hibernation --fstype "
            "--ondisk --asprimary --label --fsoptions --mkfsoptions --encrypted --passphrase "
            "--luks-version --cipher --pbkdf*`); `--onpart`/`--usepart` reuse one "
            "(`--noformat` keeps the data, `--resize`); `--fstype=tmpfs --size=N` is an "
            "fstab line (`size=Nm`), no partition. Limits: `--fsprofile` is `mke2fs -T` "
            "(ext2/3/4 only, as blivet); `--onbiosdisk` needs the firmware's EDD data "
            "(refused without it); `--pbkdf*` LUKS2 only; `--label` not with `--noformat`",
            aliases=("partition",),
            applied="--asprimary --fstype --grow --maxsize --noformat --ondisk --onpart "
                    "--recommended --size --fsoptions --label --encrypted --passphrase --resize "
                    "--cipher --mkfsoptions --luks-version --fsprofile --onbiosdisk --hibernation "
                    "--pbkdf --pbkdf-memory --pbkdf-time --pbkdf-iterations",
            warned={"--escrowcert": NO_ESCROW, "--backuppassphrase": NO_ESCROW,
                    "--hw-passphrase": OPAL}),
    Command("volgroup", APPLIED,
            "an LVM volume group (`--pesize`, `--reserved-space`/`--reserved-percent` kept "
            "free); `--useexisting`/`--noformat` reuse one",
            applied="--noformat --useexisting --pesize --reserved-space --reserved-percent"),
    Command("logvol", LIMITED,
            "an LVM logical volume (`--size --grow --percent --maxsize --recommended "
            "--hibernation --fstype --label --fsoptions --mkfsoptions --encrypted --passphrase "
            "--luks-version --cipher --pbkdf*`), thin pools and volumes (`--thinpool --thin "
            "--poolname --chunksize --metadatasize --profile`); `--useexisting --noformat "
            "--resize` reuse one (also `--encrypted`). Limits: `--profile` only "
            "thin-generic/thin-performance (else warned); `--fsprofile` ext2/3/4 only; "
            "`--pbkdf*` LUKS2 only",
            applied="--fstype --grow --maxsize --name --noformat --percent --recommended --size "
                    "--useexisting --vgname --fsoptions --encrypted --passphrase --label --resize "
                    "--cipher --thinpool --thin --poolname --mkfsoptions --luks-version "
                    "--fsprofile --chunksize --metadatasize --profile --hibernation --pbkdf "
                    "--pbkdf-memory --pbkdf-time --pbkdf-iterations",
            warned={"--escrowcert": NO_ESCROW, "--backuppassphrase": NO_ESCROW,
                    "--cachesize": "LVM cache volumes are not made",
                    "--cachemode": "LVM cache volumes are not made",
                    "--cachepvs": "LVM cache volumes are not made"}),
    Command("raid", LIMITED,
            "an md RAID array (levels 0, 1, 4, 5, 6, 10; `--device --spares --chunksize "
            "--fstype --label --fsoptions --mkfsoptions --encrypted --passphrase "
            "--luks-version --cipher --pbkdf*`); `--useexisting` reformats an existing array, "
            "`--noformat` keeps its data. Limits: `--chunksize` refused on RAID1; "
            "`--fsprofile` ext2/3/4 only; `--pbkdf*` LUKS2 only",
            applied="--device --fstype --level --noformat --spares --useexisting --fsoptions "
                    "--encrypted --passphrase --label --cipher --mkfsoptions --luks-version "
                    "--fsprofile --chunksize --pbkdf --pbkdf-memory --pbkdf-time "
                    "--pbkdf-iterations",
            warned={"--escrowcert": NO_ESCROW, "--backuppassphrase": NO_ESCROW}),
    Command("btrfs", LIMITED,
            "a btrfs volume over `btrfs.NN` members (`--data --metadata --label`) or a "
            "subvolume (`--subvol --name`); `--useexisting`/`--noformat` mount an existing "
            "one with its data (found by `--name`/`--label`)",
            applied="--noformat --useexisting --label --data --metadata --subvol --name",
            warned={"--mkfsoptions": "blivet 3.7 passes no options to mkfs.btrfs",
                    "--parent": "the parent is the volume named on the line (Anaconda ignores "
                                "it too)"}),
    Command("mount", APPLIED,
            "existing devices (`/dev/X`, `LABEL=`, `UUID=`, `PARTUUID=`, `PARTLABEL=`) mounted "
            "at mount points, no partition made (`none`: only reformatted); "
            "`--reformat[=FSTYPE] --mkfsoptions --mountoptions`; refused beside the layout "
            "commands, for a device used twice, gone after `clearpart`, on an unselected disk, "
            "a whole disk or a locked LUKS device; reusing `/boot`, `/var`, `/tmp`, `/usr` "
            "unformatted is warned of, as Anaconda",
            applied="--reformat --mkfsoptions --mountoptions"),
    Command("snapshot", APPLIED,
            "an LVM thin snapshot `VG/LV --name --when`: `pre-install` of an existing thin LV "
            "before the layout is written, `post-install` after the saved kickstart and "
            "before `%post` (Anaconda's order); an origin that is missing or no thin LV, or a "
            "name taken, is refused before anything is written",
            applied="--name --when"),
    Command("bootloader", APPLIED,
            "GRUB 2 with the target's tools (`grub2-*` or `grub-*`): `--location=mbr|partition|"
            "none`, `--boot-drive`, `--append`, `--timeout`, `--password --iscrypted`, "
            "`--disabled`; BIOS into the boot disk (each RAID1 member of `/boot`; biosboot on "
            "GPT), UEFI into the ESP (boot entry and the removable path); the installer's "
            "`console=` carried over; no `bootloader` command means install it",
            applied="--append --location --password --timeout --iscrypted --boot-drive --disabled",
            warned={"--driveorder": "the boot disk is --boot-drive or the first selected disk",
                    "--default": "GRUB's default entry is left as its tools set it",
                    "--md5pass": "GRUB 2 takes no MD5 password: no password is set",
                    "--leavebootorder": "a UEFI install still puts its entry first",
                    "--nombr": "the boot loader is still written to the boot disk"},
            refused={"--extlinux": "no extlinux here: GRUB 2 only",
                     "--sdboot": "no systemd-boot here: GRUB 2 only"}),
    Command("iscsi", REFUSED, "iSCSI disks are not supported: the install would miss its target disks"),
    Command("iscsiname", WARNED, "no iSCSI initiator here (iSCSI disks are not supported)"),
    Command("fcoe", REFUSED, "FCoE disks are not supported: the install would miss its target disks"),
    Command("zfcp", REFUSED, S390),
    Command("hmc", REFUSED, S390),
    Command("zipl", WARNED, S390),
    Command("stratispool", REFUSED, "Stratis storage is not supported (blivet 3.7, no stratisd)"),
    Command("stratisfs", REFUSED, "Stratis storage is not supported (blivet 3.7, no stratisd)"),
    # ---------------------------------------------------------------- localization, time
    Command("lang", APPLIED,
            "`/etc/locale.conf` (LANG); with `/etc/locale.gen` (Debian-style glibc) LANG and "
            "`--addsupport` locales are compiled by `locale-gen`; elsewhere extra languages are "
            "a package matter (logged)",
            applied="--addsupport"),
    Command("keyboard", APPLIED,
            "`/etc/vconsole.conf` KEYMAP= and `/etc/X11/xorg.conf.d/00-keyboard.conf` "
            "(`--vckeymap --xlayouts --switch`, old `keyboard KEYMAP`), converted through the "
            "target's `kbd-model-map` as localed does; `/etc/default/keyboard` too when "
            "keyboard-configuration is installed",
            applied="--vckeymap --xlayouts --switch"),
    Command("timezone", APPLIED,
            "`/etc/localtime`, `/etc/adjtime` (`--utc`/`--isUtc`); `--ntpservers`, `--nontp` "
            "as `timesource`",
            applied="--utc --isUtc --nontp --ntpservers"),
    Command("timesource", APPLIED,
            "chrony (`server`/`pool ... iburst [nts]` first in `chrony.conf`) or "
            "systemd-timesyncd (NTP=, no NTS: warned); `--ntp-server --ntp-pool --nts "
            "--ntp-disable`",
            applied="--ntp-server --ntp-pool --ntp-disable --nts"),
    # ---------------------------------------------------------------- network
    Command("network", LIMITED,
            "NetworkManager keyfiles when NetworkManager is installed, else systemd-networkd "
            "files: devices (by name, MAC or `link`; `--bindto=mac`), `--bootproto=dhcp|bootp|"
            "static`, IPv4/IPv6 addresses (`--ipv6=auto|dhcp|ADDR`), gateways, DNS and search "
            "domains (`--nodns`), `--mtu`, `--onboot`, `--nodefroute`, `--dhcpclass`; bonds "
            "(`--bondslaves --bondopts`), VLANs (`--vlanid --interfacename`), bridges "
            "(`--bridgeslaves --bridgeopts`) and teams (`--teamslaves --teamconfig`); the "
            "installer's `ip=`, `bond=`, `vlan=`, `bridge=`, `team=`, `ifname=`, `nameserver=` "
            "are carried over for devices the kickstart does not configure. Limits: teams "
            "need NetworkManager (on networkd warned, not written); bond options networkd has "
            "no setting for are warned; `--activate` brings a device up in the image's init "
            "only for a kickstart read before the network (hd:, cdrom, OEMDRV, initrd) and "
            "without `ip=`; `--bootproto=ibft|query` refused; `--hostname` alone configures "
            "no device",
            applied="--bootproto --device --gateway --hostname --ip --mtu --nameserver --netmask "
                    "--nodns --onboot --noipv4 --noipv6 --ipv6 --activate --no-activate "
                    "--nodefroute --bondslaves --bondopts --vlanid --ipv6gateway --teamslaves "
                    "--teamconfig --interfacename --bridgeslaves --bridgeopts --bindto "
                    "--ipv4-dns-search --ipv6-dns-search --ipv4-ignore-auto-dns "
                    "--ipv6-ignore-auto-dns --dhcpclass",
            warned={"--essid": "Wi-Fi is not configured (the line is not written)",
                    "--wpakey": "Wi-Fi is not configured (the line is not written)",
                    "--wepkey": "Wi-Fi is not configured (the line is not written)",
                    "--ethtool": "ethtool settings are not written",
                    "--notksdevice": "has no effect here (the installer's device is not special)"}),
    # ---------------------------------------------------------------- security
    Command("firewall", APPLIED,
            "firewalld through `firewall-offline-cmd` in the target, the service enabled or "
            "disabled (`--enabled --disabled --service --port --trust --remove-service --ssh "
            "--ftp --http --smtp`; ssh allowed unless removed, as Anaconda; "
            "`--use-system-defaults` leaves it as packaged); without firewalld: warned, "
            "naming the package",
            applied="--disabled --enabled --port --trust --service --ftp --http --smtp --ssh --remove-service --use-system-defaults"),
    Command("authselect", APPLIED,
            "`authselect ARGS` run in the target (`--force` added to `select`); without "
            "authselect there: warned, naming the package"),
    Command("auth", REFUSED, REMOVED + "; use authselect", aliases=("authconfig",)),
    Command("selinux", APPLIED,
            "`SELINUX=` in `/etc/selinux/config` when the target has SELinux; else logged",
            applied="--disabled --enforcing --permissive"),
    Command("realm", WARNED, "joining a Kerberos/AD realm is not supported: nothing is joined"),
    # ---------------------------------------------------------------- accounts
    Command("rootpw", APPLIED,
            "root's password (`--iscrypted --plaintext --lock`; hashed on load), "
            "`--allow-ssh` writes `/etc/ssh/sshd_config.d/01-permitrootlogin.conf`; no "
            "`rootpw` locks root, as Anaconda; the last password change is left empty "
            "(`chage -d ''`), as Anaconda",
            applied="--iscrypted --lock --plaintext --allow-ssh"),
    Command("user", APPLIED,
            "`useradd -m` in the target (`--name --password --iscrypted --plaintext --groups "
            "--gecos --homedir --shell --uid --gid --lock`); a base-system name, a name, UID "
            "or GID already taken is warned of and the line skipped, as Anaconda (found before "
            "the disks are touched where the kickstart shows it)",
            applied="--homedir --iscrypted --name --password --shell --uid --lock --plaintext --gecos --gid --groups"),
    Command("group", APPLIED, "`groupadd` in the target (`--name --gid`); a taken name or GID is "
            "skipped with a warning",
            applied="--name --gid"),
    Command("sshkey", APPLIED, "appended to the user's `~/.ssh/authorized_keys` (0700/0600)",
            applied="--username"),
    Command("sshpw", APPLIED,
            "accounts for SSH logins to the installer's runtime (with `inst.sshd`; never the "
            "installed system): `--plaintext` hashed before it reaches `/etc/shadow`, "
            "`--iscrypted` as given, `--lock` locks the password, `--sshkey` adds the value "
            "to `~/.ssh/authorized_keys`; root without `sshpw` has an empty password, as "
            "Anaconda; read from the kickstart file itself (not from a `%pre`-made `%include`)",
            applied="--username --iscrypted --plaintext --lock --sshkey"),
    # ---------------------------------------------------------------- services, end of install
    Command("services", APPLIED,
            "`systemctl` in the target: disabled before enabled, after every other step; an "
            "alias such as Debian's `sshd` enables the unit it names",
            applied="--disabled --enabled"),
    Command("firstboot", APPLIED, "`initial-setup.service` when installed (`--reconfig`: "
            "`/etc/reconfigSys`)",
            applied="--disabled --enabled --reconfig"),
    Command("skipx", APPLIED, "default target `multi-user.target`"),
    Command("xconfig", LIMITED, "`--startxonboot`: default target `graphical.target` when the "
            "target has it",
            warned={"--defaultdesktop": "the desktop is a package matter; nothing is set"},
            applied="--startxonboot"),
    Command("eula", APPLIED, "`--agreed`: logged as accepted (no license dialog here)",
            applied="--agreed"),
    Command("reboot", APPLIED, "the end action: honoured on the installer image only, "
            "reported on a host; also `poweroff`, `shutdown`, `halt`",
            aliases=("poweroff", "shutdown", "halt"),
            warned={"--eject": "the boot medium is not ejected",
                    "--kexec": "a normal reboot, not kexec"}),
    Command("cmdline", APPLIED, "the front end: `cmdline` asks nothing; `text` the full-screen "
            "text UI; `graphical` (no GUI here) the text UI; `--non-interactive`: nothing is "
            "asked, as `inst.noninteractive` (a kickstart that leaves something out fails)",
            aliases=("text", "graphical"), applied="--non-interactive"),
    Command("logging", APPLIED, "`--host --port`: every log (anaconda, program, storage, "
            "packaging with the DNF worker's) streams, redacted, to that syslog as RFC 5424 "
            "over UDP (port 514 by default), as `inst.syslog`, which wins",
            applied="--host --port"),
    Command("mediacheck", WARNED, "the medium is checked by `inst.mediacheck` on the kernel "
            "command line, before the kickstart is read"),
    Command("rescue", APPLIED, "rescue mode instead of an install (as `inst.rescue`): the "
            "installed system is found, its LUKS unlocked (asked), LVM and md activated, it is "
            "mounted under /mnt/sysroot and a shell given; `--romount` read-only, `--nomount` "
            "the shell alone; LUKS passphrases are asked on the console",
            applied="--nomount --romount"),
    Command("rdp", WARNED, "no graphical installer here: RDP is not started"),
    Command("vnc", REFUSED, REMOVED),
    Command("autostep", REFUSED, REMOVED),
    Command("device", REFUSED, REMOVED),
    Command("deviceprobe", REFUSED, REMOVED),
    Command("dmraid", REFUSED, REMOVED),
    Command("install", REFUSED, REMOVED),
    Command("method", REFUSED, REMOVED),
    Command("module", REFUSED, REMOVED),
    Command("multipath", REFUSED, REMOVED),
    Command("nvdimm", REFUSED, REMOVED),
)

SCRIPT_TEXT = ("run with bash (`/bin/sh` only where the root has no bash), output in "
               "`ks-script-*.log`; `--interpreter --log --erroronfail`")

SECTIONS: tuple[Command, ...] = (
    Command("%pre", APPLIED, "before the final parse (it may write an `%include`d file); " +
            SCRIPT_TEXT + "; in `--dry-run` confined",
            applied="--erroronfail --interpreter --log"),
    Command("%pre-install", APPLIED, "after the storage is mounted, before packages; " + SCRIPT_TEXT,
            applied="--erroronfail --interpreter --log"),
    Command("%post", APPLIED, "at the end, in the target (`--nochroot`: in the installer); " +
            SCRIPT_TEXT,
            applied="--erroronfail --interpreter --log --nochroot"),
    Command("%onerror", APPLIED, "when the install fails; " + SCRIPT_TEXT,
            applied="--erroronfail --interpreter --log"),
    Command("%traceback", LIMITED, "after `%onerror`, when the install hits an internal error "
            "(a bug; its traceback kept as `anaconda-tb-*` with the logs); a bug before the "
            "install begins (loading, planning) runs neither; " + SCRIPT_TEXT,
            applied="--erroronfail --interpreter --log"),
    Command("%packages", APPLIED,
            "`@^env`, `@group` (`--nodefaults`, `--optional`), names and globs, `-pkg`, "
            "`-@group`; `--ignoremissing --excludedocs --nocore --exclude-weakdeps --inst-langs "
            "--multilib --retries --timeout --default`; through DNF in a worker process; a "
            "download cut off by the server or network going away is tried again for about "
            "two minutes (5, 10, 20, 30, 60 s apart) unless `--retries` is given; no "
            "section: the repository's default environment",
            warned={"--ignorebroken": "a package with broken dependencies stops the install"},
            applied="--excludedocs --ignoremissing --default --multilib --nocore --timeout --retries --inst-langs --instLangs --exclude-weakdeps --excludeWeakdeps"),
    Command("%certificate", LIMITED, "written to `--dir`/`--filename` in the installed system; "
            "`--type anchor`: a CA trust anchor there (`update-ca-trust` or "
            "`update-ca-certificates` run in the target); the installer itself does not trust "
            "it (an https source signed by that CA needs `--noverifyssl`)",
            applied="--filename --dir --type"),
    Command("%addon", LIMITED, "`com_redhat_kdump` (`--enable --disable --reserve-mb=auto|N "
            "--enablefadump`): `crashkernel=` on the installed kernel command line (Debian "
            "targets: kdump-tools' grub.d file) and the kdump service enabled; `auto` is the "
            "target's own default, N is not clamped to the RAM; without a kdump package: "
            "warned, naming it; `inst.kdump_addon=off` ignores it; any other add-on is warned "
            "by name"),
    Command("%anaconda", WARNED, "Anaconda's removed `%anaconda` section: nothing in it is applied"),
)

#: %addon names this installer applies (every other addon is warned of by name)
ADDONS: dict[str, str] = {
    "com_redhat_kdump": "crashkernel= on the installed kernel command line and the kdump "
                        "service enabled (`--enable --disable --reserve-mb --enablefadump`)",
}


def _index() -> dict[str, Command]:
    found: dict[str, Command] = {}
    for entry in COMMANDS + SECTIONS:
        for name in (entry.name, *entry.aliases):
            found[name] = entry
    return found


INDEX = _index()


def disposition(name: str) -> Command | None:
    """The entry for a command or section (`part`, `partition`, `%post`)."""
    return INDEX.get(name)


def totals() -> dict[str, int]:
    """How many pykickstart command names (aliases counted) and sections are in each state."""
    counts = {state: 0 for state in STATES}
    for name, entry in INDEX.items():
        counts[entry.state] += 1
    return counts


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown() -> str:
    """The README's kickstart table: one row per command or section, options not applied
    listed under it. Kept in the README between markers; a unit test compares."""
    rows = ["| kickstart | state | what happens |", "| --- | --- | --- |"]
    for entry in COMMANDS + SECTIONS:
        names = ", ".join(f"`{n}`" for n in (entry.name, *entry.aliases))
        text = entry.text
        notes = [f"`{option}`: {why}" for option, why in entry.refused.items()]
        if notes:
            text += "; **refused**: " + "; ".join(notes)
        warned = _grouped(entry.warned)
        if warned:
            text += "; warned, not applied: " + "; ".join(warned)
        rows.append(f"| {names} | {entry.state} | {_cell(text)} |")
    counts = totals()
    rows.append("")
    rows.append(f"{len(INDEX)} command and section names: " +
                ", ".join(f"{counts[s]} {s}" for s in STATES) + ".")
    return "\n".join(rows) + "\n"


def _grouped(options: dict[str, str]) -> list[str]:
    """Options that share a reason on one line: `--pbkdf`, `--pbkdf-time`: why."""
    by_reason: dict[str, list[str]] = {}
    for option, why in options.items():
        by_reason.setdefault(why, []).append(option)
    return [", ".join(f"`{o}`" for o in names) + f": {why}" for why, names in by_reason.items()]


def write_readme(path: Path, marker: str = "kickstart-table", text: str | None = None) -> bool:
    """Put `text` (the kickstart table by default) between the README's markers; True
    when the file changed."""
    begin, end = f"<!-- {marker}:begin -->\n", f"<!-- {marker}:end -->"
    old = path.read_text()
    head, rest = old.split(begin, 1)
    _, tail = rest.split(end, 1)
    new = head + begin + (markdown() if text is None else text) + end + tail
    if new != old:
        path.write_text(new)
    return new != old


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--write"]:
        from installer.bootopts import ignored

        changed = write_readme(Path(sys.argv[2]))
        changed |= write_readme(Path(sys.argv[2]), "bootopts-ignored", ignored.markdown())
        print(f"{sys.argv[2]}: " + ("updated" if changed else "up to date"))
    else:
        print(markdown(), end="")
