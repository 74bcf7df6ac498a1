"""The built-in catalog kept between processes, pickled in the user cache directory: building it
parses 24,000 lines of YAML and every rule's template, 0.45 s of CPU, more than the rest of the
server's start.

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


def default_cache_dir() -> Path:
    """$TFMEND_CACHE_DIR, else the platform's user cache directory for tfmend."""
    override = os.environ.get("TFMEND_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("tfmend"))


def write_atomic(path: Path, data: bytes) -> bool:
    """Write the file whole or not at all (a concurrent reader sees all or nothing); whether it
    was written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.stem}-", delete=False
        ) as out:
            out.write(data)
        os.replace(out.name, path)
    except OSError:
        return False
    return True


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
    # A read-only or full cache is passed over: this process has its catalog anyway.
    write_atomic(path, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    return built
