"""Typing into a long legacy module through a real client: after every edit (sent as a range, the
way editors send them) the server publishes what a full check of the text finds, fix edits
included; while the text does not parse, the findings stay and the syntax error is added."""

from __future__ import annotations

import ast
import random
from pathlib import Path

from lsprotocol import types

from benchmarks.legacy_source import legacy_source
from tests.lsp.harness import TestClient, start
from tests.test_incremental import random_edit
from tfmend.api import Engine
from tfmend.lsp.convert import diagnostic_data
from tfmend.text.source import LineIndex


def edit_range(old: str, new: str) -> tuple[types.Range, str]:
    """The one range edit that turns `old` into `new` (ASCII text: columns are UTF-16 units)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    lines = LineIndex(old)
    first, last = lines.position(start), lines.position(end_old)
    range_ = types.Range(
        start=types.Position(line=first[0], character=first[1]),
        end=types.Position(line=last[0], character=last[1]),
    )
    return range_, new[start:end_new]


def expected(engine: Engine, text: str, path: Path, version: int) -> list[tuple[object, ...]]:
    """(code, range, message, data) of each finding of a full check."""
    return [
        (
            f.code,
            (f.span.start.line, f.span.start.column, f.span.end.line, f.span.end.column),
            f"{f.message} (no automatic fix: {f.fix_note})"
            if f.fix == "none" and f.fix_note
            else f.message,
            diagnostic_data(f, version),
        )
        for f in engine.check_text(text, path)
    ]


def published(found: list[types.Diagnostic]) -> list[tuple[object, ...]]:
    """(code, range, message, data) of each diagnostic."""
    return [
        (
            d.code,
            (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character),
            d.message,
            d.data,
        )
        for d in found
    ]


async def test_typing_into_a_long_legacy_module(client: TestClient, tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    path = root / "legacy.py"
    text = legacy_source(600)
    path.write_text(text, encoding="utf-8")
    session = await start(client, root)
    uri = session.open("legacy.py", text)
    engine = Engine()
    rng = random.Random(3)
    found = await session.diagnostics(uri, version=1)
    assert published(found) == expected(engine, text, path, 1)
    good = text
    for _ in range(40):
        new = random_edit(good if rng.random() < 0.8 else text, rng)
        range_, inserted = edit_range(text, new)
        version = session.change(uri, [(range_, inserted)])
        text = new
        found = await session.diagnostics(uri, version=version)
        try:
            ast.parse(text)
        except SyntaxError:
            # The editor is not blanked: the last findings stay, with the syntax error.
            codes = [d.code for d in found]
            assert "TFM901" in codes
            assert len(codes) > 1
            continue
        good = text
        assert published(found) == expected(engine, text, path, version)
