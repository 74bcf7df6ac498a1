"""Validation speed: a cold (first) and warm (repeat) validation of one K.mean fix with its probe.

Run: python benchmarks/bench_validation.py [--python PY] [--repeat N]. Prints a table; the target
for a warm validation (worker up, TensorFlow imported) is under 300 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = """\
import numpy as np
from keras import backend as K

x = np.arange(12, dtype="float32").reshape(3, 4)
y = K.mean(x, axis=1, keepdims=True)
"""


def main() -> None:
    """Time validations and print them."""
    from tfmend.validate.validator import ValidationSettings, Validator

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text("[tool.tfmend]\nunsafe-fixes = true\n")
        path = root / "model.py"
        path.write_text(PROGRAM)
        validator = Validator(ValidationSettings(python=args.python))
        try:
            timings = []
            for _ in range(args.repeat + 1):
                start = time.perf_counter()
                result = validator.validate(path)
                timings.append((time.perf_counter() - start) * 1000)
                if result.status != "passed":
                    raise SystemExit(f"validation did not pass: {result.summary}")
        finally:
            validator.close()
    cold, warm = timings[0], timings[1:]
    checks = ", ".join(check.kind for check in result.checks)
    print(f"Validation of one fix ({checks}) in {args.python}, TensorFlow {result.tensorflow}")
    print(f"{'run':<28}{'ms':>10}")
    print(f"{'cold (start, import TF)':<28}{cold:>10.0f}")
    print(f"{'warm median':<28}{statistics.median(warm):>10.1f}")
    print(f"{'warm max':<28}{max(warm):>10.1f}")
    print(f"{'warm target':<28}{300:>10}")


if __name__ == "__main__":
    main()
