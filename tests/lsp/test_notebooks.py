"""Notebooks: cells checked as one module, diagnostics and fixes per cell."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from tests.lsp.harness import Session, TestClient, apply_edits, edits_of, rng, start

CELLS = {
    "c1": "from keras import backend as K\n%matplotlib inline",
    "c2": "# Notes",
    "c3": "y = K.old_mean(x)\nt = K.old_floatx()",
}


def notebook_client() -> types.ClientCapabilities:
    """A client that syncs notebooks (VS Code with Jupyter)."""
    return types.ClientCapabilities(
        notebook_document=types.NotebookDocumentClientCapabilities(
            synchronization=types.NotebookDocumentSyncClientCapabilities()
        )
    )


def cell_uri(session: Session, cell: str) -> str:
    """A cell's uri, VS Code style."""
    return f"vscode-notebook-cell:{(session.root / 'analysis.ipynb').as_posix()}#{cell}"


def cell_change(
    cell: str, range_: types.Range, text: str
) -> types.NotebookDocumentCellContentChanges:
    """A cell's second version: range_ replaced by text."""
    return types.NotebookDocumentCellContentChanges(
        document=types.VersionedTextDocumentIdentifier(uri=cell, version=2),
        changes=[types.TextDocumentContentChangePartial(range=range_, text=text)],
    )


def change_cell(session: Session, uri: str, cell: str, range_: types.Range, text: str) -> None:
    """didChange the notebook to its second version: one edit in one cell."""
    session.client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[cell_change(cell, range_, text)]
                )
            ),
        )
    )


def open_notebook(session: Session, cells: dict[str, str] = CELLS) -> str:
    """didOpen the notebook: a code cell, a markdown cell, a code cell."""
    uri = session.uri("analysis.ipynb")
    kinds = {
        "c1": types.NotebookCellKind.Code,
        "c2": types.NotebookCellKind.Markup,
        "c3": types.NotebookCellKind.Code,
    }
    session.client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=uri,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=kinds[name], document=cell_uri(session, name))
                    for name in cells
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=cell_uri(session, name),
                    language_id="markdown" if name == "c2" else "python",
                    version=1,
                    text=text,
                )
                for name, text in cells.items()
            ],
        )
    )
    return uri


async def test_cells_are_one_module(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, notebook_client())
    assert session.result is not None
    assert session.result.capabilities.notebook_document_sync is not None
    open_notebook(session)
    c1, c3 = cell_uri(session, "c1"), cell_uri(session, "c3")
    found = await client.wait_for_diagnostics(c3)
    assert [(d.code, d.range) for d in found] == [
        ("TFM4901", rng(0, 4, 0, 14)),
        ("TFM4902", rng(1, 4, 1, 16)),
    ]
    assert found[0].related_information is not None
    assert found[0].related_information[0].location == types.Location(
        uri=c1, range=rng(0, 18, 0, 30)
    )
    assert await client.wait_for_diagnostics(c1) == []

    # The quick fix edits two cells: the import goes into the first.
    actions = await session.code_actions(c3, rng(0, 5), only=["quickfix"])
    fix = actions[0]
    assert fix.title == "TFM4901: Replace `K.old_mean` with `keras.ops.mean`"
    assert fix.edit is not None
    codec = session.codec
    assert apply_edits(CELLS["c1"], edits_of(fix.edit, c1), codec) == (
        "from keras import backend as K\nimport keras\n%matplotlib inline"
    )
    assert apply_edits(CELLS["c3"], edits_of(fix.edit, c3), codec) == (
        "y = keras.ops.mean(x)\nt = K.old_floatx()"
    )

    # Ignoring works on the cell's own line.
    ignore = next(a for a in actions if a.title == "Ignore TFM4901 on this line")
    assert ignore.edit is not None
    assert edits_of(ignore.edit, c3) == [
        types.TextEdit(range=rng(0, 17), new_text="  # tfmend: ignore[TFM4901]")
    ]


async def test_cell_edits_and_new_cells(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, notebook_client())
    uri = open_notebook(session)
    c3 = cell_uri(session, "c3")
    await client.wait_for_diagnostics(c3)
    c4 = cell_uri(session, "c4")
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    structure=types.NotebookDocumentCellChangeStructure(
                        array=types.NotebookCellArrayChange(
                            start=3,
                            delete_count=0,
                            cells=[
                                types.NotebookCell(kind=types.NotebookCellKind.Code, document=c4)
                            ],
                        ),
                        did_open=[
                            types.TextDocumentItem(
                                uri=c4, language_id="python", version=1, text="e = K.old_epsilon\n"
                            )
                        ],
                    ),
                    text_content=[cell_change(c3, rng(1, 0, 1, 18), "t = 1")],
                )
            ),
        )
    )
    assert [d.code for d in await client.wait_for_diagnostics(c3, version=2)] == ["TFM4901"]
    [epsilon] = await client.wait_for_diagnostics(c4)
    assert (epsilon.code, epsilon.range) == ("TFM4904", rng(0, 4, 0, 17))

    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=uri),
            cell_text_documents=[
                types.TextDocumentIdentifier(uri=cell_uri(session, name))
                for name in ("c1", "c2", "c3", "c4")
            ],
        )
    )
    await client.wait_for(lambda: client.publishes(c4)[-1].diagnostics == ())
    assert client.publishes(c3)[-1].diagnostics == ()


async def test_a_cell_edit_past_the_end_of_a_line(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, notebook_client())
    uri = open_notebook(session)
    c3 = cell_uri(session, "c3")
    await client.wait_for_diagnostics(c3)
    # Column 40 of the cell's last line, which has 18: the text goes after its last character.
    change_cell(session, uri, c3, rng(1, 40, 1, 40), "\nz = K.old_mean(w)  # w")
    found = await client.wait_for_diagnostics(c3, version=2)
    assert [(d.code, d.range) for d in found] == [
        ("TFM4901", rng(0, 4, 0, 14)),
        ("TFM4902", rng(1, 4, 1, 16)),
        ("TFM4901", rng(2, 4, 2, 14)),
    ]


async def test_a_cells_quick_fix_lands_on_its_own_line(
    client: TestClient, workspace_root: Path
) -> None:
    """The planned edits go into the cells as they are: of two identical lines, the finding's."""
    session = await start(client, workspace_root, notebook_client())
    twice = "y = K.old_mean(x)\ny = K.old_mean(x)"
    open_notebook(session, {**CELLS, "c3": twice})
    c1, c3 = cell_uri(session, "c1"), cell_uri(session, "c3")
    found = await client.wait_for_diagnostics(c3)
    assert [(d.code, d.range) for d in found] == [
        ("TFM4901", rng(0, 4, 0, 14)),
        ("TFM4901", rng(1, 4, 1, 14)),
    ]
    replaced = {
        0: types.TextEdit(range=rng(0, 0, 1, 0), new_text="y = keras.ops.mean(x)\n"),
        1: types.TextEdit(range=rng(1, 0, 1, 17), new_text="y = keras.ops.mean(x)"),
    }
    for line in (0, 1):
        actions = await session.code_actions(c3, rng(line, 5), only=["quickfix"])
        fix = actions[0]
        assert fix.title == "TFM4901: Replace `K.old_mean` with `keras.ops.mean`"
        assert fix.edit is not None
        # The import goes after the cell's import, before the magic line it leaves as it is.
        assert edits_of(fix.edit, c1) == [
            types.TextEdit(range=rng(1, 0), new_text="import keras\n")
        ]
        assert edits_of(fix.edit, c3) == [replaced[line]]
