"""The server reads the installed API surface as `tfmend check` does: the same findings on the same
files (TFM801 and the suppression of names the installed version still has included)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.harness import TIMEOUT, Session, make_client, start

REPO = Path(__file__).resolve().parents[2]
MISSING_MODULE = "import keras.engine as KE\nfrom keras import backend as K\n\nv = K.mean(x)\n"
"""`keras.engine` is gone from the installed Keras 3: TFM801 comes from the surface alone."""
EXAMPLES = (
    REPO / "examples" / "legacy_keras.py",
    REPO / "examples" / "tf1_training" / "train.py",
    REPO / "tests" / "data" / "programs" / "keras2_backend.py",
)

Found = tuple[str, int, int, int, int, str]


def cli_findings(root: Path, cache: Path) -> dict[str, list[Found]]:
    """`tfmend check --format json` of the tree, by file name, positions 0-based."""
    result = subprocess.run(
        [sys.executable, "-m", "tfmend", "check", "--format", "json", "--no-progress",
         "--python", sys.executable, "--cache-dir", str(cache), "."],
        cwd=root, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    out: dict[str, list[Found]] = {}
    for item in json.loads(result.stdout):
        name = Path(item["path"]).name
        out.setdefault(name, []).append(
            (
                item["code"],
                item["start"]["line"] - 1,
                item["start"]["column"] - 1,
                item["end"]["line"] - 1,
                item["end"]["column"] - 1,
                item["message"],
            )
        )
    return {name: sorted(found) for name, found in out.items()}


async def server_findings(session: Session, uri: str) -> list[Found]:
    diagnostics = await session.diagnostics(uri)
    return sorted(
        (
            str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        for d in diagnostics
    )


@pytest.mark.tensorflow
async def test_server_and_check_agree_with_the_installed_surface(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "engine_import.py").write_text(MISSING_MODULE, encoding="utf-8")
    for example in EXAMPLES:
        shutil.copy(example, root / example.name)
    cache = tmp_path / "cache"
    expected = cli_findings(root, cache)
    assert ("TFM801", 0, 7, 0, 25) in [f[:5] for f in expected["engine_import.py"]]

    client = make_client()
    await client.start_io(
        sys.executable, "-m", "tfmend", "serve", "--cache-dir", str(cache), cwd=str(root)
    )
    try:
        session = await start(client, root)
        uri = session.open("engine_import.py", MISSING_MODULE)

        def surfaced() -> bool:
            return any(d.code == "TFM801" for p in client.publishes(uri) for d in p.diagnostics)

        # The first publish may come before the surface is read; it comes again with it.
        await client.wait_for(surfaced, timeout=600)
        assert await server_findings(session, uri) == expected["engine_import.py"]
        for example in EXAMPLES:
            text = example.read_text(encoding="utf-8")
            opened = session.open(example.name, text)
            assert await server_findings(session, opened) == expected.get(example.name, [])
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        await client.stop()
