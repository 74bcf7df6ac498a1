"""Jupyter notebooks: notebookDocument/didOpen, didChange, didSave and didClose; the code cells
are checked as one module (imports resolve across cells) and reported per cell."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from tfmend.lsp.documents import TextDoc, Unit, apply_change, uri_path

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)


def _members(ls: TfmendServer, notebook_uri: str) -> list[str]:
    """The notebook's Python code cells, in order (pygls keeps the cell order)."""
    notebook = ls.workspace.get_notebook_document(notebook_uri=notebook_uri)
    if notebook is None:
        return []
    members = []
    for cell in notebook.cells:
        doc = ls.store.docs.get(cell.document)
        if (
            cell.kind == types.NotebookCellKind.Code
            and doc is not None
            and (doc.language_id in ("python", ""))
        ):
            members.append(cell.document)
    return members


def _clear(ls: TfmendServer, uris: list[str]) -> None:
    if ls.pull_mode:
        return
    for uri in uris:
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def register(server: TfmendServer) -> None:
    """Register the notebook synchronisation handlers."""

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open(ls: TfmendServer, params: types.DidOpenNotebookDocumentParams) -> None:
        notebook = params.notebook_document
        for item in params.cell_text_documents:
            ls.store.docs[item.uri] = TextDoc(
                item.uri, item.language_id, item.version, item.text, notebook=notebook.uri
            )
        unit = Unit(
            notebook.uri, uri_path(notebook.uri), notebook=True, members=_members(ls, notebook.uri)
        )
        ls.store.units[notebook.uri] = unit
        ls.checker.schedule(unit, now=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change(ls: TfmendServer, params: types.DidChangeNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        unit = ls.store.units.get(uri)
        if unit is None:
            logger.warning("change to a notebook that is not open: %s", uri)
            return
        cells = params.change.cells
        closed: list[str] = []
        if cells is not None:
            if cells.structure is not None:
                for item in cells.structure.did_open or []:
                    ls.store.docs[item.uri] = TextDoc(
                        item.uri, item.language_id, item.version, item.text, notebook=uri
                    )
                for identifier in cells.structure.did_close or []:
                    ls.store.docs.pop(identifier.uri, None)
                    closed.append(identifier.uri)
            for content in cells.text_content or []:
                doc = ls.store.docs.get(content.document.uri)
                if doc is None:
                    logger.warning("change to an unknown cell: %s", content.document.uri)
                    continue
                for change in content.changes:
                    apply_change(doc, change, ls.codec)
                doc.version = content.document.version
        unit.members = _members(ls, uri)
        unit.generation += 1
        _clear(ls, closed)
        ls.checker.schedule(unit)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save(ls: TfmendServer, params: types.DidSaveNotebookDocumentParams) -> None:
        unit = ls.store.units.get(params.notebook_document.uri)
        if unit is not None:
            ls.checker.schedule(unit, now=True)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close(ls: TfmendServer, params: types.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        unit = ls.store.units.pop(uri, None)
        cells = [cell.uri for cell in params.cell_text_documents]
        for cell in cells:
            ls.store.docs.pop(cell, None)
        if unit is not None:
            ls.checker.forget(unit)
        _clear(ls, cells)
