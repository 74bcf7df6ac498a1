"""The built-in catalog kept between processes, pickled in the user cache directory: building it
parses 24,000 lines of YAML and every rule's template, a third of the server's cold start.

The file's name is a digest of everything the catalog is built from (the rule files, the
catalog package's code, the Python version), so an edit to any of them builds it anew. A cache
that cannot be read or written is passed over: the catalog is then built as without one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def digest(sources: Iterable[Path]) -> str:
    """A digest of the files' names and bytes, and of this Python's version."""
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(sources):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:24]


def load_cached(
    build: Callable[[], T], kind: type[T], sources: Iterable[Path], directory: Path
) -> T:
    """What `build` returns, from `directory` when a pickle of it for these sources is there."""
    try:
        path = directory / f"catalog-{digest(sources)}.pickle"
    except OSError:
        return build()
    try:
        # The user's own cache directory: whoever can write there can run code as the user
        # anyway, so unpickling it adds no exposure.
        loaded = pickle.loads(path.read_bytes())
        if isinstance(loaded, kind):
            return loaded
    except Exception:  # missing, truncated, from another build: build it anew
        pass
    built = build()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".catalog-", delete=False) as out:
            out.write(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(out.name, path)  # atomic: a concurrent reader sees all or nothing
    except OSError:
        pass  # a read-only or full cache: this process has its catalog anyway
    return built
