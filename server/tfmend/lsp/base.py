"""The server class and the state its features share: open documents, settings and engines,
the analysis thread, the checkers; helpers for capabilities and messages."""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.workspace import PositionCodec

from tfmend import __version__
from tfmend.lsp import checker, documents, logs, validate, workspace
from tfmend.lsp.engines import Engines
from tfmend.lsp.jobs import AnalysisThread

logger = logging.getLogger(__name__)


class _JsonNotification:
    """A notification whose params are JSON already: `json.dumps` writes its fields as they are.

    pygls serializes objects that are not attrs classes by their `__dict__`, so diagnostics built
    as dicts skip the cattrs round trip (thousands per keystroke on big files).
    """

    def __init__(self, method: str, params: Any, jsonrpc: str) -> None:
        self.method = method
        self.params = params
        self.jsonrpc = jsonrpc


Handler = Iterator[tuple[Any, tuple[Any, ...], None]]
"""What pygls's built-in features yield: the user's handler to run next, with its arguments."""


class _Protocol(LanguageServerProtocol):
    """pygls's protocol, sending publishDiagnostics as `_JsonNotification`, and keeping the
    content changes a client sends as they were sent.

    pygls applies each change to a copy of the text of its own before our handlers run, and
    where a position lies past the end of a line in that copy it assigns the clamped column to
    the position itself: the document store then applied a range the client never sent (its copy
    also takes a range given end first literally, so it drifts from the store's). pygls gets
    copies of the changes instead.
    """

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams) -> Handler:
        for change in copy.deepcopy(params.content_changes):
            self.workspace.update_text_document(params.text_document, change)
        if (handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @lsp_method(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def lsp_notebook_document__did_change(
        self, params: types.DidChangeNotebookDocumentParams
    ) -> Handler:
        self.workspace.update_notebook_document(copy.deepcopy(params))
        if (handler := self.fm.features.get(types.NOTEBOOK_DOCUMENT_DID_CHANGE)) is not None:
            yield handler, (params,), None

    @functools.lru_cache  # noqa: B019 - as the method it overrides; one protocol per process
    def get_message_type(self, method: str) -> type[Any] | None:
        if method == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            return _JsonNotification
        return super().get_message_type(method)


class TfmendServer(LanguageServer):
    """The language server and the state its features share."""

    def __init__(self) -> None:
        notebook_sync = types.NotebookDocumentSyncOptions(
            notebook_selector=[
                types.NotebookDocumentFilterWithCells(
                    notebook="*", cells=[types.NotebookCellLanguage(language="python")]
                )
            ],
            save=True,
        )
        super().__init__(
            "tfmend",
            __version__,
            types.TextDocumentSyncKind.Incremental,
            notebook_sync,
            protocol_cls=_Protocol,
        )
        self.store = documents.DocumentStore()
        self.engines = Engines(self.show_error)
        self.engines.on_surface = self._surface_ready
        self.checker = checker.Checker(self)
        self.project = workspace.WorkspaceChecker(self)
        self.validation = validate.ValidationRunner(self)
        self.settings_ready = False
        """Whether the editor's settings have been read (checks wait until they are)."""
        self.pull_mode = False
        """Whether the client pulls diagnostics (textDocument/diagnostic) instead of pushes."""
        self.log_level = "info"
        self.log_handler: logs.ClientHandler | None = None
        self.shutdown_requested = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._analysis: AnalysisThread | None = None

    # -- shared helpers --------------------------------------------------------------------------
    def publish_diagnostics(
        self, uri: str, version: int | None, diagnostics: list[dict[str, Any]]
    ) -> None:
        """textDocument/publishDiagnostics, with diagnostics already in JSON form."""
        params: dict[str, Any] = {"uri": uri, "diagnostics": diagnostics}
        if version is not None:
            params["version"] = version
        self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, params)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the server runs on."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.get_ident()
        return self._loop

    @property
    def loop_or_none(self) -> asyncio.AbstractEventLoop | None:
        """The event loop, once the server runs."""
        return self._loop

    def on_loop(self) -> bool:
        """Whether the caller runs on the event loop's thread."""
        return self._loop_thread == threading.get_ident()

    @property
    def analysis(self) -> AnalysisThread:
        """The analysis thread."""
        if self._analysis is None:
            self._analysis = AnalysisThread(self.loop)
        return self._analysis

    @property
    def codec(self) -> PositionCodec:
        """Converts positions to and from the negotiated encoding."""
        try:
            return self.workspace.position_codec
        except RuntimeError:  # before initialize
            return PositionCodec()

    def capability(self, dotted: str) -> Any:
        """A client capability by its dotted snake_case path (None when absent)."""
        value: Any = self.client_capabilities
        for part in dotted.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value

    def client_supports(self, dotted: str) -> bool:
        """Whether a client capability is present and not false."""
        value = self.capability(dotted)
        return value is not None and value is not False

    def report_server_error(self, error: Exception, source: Any) -> None:
        """An error pygls caught in a handler: a log line (pop-ups are for the user's concerns)."""
        name = getattr(source, "__name__", str(source))
        cause = error.__cause__ or error.__context__
        detail = f"{error}" + (f" ({cause!r})" if cause is not None else "")
        logger.error("%s: %s", name, detail)

    def lazy_code_actions(self) -> bool:
        """Whether code actions can leave their edit to codeAction/resolve."""
        properties = self.capability("text_document.code_action.resolve_support.properties")
        return (
            bool(properties)
            and "edit" in properties
            and self.client_supports("text_document.code_action.data_support")
        )

    def show_error(self, message: str) -> None:
        """window/showMessage an error, from any thread."""
        self.show_message(message, types.MessageType.Error)

    def show_message(self, message: str, kind: types.MessageType) -> None:
        """window/showMessage from any thread."""
        params = types.ShowMessageParams(type=kind, message=message)
        if self.on_loop():
            self.window_show_message(params)
        elif self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self.window_show_message, params)

    def apply_log_level(self) -> None:
        """The log level from the settings (or the command line) and the trace setting."""
        level = self.engines.editor_for(None).log_level or self.log_level
        if self.log_handler is not None:
            logs.set_level(self, self.log_handler, level)

    def _surface_ready(self) -> None:
        """The installed API surface arrived (on its loading thread): check everything again."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def recheck() -> None:
            if self.shutdown_requested:
                return
            self.checker.recheck_all()
            self.project.start()
            loop.create_task(self.refresh_pulled())

        loop.call_soon_threadsafe(recheck)

    async def reload(self) -> None:
        """Settings or rules changed: retype them and check everything again."""
        self.engines.refresh()
        self.apply_log_level()
        self.checker.recheck_all()
        self.project.start()
        await self.refresh_pulled()

    async def refresh_pulled(self) -> None:
        """Ask a pulling client to pull again (when it supports that)."""
        if self.pull_mode and self.client_supports("workspace.diagnostics.refresh_support"):
            try:
                await self.workspace_diagnostic_refresh_async(None)
            except Exception as exc:  # the client may refuse; its next pull still gets news
                logger.debug("workspace/diagnostic/refresh failed: %s", exc)

    def stop_work(self) -> None:
        """Stop background work and the analysis thread."""
        self.project.stop()
        if self._analysis is not None:
            self._analysis.stop()
        self.validation.close()
