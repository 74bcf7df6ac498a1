"""What `tfmend fix` leaves missing: references to APIs the installed TensorFlow/Keras lack.

Run: python benchmarks/bench_missing.py [--smoke]. On each package of the training corpus
(tests/corpus.py, downloaded once) copied to a temporary directory, counts the references to
names missing in this interpreter's TensorFlow and Keras (rule catalog aside), runs
`tfmend fix --unsafe-fixes`, counts again, and counts those left on a line with no finding
(goal: 0; and at most 10% left). `--smoke` (CI) runs one small package; `--names N` also lists
the N APIs most often left, over all packages and over those other than Keras itself. Asserts
nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus import KERAS2, TF1, fetch  # noqa: E402
from tests.missing_refs import flagged_lines, missing_references, unflagged  # noqa: E402
from tfmend.resolve.surface import load_surface  # noqa: E402

SMOKE = (("keras-radam==0.15.0", "sdist"),)
KERAS_ITSELF = "keras==2.2.4"
"""Keras 2's own source, tests and examples: what Keras 3 replaces rather than user code."""


def tfmend(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI of this interpreter in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "tfmend", *args, "--no-progress", "--no-cache", "."],
        cwd=cwd, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip


def ratio(left: int, before: int) -> str:
    return f"{100 * left / before:5.1f}%" if before else "    -"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="one small package")
    parser.add_argument("--names", type=int, default=0, metavar="N", help="list N APIs left")
    args = parser.parse_args()
    packages = SMOKE if args.smoke else (*KERAS2, *TF1)
    with tempfile.TemporaryDirectory() as scratch:
        cache = ("--python", sys.executable, "--cache-dir", f"{scratch}/surface")
        surface = load_surface(sys.executable, Path(scratch) / "surface")
        header = ("package", "files", "before", "after", "left", "no finding")
        print("{:<30} {:>5} {:>7} {:>6} {:>6} {:>10}".format(*header))
        totals = {"all": [0, 0, 0], "user": [0, 0, 0]}
        left: dict[str, Counter[str]] = {"all": Counter(), "user": Counter()}
        for requirement, kind in packages:
            tree = Path(scratch) / requirement.replace("==", "-")
            shutil.copytree(fetch(requirement, kind), tree)
            before = missing_references(tree, surface)
            fixed = tfmend("fix", "--unsafe-fixes", *cache, cwd=tree)
            if fixed.returncode > 1:
                raise SystemExit(f"tfmend fix failed on {requirement}: {fixed.stderr}")
            check = tfmend("check", "--format", "json", *cache, cwd=tree)
            after = missing_references(tree, surface)
            silent = unflagged(after, flagged_lines(json.loads(check.stdout or "[]"), tree))
            files = sum(1 for _ in tree.rglob("*.py"))
            row = (len(before), len(after), len(silent))
            for group in ("all", "user") if requirement != KERAS_ITSELF else ("all",):
                totals[group] = [t + n for t, n in zip(totals[group], row, strict=True)]
                left[group].update(reference.api for reference in after)
            print(
                f"{requirement:<30} {files:>5} {row[0]:>7} {row[1]:>6} "
                f"{ratio(row[1], row[0]):>6} {row[2]:>10}"
            )
            for reference in silent[:5]:
                print(f"    no finding: {reference.path.relative_to(tree)}:{reference.line + 1} "
                      f"{reference.api}")  # fmt: skip
        for group, label in (("all", "all packages"), ("user", f"without {KERAS_ITSELF}")):
            before_total, after_total, silent_total = totals[group]
            print(
                f"{label:<30} {'':>5} {before_total:>7} {after_total:>6} "
                f"{ratio(after_total, before_total):>6} {silent_total:>10}"
            )
        for group, label in (("all", "all packages"), ("user", f"without {KERAS_ITSELF}")):
            if args.names:
                print(f"most often left, {label}:")
            for api, count in left[group].most_common(args.names):
                print(f"    {count:>5} {api}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
