"""Charts of a migration report as inline SVG: bars stacked by fix kind, no script, no fonts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

from tfmend.cli.summary import KINDS, Counts

COLOURS = {"safe": "#2e7d32", "unsafe": "#e09b00", "manual": "#c62828"}
"""Fill of each fix kind (also used by the page's legend)."""
KIND_LABELS = {"safe": "safe fix", "unsafe": "unsafe fix", "manual": "needs a person"}

_ROW = 26
_BAR = 18
_LABEL_CHARS = 44
_WIDTH = 976
_LABEL_WIDTH = 330
_COUNT_WIDTH = 60


@dataclass(frozen=True)
class Row:
    """One bar: its label and its findings by kind."""

    key: str
    label: str
    counts: Counts


def _short(label: str, keep: Literal["start", "end"]) -> str:
    """A label cut to fit the label column (the whole label is in the bar's tooltip)."""
    if len(label) <= _LABEL_CHARS:
        return label
    if keep == "start":
        return label[: _LABEL_CHARS - 1] + "…"
    return "…" + label[-(_LABEL_CHARS - 1) :]


def _segments(counts: Counts, x: float, y: float, width: float, height: float) -> list[str]:
    """Rectangles of one stacked bar, `width` being the bar's whole length."""
    out = []
    total = counts.total
    for kind in KINDS:
        count = counts.of(kind)
        if not count or not total:
            continue
        length = width * count / total
        out.append(
            f'<rect class="seg" data-kind="{kind}" data-count="{count}" x="{x:.1f}" y="{y:.1f}" '
            f'width="{length:.1f}" height="{height}" fill="{COLOURS[kind]}">'
            f"<title>{count} {KIND_LABELS[kind]}</title></rect>"
        )
        x += length
    return out


def bar_chart(rows: Sequence[Row], *, label: str, keep: Literal["start", "end"]) -> str:
    """Horizontal bars, one per row, scaled to the largest total, stacked by fix kind; labels
    too long for their column keep their `start` (names) or their `end` (paths)."""
    top = max((row.counts.total for row in rows), default=0) or 1
    span = _WIDTH - _LABEL_WIDTH - _COUNT_WIDTH
    height = _ROW * len(rows) + 4
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(label)}" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for index, row in enumerate(rows):
        y = index * _ROW + 4
        total = row.counts.total
        parts.append(f'<g class="bar" data-key="{escape(row.key)}" data-total="{total}">')
        parts.append(f"<title>{escape(row.label)}: {_breakdown(row.counts)}</title>")
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + _BAR - 4}" text-anchor="end">'
            f"{escape(_short(row.label, keep))}</text>"
        )
        parts.extend(_segments(row.counts, _LABEL_WIDTH, y, span * total / top, _BAR))
        parts.append(
            f'<text class="count" x="{_LABEL_WIDTH + span * total / top + 6:.1f}" '
            f'y="{y + _BAR - 4}">{total}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def share_bar(counts: Counts, *, label: str) -> str:
    """One full-width bar: the share of each fix kind among all findings."""
    height = 34
    parts = [
        f'<svg class="chart share" role="img" aria-label="{escape(label)}" width="100%" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" preserveAspectRatio="none" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="0" y="0" width="{_WIDTH}" height="{height}" rx="4" fill="#e8e8e8"/>',
        *_segments(counts, 0, 0, _WIDTH, height),
        "</svg>",
    ]
    return "".join(parts)


def _breakdown(counts: Counts) -> str:
    return ", ".join(f"{counts.of(kind)} {KIND_LABELS[kind]}" for kind in KINDS if counts.of(kind))
