"""Text edits on offsets: non-overlapping selection and application."""

from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] with `text`."""

    start: int
    end: int
    text: str


def select_non_overlapping(edits: list[Edit]) -> list[Edit]:
    """Edits sorted by position, dropping any that overlap one chosen before.

    At one start, insertions come first and then the longest replacement: an outer rewrite wins
    over the rewrites nested in it, which a later pass redoes on the new text.
    """
    chosen: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.start != e.end, -e.end)):
        if chosen and edit.start < chosen[-1].end:
            continue
        chosen.append(edit)
    return chosen


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (as returned by select_non_overlapping)."""
    pieces: list[str] = []
    position = 0
    for edit in edits:
        pieces.append(text[position : edit.start])
        pieces.append(edit.text)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


@dataclass(frozen=True)
class Plan:
    """A finding's fix: edits of the checked text, and the imports and statements it adds after
    the file's import block (at offset `insert_at`)."""

    edits: tuple[Edit, ...] = ()
    imports: tuple[str, ...] = ()
    """Import statements the edits need (`import keras`)."""
    statements: tuple[str, ...] = ()
    """Statements that go after the imports (`tf.compat.v1.disable_eager_execution()`)."""
    insert_at: int = 0

    def to_json(self) -> list[object]:
        """A compact JSON form: [[start, end, text]...], imports, statements, insert_at."""
        return [
            [[e.start, e.end, e.text] for e in self.edits],
            list(self.imports),
            list(self.statements),
            self.insert_at,
        ]

    @classmethod
    def from_json(cls, data: object) -> Plan | None:
        """The plan of `to_json`'s form (None when the data is not one)."""
        if not isinstance(data, list) or len(data) != 4:
            return None
        edits, imports, statements, insert_at = data
        try:
            return cls(
                tuple(Edit(int(s), int(e), str(t)) for s, e, t in edits),
                tuple(str(i) for i in imports),
                tuple(str(s) for s in statements),
                int(insert_at),
            )
        except (TypeError, ValueError):
            return None


def combine(text: str, plans: list[Plan], newline: str) -> tuple[list[Edit], list[int]]:
    """The edits that apply several plans in one pass (one insertion after the imports), and the
    indices of the plans applied whole (a plan overlapping one before it waits for a later pass)."""
    kept = set(select_non_overlapping([e for p in plans for e in p.edits]))
    whole = [i for i, p in enumerate(plans) if p.edits and all(e in kept for e in p.edits)]
    edits = [e for i in whole for e in plans[i].edits]
    imports = sorted({line for p in plans for line in p.imports})
    statements = list(dict.fromkeys(s for p in plans for s in p.statements))
    lines = imports + statements
    if lines:
        offset = next(p.insert_at for p in plans if p.imports or p.statements)
        added = "".join(line + newline for line in lines)
        if offset == len(text) and text and not text.endswith(("\n", "\r")):
            added = newline + added
        edits.append(Edit(offset, offset, added))
    return select_non_overlapping(edits), whole


def compose(text: str, first: list[Edit], second: list[Edit]) -> list[Edit]:
    """Edits of `text` equal to applying `first` (edits of `text`) and then `second` (edits of
    the result): edits that touch or overlap become one."""
    middle = apply_edits(text, first)
    # Each first edit as (start in middle, end in middle, start in text, end in text).
    shifted: list[tuple[int, int, int, int]] = []
    delta = 0
    for edit in first:
        start = edit.start + delta
        shifted.append((start, start + len(edit.text), edit.start, edit.end))
        delta += len(edit.text) - (edit.end - edit.start)
    spans = sorted(
        [(s, e, True) for s, e, _, _ in shifted] + [(e.start, e.end, False) for e in second]
    )
    groups: list[list[int]] = []
    for start, end, _ in spans:
        if groups and start <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], end)
        else:
            groups.append([start, end])

    # Prefix sums of the first edits' growth, found by bisection: linear in the edits, where
    # summing them again for every group was quadratic (minutes for 20,000 fixes).
    middle_starts = [s for s, _, _, _ in shifted]
    middle_ends = [e for _, e, _, _ in shifted]
    growth = [0]
    for s, e, old_start, old_end in shifted:
        growth.append(growth[-1] + (e - s) - (old_end - old_start))

    def original(offset: int, end: bool) -> int:
        """The offset in `text` of a group's start or end in `middle` (first edits touching a
        group are inside it: those before a start end before it, those before an end start
        at or before it)."""
        if end:
            return offset - growth[bisect.bisect_right(middle_starts, offset)]
        return offset - growth[bisect.bisect_left(middle_ends, offset)]

    ordered = sorted(second, key=lambda e: e.start)
    second_starts = [e.start for e in ordered]
    out: list[Edit] = []
    for start, end in groups:
        inner = []
        for later in ordered[bisect.bisect_left(second_starts, start) :]:
            if later.start > end:
                break
            if later.end <= end:
                inner.append(Edit(later.start - start, later.end - start, later.text))
        new = apply_edits(middle[start:end], inner)
        out.append(Edit(original(start, False), original(end, True), new))
    return out
