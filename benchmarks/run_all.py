"""Run every benchmark and print its tables: `python benchmarks/run_all.py [--smoke]`.

`--smoke` (CI) runs each on small inputs, to show they still work; the figures in the docs come
from full runs on an idle machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SMOKE_ARGS = {
    "bench_engine.py": ["--smoke"],
    "bench_fix.py": ["--smoke"],
    "bench_surface.py": [],
    "bench_validation.py": ["--repeat", "3"],
    "bench_projects.py": ["--smoke"],
    "bench_lsp.py": ["--sizes", "200,2000", "--edits", "10"],
    "bench_lsp_memory.py": ["--edits", "300"],
    "bench_missing.py": ["--smoke"],
    "bench_cold_start.py": ["--runs", "2", "--imports", "5"],
    "bench_vscode_cold_start.py": ["--runs", "2"],
    "bench_report.py": ["--smoke"],
    "bench_safety.py": ["--smoke"],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small inputs (CI)")
    args = parser.parse_args()
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        extra = SMOKE_ARGS.get(script.name, []) if args.smoke else []
        print(f"\n# {script.name} {' '.join(extra)}".rstrip(), flush=True)
        if subprocess.run([sys.executable, str(script), *extra], check=False).returncode:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
