"""Offset edits: plans combined into one pass, passes composed, edits sent as whole lines."""

from __future__ import annotations

import random

from lsprotocol import types
from pygls.workspace import PositionCodec

from tfmend.lsp.convert import Lines, line_edits
from tfmend.rewrite.edits import Edit, Plan, apply_edits, combine, compose, select_non_overlapping

CODEC = PositionCodec(types.PositionEncodingKind.Utf16)


def random_edits(rng: random.Random, text: str, alphabet: str) -> list[Edit]:
    """A few non-overlapping edits of `text` (insertions, deletions, replacements)."""
    edits = []
    for _ in range(rng.randint(0, 4)):
        start = rng.randint(0, len(text))
        end = rng.randint(start, min(len(text), start + 4))
        new = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3)))
        edits.append(Edit(start, end, new))
    return select_non_overlapping(edits)


def client_applied(text: str, edits: list[types.TextEdit]) -> str:
    """Text edits applied as a client applies them (positions in the original text)."""
    lines = Lines(text)
    ordered = sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character))
    for edit in reversed(ordered):
        start = lines.offset(lines.from_client(CODEC, edit.range.start))
        end = lines.offset(lines.from_client(CODEC, edit.range.end))
        text = text[:start] + edit.new_text + text[end:]
    return text


def test_composed_edits_equal_the_two_passes() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 16)))
        first = random_edits(rng, text, "XY\n")
        middle = apply_edits(text, first)
        second = random_edits(rng, middle, "Z\n")
        assert apply_edits(text, compose(text, first, second)) == apply_edits(middle, second)


def test_line_edits_give_the_new_text_in_whole_lines() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice("ab\n") for _ in range(rng.randint(0, 16)))
        edits = random_edits(rng, text, "xb\n")
        sent = line_edits(CODEC, text, edits)
        assert client_applied(text, sent) == apply_edits(text, edits)
        assert all(e.range.start.character == 0 for e in sent)


def test_line_edits_leave_unchanged_lines_out() -> None:
    text = "import os\n\nx = K.mean(a)\ny = 1\n"
    edits = [Edit(10, 10, "import keras\n"), Edit(15, 21, "keras.ops.mean")]
    assert line_edits(CODEC, text, edits) == [
        types.TextEdit(
            range=types.Range(
                start=types.Position(line=1, character=0), end=types.Position(line=1, character=0)
            ),
            new_text="import keras\n",
        ),
        types.TextEdit(
            range=types.Range(
                start=types.Position(line=2, character=0), end=types.Position(line=3, character=0)
            ),
            new_text="x = keras.ops.mean(a)\n",
        ),
    ]


def test_combined_plans_share_one_import_block_and_skip_overlaps() -> None:
    text = "import a\nx = f(g(1))\n"
    outer = Plan((Edit(13, 20, "F(g(1))"),), ("import keras",), (), 9)
    inner = Plan((Edit(15, 19, "G(1)"),), ("import numpy as np",), (), 9)
    other = Plan((Edit(9, 10, "y"),), ("import keras",), ("tf.disable()",), 9)
    edits, whole = combine(text, [outer, inner, other], "\n")
    assert whole == [0, 2]  # the inner rewrite waits for the next pass
    assert apply_edits(text, edits) == (
        "import a\nimport keras\nimport numpy as np\ntf.disable()\ny = F(g(1))\n"
    )


def test_plans_survive_json() -> None:
    plan = Plan((Edit(1, 4, "new"),), ("import keras",), ("x()",), 12)
    assert Plan.from_json(plan.to_json()) == plan
    assert Plan.from_json(["not", "a", "plan"]) is None
    assert Plan.from_json([[["a", 1, "t"]], [], [], 0]) is None
