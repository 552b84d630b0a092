"""The layering DESIGN.md and the README's architecture table promise, read from the
import statements: spokes -> installer -> {storage, payload}; storage and payload know
nothing above them or of each other; the UI models know nothing of urwid; the screens
reach storage and payload only through installer; private blivet and pykickstart API only
in their adapter modules."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports(path: Path) -> set[str]:
    """Top-level package names and full module names this file imports (any depth)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


RULES = [
    # (folder, module prefixes it must not import)
    ("storage", ("installer", "spokes", "payload")),
    ("payload", ("installer", "spokes", "storage")),
    ("installer", ("spokes", "urwid")),
    ("spokes", ("storage", "payload", "blivet", "dnf")),
]


@pytest.mark.parametrize("folder,forbidden", RULES, ids=[r[0] for r in RULES])
def test_dependencies_point_one_way(folder, forbidden):
    wrong = []
    for path in files(folder):
        for name in imports(path):
            if name.split(".")[0] in forbidden:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("folder,library,adapter", [
    ("storage", "blivet", "storage/blivet_adapter.py"),
    ("installer/kickstart", "pykickstart", "installer/kickstart/pykickstart_adapter.py"),
])
def test_private_library_api_only_in_its_adapter(folder, library, adapter):
    """`obj._private` of the library's objects: a use outside the adapter is a leak.
    Found by name: attributes the library defines with a leading underscore."""
    private = {"_add_device", "_dev_dir", "_mkfs", "_resizable", "_resize", "_stateMachine",
               "_readSection", "_sections", "_tryFunc", "_option_string_actions", "_actions",
               "_getParser", "_reset"}
    wrong = []
    for path in files(folder):
        if path == ROOT / adapter:
            continue
        text = path.read_text()
        for name in private:
            if re.search(rf"\.{name}\b", text):
                wrong.append(f"{path.relative_to(ROOT)} uses {name}")
    assert not wrong, "\n".join(wrong)


#: Start-up picks the front end, so it may read the UI models' choice of one.
UI_MODEL_USERS = {"installer/main.py", "installer/rescue/run.py"}


def test_only_start_up_and_the_screens_use_the_ui_models():
    """installer/ui serves the screens; the kickstart checks, configuration and storage
    must not depend on it (a host name rule the checks need lives in installer/hostnames)."""
    wrong = []
    for path in files("installer"):
        relative = str(path.relative_to(ROOT))
        if relative.startswith("installer/ui/") or relative in UI_MODEL_USERS:
            continue
        wrong += [f"{relative} imports {name}" for name in imports(path)
                  if name == "installer.ui" or name.startswith("installer.ui.")]
    assert not wrong, "\n".join(wrong)
