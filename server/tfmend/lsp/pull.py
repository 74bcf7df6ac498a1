"""Pulled diagnostics, for clients that ask for them: textDocument/diagnostic and
workspace/diagnostic."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from tfmend.lsp.checker import diagnostics_of
from tfmend.lsp.documents import PYTHON_SUFFIXES, uri_path
from tfmend.lsp.jobs import INTERACTIVE

if TYPE_CHECKING:
    from tfmend.lsp.base import TfmendServer

logger = logging.getLogger(__name__)

IDENTIFIER = "tfmend"


def _report(
    items: list[types.Diagnostic], result_id: str, previous: str | None
) -> types.DocumentDiagnosticReport:
    if previous == result_id:
        return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
    return types.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)


def register(server: TfmendServer) -> None:
    """Register the pull handlers (called during initialize, when the client pulls)."""

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=IDENTIFIER, inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def document_diagnostic(
        ls: TfmendServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        uri = params.text_document.uri
        unit = ls.store.unit_of(uri)
        doc = ls.store.docs.get(uri)
        if unit is not None and doc is not None:
            analysis = await ls.checker.current(unit)
            if analysis is None:
                return types.RelatedFullDocumentDiagnosticReport(items=[])
            doc = ls.store.docs.get(uri)
            if doc is None:
                return types.RelatedFullDocumentDiagnosticReport(items=[])
            items = diagnostics_of(ls, doc, ls.checker.shown(doc))
            return _report(items, f"open-{analysis.serial}", params.previous_result_id)
        report = ls.project.reports.get(uri)
        if report is None:
            path = uri_path(uri)
            if path is None or path.suffix not in PYTHON_SUFFIXES or not path.is_file():
                logger.info("no diagnostics for %s: not an open document nor a Python file", uri)
                return types.RelatedFullDocumentDiagnosticReport(items=[])
            report = await ls.project.check(path, INTERACTIVE)
            if report is None:
                return types.RelatedFullDocumentDiagnosticReport(items=[])
        return _report(report.diagnostics, f"file-{report.serial}", params.previous_result_id)

    @server.feature(types.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostic(
        ls: TfmendServer, params: types.WorkspaceDiagnosticParams
    ) -> types.WorkspaceDiagnosticReport:
        await ls.project.scanned.wait()
        previous = {item.uri: item.value for item in params.previous_result_ids}
        while True:
            items, changed = _workspace_items(ls, previous)
            if changed or not previous:
                return types.WorkspaceDiagnosticReport(items=items)
            # Nothing new since the client's last pull: hold the request until something changes
            # (clients re-send this request as soon as it is answered).
            await ls.project.wait_changed()


def _workspace_items(
    ls: TfmendServer, previous: dict[str, str]
) -> tuple[list[types.WorkspaceDocumentDiagnosticReport], bool]:
    items: list[types.WorkspaceDocumentDiagnosticReport] = []
    changed = False
    for uri, report in ls.project.reports.items():
        if ls.store.unit_of(uri) is not None:
            continue
        result_id = f"file-{report.serial}"
        if previous.get(uri) == result_id:
            items.append(
                types.WorkspaceUnchangedDocumentDiagnosticReport(
                    uri=uri, result_id=result_id, version=None
                )
            )
        else:
            changed = True
            items.append(
                types.WorkspaceFullDocumentDiagnosticReport(
                    uri=uri, items=report.diagnostics, result_id=result_id, version=None
                )
            )
    for uri in previous:
        if uri not in ls.project.reports and ls.store.unit_of(uri) is None:
            changed = True
            items.append(
                types.WorkspaceFullDocumentDiagnosticReport(uri=uri, items=[], version=None)
            )
    return items, changed
