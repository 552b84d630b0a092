"""Which repository metadata the DNF worker loads into its package sack.

DNF 4 loads every repository's file lists (filelists.xml: every file of every package)
and its update advisories (updateinfo) into libsolv, although an install needs neither:
file dependencies between packages are, by Fedora's packaging rules, on paths the primary
metadata already lists (/etc, */bin/*, */sbin/*), and advisories matter to updates. On a
distribution repository the file lists are most of the metadata the worker holds in RAM.
So the sack is loaded without them, as DNF 5 does by default, and reloaded with the file
lists only when the selection or a dependency names a file the primary metadata lacks.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import dnf
import hawkey

log = logging.getLogger("anaconda.payload")

#: A depsolve problem or a missing %packages entry that a file list may answer.
FILE_NEED = re.compile(r"nothing provides (/\S+)")


class LeanBase(dnf.Base):
    """dnf.Base that leaves the file lists and advisories out of the sack unless
    `file_lists` is set (then it loads what DNF 4 does)."""

    file_lists = False

    def _add_repo_to_sack(self, repo) -> None:
        # dnf.Base._add_repo_to_sack with the two flags chosen (DNF 4.14's body otherwise)
        repo.load()
        flags = {"load_filelists": self.file_lists, "load_presto": repo.deltarpm,
                 "load_updateinfo": self.file_lists}
        if repo.load_metadata_other:
            flags["load_other"] = True
        try:
            self._sack.load_repo(repo._repo, build_cache=True, **flags)
        except hawkey.Exception as exc:
            log.debug("Loading repository %s failed: %s", repo.id, exc)

    def with_file_lists(self) -> None:
        """Drop the sack loaded without file lists and libsolv's caches of it (their index
        of which package provides which file was built without them, and a reload would
        reuse it), so that the next fill_sack loads everything."""
        self.file_lists = True
        self.reset(sack=True, goal=True)
        for cache in Path(self.conf.cachedir).glob("*.solv*"):
            cache.unlink()


def file_needs(problem: str, missing: list[str]) -> list[str]:
    """The file paths that a depsolve problem or a missing %packages entry asks for."""
    return sorted(set(FILE_NEED.findall(problem)) | {name for name in missing if name.startswith("/")})
