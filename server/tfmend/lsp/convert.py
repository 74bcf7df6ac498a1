"""Type conversions between the engine and LSP: positions in the negotiated encoding, findings
as diagnostics, new text as minimal text edits."""

from __future__ import annotations

import difflib
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lsprotocol import types
from pygls.workspace import PositionCodec

from tfmend.catalog.rules import Severity, docs_url
from tfmend.findings import Finding, Position, Span
from tfmend.rewrite.edits import Edit, apply_edits
from tfmend.text.source import line_starts, split_lines

SEVERITIES = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}
SOURCE = "tfmend"


LINES_KEPT = 16
LINES_BUDGET = 1_000_000
"""Characters of recent texts whose Lines are kept (at most LINES_KEPT texts: a few versions of
a 10,000-line file, the cells of a notebook): sixteen versions of a 10,000-line file held 20 MB."""
_lines_cache: OrderedDict[str, Lines] = OrderedDict()
_lines_lock = threading.Lock()


def lines_of(text: str) -> Lines:
    """The Lines of a text, shared while the text is unchanged (publish, hover and actions)."""
    with _lines_lock:
        found = _lines_cache.get(text)
        if found is not None:
            _lines_cache.move_to_end(text)
            return found
    found = Lines(text)
    with _lines_lock:
        _lines_cache[text] = found
        kept = sum(map(len, _lines_cache))
        while len(_lines_cache) > 1 and (kept > LINES_BUDGET or len(_lines_cache) > LINES_KEPT):
            kept -= len(_lines_cache.popitem(last=False)[0])
    return found


class Lines:
    """A text split into lines as the engine and LSP split them (at \\r\\n, \\r and \\n).

    Each line keeps its ending; the last line has none (it is empty after a final newline), so
    the engine's 0-based line numbers index this list directly.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.starts = line_starts(self.lines)

    def __len__(self) -> int:
        return len(self.lines)

    def visible(self, line: int) -> str:
        """A line without its ending."""
        return self.lines[line].rstrip("\r\n")

    def end(self) -> Position:
        """The position after the last character."""
        return Position(len(self.lines) - 1, len(self.lines[-1]))

    def position(self, offset: int) -> Position:
        """The position of a string index."""
        line = max(bisect_right(self.starts, offset) - 1, 0)
        return Position(line, offset - self.starts[line])

    def offset(self, position: Position) -> int:
        """The string index of a (clamped) position."""
        position = self.clamp(position)
        return self.starts[position.line] + position.column

    def clamp(self, position: Position) -> Position:
        """The nearest position inside the text."""
        if position.line >= len(self.lines):
            return self.end()
        line = max(position.line, 0)
        return Position(line, min(max(position.column, 0), len(self.visible(line))))

    def to_client(self, codec: PositionCodec, position: Position) -> types.Position:
        """A code point position in the client's encoding."""
        line, character = self.client_position(codec, position)
        return types.Position(line=line, character=character)

    def client_position(self, codec: PositionCodec, position: Position) -> tuple[int, int]:
        """`to_client` as (line, character), without building an lsprotocol object."""
        line, column = position.line, position.column
        if 0 <= line < len(self.lines) and column >= 0:
            line_text = self.lines[line]
            # The common case, on every diagnostic: an ASCII line, a column inside it.
            if line_text.isascii() and column <= len(line_text.rstrip("\r\n")):
                return line, column
        position = self.clamp(position)
        line_text = self.lines[position.line]
        if line_text.isascii():
            return position.line, position.column
        converted = codec.position_to_client_units(
            self.lines, types.Position(line=position.line, character=position.column)
        )
        return converted.line, converted.character

    def from_client(self, codec: PositionCodec, position: types.Position) -> Position:
        """A client position as code points, clamped to the text."""
        if position.line >= len(self.lines):
            return self.end()
        visible = self.visible(position.line)
        if visible.isascii():
            return Position(position.line, min(position.character, len(visible)))
        limit = codec.client_num_units(visible)
        character = min(position.character, limit)
        if character == limit:
            return Position(position.line, len(visible))
        # A copy: pygls' codec writes back into the position it converts.
        converted = codec.position_from_client_units(
            self.lines, types.Position(line=position.line, character=character)
        )
        return Position(converted.line, converted.character)

    def range_to_client(self, codec: PositionCodec, span: Span) -> types.Range:
        """A span as an LSP range in the client's encoding."""
        return types.Range(
            start=self.to_client(codec, span.start), end=self.to_client(codec, span.end)
        )

    def range_from_client(self, codec: PositionCodec, client: types.Range) -> Span:
        """An LSP range as a code point span."""
        return Span(self.from_client(codec, client.start), self.from_client(codec, client.end))


@dataclass(frozen=True)
class Related:
    """Where the name a finding uses was bound, ready for `relatedInformation`."""

    uri: str
    range: types.Range
    message: str


def diagnostic_data(finding: Finding, version: int | None) -> dict[str, Any]:
    """A diagnostic's `data`: the fix's safety, and its planned edits with the document version
    they are for (offsets of the checked text; see `Plan.to_json`)."""
    data: dict[str, Any] = {"fix": finding.fix}
    plan = finding.plan
    if version is not None and finding.fix != "none" and plan is not None and plan.edits:
        data["v"] = version
        data["plan"] = plan.to_json()
        if finding.origin is not None and finding.origin.path is None:
            data["origin"] = finding.origin.text
    return data


def diagnostic(
    finding: Finding, range_: types.Range, related: Related | None, version: int | None = None
) -> types.Diagnostic:
    """The LSP diagnostic of a finding whose span is already converted to `range_`."""
    return types.Diagnostic(
        range=range_,
        message=_message(finding),
        severity=SEVERITIES[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=docs_url(finding.code)),
        source=SOURCE,
        tags=[types.DiagnosticTag.Deprecated] if _struck(finding) else None,
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=related.uri, range=related.range),
                message=related.message,
            )
        ]
        if related is not None
        else None,
        data=diagnostic_data(finding, version),
    )


def diagnostic_json(
    finding: Finding,
    range_: dict[str, Any],
    related: dict[str, Any] | None,
    version: int | None = None,
) -> dict[str, Any]:
    """The LSP JSON of a finding's diagnostic, built directly as a dict.

    The same diagnostic as `diagnostic`, for pushing: pygls would convert lsprotocol objects with
    cattrs, ~60 µs a diagnostic, 20 ms on the event loop for a file with 300 findings, on every
    keystroke.
    """
    out: dict[str, Any] = {
        "range": range_,
        **_rule_fields(_message(finding), finding.severity, finding.code),
        "data": diagnostic_data(finding, version),
    }
    if _struck(finding):
        out["tags"] = [int(types.DiagnosticTag.Deprecated)]
    if related is not None:
        out["relatedInformation"] = [related]
    return out


@lru_cache(maxsize=4096)
def _rule_fields(message: str, severity: Severity, code: str) -> dict[str, Any]:
    """The fields a diagnostic has from its rule alone (the same for each of its findings, built
    once: a big file publishes thousands of diagnostics on every keystroke)."""
    return {
        "message": message,
        "severity": int(SEVERITIES[severity]),
        "code": code,
        "codeDescription": {"href": docs_url(code)},
        "source": SOURCE,
    }


def range_json(lines: Lines, codec: PositionCodec, span: Span) -> dict[str, Any]:
    """A span as LSP range JSON in the client's encoding."""
    start_line, start = lines.client_position(codec, span.start)
    end_line, end = lines.client_position(codec, span.end)
    return {
        "start": {"line": start_line, "character": start},
        "end": {"line": end_line, "character": end},
    }


def _struck(finding: Finding) -> bool:
    # Strike-through says "works, but on its way out": an error (the call raises) is a squiggle
    # already, and striking it too made every finding look the same.
    return finding.deprecated and finding.severity != "error"


def _message(finding: Finding) -> str:
    if finding.fix == "none" and finding.fix_note:
        return f"{finding.message} (no automatic fix: {finding.fix_note})"
    return finding.message


def related_message(finding: Finding, import_text: str) -> str:
    """The text shown next to the import that bound a flagged name."""
    base = finding.name.split(".", 1)[0] if finding.name else "the name"
    return f"`{base}` is bound here: {import_text.strip()}"


def text_edits(codec: PositionCodec, old: str, new: str) -> list[types.TextEdit]:
    """The line-level edits that turn `old` into `new` (positions in `old`)."""
    before = Lines(old)
    after = Lines(new)
    matcher = difflib.SequenceMatcher(None, before.lines, after.lines, autojunk=False)
    edits: list[types.TextEdit] = []

    def at(line: int) -> types.Position:
        if line < len(before):
            return types.Position(line=line, character=0)
        return before.to_client(codec, before.end())

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        edits.append(
            types.TextEdit(
                range=types.Range(start=at(i1), end=at(i2)),
                new_text="".join(after.lines[j1:j2]),
            )
        )
    return edits


def line_edits(codec: PositionCodec, old: str, edits: list[Edit]) -> list[types.TextEdit]:
    """Offset edits of `old` (sorted, not overlapping) as edits of whole lines: what a line diff
    of the old and new text gives, computed from the edits alone (positions in `old`)."""
    lines = lines_of(old)
    groups: list[tuple[int, int, list[Edit]]] = []
    for edit in edits:
        first = lines.position(edit.start).line
        start = lines.starts[first]
        end = edit.end
        last = lines.position(end)
        if last.column or (end == edit.start and edit.start != start):
            end = lines.starts[last.line + 1] if last.line + 1 < len(lines) else len(old)
        if groups and start <= groups[-1][1]:
            groups[-1] = (groups[-1][0], max(groups[-1][1], end), [*groups[-1][2], edit])
        else:
            groups.append((start, end, [edit]))
    out: list[types.TextEdit] = []
    for start, end, members in groups:
        inner = [Edit(e.start - start, e.end - start, e.text) for e in members]
        before = Lines(old[start:end]).lines
        after = Lines(apply_edits(old[start:end], inner)).lines
        before, after = [t for t in before if t], [t for t in after if t]
        head = 0  # lines the edits leave as they were, at either end, are not sent
        while head < min(len(before), len(after)) and before[head] == after[head]:
            head += 1
        tail = 0
        while (
            tail < min(len(before), len(after)) - head
            and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]
        ):
            tail += 1
        if head == len(before) == len(after):
            continue
        first_line = lines.position(start).line + head
        span = Span(
            Position(first_line, 0),
            lines.position(start + sum(len(t) for t in before[: len(before) - tail])),
        )
        out.append(
            types.TextEdit(
                range=lines.range_to_client(codec, span),
                new_text="".join(after[head : len(after) - tail]),
            )
        )
    return out
