"""The installed API surface: every public TensorFlow/Keras name of one environment, cached.

The index is built once per environment by the worker (it imports TensorFlow and walks the public
modules of tensorflow, keras and tf_keras) and cached as a JSON file keyed by the interpreter path
and the three packages' versions. Lookups walk a graph of dicts: a few dict hits per name.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfmend.catalog.cached import default_cache_dir
from tfmend.worker.client import WorkerClient, WorkerError, resolve_python

FORMAT = 1
"""Version of the cache file layout; another value means rebuild."""
PACKAGES = ("tensorflow", "keras", "tf_keras")
BUILD_TIMEOUT = 600.0
"""Seconds for importing TensorFlow and walking it on a slow, cold machine."""
HELLO_TIMEOUT = 60.0

Warn = Callable[[str], None]


class SurfaceError(Exception):
    """The surface cannot be built: no such interpreter, or the worker failed."""


@dataclass
class Surface:
    """The public names of one environment's TensorFlow, Keras and tf_keras."""

    python: str
    """The interpreter the index describes (absolute path)."""
    python_version: str
    versions: Mapping[str, str | None]
    """tensorflow, keras, tf_keras → installed version, or None when not installed."""
    legacy_keras: bool = False
    """Whether TF_USE_LEGACY_KERAS made `tensorflow.keras` the tf_keras package."""
    roots: Mapping[str, int] = field(default_factory=dict)
    nodes: list[tuple[str, dict[str, int | str]]] = field(default_factory=list)
    reason: str | None = None
    """Why there is no index (TensorFlow not installed), else None."""
    cache_file: Path | None = None
    built_ms: int | None = None
    """How long building took, when this call built it (None when read from the cache)."""

    @property
    def available(self) -> bool:
        """Whether the environment has TensorFlow and the index is usable."""
        return self.reason is None

    def _find(self, qualname: str) -> tuple[str | int | None, list[str], int]:
        """(what the longest existing prefix is, the parts, how many parts matched)."""
        parts = qualname.split(".")
        start = self.roots.get(parts[0])
        if start is None:
            return None, parts, 0
        current: int | str = start
        for index in range(1, len(parts)):
            if isinstance(current, str):
                return current, parts, index
            member = self.nodes[current][1].get(parts[index])
            if member is None:
                return current, parts, index
            current = member
        return current, parts, len(parts)

    def exists(self, qualname: str) -> bool | None:
        """Whether the name exists; None when its package, or the module holding it, is not indexed.

        A module that is not walked (`keras.src`, `tensorflow.python`) and attributes of values
        (`tensorflow.float32.name`) cannot be told apart from missing names, so they give None.
        """
        found, parts, matched = self._find(qualname)
        if found is None:
            return None
        if matched == len(parts):
            return True
        if isinstance(found, str):  # a leaf: an unwalked module, a function, a value
            return None
        return False

    def kind(self, qualname: str) -> str | None:
        """module, class, function or other; None when the name does not exist or is unknown."""
        found, parts, matched = self._find(qualname)
        if found is None or matched != len(parts):
            return None
        return found if isinstance(found, str) else self.nodes[found][0]

    def closest(self, qualname: str, n: int = 3) -> list[str]:
        """Existing names close to a missing one: siblings of its first missing part (difflib)."""
        found, parts, matched = self._find(qualname)
        if not isinstance(found, int) or matched == len(parts):
            return []
        siblings = list(self.nodes[found][1])
        prefix = ".".join(parts[:matched])
        rest = parts[matched + 1 :]
        out: list[str] = []
        for candidate in difflib.get_close_matches(parts[matched], siblings, n=n * 3):
            name = ".".join([prefix, candidate, *rest])
            if not rest or self.exists(name):
                out.append(name)
            if len(out) == n:
                break
        return out

    def size(self) -> int:
        """How many (module or class, member) pairs the index holds."""
        return sum(len(members) for _kind, members in self.nodes)


def cache_path(cache_dir: Path, python: str, legacy_keras: bool = False) -> Path:
    """The cache file of one interpreter (its versions are checked inside)."""
    key = f"{python}\0{'legacy' if legacy_keras else ''}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
    return cache_dir / "surface" / f"{digest}.json"


def load_surface(
    python: str | None = None,
    cache_dir: Path | None = None,
    *,
    warn: Warn | None = None,
    rebuild: bool = False,
    memory_mb: int | None = None,
) -> Surface:
    """The surface of an environment: from the cache when its versions match, else built.

    Raises SurfaceError for a missing interpreter or a failing worker. An environment without
    TensorFlow gives a Surface whose `reason` says so (the caller says it once and goes on with
    the catalog alone). A corrupt cache file is rebuilt after a call to `warn`.
    """
    try:
        interpreter = resolve_python(python)
    except WorkerError as exc:
        raise SurfaceError(str(exc)) from exc
    client = WorkerClient(interpreter, memory_mb=memory_mb)
    try:
        try:
            hello = client.hello(timeout=HELLO_TIMEOUT)
        except WorkerError as exc:
            raise SurfaceError(f"{interpreter}: cannot start the worker: {exc}") from exc
        versions: dict[str, str | None] = {p: hello.packages.get(p) for p in PACKAGES}
        legacy = hello.legacy_keras
        path = cache_path(cache_dir or default_cache_dir(), interpreter, legacy)
        if versions["tensorflow"] is None:
            return Surface(
                interpreter,
                hello.python,
                versions,
                legacy,
                reason=f"TensorFlow is not installed in {interpreter}",
            )
        if not rebuild:
            cached = _read_cache(path, interpreter, versions, legacy, warn)
            if cached is not None:
                return cached
        started = time.monotonic()
        try:
            index = client.request("surface", timeout=BUILD_TIMEOUT)
        except WorkerError as exc:
            raise SurfaceError(f"{interpreter}: building the API surface failed: {exc}") from exc
        surface = Surface(
            interpreter,
            hello.python,
            versions,
            legacy,
            roots=index["roots"],
            nodes=[(kind, members) for kind, members in index["nodes"]],
            cache_file=path,
            built_ms=round((time.monotonic() - started) * 1000),
        )
        _write_cache(path, surface)
        return surface
    finally:
        client.close()


_LOADED: dict[tuple[str, Path | None], Surface] = {}
_LOADED_LOCK = threading.Lock()


def surface_for(
    python: str | None = None,
    cache_dir: Path | None = None,
    *,
    warn: Warn | None = None,
    refresh: bool = False,
) -> Surface:
    """`load_surface`, once per interpreter and cache directory in this process.

    `refresh` reloads (after the environment changed: new packages, another TF_USE_LEGACY_KERAS).
    """
    try:
        key = (resolve_python(python), cache_dir)
    except WorkerError as exc:
        raise SurfaceError(str(exc)) from exc
    with _LOADED_LOCK:
        if refresh or key not in _LOADED:
            _LOADED[key] = load_surface(key[0], cache_dir, warn=warn)
        return _LOADED[key]


def _read_cache(
    path: Path, python: str, versions: Mapping[str, str | None], legacy: bool, warn: Warn | None
) -> Surface | None:
    """The cached surface when it is intact and for these versions; None means rebuild."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        _warn(warn, f"cannot read the API surface cache {path}: {exc}; rebuilding it")
        return None
    try:
        data = json.loads(text)
        if data["format"] != FORMAT or data["python"] != python:
            raise ValueError("another format or interpreter")
        if data["versions"] != dict(versions) or data["legacy_keras"] != legacy:
            return None  # stale: the packages were upgraded
        nodes = [(str(kind), dict(members)) for kind, members in data["nodes"]]
        roots = {str(name): int(index) for name, index in data["roots"].items()}
        _check_graph(roots, nodes)
        return Surface(
            python,
            str(data["python_version"]),
            versions,
            legacy,
            roots=roots,
            nodes=nodes,
            cache_file=path,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        _warn(warn, f"the API surface cache {path} is corrupt ({exc}); rebuilding it")
        return None


_KINDS = frozenset({"module", "class", "function", "other"})


def _check_graph(roots: Mapping[str, int], nodes: list[tuple[str, dict[str, int | str]]]) -> None:
    """Raise ValueError unless every reference stays inside the index (lookups never fail)."""
    count = len(nodes)
    for index in roots.values():
        if not 0 <= index < count:
            raise ValueError(f"root {index} outside the index")
    for kind, members in nodes:
        if kind not in _KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        for value in members.values():
            if isinstance(value, int) and not isinstance(value, bool):
                if not 0 <= value < count:
                    raise ValueError(f"member {value} outside the index")
            elif value not in _KINDS:
                raise ValueError(f"unknown kind {value!r}")


def _write_cache(path: Path, surface: Surface) -> None:
    """Write the cache file atomically (a reader never sees half a file)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "python": surface.python,
        "python_version": surface.python_version,
        "versions": dict(surface.versions),
        "legacy_keras": surface.legacy_keras,
        "roots": dict(surface.roots),
        "nodes": [[kind, members] for kind, members in surface.nodes],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".surface-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _warn(warn: Warn | None, message: str) -> None:
    if warn is not None:
        warn(message)
    else:
        import logging

        logging.getLogger("tfmend").warning(message)
