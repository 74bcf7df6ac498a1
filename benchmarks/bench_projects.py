"""Real projects: do legacy packages' programs run again after `tfmend fix --unsafe-fixes`?

Run: python benchmarks/bench_projects.py [--only NAME,...] [--smoke]. Downloads the pinned
packages of tests/projects/manifest.py (cached), runs each entry point on the original and on the
fixed copy with this interpreter, and prints the Markdown table of docs/projects.md, then each
failure after the fix with its exception. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.projects.manifest import PROJECTS
from tests.projects.suite import run_project, table

SMOKE = ("keras-self-attention",)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated project names")
    parser.add_argument("--smoke", action="store_true", help=f"only {', '.join(SMOKE)}")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per entry point")
    args = parser.parse_args()
    names = SMOKE if args.smoke else args.only.split(",") if args.only else None
    chosen = [project for project in PROJECTS if names is None or project.name in names]
    results = []
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for project in chosen:
            print(f"{project.name} ...", file=sys.stderr, flush=True)
            results.append(run_project(project, Path(scratch) / project.name, timeout=args.timeout))
    print(table(results))
    working = sum(entry.fixed.ok for result in results for entry in result.entries)
    total = sum(len(result.entries) for result in results)
    print(f"\n{working} of {total} entry points work after the fix "
          f"({time.perf_counter() - start:.0f} s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
