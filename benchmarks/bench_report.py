"""Migration report speed and size on real legacy packages, next to `check` on the same tree.

`tfmend report` runs the fixer on every file (to say what `tfmend fix` changes now) on top of the
check, then renders one HTML page; this prints what that costs, and how large the page gets.
Run: python benchmarks/bench_report.py [--smoke]. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus import KERAS2, TF1, fetch  # noqa: E402


def _seconds(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tfmend", *args, "--no-progress", "."],
        cwd=cwd, capture_output=True, check=False,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one small package (CI)")
    args = parser.parse_args()
    sets = {"keras 2": KERAS2[2:4] if args.smoke else KERAS2, "tf 1": () if args.smoke else TF1}
    print("\n## tfmend report next to tfmend check (2 cores, installed API surface read)\n")
    print("| corpus | files | findings | check s | check --statistics s | report (HTML) s "
          "| report (Markdown) s | HTML KB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for label, packages in sets.items():
        if not packages:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / "tree"
            for requirement, kind in packages:
                shutil.copytree(fetch(requirement, kind), tree / requirement.split("==")[0])
            files = len([p for p in tree.rglob("*") if p.suffix in (".py", ".ipynb")])
            check = _seconds(["check", "--format", "json", "--output", "../f.json"], tree)
            findings = len(json.loads((Path(scratch) / "f.json").read_text()))
            statistics = _seconds(["check", "--statistics"], tree)
            html = _seconds(["report", "--output", "../r.html"], tree)
            markdown = _seconds(["report", "--format", "markdown", "--output", "../r.md"], tree)
            size = (Path(scratch) / "r.html").stat().st_size / 1024
            print(
                f"| {label} | {files} | {findings} | {check:.2f} | {statistics:.2f} | "
                f"{html:.2f} | {markdown:.2f} | {size:.0f} |"
            )


if __name__ == "__main__":
    main()
