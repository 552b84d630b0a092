"""`make demo` shows the install's step and percentage while the guest installs (issue 14):
the guest runs the cmdline front end, and its progress lines are picked out of the console."""
from __future__ import annotations

import io

from tests.vm.demo import StepPrinter, demo_boot_options
from tests.vm.harness import clean_line, progress_of


class _Server:
    def url_for_guest(self, path: str = "") -> str:
        return f"http://10.0.2.2:8000/{path}"


def test_the_demo_boots_the_cmdline_front_end():
    options = demo_boot_options(_Server()).split()
    assert "inst.cmdline" in options and "inst.ks=http://10.0.2.2:8000/ks.cfg" in options


def test_progress_lines_are_found_in_console_noise():
    assert progress_of("[ 42%] Installing packages: bash (12 of 80)") == \
        "[ 42%] Installing packages: bash (12 of 80)"
    assert progress_of(clean_line("\x1b[0m[  7%] Writing the storage layout\r")) == \
        "[  7%] Writing the storage layout"
    assert progress_of("[    2.345678] virtio_blk virtio1: [vda] 16777216 512-byte") is None
    assert progress_of("Installation  Progress  100%") is None


def test_each_new_step_is_printed_with_its_percentage():
    out = io.StringIO()
    printer = StepPrinter(out)
    console = ["[    1.2] kernel noise", "[  0%] Writing the storage layout",
               "[  3%] Writing the storage layout: create format xfs",
               "[ 30%] Installing packages: downloading", "[ 31%] Installing packages: bash",
               "ANACONDA-EXIT: 0"]
    for line in console:
        printer(line)
    printed = out.getvalue().splitlines()
    assert len(printed) == 2
    assert printed[0].endswith("[  0%] Writing the storage layout")
    assert printed[1].endswith("[ 30%] Installing packages: downloading")


def test_only_complete_console_lines_count_as_progress(tmp_path):
    """The harness offers an unfinished line to stop_on (a prompt waits without a
    newline); progress is read from complete lines only, so "[ 33%] Installin" is none."""
    from tests.vm.harness import _ConsoleReader

    seen: list[str] = []
    offered: list[str] = []
    reader = _ConsoleReader(-1, tmp_path / "console.log", lambda l: offered.append(l) or False,
                            seen.append)
    reader._watch("[ 33%] Installin", complete=False)
    assert reader.last_progress == "" and seen == [] and offered == ["[ 33%] Installin"]
    reader._watch("[ 33%] Installing packages: bash")
    assert reader.last_progress == "[ 33%] Installing packages: bash"
    assert seen == ["[ 33%] Installing packages: bash"]
