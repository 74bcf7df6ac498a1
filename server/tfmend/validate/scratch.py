"""A scratch copy of a project: checks run there, so the user's files are never touched."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

PROJECT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git", "tox.ini")
SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        "node_modules",
        ".ipynb_checkpoints",
        ".eggs",
    }
)
"""Directories a check never needs (virtual environments, recognised by pyvenv.cfg, too)."""
MAX_FILES = 20_000
MAX_BYTES = 2 * 1024**3


class ScratchError(Exception):
    """The project cannot be copied (too large, unreadable)."""


def project_root(path: Path, configured: Path | None = None) -> tuple[Path, bool]:
    """The directory to copy for a file, and whether it is a whole project.

    The configured root when it holds the file, else the nearest directory above it with a
    project marker (pyproject.toml, setup.py, .git, ...). Without one, only the file's own
    directory is copied, and not its subdirectories: a loose script in /tmp must not drag /tmp.
    """
    path = path.resolve()
    if configured is not None:
        root = configured.resolve()
        if path.is_relative_to(root):
            return root, True
    home = Path.home().resolve()
    for directory in path.parents:
        if directory in (home, directory.parent):
            break
        if any((directory / marker).exists() for marker in PROJECT_MARKERS):
            return directory, True
    return path.parent, False


class Scratch:
    """A temporary copy of a project, deleted by `close()` (or the `with` block)."""

    def __init__(self, root: Path, recursive: bool = True) -> None:
        self.source_root = root
        self.base = Path(tempfile.mkdtemp(prefix="tfmend-validate-"))
        self.root = self.base / (root.name or "project")
        try:
            self._copy(root, recursive)
        except BaseException:
            self.close()
            raise

    def _copy(self, root: Path, recursive: bool) -> None:
        files = 0
        size = 0

        def ignore(directory: str, names: list[str]) -> set[str]:
            nonlocal files, size
            skipped = set()
            for name in names:
                full = os.path.join(directory, name)
                if os.path.isdir(full) and not os.path.islink(full):
                    if (
                        not recursive
                        or name in SKIPPED_DIRS
                        or os.path.exists(os.path.join(full, "pyvenv.cfg"))
                    ):
                        skipped.add(name)
                    continue
                files += 1
                try:
                    size += os.lstat(full).st_size
                except OSError:
                    skipped.add(name)
            if files > MAX_FILES or size > MAX_BYTES:
                raise ScratchError(
                    f"{root} is too large to copy for validation "
                    f"(more than {MAX_FILES} files or {MAX_BYTES >> 30} GiB)"
                )
            return skipped

        try:
            shutil.copytree(root, self.root, symlinks=True, ignore=ignore)
        except shutil.Error as exc:
            raise ScratchError(f"cannot copy {root}: {exc}") from exc
        except OSError as exc:
            raise ScratchError(f"cannot copy {root}: {exc}") from exc

    def path_of(self, original: Path) -> Path:
        """Where a file of the project lives in the copy."""
        return self.root / original.resolve().relative_to(self.source_root.resolve())

    def write(self, original: Path, data: bytes) -> Path:
        """Replace a file's content in the copy (a new inode: the original is never reached)."""
        target = self.path_of(original)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tfmend-tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        return target

    def close(self) -> None:
        """Delete the copy."""
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
