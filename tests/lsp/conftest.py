"""Fixtures for the language server's end-to-end tests (helpers live in harness.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig

from tests.lsp.harness import PYPROJECT, RULES, SERVER, TIMEOUT, TestClient, make_client


@pytest.fixture
def workspace_root(tmp_path: Path) -> Path:
    """A workspace with the test rules and a pyproject.toml that uses them."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "tfmend-rules.yaml").write_text(RULES, encoding="utf-8")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return root


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client))
async def client(lsp_client: TestClient) -> AsyncIterator[None]:
    """A server process and its client, not yet initialized (see `start`)."""
    yield
    try:
        running = lsp_client._server is not None and lsp_client._server.returncode is None
        if running and lsp_client.capabilities is not None and lsp_client.error is None:
            await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)
    finally:
        # pytest-lsp's client waits for the server to exit without closing its input: a test
        # that failed before `exit` would hang there.
        server = lsp_client._server
        if server is not None and server.returncode is None:
            server.terminate()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here drives the server end to end, and the server respects the client's
    capabilities (pytest-lsp warns otherwise: an error here)."""
    for item in items:
        if "tests/lsp/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.filterwarnings("error::pytest_lsp.LspSpecificationWarning"))
