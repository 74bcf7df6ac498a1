"""Count references to TensorFlow/Keras APIs the installed versions lack, rule catalog aside.

The measure behind "after `tfmend fix`, what is still missing": every name a file reaches
through a TensorFlow or Keras import is looked up in the installed API surface, whatever the
catalog says about it. An engine with an empty catalog does exactly that, resolving names as
`tfmend check` does (a project's own `keras` package is the project's), so each finding it gives
is one reference to a missing API (TFM801), on its line.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tfmend.api import Engine
from tfmend.catalog.meta import MISSING_API
from tfmend.catalog.rules import Catalog
from tfmend.resolve.project import JediProject
from tfmend.resolve.surface import Surface


@dataclass(frozen=True)
class MissingReference:
    """One use of a name the installed TensorFlow/Keras does not have."""

    path: Path
    line: int
    """0-based, as findings count lines."""
    api: str


def missing_references(root: Path, surface: Surface) -> list[MissingReference]:
    """Every reference to a missing API in the project's .py files (unparsable files have none)."""
    engine = Engine(catalog=Catalog([]), project=JediProject(root), surface=surface)
    found: list[MissingReference] = []
    for path in sorted(root.rglob("*.py")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # old packages' invalid escape sequences
            findings = engine.check_file(path).findings
        found.extend(
            MissingReference(path, finding.span.start.line, finding.api or "")
            for finding in findings
            if finding.code == MISSING_API.code
        )
    return found


def flagged_lines(findings: list[dict[str, Any]], root: Path) -> set[tuple[Path, int]]:
    """(file, 0-based line) of each finding of `tfmend check --format json` run in `root`."""
    return {((root / f["path"]).resolve(), f["start"]["line"] - 1) for f in findings}


def unflagged(
    references: list[MissingReference], flagged: set[tuple[Path, int]]
) -> list[MissingReference]:
    """The references on a line with no finding: a missing API tfmend says nothing about."""
    return [r for r in references if (r.path.resolve(), r.line) not in flagged]
