"""Text edits on offsets: non-overlapping selection and application."""

from __future__ import annotations

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
