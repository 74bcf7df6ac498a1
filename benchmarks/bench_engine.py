"""Engine speed: corpus throughput next to tf_upgrade_v2, and one file's analysis time by size.

The corpus table runs `tfmend check` twice on a fresh copy of the training corpus (cold: an
empty results cache; warm: every file cached) and tf_upgrade_v2 once on the same files, and
prints both speed-ups next to their goals.

Run: python benchmarks/bench_engine.py [--smoke] [--corpus-only]. Prints tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.legacy_source import legacy_source  # noqa: E402
from tests.corpus import KERAS2, TF1, fetch  # noqa: E402

# Runs tf_upgrade_v2's own engine on every file in one process (importing TensorFlow once, as its
# command line does), catching each file's failure instead of aborting the tree.
_UPGRADE = r"""
import json, resource, sys
from pathlib import Path
from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2
files = [Path(p) for p in json.load(sys.stdin)]
upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
failed = changes = 0
for path in files:
    try:
        processed, _, logs, _ = upgrader.update_string_pasta(path.read_text(), str(path))
        changes += len(logs)
        failed += not processed
    except Exception:
        failed += 1
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_mb": rss, "failed": failed, "changes": changes}))
"""

_TFMEND = r"""
import json, resource, sys
from tfmend.cli.main import main
main(["check", "--format", "json", "--no-progress", "--output", sys.argv[2], sys.argv[1],
      *sys.argv[3:]])
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rss_mb": max(own, children)}))
"""


def _timed(command: list[str], stdin: str | None = None) -> dict[str, float]:
    """Run a process to the end; its JSON figures plus the wall time, start-up included, and the
    CPU time (user + system) of its whole process tree: other work on the machine slows the wall
    time of both tools, much less their CPU time."""
    before = _children_cpu()
    start = time.perf_counter()
    run = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})  # fmt: skip
    figures: dict[str, float] = json.loads(run.stdout.splitlines()[-1])
    figures["seconds"] = time.perf_counter() - start
    figures["cpu"] = _children_cpu() - before
    return figures


def _children_cpu() -> float:
    """CPU seconds of the waited-for children (and theirs: worker processes are waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _corpus(packages: tuple[tuple[str, str], ...], destination: Path) -> list[Path]:
    for requirement, kind in packages:
        shutil.copytree(fetch(requirement, kind), destination / requirement.split("==")[0])
    return sorted(destination.rglob("*.py"))


def corpus_table(smoke: bool) -> None:
    """tfmend check vs tf_upgrade_v2 on the same legacy packages."""
    print("\n## Corpus throughput (2 cores), same files for both tools\n")
    print(
        "| corpus | files | lines | tool | seconds | CPU seconds | files/s | peak RSS MB "
        "| findings/changes |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    sets = {"training": KERAS2 + TF1}
    if smoke:
        sets = {"training (smoke)": KERAS2[1:2] + KERAS2[5:6]}
    speedups: list[str] = []
    for label, packages in sets.items():
        with tempfile.TemporaryDirectory() as scratch:
            tree = Path(scratch) / "tree"
            files = _corpus(packages, tree)
            lines = sum(p.read_bytes().count(b"\n") for p in files)
            out = Path(scratch) / "findings.json"
            cold = _timed([sys.executable, "-c", _TFMEND, str(tree), str(out)])
            found = len(json.loads(out.read_text()))
            warm = _timed([sys.executable, "-c", _TFMEND, str(tree), str(out)])
            assert len(json.loads(out.read_text())) == found, "the cache changed the findings"
            theirs = _timed([sys.executable, "-c", _UPGRADE], json.dumps([str(p) for p in files]))
            for tool, figures, count in (("tfmend check, cold cache", cold, found),
                                         ("tfmend check, warm cache", warm, found),
                                         ("tf_upgrade_v2", theirs, theirs["changes"])):  # fmt: skip
                note = (
                    f" ({theirs['failed']:.0f} files failed to parse)"
                    if "failed" in figures
                    else ""
                )
                print(
                    f"| {label} | {len(files)} | {lines} | {tool} | {figures['seconds']:.2f} | "
                    f"{figures['cpu']:.2f} | {_rate(files, figures):.0f} | "
                    f"{figures['rss_mb']:.0f} | {count:.0f}{note} |"
                )
            for kind, figures, goal in (("cold", cold, COLD_GOAL), ("warm", warm, WARM_GOAL)):
                ratio = _rate(files, figures) / _rate(files, theirs)
                cpu = theirs["cpu"] / figures["cpu"]
                print(f"| {label} | | | tfmend {kind} speed-up | | {cpu:.1f}× | {ratio:.1f}× | | |")
                speedups.append(
                    f"  {'met ' if ratio >= goal else 'MISS'} {label}, {kind} cache: "
                    f"{ratio:.1f}× tf_upgrade_v2's files/s (goal ≥ {goal:.0f}×); "
                    f"{cpu:.1f}× less CPU time"
                )
    print("\nGoals:")
    print("\n".join(speedups))


COLD_GOAL, WARM_GOAL = 5.0, 50.0
"""`check`'s files/s over tf_upgrade_v2's on the same tree, with an empty and a full cache."""


def _rate(files: list[Path], figures: dict[str, float]) -> float:
    """Files per second."""
    return len(files) / figures["seconds"]


def file_table(smoke: bool) -> None:
    """Warm analysis time of one file by size, next to ast.parse (the floor)."""
    from tfmend.api import Engine

    engine = Engine()
    print("\n## One file, warm (median of repeats)\n")
    print("| lines | findings | ast.parse ms | tfmend check_text ms | ratio |")
    print("|---|---|---|---|---|")
    for lines in (500, 2000) if smoke else (200, 500, 1000, 2000, 4000, 10000):
        text = legacy_source(lines)
        engine.check_text(text)  # warm caches
        repeats = 3 if smoke else 15
        floor = statistics.median(_time(lambda t=text: ast.parse(t)) for _ in range(repeats))
        ours = statistics.median(_time(lambda t=text: engine.check_text(t)) for _ in range(repeats))
        count = len(engine.check_text(text))
        print(
            f"| {text.count(chr(10))} | {count} | {floor:.1f} | {ours:.1f} | {ours / floor:.1f}× |"
        )


def _time(function: object) -> float:
    start = time.perf_counter()
    function()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small inputs, for CI")
    parser.add_argument("--corpus-only", action="store_true", help="only the corpus table")
    args = parser.parse_args()
    if not args.corpus_only:
        file_table(args.smoke)
    corpus_table(args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
