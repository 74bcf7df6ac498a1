"""The bytecode of the methods attrs, cattrs and dataclasses generate, kept between server starts.

attrs compiles an `__init__`, `__eq__`, ... for each of lsprotocol's 570 classes as they are
imported, dataclasses does the same for libcst's nodes and cattrs for each message type the
first time one is read or sent: 1,100 calls of `compile`, a third of the server's CPU to its
first diagnostics. The generated source is the same at every start, and so is its bytecode: it
is kept (marshal, keyed by a digest of source, file name, mode and compiler flags) in the user
cache directory beside the catalog's, and looked up before compiling. What a start compiled is
added to it a few seconds in (the first diagnostics are out by then) and when the server exits,
also when it is ended (SIGTERM) or exits because the editor is gone.

Only the `compile` (and `exec` of a string) these three libraries call is replaced, by setting
the name in their module's globals; any other code compiles as before.
"""

from __future__ import annotations
import __future__

import builtins
import functools
import hashlib
import logging
import marshal
import sys
import threading
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, cast

from tfmend.catalog.cached import default_cache_dir, write_atomic

logger = logging.getLogger(__name__)

NAME = f"server-code.{sys.implementation.cache_tag}.marshal"
"""One file per Python bytecode version (marshal and bytecode change with it)."""
KEEP_UNUSED = 500
"""Snippets kept beyond twice what a process used (other clients need other converters)."""
SAVE_AFTER = (5.0, 30.0)
"""Seconds after the start at which what was compiled is written back."""
_FUTURE = [getattr(__future__, name) for name in __future__.all_feature_names]


class CodeCache:
    """Compiled code by digest: what the file held, and what this process used."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored: dict[bytes, bytes] = {}
        self._used: dict[bytes, bytes | CodeType] = {}
        self._lock = threading.Lock()
        self._dirty = False
        try:
            # The user's own cache directory, as the catalog's pickle: loading it adds no
            # exposure.
            loaded = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            loaded = None  # none yet, or unreadable: compiled as without it, and written anew
        if isinstance(loaded, dict):
            self._stored = loaded

    def compile(self, source: str, filename: str, mode: str, flags: int) -> CodeType:
        """What `compile(source, filename, mode, flags, dont_inherit=True)` gives."""
        key = hashlib.blake2b(
            f"{mode}\0{flags}\0{filename}\0{source}".encode(), digest_size=16
        ).digest()
        stored = self._stored.get(key)
        if stored is not None:
            try:
                code = marshal.loads(stored)
            except (EOFError, ValueError, TypeError):
                code = None
            if isinstance(code, CodeType):
                self._used[key] = stored
                return code
        code = cast(CodeType, builtins.compile(source, filename, mode, flags, dont_inherit=True))
        self._used[key] = code
        self._dirty = True
        return code

    def save(self) -> None:
        """Write what the file held and this process compiled, if it compiled anything new;
        only what this process used once the file would hold twice that and more (what older
        versions of the libraries generated goes, what another client's messages need stays)."""
        with self._lock:
            if not self._dirty:
                return
            self._dirty = False
            used = dict(self._used)
        entries = {k: v if isinstance(v, bytes) else marshal.dumps(v) for k, v in used.items()}
        if len(self._stored.keys() | entries.keys()) <= 2 * len(entries) + KEEP_UNUSED:
            entries = {**self._stored, **entries}
        if write_atomic(self.path, marshal.dumps(entries)):
            logger.debug("kept %d compiled snippets in %s", len(entries), self.path)

    def save_later(self) -> None:
        """Save at each of SAVE_AFTER, on a daemon thread."""

        def run() -> None:
            waited = 0.0
            for delay in SAVE_AFTER:
                threading.Event().wait(delay - waited)
                waited = delay
                self.save()

        threading.Thread(target=run, name="tfmend-code-cache", daemon=True).start()


def _future_flags(module: ModuleType) -> int:
    """The `from __future__` flags the module was compiled with, which its calls of `compile`
    and `exec` pass on to the code they compile."""
    flags = 0
    for value in vars(module).values():
        if any(value is feature for feature in _FUTURE):
            flags |= value.compiler_flag
    return flags


def _patch(module: ModuleType, cache: CodeCache) -> None:
    flags = _future_flags(module)

    def compile_(source: Any, filename: Any, mode: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return builtins.compile(source, filename, mode, *args, **kwargs)
        return cache.compile(source, filename, mode, flags)

    def exec_(source: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(source, str):
            source = cache.compile(source, "<string>", "exec", flags)
        return builtins.exec(source, *args, **kwargs)

    module.compile = compile_  # type: ignore[attr-defined]
    module.exec = exec_  # type: ignore[attr-defined]


@functools.cache
def install() -> CodeCache:
    """Route the generated code of attrs, cattrs and dataclasses through the user's cache
    (before lsprotocol, pygls or libcst is imported); once per process."""
    cache = CodeCache(default_cache_dir() / NAME)
    import dataclasses

    modules: list[ModuleType] = [dataclasses]
    try:
        import attr._make
        import cattrs.gen
        import cattrs.gen.typeddicts
    except ImportError:  # another layout of these libraries: they compile as they always did
        pass
    else:
        modules += [attr._make, cattrs.gen, cattrs.gen.typeddicts]
    for module in modules:
        _patch(module, cache)
    cache.save_later()
    return cache


def save_installed() -> None:
    """Save the cache this process installed, if any (the server's exits that skip `finally`)."""
    if install.cache_info().currsize:
        install().save()
