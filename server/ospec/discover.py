"""Find spec files from command-line arguments: files, folders and globs (edge: file system)."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from pathlib import Path

SPEC_PATTERNS = (".ospec.yaml", ".ospec.yml", ".ospec")
STDIN = "-"


def is_spec_name(name: str) -> bool:
    return name.endswith(SPEC_PATTERNS)


def expand(args: list[str]) -> Iterator[str | Path]:
    """Each argument as files: '-' stays '-', folders are searched, globs are expanded.

    A missing path that is not a glob is yielded as is, so reading it reports the error.
    """
    seen: set[str] = set()
    for arg in args:
        if arg == STDIN:
            yield STDIN
            continue
        for path in _one(arg):
            key = os.path.normpath(str(path))
            if key not in seen:
                seen.add(key)
                yield path


def _one(arg: str) -> Iterator[Path]:
    path = Path(arg)
    if path.is_dir():
        yield from _walk(path)
    elif path.exists() or not glob.has_magic(arg):
        yield path
    else:
        for hit in sorted(glob.glob(arg, recursive=True)):
            hit_path = Path(hit)
            yield from _walk(hit_path) if hit_path.is_dir() else [hit_path]


def _walk(folder: Path) -> Iterator[Path]:
    # followlinks=False: a symlink loop cannot make us walk forever.
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        for name in sorted(names):
            if is_spec_name(name):
                yield Path(root) / name
