"""Cold start of the language server, as an editor meets it: `tfmend serve` spawned over stdio,
then initialize, didOpen of a small legacy file, and the first publishDiagnostics.

Prints, per run and as medians: spawn → initialize answered, → first diagnostics, and the CPU
seconds the server had used by then (less sensitive to a busy machine than wall-clock time); and,
in fresh processes, what the server's imports cost (`import tfmend.lsp.server`, with the heaviest
modules from `-X importtime`). Asserts nothing; the target is printed next to the figures.

Run: python benchmarks/bench_cold_start.py [--runs N] [--imports N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_lsp import Client, start_and_open

TARGET_S = 1.5
LEGACY = """\
import numpy as np
from keras import backend as K


def row_max(x):
    return K.max(x, axis=1)


print(np.asarray(row_max(np.ones((2, 3)))).tolist())
"""


def compile_tfmend() -> None:
    """Write the bytecode of tfmend's own modules, as `pip install` of the wheel does: from a
    source checkout under PYTHONDONTWRITEBYTECODE they would be compiled at every start, which
    no installed tfmend does."""
    package = Path(__file__).resolve().parents[1] / "server" / "tfmend"
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(package)],
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        check=True,
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def one_start() -> tuple[float, float, float, int]:
    """Seconds from spawn to the initialize answer and to the first diagnostics, the server's
    CPU seconds then, and how many diagnostics."""
    with tempfile.TemporaryDirectory(prefix="tfmend-cold-") as directory:
        path = Path(directory) / "legacy.py"
        path.write_text(LEGACY, encoding="utf-8")
        client = Client()
        started = time.perf_counter()
        answered = await start_and_open(client, path, LEGACY)
        arrived, count = await client.wait(path.as_uri(), 1)
        assert client._server is not None
        cpu = cpu_seconds(client._server.pid)
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client._server.wait(), 10)
    return answered - started, arrived - started, cpu, count


def import_seconds() -> float:
    """Seconds `import tfmend.lsp.server` takes in a fresh interpreter."""
    code = (
        "import time; t = time.perf_counter(); import tfmend.lsp.server; "
        "print(time.perf_counter() - t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def heaviest_imports(count: int) -> list[tuple[int, str]]:
    """The modules with the largest cumulative import time (µs), from `-X importtime`."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import tfmend.lsp.server"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    rows = []
    for line in proc.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="server starts measured")
    parser.add_argument("--imports", type=int, default=12, help="heaviest imports listed")
    args = parser.parse_args()
    compile_tfmend()
    print(f"{'run':>4} {'initialize':>11} {'first diagnostics':>18} {'server CPU':>11}")
    runs = []
    for index in range(args.runs):
        initialized, diagnosed, cpu, count = asyncio.run(one_start())
        runs.append((initialized, diagnosed, cpu))
        print(
            f"{index + 1:>4} {initialized:>9.2f} s {diagnosed:>16.2f} s {cpu:>9.2f} s"
            f"  ({count} diagnostics)"
        )
    median = statistics.median(run[1] for run in runs)
    print(
        f"median {statistics.median(run[0] for run in runs):>7.2f} s {median:>16.2f} s "
        f"{statistics.median(run[2] for run in runs):>9.2f} s"
        f"\n{'met ' if median <= TARGET_S else 'MISS'} cold start to first diagnostics "
        f"<= {TARGET_S} s: {median:.2f} s"
    )
    imports = [import_seconds() for _ in range(3)]
    print(f"\nimport tfmend.lsp.server: {statistics.median(imports):.2f} s (median of 3)")
    for micros, name in heaviest_imports(args.imports):
        print(f"  {micros / 1e6:>6.3f} s  {name}")


if __name__ == "__main__":
    main()
