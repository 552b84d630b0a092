"""Every host file and program the build and the tests use comes from a Debian package that
`make setup` installs (debian-packages.txt), or from one every Debian system has.

A package once installed by hand on a development machine hides a missing line there:
the ISO build needed isolinux that way and failed on every fresh machine. This test finds
the programs the code runs (the first word of every argv literal handed to subprocess or
`program.run`, of shell command strings, of lists starting with a program constant such
as QEMU, and what `shutil.which` looks for) and the host paths it names, asks dpkg which
package owns each, and fails naming the package that debian-packages.txt lacks.
"""
from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.host

REPO = Path(__file__).resolve().parents[2]
#: Code that runs on the build/test host (the installer itself runs there in the host tier).
SCANNED = ("image", "tests", "bench", "installer", "storage", "payload", "spokes")
#: Files whose paths belong to the boot image or to generated packages, not the host.
NOT_HOST = ("image/boot/init", "image/boot/stage2-init", "image/boot/shutdown",
            "image/bigrepo/graph.py", "image/testrepo/generated.py")
CALLS = {"run", "Popen", "check_call", "check_output", "call", "_run", "run_program"}
HOST_PATH = re.compile(r"""["'](/usr/(?:lib|share|libexec|bin|sbin)/[A-Za-z0-9_.+/-]+)["']""")
#: Essential or base packages on every Debian 12 system.
BASE_PRIORITIES = ("required", "important")


def listed_packages() -> set[str]:
    lines = (REPO / "debian-packages.txt").read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def python_files() -> list[Path]:
    tracked = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", *SCANNED],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    return [REPO / name for name in tracked if name.endswith(".py") and (REPO / name).is_file()]


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text": programs are often named once (QEMU, BWRAP)."""
    constants = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def _first_word(node: ast.AST, constants: dict[str, str]) -> str | None:
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        first = node.elts[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
        if isinstance(first, ast.Name):
            return constants.get(first.id)
    return None


def _shell_words(text: str) -> list[str]:
    return [part.split()[0] for part in re.split(r"[|;&]+", text) if part.split()]


def commands_in(path: Path) -> set[str]:
    """Programs named as the first word of argv literals given to a subprocess-like call."""
    found: set[str] = set()
    tree = ast.parse(path.read_text(), str(path))
    constants = _string_constants(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.List) and node.elts and isinstance(node.elts[0], ast.Name) \
                and node.elts[0].id in constants:  # [QEMU, "-m", ...] built before the call
            found.add(constants[node.elts[0].id])
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "which":  # shutil.which("bwrap"): a program looked for on the host
            which = node.args[0]
            word = which.value if isinstance(which, ast.Constant) else \
                constants.get(getattr(which, "id", ""))
            if isinstance(word, str):
                found.add(word)
            continue
        if name not in CALLS:
            continue
        argument = node.args[0]
        word = _first_word(argument, constants)
        if word:
            found.add(word)
        elif isinstance(argument, ast.Constant) and isinstance(argument.value, str) and \
                any(k.arg == "shell" for k in node.keywords):
            found.update(_shell_words(argument.value))
    return {word for word in found if re.fullmatch(r"[A-Za-z0-9_.+-]+|/[A-Za-z0-9_./+-]+", word)}


@lru_cache(maxsize=None)
def owner(path: str) -> str | None:
    """The one package that owns `path` (None: unowned, or a directory many share)."""
    result = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("diversion by "):  # dpkg-divert's notes, e.g. for /bin/sh
            continue
        packages, _, owned = line.rpartition(": ")
        if owned == path and "," not in packages:
            return packages.split(":")[0]
    return None


@lru_cache(maxsize=None)
def priority(package: str) -> str:
    return subprocess.run(["dpkg-query", "-W", "-f=${Priority}", package],
                          capture_output=True, text=True).stdout.strip()


def _resolve(word: str) -> str | None:
    found = word if word.startswith("/") else shutil.which(word)
    if not found or not os.path.exists(found):
        return None
    # dpkg knows the merged-/usr path Debian's package lists, not always the one PATH found
    for candidate in (found, os.path.realpath(found), found.replace("/usr/bin/", "/bin/"),
                      found.replace("/usr/sbin/", "/sbin/")):
        if owner(candidate):
            return candidate
    return None


def unlisted(uses: dict[str, set[str]], listed: set[str]) -> list[str]:
    problems = []
    for path, users in sorted(uses.items()):
        package = owner(path)
        if package is None or package in listed or priority(package) in BASE_PRIORITIES:
            continue
        problems.append(f"{path} (used by {', '.join(sorted(users))}) belongs to Debian "
                        f"package {package}, which debian-packages.txt does not name")
    return problems


def test_programs_run_come_from_listed_packages():
    uses: dict[str, set[str]] = {}
    for path in python_files():
        for word in commands_in(path):
            resolved = _resolve(word)
            if resolved:
                uses.setdefault(resolved, set()).add(str(path.relative_to(REPO)))
    assert len(uses) > 30, f"the scan found too few programs to be working: {sorted(uses)}"
    problems = unlisted(uses, listed_packages())
    assert not problems, "\n".join(problems)


def test_host_files_named_come_from_listed_packages():
    uses: dict[str, set[str]] = {}
    sources = python_files() + [REPO / "Makefile"]
    for path in sources:
        relative = str(path.relative_to(REPO))
        if relative.startswith(NOT_HOST):
            continue
        for match in HOST_PATH.finditer(path.read_text()):
            if os.path.exists(match.group(1)):
                uses.setdefault(match.group(1), set()).add(relative)
    assert "/usr/lib/ISOLINUX" in uses or any(p.startswith("/usr/lib/ISOLINUX") for p in uses)
    problems = unlisted(uses, listed_packages())
    assert not problems, "\n".join(problems)


def test_the_check_notices_an_unlisted_package():
    """The check itself works: a program from a package left out of the list is named."""
    tmux = _resolve("tmux")
    assert tmux is not None and owner(tmux) == "tmux"
    assert unlisted({tmux: {"here"}}, listed_packages()) == []
    problems = unlisted({tmux: {"here"}}, listed_packages() - {"tmux"})
    assert len(problems) == 1 and "Debian package tmux" in problems[0]
