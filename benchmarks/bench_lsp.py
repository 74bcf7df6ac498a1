"""Language server speed, driven as an editor drives it: `tfmend serve` over stdio.

For generated legacy files of 200, 2,000 and 10,000 lines: edit-to-diagnostics latency (p50/p95)
of a one-line edit inside a function in the middle of the file (with the server's CPU time per
edit, which a busy machine changes less), and of an edit of an import line (which costs a full
analysis), next to stdlib `ast.parse` of the same text in this process (the floor); cold start
to first diagnostics, the server's peak RSS, and one quick fix (codeAction then
codeAction/resolve of one finding's fix) next to the keystroke check it must not exceed.
Diagnostics count as arrived when the client has read and decoded the notification's JSON, before
this Python client converts it to lsprotocol objects (~30 µs a diagnostic, a cost of the client,
not of the server; an editor decodes JSON only).
`--profile` profiles the engine's check of the 2,000-line file in this process.

Run: python benchmarks/bench_lsp.py [--edits N] [--sizes 200,2000] [--profile]. Prints tables;
asserts nothing (the targets are printed next to the figures).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.legacy_source import legacy_source  # noqa: E402

SERVER = [sys.executable, "-m", "tfmend", "serve", "--log-level", "warning"]
# As VS Code asks: code actions' edits resolved on demand, workspace edits with versions.
CAPABILITIES = types.ClientCapabilities(
    text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities(
            data_support=True,
            resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
        )
    ),
    workspace=types.WorkspaceClientCapabilities(
        workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
    ),
)
TARGET_P50_MS = 75.0
TARGET_FLOOR_RATIO = 1.0
TARGET_P95_FLOOR_RATIO = 2.0
TARGET_BIG_P50_MS = 60.0
"""p50 on the 10,000-line file."""
TARGET_COLD_S = 1.5
TARGET_RSS_MB = 200.0


@dataclass
class Run:
    """The figures of one file size."""

    lines: int
    findings: int = 0
    floor_ms: float = 0.0
    cold_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    import_ms: list[float] = field(default_factory=list)
    """Latencies of edits of an import line."""
    quick_fix_ms: list[float] = field(default_factory=list)
    rss_mb: float | None = None
    cpu_ms: float | None = None
    """The server's CPU time per edit inside a function (a figure a busy machine changes less
    than the latencies)."""

    def percentile(self, share: float, latencies: list[float] | None = None) -> float:
        """A percentile of the edit latencies (nearest rank)."""
        ordered = sorted(self.latencies_ms if latencies is None else latencies)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Protocol(LanguageServerProtocol):
    """Notes when each diagnostics notification's JSON arrived, before it is converted."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        if data.get("method") == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS:
            params = data.get("params") or {}
            client = self._server
            if isinstance(client, Client):
                client.decoded[(params.get("uri"), params.get("version"))] = time.perf_counter()
        return super().structure_message(data)


class Client(LanguageClient):
    """A client that timestamps every diagnostics notification."""

    def __init__(self) -> None:
        super().__init__("tfmend-bench", "1", protocol_cls=Protocol)
        self.decoded: dict[tuple[str, int | None], float] = {}
        self.arrived: dict[tuple[str, int | None], tuple[float, int]] = {}
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.signal = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            arrived = self.decoded.get(key, time.perf_counter())
            self.arrived[key] = (arrived, len(params.diagnostics))
            self.published[params.uri] = params.diagnostics
            self.signal.set()

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def log(params: types.LogMessageParams) -> None:
            del params

    async def wait(self, uri: str, version: int, timeout: float = 120.0) -> tuple[float, int]:
        """When diagnostics for a version arrived, and how many."""
        deadline = time.perf_counter() + timeout
        while (uri, version) not in self.arrived:
            self.signal.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            try:
                await asyncio.wait_for(self.signal.wait(), remaining)
            except TimeoutError:
                continue
        return self.arrived[(uri, version)]


async def start_and_open(
    client: Client,
    path: Path,
    text: str,
    capabilities: types.ClientCapabilities | None = None,
) -> float:
    """Start the server for the file's directory, initialize it and open the file; returns when
    (perf_counter) the initialize request was answered."""
    await client.start_io(*SERVER, cwd=str(path.parent))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities or types.ClientCapabilities(),
            root_uri=path.parent.as_uri(),
            process_id=os.getpid(),
        )
    )
    answered = time.perf_counter()
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id="python", version=1, text=text
            )
        )
    )
    return answered


def floor_ms(text: str, repeat: int = 15) -> float:
    """Median time of stdlib ast.parse of the text, in this process."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        ast.parse(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def peak_rss_mb(pid: int) -> float | None:
    """The peak resident set size of a process (Linux), in MB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) a process has used so far (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def line_edit(
    uri: str, version: int, line: int, previous: str, statement: str
) -> types.DidChangeTextDocumentParams:
    """didChange replacing `previous`, the text at the start of `line`, with `statement`."""
    return types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=line, character=0),
                    end=types.Position(line=line, character=len(previous)),
                ),
                text=statement,
            )
        ],
    )


def edit_line(text: str) -> int:
    """A line inside a function in the middle of the file: the edits rewrite it."""
    lines = text.splitlines()
    middle = len(lines) // 2
    return next(i for i in range(middle, len(lines)) if lines[i].startswith("    diff = "))


def import_line(text: str) -> int:
    """The line of the file's `import keras`."""
    return text.splitlines().index("import keras")


async def measure(lines: int, edits: int) -> Run:
    """Cold start, then `edits` edits, on a generated file of about `lines` lines."""
    text = legacy_source(lines)
    run = Run(lines=text.count("\n"), floor_ms=floor_ms(text))
    with tempfile.TemporaryDirectory(prefix="tfmend-bench-") as directory:
        root = Path(directory)
        path = root / "legacy.py"
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        client = Client()
        started = time.perf_counter()
        await start_and_open(client, path, text, CAPABILITIES)
        arrived, run.findings = await client.wait(uri, 1)
        run.cold_s = arrived - started
        line = edit_line(text)
        previous = text.splitlines()[line]
        version = 1
        assert client._server is not None
        cpu_before = cpu_seconds(client._server.pid)
        for count in range(edits + 3):
            # A one-line edit inside a function: its text grows and shrinks, as typing does.
            statement = f"    diff = K.abs(y_pred - y_true) * {count % 7 + 1}{'0' * (count % 3)}"
            version += 1
            sent = time.perf_counter()
            client.text_document_did_change(line_edit(uri, version, line, previous, statement))
            previous = statement
            arrived, _ = await client.wait(uri, version)
            if count > 2:  # the first edits warm caches up
                run.latencies_ms.append((arrived - sent) * 1000)
            await asyncio.sleep(0.05)
        cpu_after = cpu_seconds(client._server.pid)
        if cpu_before is not None and cpu_after is not None:
            run.cpu_ms = (cpu_after - cpu_before) * 1000 / (edits + 3)
        line = import_line(text)
        previous = "import keras"
        for count in range(max(edits // 4, 5) + 1):
            statement = "import keras" if count % 2 else "import keras as keras"
            version += 1
            sent = time.perf_counter()
            client.text_document_did_change(line_edit(uri, version, line, previous, statement))
            previous = statement
            arrived, _ = await client.wait(uri, version)
            if count:
                run.import_ms.append((arrived - sent) * 1000)
            await asyncio.sleep(0.05)
        run.quick_fix_ms = await quick_fixes(client, uri, edits // 4 + 3)
        run.rss_mb = peak_rss_mb(client._server.pid)
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client._server.wait(), 10)
    return run


async def quick_fixes(client: Client, uri: str, count: int) -> list[float]:
    """Milliseconds from asking for a finding's code actions to holding its quick fix's edit
    (resolved when the server leaves the edit to codeAction/resolve), for fixable findings."""
    fixable = [
        d
        for d in client.published.get(uri, [])
        if isinstance(d.data, dict) and d.data.get("fix") == "safe"
    ]
    times: list[float] = []
    for diagnostic in fixable[:count]:
        sent = time.perf_counter()
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diagnostic.range,
                context=types.CodeActionContext(
                    diagnostics=[diagnostic], only=[types.CodeActionKind.QuickFix]
                ),
            )
        )
        fix = next(
            (
                a
                for a in actions or []
                if isinstance(a, types.CodeAction) and a.title.startswith(f"{diagnostic.code}:")
            ),
            None,
        )
        if fix is not None and fix.edit is None:
            fix = await client.code_action_resolve_async(fix)
        if fix is None or fix.edit is None:
            raise RuntimeError(f"no quick fix for {diagnostic.code} at {diagnostic.range}")
        times.append((time.perf_counter() - sent) * 1000)
    return times[2:] or times  # the first fixes warm caches up


def report(runs: list[Run]) -> None:
    """Print the figures and the targets."""
    print("Edit inside a function (one line):")
    print(
        f"{'lines':>7} {'findings':>8} {'ast.parse':>10} {'p50':>8} {'p95':>8} "
        f"{'p50/floor':>9} {'p95/floor':>9} {'server CPU':>10} {'cold start':>10} {'peak RSS':>9}"
    )
    for run in runs:
        rss = f"{run.rss_mb:.0f} MB" if run.rss_mb is not None else "n/a"
        cpu = f"{run.cpu_ms:.1f} ms" if run.cpu_ms is not None else "n/a"
        p50 = run.percentile(0.5)
        print(
            f"{run.lines:>7} {run.findings:>8} {run.floor_ms:>7.1f} ms {p50:>5.1f} ms "
            f"{run.percentile(0.95):>5.1f} ms {p50 / run.floor_ms:>8.1f}x "
            f"{run.percentile(0.95) / run.floor_ms:>8.1f}x {cpu:>10} {run.cold_s:>8.2f} s "
            f"{rss:>9}"
        )
    print("\nEdit of an import line (a full analysis):")
    print(f"{'lines':>7} {'ast.parse':>10} {'p50':>8} {'p95':>8} {'p50/floor':>9}")
    for run in runs:
        if not run.import_ms:
            continue
        p50 = run.percentile(0.5, run.import_ms)
        print(
            f"{run.lines:>7} {run.floor_ms:>7.1f} ms {p50:>5.1f} ms "
            f"{run.percentile(0.95, run.import_ms):>5.1f} ms {p50 / run.floor_ms:>8.1f}x"
        )
    target = next((run for run in runs if 1500 <= run.lines <= 2500), None)
    if target is None:
        return
    p50 = target.percentile(0.5)
    p95 = target.percentile(0.95)
    quick = statistics.median(target.quick_fix_ms) if target.quick_fix_ms else float("nan")
    print(
        f"\nOne quick fix on {target.lines} lines: {quick:.1f} ms (median of "
        f"{len(target.quick_fix_ms)}); one keystroke check: {p50:.1f} ms (p50)"
    )
    print(f"\nTargets on {target.lines} lines:")
    checks = [
        (f"p50 < {TARGET_P50_MS:.0f} ms", p50 < TARGET_P50_MS, f"{p50:.1f} ms"),
        (
            f"p50 within {TARGET_FLOOR_RATIO:.0f}x ast.parse",
            p50 <= TARGET_FLOOR_RATIO * target.floor_ms,
            f"{p50 / target.floor_ms:.1f}x of {target.floor_ms:.1f} ms",
        ),
        (
            f"p95 within {TARGET_P95_FLOOR_RATIO:.0f}x ast.parse",
            p95 <= TARGET_P95_FLOOR_RATIO * target.floor_ms,
            f"{p95 / target.floor_ms:.1f}x of {target.floor_ms:.1f} ms",
        ),
        (
            f"cold start < {TARGET_COLD_S} s",
            target.cold_s < TARGET_COLD_S,
            f"{target.cold_s:.2f} s",
        ),
        (
            f"peak RSS < {TARGET_RSS_MB:.0f} MB",
            target.rss_mb is not None and target.rss_mb < TARGET_RSS_MB,
            f"{target.rss_mb or 0:.0f} MB",
        ),
        (
            "one quick fix <= one keystroke check",
            quick <= p50,
            f"{quick:.1f} ms vs {p50:.1f} ms",
        ),
    ]
    big = next((run for run in runs if run.lines >= 9000), None)
    if big is not None:
        big_p50 = big.percentile(0.5)
        checks.append(
            (
                f"p50 < {TARGET_BIG_P50_MS:.0f} ms on {big.lines} lines",
                big_p50 < TARGET_BIG_P50_MS,
                f"{big_p50:.1f} ms",
            )
        )
        checks.append(
            (
                f"peak RSS < {TARGET_RSS_MB:.0f} MB on {big.lines} lines",
                big.rss_mb is not None and big.rss_mb < TARGET_RSS_MB,
                f"{big.rss_mb or 0:.0f} MB",
            )
        )
    for label, ok, value in checks:
        print(f"  {'met ' if ok else 'MISS'} {label}: {value}")


def profile(lines: int) -> None:
    """Where the engine spends a check of one file (in this process)."""
    from tfmend.api import Engine
    from tfmend.resolve.project import JediProject

    text = legacy_source(lines)
    with tempfile.TemporaryDirectory(prefix="tfmend-profile-") as directory:
        path = Path(directory) / "legacy.py"
        path.write_text(text, encoding="utf-8")
        engine = Engine(project=JediProject(Path(directory)))
        engine.check_text(text, path)
        runs = 10
        started = time.perf_counter()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(runs):
            engine.check_text(text, path)
        profiler.disable()
        elapsed = (time.perf_counter() - started) / runs * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(25)
    print(
        f"\nEngine.check_text on {text.count(chr(10))} lines: {elapsed:.1f} ms a check "
        f"(profiled, so slower than in the server)\n"
    )
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40, help="measured edits per size")
    parser.add_argument("--sizes", default="200,2000,10000", help="comma-separated line counts")
    parser.add_argument("--profile", action="store_true", help="profile the engine on 2,000 lines")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = [asyncio.run(measure(size, args.edits)) for size in sizes]
    report(runs)
    if args.profile:
        profile(2000)


if __name__ == "__main__":
    main()
