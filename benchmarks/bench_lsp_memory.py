"""The language server's memory over a long editing session: resident memory after the first
edit and after many more (goal: at most 1.5 times).

Run: python benchmarks/bench_lsp_memory.py [--edits 10000]. Opens a generated legacy file of about
200 lines over stdio, types `--edits` one-line edits into it (waiting for the diagnostics of every
tenth, as an editor's debounce lets checks through), and prints the server's resident memory
(VmRSS) after the first edit and after the last, and their ratio. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_lsp import (  # noqa: E402
    CAPABILITIES,
    Client,
    edit_line,
    line_edit,
    start_and_open,
)
from benchmarks.legacy_source import legacy_source  # noqa: E402

GOAL = 1.5
"""Memory after the last edit over memory after the first, at most."""
WAIT_EVERY = 10
"""Edits sent between two waits for diagnostics."""


def resident_mb(pid: int) -> float:
    """The resident memory of a process now (Linux), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def session(edits: int) -> tuple[float, float]:
    """(MB after the first edit, MB after the last) of one server."""
    text = legacy_source(200)
    with tempfile.TemporaryDirectory(prefix="tfmend-bench-") as directory:
        path = Path(directory) / "legacy.py"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        client = Client()
        await start_and_open(client, path, text, CAPABILITIES)
        await client.wait(uri, 1)
        assert client._server is not None
        pid = client._server.pid
        line = edit_line(text)
        previous = ""
        first = 0.0
        for version in range(2, edits + 2):
            statement = f"_edit = K.mean(x{version % 97})"
            client.text_document_did_change(line_edit(uri, version, line, previous, statement))
            previous = statement
            if version == 2 or version % WAIT_EVERY == 0 or version == edits + 1:
                await client.wait(uri, version)
            if version == 2:
                first = resident_mb(pid)
        last = resident_mb(pid)
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client._server.wait(), 10)
    return first, last


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--edits", type=int, default=10_000, help="edits to type")
    args = parser.parse_args()
    first, last = asyncio.run(session(args.edits))
    ratio = last / first
    verdict = "met" if ratio <= GOAL else "MISS"
    after = f"after {args.edits:,} edits"
    print(f"{'server memory after 1 edit':<36}{first:8.1f} MB")
    print(f"{'server memory ' + after:<36}{last:8.1f} MB")
    print(f"{'ratio':<36}{ratio:8.2f}    goal <= {GOAL}: {verdict}")


if __name__ == "__main__":
    main()
