"""A fix round's findings of the fixed text, when its fixes cannot have made new ones.

A round replaces each fixed use by names no rule matches; every other finding stays where it
was, moved by the edits before it. When that holds, the fixed text need not be analysed again
(the walk of a 20,000-line module costs as much as its check). Whenever a fix may change what
another use means (imports rewritten, Keras imported where it was not, comments moved, nested
fixes left for the next round), the answer is None and the text is analysed as usual.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from tfmend.analyze import Analyzer
from tfmend.catalog.rules import Rule
from tfmend.findings import Finding, Origin, Position, Span
from tfmend.resolve.bindings import TRACKED_ROOTS, ImportBinding
from tfmend.resolve.module import ParsedModule
from tfmend.rewrite.edits import Edit
from tfmend.rewrite.names import NameRenderer
from tfmend.text.source import LineIndex

RENDERED_KINDS = frozenset({"replace", "compat-v1", "call"})
"""Fix kinds whose edit replaces the whole use with rendered names."""
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_KEYWORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")


@dataclass(frozen=True)
class Round:
    """What one fix round did to a module."""

    module: ParsedModule
    """The module as analysed."""
    findings: list[Finding]
    chosen: list[Finding]
    applied: list[Finding]
    edits: list[Edit]
    """Every edit applied (sorted, none overlapping), import removals included."""
    names: NameRenderer
    """What the edits spell: its qualified names, and the packages they import."""
    removed: list[ImportBinding]
    """Import bindings the edits remove."""
    keras_file: bool
    """Whether the module was analysed as Keras code (and the next round would be)."""
    methods: bool
    """Whether `receiver: any` rules were matched in this analysis."""


def settled(analyzer: Analyzer, done: Round, fixed: LineIndex) -> list[Finding] | None:
    """The findings of the fixed text (`fixed` locates its lines), or None when it must be
    analysed."""
    if len(done.applied) != len(done.chosen):
        return None  # a fix overlapped another: the next round makes it
    if any(f.on_import or f.rule is None or f.rule.fix.kind not in RENDERED_KINDS
           for f in done.applied):  # fmt: skip
        return None
    if not _names_are_final(analyzer, done):
        return None
    if not _same_flags(analyzer, done):
        return None
    return _moved(done, fixed)


def _names_are_final(analyzer: Analyzer, done: Round) -> bool:
    """Whether no rule can match what the edits write (names, attributes, comments)."""
    keywords = {k for text in {e.text for e in done.edits} for k in _KEYWORD.findall(text)}
    for qualname in done.names.rendered:
        root, *rest = qualname.split(".")
        for found in analyzer.matches(root, rest):
            if not all(_declines(rule, keywords) for rule in found.rules):
                return False
        if analyzer.surface is not None and analyzer.surface.exists(qualname) is False:
            return False
    catalog = analyzer.catalog
    words = {w for text in {e.text for e in done.edits} for w in _IDENTIFIER.findall(text)}
    if any(w in catalog.instance_attributes or w in catalog.any_receiver for w in words):
        return False
    # A comment (`# tfmend: ignore`) replaced may come back on another line.
    return not any("#" in done.module.text[e.start : e.end] for e in done.edits)


def _declines(rule: Rule, keywords: set[str]) -> bool:
    """Whether a keyword rule cannot match calls passing only these keywords by name."""
    fix = rule.fix
    return (
        fix.kind == "keyword"
        and rule.when is None
        and not fix.positional
        and not keywords & set(fix.rename)
    )


def _same_flags(analyzer: Analyzer, done: Round) -> bool:
    """Whether the fixed text is analysed as Keras code exactly as the module was."""
    removed = {id(i) for i in done.removed}
    kept = [i for i, _ in done.module.bindings.imports if id(i) not in removed]
    tracked = any(i.tracked for i in kept) or bool(set(done.names.added) & TRACKED_ROOTS)
    if tracked != done.keras_file:
        return False
    roots = ("keras",) if analyzer.versions.legacy_keras else ("keras", "tensorflow")
    keras_3 = any(i.level == 0 and i.target.split(".", 1)[0] in roots for i in kept) or bool(
        set(done.names.added) & set(roots)
    )
    return (done.keras_file or keras_3) == done.methods


def _moved(done: Round, lines: LineIndex) -> list[Finding] | None:
    """The findings the round left, at their places in the fixed text (None: one was edited)."""
    old = done.module.lines
    starts = [e.start for e in done.edits]
    shifts = [0]
    for edit in done.edits:
        shifts.append(shifts[-1] + len(edit.text) - (edit.end - edit.start))
    applied = {id(f) for f in done.applied}

    def moved(span: Span) -> Span | None:
        start = old.offset(span.start.line, span.start.column)
        end = old.offset(span.end.line, span.end.column)
        at = bisect.bisect_right(starts, start)  # edits starting at or before the span
        if at and done.edits[at - 1].end > start:
            return None  # inside an edit
        if at < len(starts) and starts[at] < end:
            return None  # an edit starts inside the span
        shift = shifts[at]
        return Span(
            Position(*lines.position(start + shift)), Position(*lines.position(end + shift))
        )

    out: list[Finding] = []
    for finding in done.findings:
        if id(finding) in applied:
            continue
        span = moved(finding.span)
        if span is None:
            return None
        origin = finding.origin
        if origin is not None and origin.path is None:
            origin_span = moved(origin.span)
            if origin_span is None:
                return None
            origin = Origin(None, origin_span, origin.text)
        out.append(replace(finding, span=span, origin=origin))
    return out
