"""Safe by default: the share of fixable findings whose fix is safe, per migration target.

Run: python benchmarks/bench_safety.py [--smoke]. On the Keras 2 training corpus (tests/corpus.py,
downloaded once) and the bundled examples, prints for each target how many findings have a fix
and how many of those are safe (what `tfmend fix` applies without flags), then runs the probe of
every rule behind those fixes against the installed TensorFlow and prints the failures (goal: 0).
`--smoke` (CI) checks the bundled examples and one small package. Asserts nothing.
"""

from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.corpus import KERAS2, fetch  # noqa: E402
from tfmend.catalog.rules import TARGETS, Rule, builtin_catalog  # noqa: E402
from tfmend.validate.validator import probe_request  # noqa: E402
from tfmend.worker.client import WorkerClient  # noqa: E402

SMOKE = (("keras-radam==0.15.0", "sdist"),)


def findings(path: Path, target: str) -> list[dict[str, object]]:
    """`tfmend check --format json` under a target (the default settings otherwise)."""
    run = subprocess.run(
        [sys.executable, "-m", "tfmend", "check", "--format", "json", "--no-progress",
         "--no-surface", "--target", target, str(path)],
        capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    if run.returncode > 1:
        raise SystemExit(f"tfmend check failed on {path}: {run.stderr}")
    return list(json.loads(run.stdout or "[]"))


def share(counts: collections.Counter[str]) -> str:
    fixable = counts["safe"] + counts["unsafe"]
    percent = f"{100 * counts['safe'] / fixable:5.1f}%" if fixable else "    -"
    return f"{counts['safe']:>6} {counts['unsafe']:>7} {counts['none']:>7} {percent:>7}"


def probe_failures(codes: set[str], target: str, worker: WorkerClient) -> list[str]:
    """The probes of these rules under the target that do not pass."""
    failed = []
    for code in sorted(codes):
        rule: Rule | None = builtin_catalog().by_code.get(code)
        variant = rule.for_target(target) if rule is not None else None  # type: ignore[arg-type]
        if variant is None or variant.probe is None:
            continue
        result = worker.request("probe", probe_request(variant.probe), timeout=300)
        if result.get("restart"):
            worker.close()
        if result["status"] != "passed":
            failed.append(f"{code} ({target}): {result['detail']}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="examples and one small package")
    args = parser.parse_args()
    trees = [("examples", ROOT / "examples")]
    trees += [
        (req.split("==")[0], fetch(req, kind)) for req, kind in (SMOKE if args.smoke else KERAS2)
    ]
    worker = WorkerClient(sys.executable, memory_mb=8192)
    try:
        for target in TARGETS:
            print(f"\ntarget {target}{' (default)' if target == 'tensorflow' else ''}")
            print(f"{'project':<28} {'safe':>6} {'unsafe':>7} {'manual':>7} {'safe %':>7}")
            total: collections.Counter[str] = collections.Counter()
            backend: collections.Counter[str] = collections.Counter()
            fired: set[str] = set()
            for name, tree in trees:
                counts: collections.Counter[str] = collections.Counter()
                for finding in findings(tree, target):
                    code, fix = str(finding["code"]), str(finding["fix"])
                    counts[fix] += 1
                    if code[3] in "456" and len(code) == 6:
                        backend[fix] += 1
                    if fix != "none":
                        fired.add(code)
                total += counts
                print(f"{name:<28} {share(counts)}")
            print(f"{'all':<28} {share(total)}")
            print(f"{'Keras backend (TFM4-6xx)':<28} {share(backend)}")
            failures = probe_failures(fired, target, worker)
            print(f"probes of the {len(fired)} rules with fixes: {len(failures)} failing")
            for failure in failures:
                print(f"  {failure[:300]}")
    finally:
        worker.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
