"""Which files to check: walk directories honouring .gitignore, default and configured excludes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pathspec

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".eggs",
    "__pycache__",
    "node_modules",
    "site-packages",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "build",
    "dist",
)


def _gitignore(directory: Path) -> pathspec.PathSpec[Any] | None:
    path = directory / ".gitignore"
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


class _Ignored:
    """The .gitignore files in effect in one directory, and the configured excludes."""

    def __init__(self, excluded: pathspec.PathSpec[Any], base: Path) -> None:
        self.excluded = excluded
        self.base = base
        self.specs: list[tuple[Path, pathspec.PathSpec[Any]]] = []

    def enter(self, directory: Path) -> None:
        """Keep the .gitignore files of `directory` and its ancestors, add its own."""
        self.specs = [(d, s) for d, s in self.specs if d == directory or d in directory.parents]
        spec = _gitignore(directory)
        if spec is not None and all(d != directory for d, _ in self.specs):
            self.specs.append((directory, spec))

    def __call__(self, path: Path, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        for owner, spec in self.specs:
            if spec.match_file(path.relative_to(owner).as_posix() + suffix):
                return True
        if not len(self.excluded):
            return False  # no excludes configured: no need to resolve the path of every file
        try:
            relative = path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            relative = path.as_posix()
        return self.excluded.match_file(relative + suffix)


def iter_source_files(
    paths: list[Path],
    exclude: tuple[str, ...] = (),
    root: Path | None = None,
    walked: list[Path] | None = None,
) -> Iterator[Path]:
    """Python files and notebooks under `paths`; files named explicitly are always included.

    Each directory walked is appended to `walked` (if given): while none of them, nor their
    .gitignore files, changed, the listing is the same.
    """
    base = (root or Path.cwd()).resolve()
    seen: set[Path] = set()
    for given in paths:
        if given.is_file():
            resolved = given.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield given
            continue
        ignored = _Ignored(pathspec.PathSpec.from_lines("gitwildmatch", exclude), base)
        # .gitignore files above the directory apply too, up to the project root.
        start = given.resolve()
        for ancestor in reversed(start.parents):
            if ancestor == base or base in ancestor.parents:
                ignored.enter(ancestor)
        for directory, subdirs, names in os.walk(start):
            here = Path(directory)
            if walked is not None:
                walked.append(here)
            ignored.enter(here)
            subdirs[:] = sorted(
                d for d in subdirs if d not in DEFAULT_EXCLUDES and not ignored(here / d, True)
            )
            for name in sorted(names):
                path = here / name
                if path.suffix in SOURCE_SUFFIXES and path not in seen and not ignored(path, False):
                    seen.add(path)
                    yield path
