"""stage2 read on demand over HTTP: the plain initrd booted with inst.stage2=http://...
served by a real nginx (range requests honoured) makes images/install.img /dev/nbd0
through httpblk instead of copying it into RAM; a storage-only kickstart installs. The
server saw range requests (206) for install.img and never one whole GET; httpblk ran
through switch_root, locked in RAM and out of the OOM killer's reach; stage2 moved to the
target once it was mounted (the rest of the install no longer needs the server) and went
back to /dev/nbd0 before the target was unmounted; the disk scan protected nbd0.

The same boot against a server without range support (the harness's HttpServer, as in
test_boot.py's test_pxe_stage2_over_http) keeps the copy into RAM."""
from __future__ import annotations

import pytest

from image.boot.build import ensure_image
from tests.conftest import free_port
from tests.repos.smallrepo import ensure_small_repo
from tests.vm.harness import GUEST_HOST_IP, Disk, KernelBoot, clean_line, run_vm
from tests.vm.nginx import NGINX, Nginx
from tests.vm.served import STORAGE_ONLY, install_tree, stopped

pytestmark = [pytest.mark.vm, pytest.mark.skipif(not __import__("os").path.exists(NGINX),
                                                 reason=f"{NGINX} missing (nginx-light)")]

KICKSTART = r"""lang en_US.UTF-8
rootpw --lock
""" + STORAGE_ONLY + r"""%post --nochroot
exec > /dev/ttyS0 2>&1
loop=$(findmnt -no SOURCE /run/rootfs.ro)
echo "RESULT: backing=$(cat /sys/block/${loop#/dev/}/loop/backing_file)"
pid=$(sed -n 's/.*server process \([0-9]*\).*/\1/p' /run/anaconda-lean/httpblk.out)
echo "RESULT: serverpid=$pid"
echo "RESULT: oomadj=$(cat /proc/$pid/oom_score_adj)"
echo "RESULT: locked=$(awk '/^VmLck:/ { print $2 }' /proc/$pid/status)"
echo "RESULT: nbdstarted=$(test -e /sys/block/nbd0/pid && echo yes)"
echo "RESULT: held=$(cat /run/anaconda-lean/stage2-in-ram)"
echo "RESULT: moved=$(grep -c 'no longer needs the server' /tmp/anaconda.log)"
echo "RESULT: toolj=$(test -e /mnt/sysroot/usr/bin/tool-j && echo yes)"
echo "RESULT: SUCCESS"
%end
poweroff
"""


@pytest.fixture(scope="module")
def image():
    return ensure_image()


def test_stage2_read_on_demand_over_http(image, tmp_path, vm_workdir):
    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    (www / "ks.cfg").write_text(KICKSTART)
    port = free_port()
    base = f"http://{GUEST_HOST_IP}:{port}"
    virtio_log = vm_workdir / "virtio.log"
    with Nginx(www, tmp_path / "nginx", [port], {}) as nginx:
        boot = KernelBoot(image.vmlinuz, image.initrd,
                          f"inst.stage2={base}/ inst.ks={base}/ks.cfg inst.repo={base}/repo/ "
                          "inst.virtiolog quiet")
        result = run_vm(boot, [Disk("target", "4G")], workdir=vm_workdir, timeout=900,
                        stop_on=stopped, name="stage2-ondemand", virtio_log=virtio_log)
        served = nginx.served()
    text = "\n".join(clean_line(line) for line in result.console_text.splitlines())
    size = image.stage2.stat().st_size
    said = f"stage2: {base}/images/install.img read on demand over HTTP (/dev/nbd0, {size // 1024} KiB)"
    assert said in text, result.summary()
    assert "copied to RAM" not in text, result.summary()
    for line in text.splitlines():
        if "stage2 mounted; MemAvailable" in line:
            print(line.strip())  # the memory this leaves (compare: test_boot.py's copy)
    stage2 = [s for s in served if s.path == "/images/install.img"]
    assert stage2 and {s.status for s in stage2} == {206}, stage2[:10]
    assert all(s.bytes < size for s in stage2), [s for s in stage2 if s.bytes >= size]
    print(f"install.img: {len(stage2)} range requests, {sum(s.bytes for s in stage2)} bytes "
          f"(the image: {size})")
    assert ("GET", "/images/updates.img") in {(s.method, s.path) for s in served}
    values = result.values
    assert result.succeeded, result.summary()
    assert values["held"] == "0", result.summary()
    assert values["nbdstarted"] == "yes" and values["serverpid"], result.summary()
    assert values["oomadj"] == "-1000" and int(values["locked"]) > 0, result.summary()
    # moved to the target once it was mounted, and back to /dev/nbd0 at the end
    assert values["backing"] == "/mnt/sysroot/.anaconda-stage2.img", result.summary()
    assert values["moved"] == "1" and values["toolj"] == "yes", result.summary()
    log = virtio_log.read_text(errors="replace")
    # the disk scan sees nbd0 as a disk: protected, never cleared or partitioned
    assert ("Protected disk nbd0: it holds the mounted filesystem /run/rootfs.ro "
            "(through /dev/loop0)") in log, log[-3000:]
    assert "Disks selected: vda\n" in log, log[-3000:]
    assert "stage2: read from /dev/nbd0 again (on demand)" in log, log[-3000:]
    assert "ANACONDA-EXIT: 0" in text, result.summary()
    assert result.exit_state == "poweroff", result.summary()


def test_a_server_without_range_support_gets_the_copy_into_ram(image, tmp_path, vm_workdir):
    """The harness's HttpServer answers 200 to a range request: the init says so and
    copies the image into RAM as before (the boot is stopped once stage2 is mounted)."""
    from tests.vm.harness import HttpServer

    www = install_tree(tmp_path / "www", image)
    (www / "ks.cfg").write_text(KICKSTART)
    with HttpServer(www) as server:
        base = server.url_for_guest().rstrip("/")
        boot = KernelBoot(image.vmlinuz, image.initrd,
                          f"inst.stage2={base}/ inst.ks={base}/ks.cfg quiet")
        result = run_vm(boot, [Disk("target", "4G")], workdir=vm_workdir, timeout=600,
                        stop_on=lambda line: "stage2 mounted; MemAvailable" in line or stopped(line),
                        name="stage2-copied")
    text = "\n".join(clean_line(line) for line in result.console_text.splitlines())
    assert (f"stage2: {base}/images/install.img cannot be read on demand: the server ignores "
            "range requests (it answered 200 with the whole file); copying it to RAM instead") in text, \
        result.summary()
    assert f"stage2: {base}/images/install.img copied to RAM" in text, result.summary()
    for line in text.splitlines():
        if "stage2 mounted; MemAvailable" in line:
            print(line.strip())
            break
    else:
        raise AssertionError(result.summary())


def test_a_server_away_for_45_s_is_waited_for(image, tmp_path, vm_workdir):
    """nginx stops as the init switches to stage2 and comes back 45 s later: the reads
    stage2 makes meanwhile wait (httpblk tries again, saying so on the console), none
    fails, and the install completes."""
    import threading
    import time

    www = install_tree(tmp_path / "www", image)
    (www / "repo").symlink_to(ensure_small_repo())
    (www / "ks.cfg").write_text(KICKSTART)
    port = free_port()
    base = f"http://{GUEST_HOST_IP}:{port}"
    outage = threading.Event()
    with Nginx(www, tmp_path / "nginx", [port], {}) as nginx:
        def away() -> None:
            nginx.stop()
            time.sleep(45)
            nginx.start()

        def on_line(line: str) -> None:
            if "switching to stage2" in line and not outage.is_set():
                outage.set()
                threading.Thread(target=away, daemon=True).start()

        boot = KernelBoot(image.vmlinuz, image.initrd,
                          f"inst.stage2={base}/ inst.ks={base}/ks.cfg inst.repo={base}/repo/ quiet")
        result = run_vm(boot, [Disk("target", "4G")], workdir=vm_workdir, timeout=900,
                        stop_on=stopped, name="stage2-outage", on_line=on_line)
    text = "\n".join(clean_line(line) for line in result.console_text.splitlines())
    assert outage.is_set(), result.summary()
    waits = [line for line in text.splitlines() if "httpblk: reading bytes" in line]
    for line in waits[:3] + [l for l in text.splitlines() if "answers again" in l][:3]:
        print(line.strip())
    assert waits and all("trying again" in line for line in waits), waits[-5:]
    assert "httpblk: " in text and "answers again" in text, result.summary()
    assert result.succeeded and "ANACONDA-EXIT: 0" in text, result.summary()
    assert result.exit_state == "poweroff", result.summary()
