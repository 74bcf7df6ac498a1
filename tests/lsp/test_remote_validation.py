"""A server listening on TCP beyond loopback refuses validation (it runs the project's code)
unless started with --allow-remote-validation, and says so when it starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types

from tests.lsp.harness import TIMEOUT, TestClient, rng
from tests.lsp.tcp import free_port, tcp_session

REFUSAL = (
    "validation is refused: the server listens on 0.0.0.0:{port}, beyond the loopback "
    "interface, and validating runs code in the project's interpreter "
    "(start it with --allow-remote-validation to allow it)"
)


async def action_titles(client: TestClient, uri: str) -> list[str]:
    """The titles of the code actions on the finding's line."""
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng(1, 6),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return [action.title for action in actions or []]


async def validate(client: TestClient, uri: str) -> Any:
    """What tfmend.validateFix answers for the whole document."""
    return await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="tfmend.validateFix", arguments=[{"uri": uri}])
        ),
        TIMEOUT,
    )


async def test_beyond_loopback_validation_is_refused(workspace_root: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    async with tcp_session(workspace_root, log, "0.0.0.0", port) as (client, uri, _):
        assert "Validate this fix (TFM4901)" not in await action_titles(client, uri)
        assert "TFM4901: Replace `K.old_mean` with `keras.ops.mean`" in await action_titles(
            client, uri
        )
        answer = await validate(client, uri)
        assert answer["status"] == "error"
        assert answer["message"] == REFUSAL.format(port=port)
        assert answer["checks"] == []
        shown = [m.message for m in client.messages]
        assert f"tfmend: cannot validate {uri.rsplit('/', 1)[-1]}: " in shown[-1]
    started = log.read_text()
    assert REFUSAL.format(port=port) in started


@pytest.mark.parametrize(
    ("host", "flags", "warning"),
    [
        ("127.0.0.1", (), None),
        (
            "0.0.0.0",
            ("--allow-remote-validation",),
            "with --allow-remote-validation: anyone who can reach it can run validation",
        ),
    ],
)
async def test_validation_offered(
    workspace_root: Path,
    tmp_path: Path,
    host: str,
    flags: tuple[str, ...],
    warning: str | None,
) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    async with tcp_session(workspace_root, log, host, port, *flags) as (client, uri, _):
        assert "Validate this fix (TFM4901)" in await action_titles(client, uri)
    started = log.read_text()
    assert "validation is refused" not in started
    if warning is None:
        assert "beyond the loopback interface" not in started
    else:
        assert warning in started
