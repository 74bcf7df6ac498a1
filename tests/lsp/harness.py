"""Driving the language server through a real client over stdio (pytest-lsp): helpers.

Tests rely on a project rules file written here (codes TFM49xx on APIs no built-in rule names), so
they do not change when the built-in catalog grows.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import textwrap
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from cattrs import Converter
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.workspace import PositionCodec
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER = [sys.executable, "-m", "tfmend", "serve", "--log-level", "debug", "--no-surface"]
"""The server under test reads no installed API surface (test_surface_lsp.py reads one)."""
TIMEOUT = 20.0

RULES = textwrap.dedent(
    """\
    schema: 1
    rules:
      - code: TFM4901
        name: test-old-mean
        apis: [keras.backend.old_mean]
        status: removed
        since: {keras: "3.0"}
        severity: error
        message: "`{name}` ({api}) is gone; use `keras.ops.mean`"
        explanation: |
          `old_mean` was removed; `keras.ops.mean` computes the same.
        fix:
          kind: call
          signature: "x, axis=None"
          template: "keras.ops.mean({x}, axis={axis?})"
          to: keras.ops.mean
          safety: safe
        examples:
          invalid:
            - code: |
                from keras import backend as K
                y = K.old_mean(x, axis=1)
              fixed: |
                import keras
                y = keras.ops.mean(x, axis=1)
      - code: TFM4902
        name: test-old-floatx
        apis: [keras.backend.old_floatx]
        status: removed
        since: {keras: "3.0"}
        severity: warning
        message: "`{name}` is gone; use `keras.config.floatx`"
        explanation: |
          Moved to `keras.config`.
        fix:
          kind: replace
          to: keras.config.floatx
          safety: unsafe
          reason: "the configuration may differ between backends"
      - code: TFM4903
        name: test-old-session
        apis: [keras.backend.old_session]
        status: removed
        since: {keras: "3.0"}
        severity: info
        message: "`{name}` has no replacement"
        explanation: |
          Rewrite the code by hand.
        fix:
          kind: manual
      - code: TFM4904
        name: test-old-epsilon
        apis: [keras.backend.old_epsilon]
        status: deprecated
        since: {keras: "3.0"}
        severity: hint
        message: "`{name}` is deprecated"
        explanation: |
          Use `keras.config.epsilon`.
        fix:
          kind: replace
          to: keras.config.epsilon
          safety: safe
    """
)

PYPROJECT = '[tool.tfmend]\nextend-rules = ["tfmend-rules.yaml"]\n'

CLIENTS = ["plain", "visual_studio_code", "neovim", "emacs"]
"""Recorded client capabilities the core tests repeat under ("plain": no capabilities)."""


@dataclass
class Session:
    """A test's view of the server: the client, the workspace, what the server negotiated."""

    client: TestClient
    root: Path
    result: types.InitializeResult | None = None
    versions: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def encoding(self) -> str:
        """The negotiated position encoding."""
        assert self.result is not None
        return str(self.result.capabilities.position_encoding or "utf-16")

    @property
    def codec(self) -> PositionCodec:
        """A codec for the negotiated encoding (to compute expected columns)."""
        return PositionCodec(self.encoding)

    @property
    def pull(self) -> bool:
        """Whether the server expects the client to pull diagnostics."""
        assert self.result is not None
        return self.result.capabilities.diagnostic_provider is not None

    def uri(self, name: str) -> str:
        """The uri of a file in the workspace."""
        return (self.root / name).as_uri()

    def write(self, name: str, text: str) -> Path:
        """Write a workspace file."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def open(self, name: str, text: str, language: str = "python") -> str:
        """didOpen a document (also written to disk, as editors open files that exist)."""
        self.write(name, text)
        uri = self.uri(name)
        self.versions[uri] = 1
        self.texts[uri] = text
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=1, text=text
                )
            )
        )
        return uri

    def change(self, uri: str, edits: list[tuple[types.Range, str]]) -> int:
        """didChange with incremental edits (ranges in the negotiated encoding)."""
        self.versions[uri] += 1
        changes: list[types.TextDocumentContentChangeEvent] = [
            types.TextDocumentContentChangePartial(range=range_, text=text)
            for range_, text in edits
        ]
        text = self.texts[uri]
        for range_, new in edits:
            text = apply_edits(text, [types.TextEdit(range=range_, new_text=new)], self.codec)
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=changes,
            )
        )
        return self.versions[uri]

    def replace_all(self, uri: str, text: str) -> int:
        """didChange with the whole new text."""
        self.versions[uri] += 1
        self.texts[uri] = text
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    async def diagnostics(self, uri: str, version: int | None = None) -> list[types.Diagnostic]:
        """The document's diagnostics at a version: pulled, or waited for until pushed."""
        if self.pull:
            report = await asyncio.wait_for(
                self.client.text_document_diagnostic_async(
                    types.DocumentDiagnosticParams(
                        text_document=types.TextDocumentIdentifier(uri=uri)
                    )
                ),
                TIMEOUT,
            )
            assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
            return list(report.items)
        return await self.client.wait_for_diagnostics(uri, version)

    async def code_actions(
        self, uri: str, range_: types.Range, only: list[str] | None = None
    ) -> list[types.CodeAction]:
        """Code actions for a range, each resolved when the server left its edit for later."""
        actions = await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    range=range_,
                    context=types.CodeActionContext(diagnostics=[], only=only),
                )
            ),
            TIMEOUT,
        )
        out = []
        for found in actions or []:
            assert isinstance(found, types.CodeAction)
            if found.edit is None and found.command is None and found.data is not None:
                found = await asyncio.wait_for(  # noqa: PLW2901
                    self.client.code_action_resolve_async(found), TIMEOUT
                )
            out.append(found)
        return out

    def edited(self, uri: str, edit: types.WorkspaceEdit) -> str:
        """A document's text after a workspace edit."""
        return apply_edits(self.texts[uri], edits_of(edit, uri), self.codec)


class TestClient(LanguageClient):
    """pytest-lsp's client, keeping every publish and answering workspace/applyEdit."""

    __test__ = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.applied: list[types.ApplyWorkspaceEditParams] = []
        self.registrations: list[types.Registration] = []
        self.tasks: set[asyncio.Future[None]] = set()
        self.traces: list[types.LogTraceParams] = []
        self.changed = asyncio.Condition()

    async def wait_for(self, check: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
        """Wait until `check()` returns something true (checked on each publish, and often)."""

        async def poll() -> Any:
            async with self.changed:
                while True:
                    found = check()
                    if found:
                        return found
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self.changed.wait(), 0.05)

        return await asyncio.wait_for(poll(), timeout)

    async def wait_for_diagnostics(
        self, uri: str, version: int | None = None
    ) -> list[types.Diagnostic]:
        """The latest diagnostics pushed for a uri (at `version`, when given)."""

        def latest() -> types.PublishDiagnosticsParams | None:
            for params in reversed(self.published):
                if params.uri == uri and (version is None or params.version == version):
                    return params
            return None

        found: types.PublishDiagnosticsParams = await self.wait_for(latest)
        return list(found.diagnostics)

    def publishes(self, uri: str) -> list[types.PublishDiagnosticsParams]:
        """Every publish for a uri, in order."""
        return [params for params in self.published if params.uri == uri]


def _record_publish(client: TestClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics

    async def notify() -> None:
        async with client.changed:
            client.changed.notify_all()

    client.tasks.add(task := asyncio.ensure_future(notify()))
    task.add_done_callback(client.tasks.discard)


def _apply_edit(
    client: TestClient, params: types.ApplyWorkspaceEditParams
) -> types.ApplyWorkspaceEditResult:
    client.applied.append(params)
    return types.ApplyWorkspaceEditResult(applied=True)


def _register_capability(client: TestClient, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def converter() -> Converter:
    """pygls' converter, telling a CodeAction that has a command from a Command.

    lsprotocol takes any object with a "command" key for a Command; a code action's `command`
    is an object while a Command's is a string (what VS Code checks).
    """
    made = default_converter()

    def command_or_action(value: Any, _: type) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return made.structure(value, types.Command)
        return made.structure(value, types.CodeAction)

    made.register_structure_hook(
        Union[types.Command, types.CodeAction],  # noqa: UP007 - the key lsprotocol registers
        command_or_action,
    )
    return made


def _log_trace(client: TestClient, params: types.LogTraceParams) -> None:
    client.traces.append(params)


def make_client() -> TestClient:
    """A test client with pytest-lsp's default handlers and ours."""
    client = TestClient(converter_factory=converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_publish
    features[types.WORKSPACE_APPLY_EDIT] = _apply_edit
    features[types.CLIENT_REGISTER_CAPABILITY] = _register_capability
    features[types.LOG_TRACE] = _log_trace
    register_lsp_features(client, features)
    return client


def apply_edits(text: str, edits: list[types.TextEdit], codec: PositionCodec) -> str:
    """Apply text edits the way an editor does (positions in the negotiated encoding)."""
    lines = text.splitlines(keepends=True) or [""]
    if text.endswith(("\n", "\r")):
        lines.append("")

    def offset(position: types.Position) -> int:
        if position.line >= len(lines):
            return len(text)
        line = lines[position.line]
        visible = line.rstrip("\r\n")
        units = 0
        index = 0
        for char in visible:
            if units >= position.character:
                break
            units += codec.client_num_units(char)
            index += 1
        return sum(len(previous) for previous in lines[: position.line]) + index

    spans = sorted(
        ((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits a workspace edit makes to one document."""
    found: list[types.TextEdit] = []
    if edit.changes:
        found += list(edit.changes.get(uri, []))
    for change in edit.document_changes or []:
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            found += [e for e in change.edits if isinstance(e, types.TextEdit)]
    return found


def rng(line: int, start: int, end_line: int | None = None, end: int | None = None) -> types.Range:
    """A range: rng(2, 4, 2, 10), or an empty one at (line, start)."""
    return types.Range(
        start=types.Position(line=line, character=start),
        end=types.Position(
            line=line if end_line is None else end_line, character=start if end is None else end
        ),
    )


def capabilities_for(name: str) -> types.ClientCapabilities:
    """Recorded capabilities of a real client, or none at all."""
    if name == "plain":
        return types.ClientCapabilities()
    return client_capabilities(name)


async def start(
    client: TestClient,
    root: Path,
    capabilities: types.ClientCapabilities | None = None,
    options: dict[str, Any] | None = None,
    folders: list[Path] | None = None,
) -> Session:
    """Initialize the server on a workspace."""
    session = Session(client, root)
    params = types.InitializeParams(
        capabilities=capabilities or types.ClientCapabilities(),
        root_uri=root.as_uri(),
        workspace_folders=[
            types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)
            for folder in (folders or [root])
        ],
        initialization_options=options,
    )
    session.result = await asyncio.wait_for(client.initialize_session(params), TIMEOUT)
    return session


Fields = tuple[str, int, int, int, int, str]
"""A diagnostic as the tests compare it: code, start line and character, end, message."""


def diagnostic_fields(found: list[types.Diagnostic]) -> list[Fields]:
    """The compared fields of diagnostics, sorted."""
    return sorted(
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        for d in found
    )


@contextlib.asynccontextmanager
async def surface_server(
    root: Path, cache: Path, name: str, text: str
) -> AsyncIterator[tuple[TestClient, Session, str]]:
    """A server reading the installed API surface (cached in `cache`), once it has: the document
    `name` it opens first is published with a TFM801 finding only when the surface is read."""
    client = make_client()
    await client.start_io(
        sys.executable, "-m", "tfmend", "serve", "--cache-dir", str(cache), cwd=str(root)
    )
    try:
        session = await start(client, root)
        uri = session.open(name, text)

        def surfaced() -> bool:
            return any(d.code == "TFM801" for p in client.publishes(uri) for d in p.diagnostics)

        # The first publish may come before the surface is read; it comes again with it.
        await client.wait_for(surfaced, timeout=600)
        yield client, session, uri
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        await client.stop()
