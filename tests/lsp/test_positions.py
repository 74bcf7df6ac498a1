"""Positions in the negotiated encoding: UTF-16 by default, UTF-8 or UTF-32 when offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from tests.lsp.harness import TestClient, capabilities_for, rng, start

SOURCE = 's = "😀😀"; from keras import backend as K\nt = "é😀"; y = K.old_mean(x)\n'
# Code points: the import's `backend as K` at 28..40 of line 0, `K.old_mean` at 14..24 of line 1.
# UTF-16: an emoji is 2 units; UTF-8: an emoji is 4 bytes and `é` is 2.
COLUMNS = {
    "utf-32": ((28, 40), (14, 24)),
    "utf-16": ((30, 42), (15, 25)),
    "utf-8": ((34, 46), (18, 28)),
}


def offered(encodings: list[str]) -> types.ClientCapabilities:
    """Capabilities that offer these position encodings, in order of preference."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=encodings)
    )


@pytest.mark.parametrize(
    ("capabilities", "encoding"),
    [
        (types.ClientCapabilities(), "utf-16"),
        (offered(["utf-8", "utf-16"]), "utf-8"),
        (offered(["utf-32"]), "utf-32"),
        (offered(["utf-16"]), "utf-16"),
        (capabilities_for("emacs"), "utf-32"),
        (capabilities_for("neovim"), "utf-8"),
        (capabilities_for("visual_studio_code"), "utf-16"),
    ],
    ids=["default", "utf-8", "utf-32", "utf-16", "emacs", "neovim", "vscode"],
)
async def test_columns_follow_the_encoding(
    client: TestClient, workspace_root: Path, capabilities: types.ClientCapabilities, encoding: str
) -> None:
    session = await start(client, workspace_root, capabilities)
    assert session.encoding == encoding
    uri = session.open("emoji.py", SOURCE)
    (alias_start, alias_end), (first, last) = COLUMNS[encoding]
    [found] = await session.diagnostics(uri, version=1)
    assert found.range == rng(1, first, 1, last)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=first),
        )
    )
    assert hover is not None
    assert hover.range == rng(1, first, 1, last)

    # Bound in another file (re-exported by the project): related information, in client units.
    session.write("exporter.py", SOURCE.splitlines()[0] + "\n")
    user = session.open("user.py", 'from exporter import K\nt = "é😀"; y = K.old_mean(x)\n')
    [reexported] = await session.diagnostics(user, version=1)
    assert reexported.related_information is not None
    assert reexported.related_information[0].location == types.Location(
        uri=session.uri("exporter.py"), range=rng(0, alias_start, 0, alias_end)
    )

    # An edit after the emoji, in the client's units: `x` becomes `xs`.
    x = last + 1
    version = session.change(uri, [(rng(1, x, 1, x + 1), "xs")])
    [found] = await session.diagnostics(uri, version=version)
    assert found.range == rng(1, first, 1, last)
    actions = await session.code_actions(uri, rng(1, first, 1, last), only=["quickfix"])
    fix = next(a for a in actions if a.title.startswith("TFM4901"))
    assert fix.edit is not None
    # The import, now unused, goes; `pass` keeps the statement list valid.
    assert session.edited(uri, fix.edit) == (
        'import keras\ns = "😀😀"; pass\nt = "é😀"; y = keras.ops.mean(xs)\n'
    )


async def test_hover_position_in_utf16(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    uri = session.open("emoji.py", SOURCE)
    await session.diagnostics(uri, version=1)
    # UTF-16 column 25 is the end of `K.old_mean` (code point 24); read as a code point it would
    # be the `(` after it, and column 26 is past it either way.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=25),
        )
    )
    assert hover is not None
    assert hover.range == rng(1, 15, 1, 25)
    past = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=26),
        )
    )
    assert past is None
