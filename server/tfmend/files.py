"""Which files to check: walk directories honouring .gitignore, default and configured excludes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pathspec

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
DEFAULT_EXCLUDES = (
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__", "node_modules",
    "site-packages", ".mypy_cache", ".ruff_cache", ".pytest_cache", "build", "dist",
)  # fmt: skip


def _gitignore(directory: Path) -> pathspec.PathSpec | None:
    path = directory / ".gitignore"
    if not path.is_file():
        return None
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.PathSpec.from_lines("gitwildmatch", lines)


def iter_source_files(paths: list[Path], exclude: tuple[str, ...] = (),
                      root: Path | None = None) -> Iterator[Path]:  # fmt: skip
    """Python files and notebooks under `paths`; files named explicitly are always included."""
    excluded = pathspec.PathSpec.from_lines("gitwildmatch", exclude)
    base = (root or Path.cwd()).resolve()
    seen: set[Path] = set()
    for given in paths:
        if given.is_file():
            resolved = given.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield given
            continue
        # Each directory's .gitignore applies below it, as git applies it.
        specs: list[tuple[Path, pathspec.PathSpec]] = []
        for directory, subdirs, names in os.walk(given):
            here = Path(directory)
            specs = [(d, s) for d, s in specs if here == d or d in here.parents]
            spec = _gitignore(here)
            if spec is not None:
                specs.append((here, spec))

            def ignored(path: Path, is_dir: bool) -> bool:
                for owner, owner_spec in specs:
                    relative = path.relative_to(owner).as_posix() + ("/" if is_dir else "")
                    if owner_spec.match_file(relative):
                        return True
                try:
                    relative_to_root = path.resolve().relative_to(base).as_posix()
                except ValueError:
                    relative_to_root = path.as_posix()
                return bool(exclude) and excluded.match_file(
                    relative_to_root + ("/" if is_dir else "")
                )

            subdirs[:] = sorted(
                d for d in subdirs
                if d not in DEFAULT_EXCLUDES and not ignored(here / d, True)
            )  # fmt: skip
            for name in sorted(names):
                path = here / name
                if path.suffix in SOURCE_SUFFIXES and not ignored(path, False):
                    resolved = path.resolve()
                    if resolved not in seen:
                        seen.add(resolved)
                        yield path
