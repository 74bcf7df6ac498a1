"""Composed edits: one list of edits of the original text that does what two passes did."""

from __future__ import annotations

import itertools
import random

from tfmend.rewrite.edits import Edit, apply_edits, compose


def _edits(rng: random.Random, text: str) -> list[Edit]:
    """Sorted, non-overlapping edits of `text`: insertions, deletions and replacements."""
    out: list[Edit] = []
    position = 0
    while True:
        position += rng.randint(0, 6)
        if position > len(text):
            return out
        end = min(position + rng.choice([0, 0, 1, 2, 3]), len(text))
        out.append(
            Edit(position, end, "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 4))))
        )
        position = end + (end == position)


def test_composed_edits_give_the_two_passes_text() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice("xyz\n") for _ in range(rng.randint(0, 40)))
        first = _edits(rng, text)
        middle = apply_edits(text, first)
        second = _edits(rng, middle)
        composed = compose(text, first, second)
        assert apply_edits(text, composed) == apply_edits(middle, second)
        assert all(a.end <= b.start for a, b in itertools.pairwise(composed))


def test_composing_twenty_thousand_fixes_takes_one_pass() -> None:
    # One edit per line, then a removal at the top: each group's offsets come from prefix sums
    # (summing every edit for every group took minutes here).
    text = "import k\n" + "v = k.mean(x)\n" * 20_000
    first = [Edit(9 + 14 * i + 4, 9 + 14 * i + 10, "ops.mean") for i in range(20_000)]
    middle = apply_edits(text, first)
    second = [Edit(0, 9, "")]
    composed = compose(text, first, second)
    assert apply_edits(text, composed) == apply_edits(middle, second)
    assert len(composed) == 20_001
