"""The installed API surface: first build time, cache size, cache load time and lookup cost.

Run: python benchmarks/bench_surface.py [--python PY]. Prints a table; uses a fresh cache directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import timeit
from pathlib import Path

NAMES = [
    "keras.ops.mean",
    "keras.backend.mean",
    "tensorflow.compat.v1.Session.run",
    "tensorflow.contrib.layers.xavier_initializer",
    "tf_keras.backend.get_session",
]


def main() -> None:
    """Build, reload and query a surface, and print the figures."""
    from tfmend.resolve.surface import load_surface

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        cache = Path(directory)
        start = time.perf_counter()
        built = load_surface(args.python, cache)
        first = time.perf_counter() - start
        if not built.available or built.cache_file is None:
            raise SystemExit(built.reason)
        start = time.perf_counter()
        load_surface(args.python, cache)
        cached = time.perf_counter() - start
        size = built.cache_file.stat().st_size
    runs = 100_000
    lookup = timeit.timeit(lambda: [built.exists(n) for n in NAMES], number=runs // len(NAMES))
    closest = timeit.timeit(lambda: built.closest("keras.backend.epsilonn"), number=1000)
    versions = ", ".join(f"{k} {v}" for k, v in built.versions.items())
    print(f"API surface of {args.python} ({versions})")
    print(f"{'measure':<36}{'value':>14}")
    print(f"{'first build (worker, import, walk)':<36}{first:>12.2f} s")
    print(f"{'  of which the surface request':<36}{(built.built_ms or 0) / 1000:>12.2f} s")
    print(f"{'load from cache (incl. hello)':<36}{cached * 1000:>11.0f} ms")
    print(f"{'cache file':<36}{size / 1024**2:>11.2f} MB")
    print(f"{'indexed (owner, member) pairs':<36}{built.size():>14,}")
    print(f"{'exists() per name':<36}{lookup / runs * 1e6:>11.2f} µs")
    print(f"{'closest() per name':<36}{closest / 1000 * 1e6:>11.1f} µs")


if __name__ == "__main__":
    main()
