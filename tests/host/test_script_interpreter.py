"""Kickstart scripts without --interpreter run with bash wherever they run (the target's
chroot, the host for %pre and --nochroot, the dry run's sandbox), as on Anaconda's
platforms where /bin/sh is bash; a root without bash runs them with /bin/sh, and the
script's log and anaconda.log say so. Public kickstarts' `function f()` and `[[ ]]` are
the proof: dash rejects both."""
from __future__ import annotations

import logging
import subprocess

import pytest

from image.testrepo.build import ensure_repo
from installer.kickstart import confine, scripts
from installer.kickstart.load import load, parse
from installer.kickstart.reader import Reader
from tests.conftest import ANACONDA, REPO
from tests.host.conftest import _copy_with_libs

pytestmark = pytest.mark.host

#: Bash only: dash stops at `function` ("Syntax error") and has no [[.
BASH_BODY = """function greet() { echo "hello from $1"; }
if [[ "$BASH_VERSION" == [0-9]* && -n "${ANA_INSTALL_PATH+set}" ]]; then greet bash; fi
"""


@pytest.fixture
def bash_root(tmp_path):
    """A target root with bash and dash (as /bin/sh) and their libraries."""
    root = tmp_path / "bash-target"
    _copy_with_libs("/bin/bash", root)
    _copy_with_libs("/bin/dash", root)
    (root / "bin/sh").symlink_to("dash")
    return root


def run_one(text: str, tmp_path, root=None, sandbox=None):
    (script,) = parse([("ks.cfg", text)], None, Reader()).handler.scripts
    logs = tmp_path / "logs"
    code = scripts.run_script(script, 1, scripts.ScriptContext(logs, root, sandbox))
    name = scripts.SECTION_NAMES[script.type].lstrip("%")
    return code, (logs / f"ks-script-{name}-1.log").read_text()


def test_post_in_a_chroot_with_bash_runs_bash_syntax(tmp_path, bash_root):
    code, output = run_one(f"%post\n{BASH_BODY}%end\n", tmp_path, bash_root)
    assert (code, output) == (0, "hello from bash\n")


def test_explicit_sh_stays_sh_even_where_bash_is(tmp_path, bash_root):
    code, output = run_one("%post --interpreter=/bin/sh\n"
                           "[ -z \"$BASH_VERSION\" ] && echo not-bash\n%end\n", tmp_path, bash_root)
    assert (code, output) == (0, "not-bash\n")


def test_a_target_without_bash_runs_sh_and_says_so(tmp_path, shell_root, caplog):
    caplog.set_level(logging.WARNING, logger="anaconda.scripts")
    code, output = run_one("%post\necho \"sh ran\"\n%end\n", tmp_path, shell_root)
    assert code == 0
    note = (f"anaconda: the target ({shell_root}) has no bash (/bin/bash or /usr/bin/bash): the "
            "script runs with /bin/sh")
    assert output.startswith(note) and output.endswith("\nsh ran\n")
    assert any(r.getMessage().startswith("ks.cfg:1: %post: the target") and "/bin/sh" in r.getMessage()
               for r in caplog.records)


def test_pre_and_nochroot_post_on_the_host_run_bash(tmp_path):
    code, output = run_one(f"%pre\n{BASH_BODY}%end\n", tmp_path)
    assert (code, output) == (0, "hello from bash\n")
    (tmp_path / "target").mkdir()
    code, output = run_one(f"%post --nochroot\n{BASH_BODY}%end\n", tmp_path, tmp_path / "target")
    assert (code, output) == (0, "hello from bash\n")


def test_pre_of_a_dry_run_runs_bash_confined(tmp_path):
    with confine.Sandbox.create() as sandbox:
        if (why := sandbox.unavailable()):
            pytest.skip(why)
        code, output = run_one(f"%pre\n{BASH_BODY}echo inside > /tmp/where\n%end\n", tmp_path,
                               sandbox=sandbox)
        assert (code, output) == (0, "hello from bash\n")
        assert (sandbox.tmp / "where").read_text() == "inside\n"


def test_pre_that_writes_an_include_with_bash_syntax(tmp_path):
    """The usual public %pre: a bash function picks the layout and writes the include."""
    include = tmp_path / "part.ks"
    ks = tmp_path / "ks.cfg"
    ks.write_text(f"""lang en_US.UTF-8
%pre
function layout() {{ echo "network --hostname=$1"; }}
[[ -d /proc ]] && layout from-bash.example.test > {include}
%end
%include {include}
""")
    loaded = load([str(ks)], reader=Reader(), log_dir=tmp_path / "logs")
    assert loaded.handler.network.hostname == "from-bash.example.test"


def test_a_debian_built_target_runs_post_with_its_bash(tmp_path):
    """--dirinstall of the bundled repository's bash (Debian's, whose /bin/sh is dash):
    the chroot %post runs with the target's bash."""
    ks, target, logs = tmp_path / "ks.cfg", tmp_path / "sysroot", tmp_path / "logs"
    ks.write_text(f"lang en_US.UTF-8\nrootpw --lock\n%packages --nocore\nbash\ndash\n%end\n"
                  f"%post --log=/root/post.log\n{BASH_BODY}%end\n"
                  "%post --interpreter=/bin/sh --log=/root/post.log\n"
                  "[ -z \"$BASH_VERSION\" ] && echo \"not bash\"\n%end\n")
    proc = subprocess.run([str(ANACONDA), "--logdir", str(logs), "--boot-options",
                           f"inst.repo={ensure_repo().as_uri()}", "--cmdline", "--dirinstall",
                           str(target), "--kickstart", str(ks)], capture_output=True, text=True,
                          timeout=600, stdin=subprocess.DEVNULL, cwd=REPO)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert (target / "root/post.log").read_text() == "hello from bash\nnot bash\n"
    program_log = (logs / "program.log").read_text()
    assert f"chroot {target} /bin/bash /tmp/ks-script-post-" in program_log
    assert f"chroot {target} /bin/sh /tmp/ks-script-post-" in program_log
    assert "no bash" not in (logs / "anaconda.log").read_text()
