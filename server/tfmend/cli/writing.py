"""`tfmend fix` writing its results: each file on its own, one located line for each failure."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from tfmend.results import FileResult
from tfmend.text.writeback import Outcome, write_fixed


@dataclass
class Tally:
    """What the writes came to."""

    results: list[FileResult] = field(default_factory=list)
    """The results as written (a file fixed again after a concurrent edit has its new result)."""
    unwritten: set[Path] = field(default_factory=set)
    """Files whose fix was not written (changed meanwhile, link outside, write failed)."""
    failed: int = 0
    """Files that could not be read or written."""
    changed: int = 0
    """Files left alone because they kept changing while they were being fixed."""


def shown(path: Path) -> str:
    """The path relative to the working directory when under it (a link keeps its own name)."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def reason(exc: OSError) -> str:
    """`permission denied`: the operating system's words for an error, in a located line."""
    return (exc.strerror or str(exc)).lower()


def write_all(
    results: list[FileResult],
    refix: Callable[[Path], FileResult],
    *,
    roots: tuple[Path, ...],
    stderr: TextIO,
) -> Tally:
    """Write every fixed result; a file changed since it was read is fixed again once."""
    tally = Tally()
    for result in results:
        if result.read_error is not None:
            stderr.write(f"{shown(result.path)}: cannot read: {reason(result.read_error)}\n")
            tally.failed += 1
        final = _write_one(result, refix, roots, stderr, tally)
        tally.results.append(final)
    return tally


def _write_one(
    result: FileResult,
    refix: Callable[[Path], FileResult],
    roots: tuple[Path, ...],
    stderr: TextIO,
    tally: Tally,
) -> FileResult:
    for attempt in range(2):
        if result.fixed_text is None or result.source is None or result.snapshot is None:
            return result
        try:
            outcome = write_fixed(
                result.path,
                result.source.encode(result.fixed_text),
                result.snapshot,
                roots=roots,
            )
        except OSError as exc:
            stderr.write(f"{shown(result.path)}: cannot write: {reason(exc)}\n")
            tally.failed += 1
            tally.unwritten.add(result.path)
            return result
        if outcome is Outcome.WRITTEN:
            return result
        if outcome is Outcome.OUTSIDE:
            stderr.write(
                f"{shown(result.path)}: links to {result.path.resolve()}, outside the tree; "
                "left as it is\n"
            )
            tally.unwritten.add(result.path)
            return result
        if attempt == 0:
            result = refix(result.path)
            if result.read_error is not None:
                stderr.write(f"{shown(result.path)}: cannot read: {reason(result.read_error)}\n")
                tally.failed += 1
                tally.unwritten.add(result.path)
                return result
    stderr.write(f"{shown(result.path)}: changed while fixing; left as it is\n")
    tally.changed += 1
    tally.unwritten.add(result.path)
    return result
