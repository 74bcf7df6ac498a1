"""Robustness: odd requests and files, a crash in the engine, cancellation, shutdown and exit,
the editor dying, logging and tracing, TCP."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcRequestCancelled
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import (
    SERVER,
    TIMEOUT,
    TestClient,
    make_client,
    rng,
    start,
)
from tests.lsp.tcp import free_port, tcp_session

SOURCE = "from keras import backend as K\ny = K.old_mean(x)\n"


def hover_params(uri: str, line: int, character: int) -> types.HoverParams:
    """Hover parameters."""
    return types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character),
    )


def logged(client: TestClient, text: str) -> list[str]:
    """Log messages containing a text."""
    return [m.message for m in client.log_messages if text in m.message]


async def test_unknown_documents_and_positions(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    unknown = session.uri("never-opened.py")
    assert await client.text_document_hover_async(hover_params(unknown, 0, 0)) is None
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=unknown),
            range=rng(0, 0),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions is None
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    assert await client.text_document_hover_async(hover_params(uri, 40, 3)) is None
    assert await client.text_document_hover_async(hover_params(uri, 1, 400)) is None
    far = await session.code_actions(uri, rng(1, 300, 90, 0), only=["quickfix"])
    assert far == []
    assert logged(client, f"hover on {unknown}: not an open Python document")
    assert logged(client, f"code actions for {unknown}: not an open Python document")
    assert logged(client, f"hover on {uri}: line 40 is past the end (3 lines)")
    # A change to a document that was never opened is logged (pygls refuses it) and ignored.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=unknown, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    await client.wait_for(
        lambda: logged(client, f"FeatureNotificationError: KeyError: '{unknown}'")
    )
    assert [d.code for d in await session.diagnostics(uri, version=1)] == ["TFM4901"]


async def test_documents_tfmend_does_not_check(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root)
    text = session.open("notes.txt", SOURCE, language="plaintext")
    huge = session.open("huge.py", SOURCE + "# padding\n" * 200_000)
    found = await session.diagnostics(huge, version=1)
    assert found == []
    [skipped] = logged(client, f"not checking {huge}: ")
    assert skipped.endswith(" characters is more than the limit of 2,000,000")
    assert await client.text_document_hover_async(hover_params(text, 1, 6)) is None
    assert not client.publishes(text)
    assert logged(client, f"not checking {text}: not Python (language 'plaintext')")


async def test_undecodable_files_are_reported(client: TestClient, workspace_root: Path) -> None:
    (workspace_root / "binary.py").write_bytes(b"\x00\x01\x02 not text")
    (workspace_root / "latin.py").write_bytes(b"x = '\xff'\n")
    session = await start(client, workspace_root)
    [binary] = await client.wait_for_diagnostics(session.uri("binary.py"))
    assert (binary.code, binary.range) == ("TFM902", rng(0, 0))
    assert binary.message == "Cannot decode the file: binary file (contains NUL bytes)"
    [latin] = await client.wait_for_diagnostics(session.uri("latin.py"))
    assert latin.code == "TFM902"
    assert latin.message.startswith("Cannot decode the file: not valid utf-8")


async def test_a_crash_in_the_engine_is_reported_on_its_file(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    crash = session.open("deep.py", "x = " + "1 + " * 50_000 + "1\n")
    [found] = await session.diagnostics(crash, version=1)
    assert (found.code, found.range) == ("TFM903", rng(0, 0))
    assert found.message.startswith("The file is too deeply nested to analyse: RecursionError(")
    # The server goes on serving.
    uri = session.open("model.py", SOURCE)
    assert [d.code for d in await session.diagnostics(uri, version=1)] == ["TFM4901"]


async def test_cancelled_requests_are_answered_as_cancelled(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    # A long file with one finding: its check takes a while on the analysis thread.
    body = "".join(f"\ndef f{i}(x):\n    return K.floatx(x) + {i}\n" for i in range(20_000))
    uri = session.open("big.py", "from keras import backend as K\n\ny = K.old_mean(x)\n" + body)
    # The hover waits for that check: cancel it meanwhile.
    pending = asyncio.ensure_future(
        client.protocol.send_request_async(
            types.TEXT_DOCUMENT_HOVER, hover_params(uri, 2, 6), msg_id="slow-hover"
        )
    )
    await asyncio.sleep(0.2)
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="slow-hover"))
    with pytest.raises(JsonRpcRequestCancelled):
        await asyncio.wait_for(pending, TIMEOUT)
    # The check itself goes on and the next request is answered.
    found = await client.text_document_hover_async(hover_params(uri, 2, 6))
    assert found is not None
    assert found.range == rng(2, 4, 2, 14)


async def test_shutdown_and_exit_end_the_process_promptly(
    client: TestClient, workspace_root: Path
) -> None:
    session = await start(client, workspace_root)
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    started = time.monotonic()
    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    assert client._server is not None
    assert client._server.returncode == 0
    assert time.monotonic() - started < 2.0


async def test_exit_without_shutdown_is_an_error_exit(
    client: TestClient, workspace_root: Path
) -> None:
    await start(client, workspace_root)
    client.exit(None)
    assert client._server is not None
    assert await asyncio.wait_for(client._server.wait(), TIMEOUT) == 1


async def test_the_server_exits_when_the_editor_dies(workspace_root: Path) -> None:
    editor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    client = await ClientServerConfig(server_command=SERVER, client_factory=make_client).start()
    assert isinstance(client, TestClient)
    try:
        await asyncio.wait_for(
            client.initialize_session(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    process_id=editor.pid,
                    root_uri=workspace_root.as_uri(),
                )
            ),
            TIMEOUT,
        )
        editor.kill()
        editor.wait()
        assert client._server is not None
        started = time.monotonic()
        await asyncio.wait_for(client._server.wait(), 10)
        assert time.monotonic() - started < 5
    finally:
        editor.kill()
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
        await client.stop()


async def test_trace_notifications(client: TestClient, workspace_root: Path) -> None:
    session = await start(client, workspace_root, options={"logLevel": "error"})
    client.set_trace(types.SetTraceParams(value=types.TraceValue.Verbose))
    uri = session.open("model.py", SOURCE)
    await session.diagnostics(uri, version=1)
    traces = await client.wait_for(
        lambda: [t for t in client.traces if t.message.startswith(f"checked {uri} ")]
    )
    assert traces[0].message.endswith(" ms")
    assert not logged(client, f"checked {uri} ")  # below the log level: traced only
    client.set_trace(types.SetTraceParams(value=types.TraceValue.Off))
    count = len(client.traces)
    session.change(uri, [(rng(2, 0), "z = 1\n")])
    await session.diagnostics(uri, version=2)
    assert len(client.traces) == count


async def test_tcp(workspace_root: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    session = tcp_session(workspace_root, log, "127.0.0.1", free_port(), "--log-level", "debug")
    async with session as (_, _, found):
        assert [d.code for d in found] == ["TFM4901"]
    assert "tfmend 0.1.0 serving" in log.read_text()
