"""A language server on TCP in a process of its own, and a test client attached to it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from lsprotocol import types

from tests.lsp.harness import PYPROJECT, RULES, TIMEOUT, TestClient, make_client

SOURCE = "from keras import backend as K\ny = K.old_mean(x)\n"


def free_port() -> int:
    """A TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def tcp_session(
    root: Path, log: Path, host: str, port: int, *flags: str
) -> AsyncIterator[tuple[TestClient, str, list[types.Diagnostic]]]:
    """A server on host:port (its stderr in log), a client attached through loopback, and
    model.py open in it with its first diagnostics; shut down cleanly at the end."""
    (root / "tfmend-rules.yaml").write_text(RULES)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "model.py").write_text(SOURCE)
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "tfmend", "serve", "--tcp", f"{host}:{port}", *flags],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        client = make_client()
        try:
            for _ in range(150):
                try:
                    await client.start_tcp("127.0.0.1", port)
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            await asyncio.wait_for(
                client.initialize_session(
                    types.InitializeParams(
                        capabilities=types.ClientCapabilities(), root_uri=root.as_uri()
                    )
                ),
                TIMEOUT,
            )
            uri = (root / "model.py").as_uri()
            client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(
                        uri=uri, language_id="python", version=1, text=SOURCE
                    )
                )
            )
            found = await client.wait_for_diagnostics(uri, version=1)
            yield client, uri, found
            await asyncio.wait_for(client.shutdown_async(None), TIMEOUT)
            client.exit(None)
            assert await asyncio.to_thread(server.wait, TIMEOUT) == 0
        finally:
            if server.poll() is None:
                server.kill()
