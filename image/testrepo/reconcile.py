"""Make the packages agree: one owner per non-directory path, one set of metadata per
shared directory (RPM calls both kinds of disagreement a file conflict)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from image.testrepo.generated import FS_DIRS
from image.testrepo.unpack import Deb, Entry

DEFAULT_DIR = (0o755, "root", "root")


def reconcile(debs: dict[str, Deb], first: str) -> list[str]:
    """Edit the packages' entries in place; `first` (the filesystem package) wins all
    directory metadata it states. Returns notes for the log."""
    notes = []
    holders: dict[str, list[str]] = defaultdict(list)
    for name in sorted(debs):
        for path in debs[name].entries:
            holders[path].append(name)
    for path, names in holders.items():
        entries = {n: debs[n].entries[path] for n in names}
        dirs = [n for n in names if entries[n].kind == "dir"]
        others = [n for n in names if entries[n].kind != "dir"]
        if dirs and others:
            for n in others:
                del debs[n].entries[path]
            notes.append(f"{path}: directory in {', '.join(dirs)}; dropped from {', '.join(others)}")
        elif len(others) > 1:
            # keep it where it was shipped at its merged-/usr place, else the first by name
            keep = sorted(others, key=lambda n: (bool(entries[n].moved_from), n))[0]
            for n in others:
                if n != keep:
                    del debs[n].entries[path]
            notes.append(f"{path}: shipped by {', '.join(others)}; kept in {keep}")
        if len(dirs) > 1 or (dirs and path in FS_DIRS):
            if first in dirs:
                meta = entries[first]
            else:
                special = [n for n in dirs if (entries[n].mode, entries[n].user,
                                               entries[n].group) != DEFAULT_DIR]
                meta = entries[special[0]] if special else Entry("dir", *DEFAULT_DIR)
                if len({(entries[n].mode, entries[n].user, entries[n].group) for n in dirs}) > 1:
                    notes.append(f"{path}: directory metadata differs; using "
                                 f"{meta.mode:04o} {meta.user}:{meta.group}")
            for n in dirs:
                debs[n].entries[path] = replace(entries[n], mode=meta.mode, user=meta.user,
                                                group=meta.group)
    return notes
