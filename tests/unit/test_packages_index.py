"""installer/ui/packages.py: the package list the software screen searches (as the DNF
worker's survey sends it) and the %packages edits for single packages, on a real
pykickstart handler."""
from __future__ import annotations

import time

from installer.kickstart.load import parse
from installer.kickstart.reader import Reader
from installer.ui.packages import (SEARCH_LIMIT, PackageIndex, exclude_package,
                                   forget_package, include_package, package_mark,
                                   set_exclude_weakdeps)

LISTING = (
    "NetworkManager\tNetwork connection manager and user applications\n"
    "bash\tThe GNU Bourne Again shell\n"
    "nano\tA small text editor\n"
    "neovim\tVim-fork focused on extensibility and agility\n"
    "python3-vimeo\tVimeo API client, for people\n"
    "vim\tThe VIM editor\n"
    "vim-enhanced\tA version of the VIM editor which includes recent enhancements\n"
    "vim-minimal\tA minimal version of the VIM editor\n"
    "zsh\tPowerful interactive shell\n"
    "caf\u00e9\tUn \u00e9diteur\n"
)


def names(result) -> list[str]:
    return [row.name for row in result.rows]


def test_order_exact_then_prefix_then_inside_then_summary():
    index = PackageIndex(LISTING)
    assert len(index) == 10
    result = index.search("vim")
    assert names(result) == ["vim", "vim-enhanced", "vim-minimal", "neovim", "python3-vimeo"]
    assert not result.more
    assert result.rows[0].summary == "The VIM editor"
    # "editor" is in no name: summaries, in list order
    assert names(index.search(" EDITOR ")) == ["nano", "vim", "vim-enhanced", "vim-minimal"]


def test_case_insensitive_names_and_summaries_and_non_ascii():
    index = PackageIndex(LISTING)
    assert names(index.search("networkmanager")) == ["NetworkManager"]
    assert names(index.search("connection MANAGER")) == ["NetworkManager"]
    assert names(index.search("caf\u00e9")) == ["caf\u00e9"]
    assert index.search("\u00e9diteur").rows[0].summary == "Un \u00e9diteur"
    assert names(index.search("no such thing")) == [] and names(index.search("   ")) == []


def test_limit_says_there_is_more():
    listing = "".join(f"pkg{n:05}\tsummary {n}\n" for n in range(SEARCH_LIMIT * 3))
    result = PackageIndex(listing).search("pkg")
    assert len(result.rows) == SEARCH_LIMIT and result.more
    assert names(PackageIndex(listing).search("pkg00149")) == ["pkg00149"]


def test_exact_lookup_and_globs():
    index = PackageIndex(LISTING)
    assert index.summary("bash") == "The GNU Bourne Again shell"
    assert index.summary("Bash") is None and index.summary("bas") is None
    assert index.matches("vim-*") == ["vim-enhanced", "vim-minimal"]
    assert index.matches("?sh") == ["zsh"] and index.matches("[bz]*sh") == ["bash", "zsh"]
    assert index.matches("vim") == ["vim"] and index.matches("emacs*") == []


def test_search_holds_up_on_a_distribution_sized_list():
    """70,000 packages (Fedora's size): each search a few scans in C, a few ms here;
    this bound is loose (10x) so a slow machine does not fail it, but a search that
    went through Python per package (about 70 ms here) would."""
    listing = "".join(f"package-{n:05}-{'lib' if n % 7 else 'tool'}\tA summary of "
                      f"package number {n} for testing\n" for n in range(70000))
    index = PackageIndex(listing)
    assert index.size < 2.5 * len(listing)
    for text in ("zzzz", "number 6999", "tool", "package-6"):
        start = time.perf_counter()
        result = index.search(text)
        assert time.perf_counter() - start < 0.05, text
        assert result.rows or text == "zzzz"
    assert names(index.search("package-69999-lib")) == ["package-69999-lib"]


def handler(text: str):
    return parse([("ks.cfg", text)], None, Reader()).handler


def packages_section(h) -> str:
    text = str(h)
    return text[text.index("%packages"):text.index("%end") + 4]


def test_edits_move_a_package_between_listed_and_excluded():
    h = handler("%packages\n@^minimal-environment\nvim\n-nano\n%end\n")
    include_package(h, "nano")  # an exclusion is taken back
    assert (package_mark(h, "nano"), package_mark(h, "vim")) == ("+", "+")
    exclude_package(h, "vim")
    assert package_mark(h, "vim") == "-"
    forget_package(h, "nano")
    set_exclude_weakdeps(h, True)
    assert packages_section(h) == "%packages --exclude-weakdeps\n@^minimal-environment\n-vim\n\n%end"
    assert package_mark(h, "nano") == ""
