"""Typing: diagnostics stay put while a line is half-typed, newer versions win, results are cached,
closed documents get no late results."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.harness import CLIENTS, TestClient, capabilities_for, rng, start

SOURCE = """\
from keras import backend as K

a = K.old_mean(x)
b = 1
c = K.old_floatx()
"""


def summary(found: list[types.Diagnostic]) -> list[tuple[object, types.Range]]:
    """(code, range) of each diagnostic."""
    return [(d.code, d.range) for d in found]


@pytest.mark.parametrize("name", CLIENTS)
async def test_findings_stay_while_a_line_is_half_typed(
    client: TestClient, workspace_root: Path, name: str
) -> None:
    session = await start(client, workspace_root, capabilities_for(name))
    uri = session.open("typing.py", SOURCE)
    assert summary(await session.diagnostics(uri, version=1)) == [
        ("TFM4901", rng(2, 4, 2, 14)),
        ("TFM4902", rng(4, 4, 4, 16)),
    ]
    # Half a line is typed above `b = 1`: the file no longer parses.
    version = session.change(uri, [(rng(3, 0), "d = K.old_mean(\n")])
    found = await session.diagnostics(uri, version=version)
    assert [d.code for d in found] == ["TFM4901", "TFM901", "TFM4902"]
    assert found[0].range == rng(2, 4, 2, 14)
    assert found[2].range == rng(5, 4, 5, 16)
    syntax = found[1]
    assert syntax.range.start.line == 3  # its column: see the next test
    assert syntax.severity == types.DiagnosticSeverity.Error
    assert syntax.tags is None
    assert syntax.message == (
        "Syntax error: '(' was never closed; the file is not checked until it parses"
    )
    # Typing on, still broken, on the line of a finding but after it: it stays.
    version = session.change(uri, [(rng(5, 18), " +")])
    found = await session.diagnostics(uri, version=version)
    assert ("TFM4902", rng(5, 4, 5, 16)) in summary(found)
    # The line is finished: everything is checked again.
    version = session.change(uri, [(rng(5, 18, 5, 20), ""), (rng(3, 15), "x)")])
    assert summary(await session.diagnostics(uri, version=version)) == [
        ("TFM4901", rng(2, 4, 2, 14)),
        ("TFM4901", rng(3, 4, 3, 14)),
        ("TFM4902", rng(5, 4, 5, 16)),
    ]


async def test_syntax_error_column_while_the_file_on_disk_differs(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("typing.py", SOURCE)
    await session.diagnostics(uri, version=1)
    version = session.change(uri, [(rng(3, 0), "d = K.old_mean(\n")])
    found = await session.diagnostics(uri, version=version)
    assert found[1].range == rng(3, 14, 3, 15)


async def test_a_finding_that_was_edited_is_dropped_while_broken(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("typing.py", SOURCE)
    await session.diagnostics(uri, version=1)
    # `K.old_mean(x)` becomes `K.old_mea(x` (inside the finding, and unbalanced).
    version = session.change(uri, [(rng(2, 12, 2, 17), "a(x")])
    found = await session.diagnostics(uri, version=version)
    assert [d.code for d in found] == ["TFM901", "TFM4902"]


async def test_whole_document_changes_shift_findings_too(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("typing.py", SOURCE)
    await session.diagnostics(uri, version=1)
    version = session.replace_all(uri, "import os\n" + SOURCE + "d = (\n")
    found = await session.diagnostics(uri, version=version)
    assert [(d.code, d.range.start.line) for d in found] == [
        ("TFM4901", 3),
        ("TFM4902", 5),
        ("TFM901", 6),
    ]
    assert found[0].range == rng(3, 4, 3, 14)
    assert found[1].range == rng(5, 4, 5, 16)


def big_source(blocks: int) -> str:
    """A long module with one finding per block."""
    body = "".join(
        f"\ndef f{i}(x):\n    y = x + {i}\n    return K.old_mean(y)\n" for i in range(blocks)
    )
    return "from keras import backend as K\n" + body


async def test_a_newer_version_replaces_older_work(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    text = big_source(5000)
    uri = session.open("big.py", text)
    first = await session.diagnostics(uri, version=1)
    assert len(first) == 5000
    before = len(client.publishes(uri))
    # v2 starts checking; v3 arrives while it runs; v4 and v5 arrive while v3 waits for it.
    # Each inserts a line above the first finding: an import, so that each check is a full one
    # (an edit inside a function alone is checked too fast to be overtaken).
    session.change(uri, [(rng(3, 4), "import os as z1\n    ")])
    await asyncio.sleep(0.1)
    session.change(uri, [(rng(3, 4), "import os as z2\n    ")])
    session.change(uri, [(rng(3, 4), "import os as z3\n    ")])
    last = session.change(uri, [(rng(3, 4), "import os as z4\n    ")])
    found = await session.diagnostics(uri, version=last)
    assert len(found) == 5000
    assert found[0].range == rng(8, 11, 8, 21)
    # One more edit as a barrier: the analysis thread runs edits in order, so once its result is
    # published every older version's work has ended; none of them may have been published.
    barrier = session.change(uri, [(rng(3, 4), "z = 5\n    ")])
    await session.diagnostics(uri, version=barrier)
    assert [p.version for p in client.publishes(uri)[before:]] == [last, barrier]


async def test_results_are_cached_per_version(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("cached.py", SOURCE)
    await session.diagnostics(uri, version=1)
    for _ in range(3):
        await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=2, character=6),
            )
        )
        await session.code_actions(uri, rng(2, 6))
    checks = [m.message for m in client.log_messages if m.message.startswith(f"checked {uri} ")]
    assert len(checks) == 1
    expected = rf"checked {re.escape(uri)} \(generation 0\): 2 findings in [0-9.]+ ms"
    assert re.fullmatch(expected, checks[0])


async def test_no_result_for_a_document_closed_meanwhile(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("closing.py", SOURCE)
    await session.diagnostics(uri, version=1)
    version = session.change(uri, [(rng(3, 0), "z = K.old_mean(b)\n")])
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # Closed: what is on disk (SOURCE) is shown again, unversioned.
    found = await client.wait_for(
        lambda: [p for p in client.publishes(uri) if p.version is None] or None
    )
    assert summary(list(found[-1].diagnostics)) == [
        ("TFM4901", rng(2, 4, 2, 14)),
        ("TFM4902", rng(4, 4, 4, 16)),
    ]
    # A document opened later is analysed after the closed one's pending work (one thread, in
    # order): once its diagnostics arrive, a late result for the closed version would have too.
    # (A check that ended before the close was read may have been published before it: checks
    # start without a debounce. What must not happen is that it replaces what the close showed.)
    await session.diagnostics(session.open("barrier.py", SOURCE), version=1)
    publishes = client.publishes(uri)
    closed = max(i for i, p in enumerate(publishes) if p.version is None)
    assert all(p.version != version for p in publishes[closed:])


async def test_a_range_given_end_first_is_the_same_range(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("reversed.py", SOURCE)
    await session.diagnostics(uri, version=1)
    # Lines 2 and 3 deleted by a range from (4, 0) back to (2, 0): nothing is doubled.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(range=rng(4, 0, 2, 0), text="")
            ],
        )
    )
    assert summary(await session.diagnostics(uri, version=2)) == [("TFM4902", rng(2, 4, 2, 16))]


async def test_a_position_past_the_end_of_a_line_is_its_end(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("past.py", "from keras import backend as K\na = K.old_mean(x)")
    await session.diagnostics(uri, version=1)
    # Column 99 of the last line, which has 17: the text goes after its last character.
    version = session.change(uri, [(rng(1, 99, 1, 99), "\nb = K.old_mean(y)\n")])
    assert session.texts[uri].endswith("K.old_mean(x)\nb = K.old_mean(y)\n")
    assert summary(await session.diagnostics(uri, version=version)) == [
        ("TFM4901", rng(1, 4, 1, 14)),
        ("TFM4901", rng(2, 4, 2, 14)),
    ]


async def test_edits_after_a_range_given_end_first_apply_where_they_were_sent(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("drift.py", "import tensorflow as tf\npass")
    await session.diagnostics(uri, version=1)
    session.change(uri, [(rng(0, 0, 0, 0), "\n")])
    # The newline taken out again by a range given end first, then two characters deleted (the
    # session's own copy of the text is not used: it reads the first range literally).
    version = session.change(uri, [(rng(1, 0, 0, 0), ""), (rng(0, 0, 0, 2), "")])
    # "port tensorflow as tf" does not parse: the syntax error is at "tensorflow".
    found = await session.diagnostics(uri, version=version)
    assert [(d.code, d.range) for d in found] == [("TFM901", rng(0, 5, 0, 6))]
