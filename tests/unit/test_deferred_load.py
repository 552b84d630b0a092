"""pykickstart.load (and with it requests) is imported only when pykickstart fetches a file."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_parsing_a_kickstart_imports_no_requests():
    out = _run("import sys\n"
               "from installer.kickstart.load import parse\n"
               "import pykickstart.parser, pykickstart.version\n"
               "print(sorted(m for m in ('requests', 'urllib3', 'chardet', 'charset_normalizer') if m in sys.modules))")
    assert out == "[]"


def test_pykickstart_reading_a_file_loads_the_real_module(tmp_path):
    ks = tmp_path / "ks.cfg"
    ks.write_text("text\nrootpw --lock\n")
    out = _run("import sys\n"
               "import installer.kickstart\n"
               "from pykickstart.parser import KickstartParser, load_to_str\n"
               "from pykickstart.version import makeVersion\n"
               "parser = KickstartParser(makeVersion())\n"
               f"parser.readKickstart({str(ks)!r})\n"
               "real = sys.modules['pykickstart.load']\n"
               "print(parser.handler.rootpw.lock, getattr(real, '_deferred_stand_in', False), 'requests' in sys.modules,\n"
               f"      real.load_to_str({str(ks)!r}) == load_to_str({str(ks)!r}))")
    assert out == "True False True True"
