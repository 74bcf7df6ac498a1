"""Fix speed: `tfmend fix` next to `tfmend check` on the same file, by size.

Run: python benchmarks/bench_fix.py [--smoke]. Each figure is one run of the real command (a new
process, start-up included, no surface); the ratio fix/check is the figure to watch: fixing a file
is a few analyses of it, so it must grow linearly with the file like checking does.
Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.legacy_source import legacy_source

SIZES = (1_000, 4_000, 20_000)
SMOKE_SIZES = (1_000,)


def uniform(lines: int) -> str:
    """A file of `lines` lines, every one but the import a finding with a safe fix."""
    return "from keras import backend as K\n" + "v = K.mean(x)\n" * (lines - 1)


def _seconds(*args: str, path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one `tfmend` command on a file (exit 0 or 1: findings are
    expected). CPU time shows the work when other processes share the cores."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "tfmend", *args, "--no-surface", "--no-cache", "--no-progress",
         path.name],
        cwd=path.parent, capture_output=True, text=True, check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )  # fmt: skip
    if run.returncode not in (0, 1):
        raise SystemExit(f"tfmend {' '.join(args)} failed:\n{run.stderr}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu


def row(name: str, text: str) -> None:
    """Time check, then fix, of the text in a directory of its own (no other project files)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "module.py"
        path.write_text(text, encoding="utf-8")
        check, check_cpu = _seconds("check", path=path)
        fix, fix_cpu = _seconds("fix", "--unsafe-fixes", path=path)
    lines = text.count("\n")
    print(
        f"| {name} | {lines:,} | {check:.2f} | {fix:.2f} | {fix / check:.1f}x | "
        f"{check_cpu:.2f} | {fix_cpu:.2f} | {fix_cpu / check_cpu:.1f}x |",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small inputs, for CI")
    args = parser.parse_args()
    print("| file | lines | check s | fix s | fix / check | check CPU s | fix CPU s | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for lines in SMOKE_SIZES if args.smoke else SIZES:
        row("`v = K.mean(x)` per line", uniform(lines))
    row("legacy module, mixed findings", legacy_source(2_000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
