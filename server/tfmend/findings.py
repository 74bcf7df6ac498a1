"""Findings: what the analysis reports, in positions of the source text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tfmend.catalog.rules import Rule, Severity
from tfmend.rewrite.edits import Plan

FixSafety = Literal["safe", "unsafe", "none"]


@dataclass(frozen=True, order=True)
class Position:
    """A 0-based line and a column in code points (str indices)."""

    line: int
    column: int


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range of source text."""

    start: Position
    end: Position


@dataclass(frozen=True)
class Origin:
    """Where the name used by a finding was bound: a path (None for this file) and a span."""

    path: str | None
    span: Span
    text: str
    """The import statement, for messages."""


@dataclass(frozen=True)
class Finding:
    """One problem at one place."""

    code: str
    message: str
    severity: Severity
    span: Span
    api: str = ""
    """The canonical name of the API (`keras.backend.mean`); empty for tfmend's own codes."""
    name: str = ""
    """The code as written (`K.mean`)."""
    fix: FixSafety = "none"
    """Whether this finding can be fixed here, and how safely."""
    fix_note: str = ""
    """Why no fix is offered, when the rule has one but this use cannot take it."""
    deprecated: bool = False
    """Whether the API is deprecated or removed (editors strike it through)."""
    origin: Origin | None = None
    """The import that bound the name used (for uses of imported names)."""
    on_import: bool = False
    """Whether the finding is on an import statement (fixed by fixing the uses it binds)."""
    rule: Rule | None = field(default=None, compare=False, repr=False)
    suggestions: tuple[str, ...] = ()
    """Close existing names, for APIs missing from the installed surface."""
    plan: Plan | None = field(default=None, compare=False, repr=False)
    """The fix's edits of the checked text, planned with the analysis (None: no fix)."""

    def fixable(self, unsafe: bool) -> bool:
        """Whether a fix is applied at this safety level."""
        return self.fix == "safe" or (unsafe and self.fix == "unsafe")
