"""What checking or fixing one file gives (kept apart from the engine: a run answered from the
results cache builds these without importing the engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tfmend.findings import Finding
from tfmend.text.notebook import Notebook
from tfmend.text.source import DecodedSource
from tfmend.text.writeback import Snapshot


@dataclass
class FileResult:
    """Findings of one file, and for a fix, its new text."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    notebook: Notebook | None = None
    source: DecodedSource | None = None
    fixed_text: str | None = None
    """The new file content (notebook JSON for notebooks), when fixing changed it."""
    applied: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    snapshot: Snapshot | None = None
    """What the file held when it was read; a fix is written only over that."""
    read_error: OSError | None = None
    """Why the file could not be read, when it could not."""
