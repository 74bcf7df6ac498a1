"""The results cache of `check` and `fix`: a file analysed before, unchanged, is not analysed again.

An entry holds one file's findings under one key: the file's content hash, and the hashes of the
project files its analysis read (a name re-exported by `utils.py` makes `utils.py` part of the
importer's result). The run's key, the directory entries live in, covers everything else a result
depends on: tfmend and Python versions, the rule files (included ones too), the settings, the
installed TensorFlow/Keras versions and the project's module layout (a module added or removed may
change what an import resolves to).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfmend import __version__
from tfmend.catalog.meta import RULE_CRASHED
from tfmend.catalog.rules import BUILTIN_CATALOG
from tfmend.findings import Finding, Origin, Position, Span

FORMAT = 1
"""Version of the entry layout; entries of another version are never read."""
DIRECTORY = ".tfmend_cache"
"""The cache's directory under the project root, unless the `cache-dir` setting says otherwise."""
LAYOUT_LIMIT = 50_000
"""Past this many source files under the root, the layout is not fingerprinted: no cache."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rule_files(extra: Iterable[Path]) -> list[Path]:
    """Every rules file a catalog reads: the built-in ones, the project's, and their includes."""
    found = sorted(BUILTIN_CATALOG.parent.glob("*.yaml"))
    pending = list(extra)
    while pending:
        path = pending.pop().resolve()
        if path in found:
            continue
        found.append(path)
        pending.extend(path.parent / name for name in _includes(path))
    return found


def _includes(path: Path) -> list[str]:
    """The file names a rules file's `include` list names (unreadable files include nothing)."""
    from tfmend.catalog.yamlsource import LocatedError, load_located_file

    try:
        root = load_located_file(path)
    except (LocatedError, OSError):
        return []
    top = root.value if isinstance(root.value, dict) else {}
    listed = top.get("include")
    if listed is None or not isinstance(listed.value, list):
        return []
    return [item.value for item in listed.value if isinstance(item.value, str) and item.value]


def layout(root: Path, files: list[Path] | None = None) -> str | None:
    """A fingerprint of the project's module files (their paths), or None past LAYOUT_LIMIT.

    `files` are those files when the caller listed them already.
    """
    from tfmend.text.files import iter_source_files

    paths: list[str] = []
    for file in files if files is not None else iter_source_files([root], root=root):
        paths.append(file.relative_to(root).as_posix())
        if len(paths) > LAYOUT_LIMIT:
            return None
    return _digest("\n".join(sorted(paths)).encode())


def run_key(*, parts: Mapping[str, object], rules: Iterable[Path]) -> str:
    """The key of one configuration: `parts` (settings, versions, layout) and the rule files."""
    hashed: dict[str, object] = {
        "format": FORMAT,
        "tfmend": __version__,
        "python": sys.version,
        "rules": [(str(p), _digest(p.read_bytes()) if p.is_file() else None) for p in rules],
        **parts,
    }
    return _digest(json.dumps(hashed, sort_keys=True, default=repr).encode())[:24]


@dataclass
class ResultCache:
    """Entries of one run's key, in `base`/v<FORMAT>/<key>/, one JSON file per source file."""

    base: Path
    key: str
    hits: int = 0
    """Files whose results this run took from the cache."""
    _hashes: dict[Path, str | None] = field(default_factory=dict, repr=False)

    @property
    def directory(self) -> Path:
        """Where this key's entries are."""
        return self.base / f"v{FORMAT}" / self.key

    def _entry(self, resolved: str) -> Path:
        return self.directory / f"{_digest(resolved.encode())[:32]}.json"

    def file_hash(self, path: Path) -> str | None:
        """The content hash of a project file (None when it cannot be read), once per run."""
        if path not in self._hashes:
            try:
                self._hashes[path] = _digest(path.read_bytes())
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def lookup(self, path: Path, digest: str) -> list[Finding] | None:
        """The findings stored for this content of `path`, if every file they read is unchanged.

        A damaged or foreign entry is a miss: the file is analysed and its entry written again.
        """
        resolved = os.path.realpath(path)
        try:
            data = json.loads(self._entry(resolved).read_text(encoding="utf-8"))
            if data["path"] != resolved or data["digest"] != digest:
                return None
            deps: dict[str, str | None] = data["deps"]
            if any(self.file_hash(Path(dep)) != known for dep, known in deps.items()):
                return None
            findings = [_finding(raw) for raw in data["findings"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return findings

    def store(self, path: Path, digest: str, findings: list[Finding], read: Iterable[Path]) -> None:
        """Remember a file's findings (and the project files read for them); never raises.

        Written to a temporary file and renamed over the entry, so that a concurrent run reads
        either the old entry or the new one, never half of one.
        """
        if any(f.code == RULE_CRASHED.code for f in findings):
            return  # a crash is worth retrying: the next run may not crash
        resolved = os.path.realpath(path)
        entry = {
            "path": resolved,
            "digest": digest,
            "deps": {str(p): self.file_hash(p) for p in sorted(set(read))},
            "findings": [_raw(f) for f in findings],
        }
        try:
            self._prepare()
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    # dumps, not dump: json.dump encodes in pure Python, chunk by chunk.
                    out.write(json.dumps(entry, separators=(",", ":")))
                os.replace(temporary, self._entry(resolved))
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a read-only tree or a full disk: the run goes on without the cache

    def _prepare(self) -> None:
        """Create the directory, with a .gitignore that keeps the cache out of version control."""
        if self.directory.is_dir():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.base / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by tfmend; the results cache.\n*\n", encoding="utf-8")


def _span(span: Span) -> list[int]:
    return [span.start.line, span.start.column, span.end.line, span.end.column]


def _from_span(raw: list[int]) -> Span:
    a, b, c, d = (int(v) for v in raw)
    return Span(Position(a, b), Position(c, d))


def _raw(finding: Finding) -> dict[str, Any]:
    origin = finding.origin
    return {
        "code": finding.code,
        "message": finding.message,
        "severity": finding.severity,
        "span": _span(finding.span),
        "api": finding.api,
        "name": finding.name,
        "fix": finding.fix,
        "fix_note": finding.fix_note,
        "deprecated": finding.deprecated,
        "origin": None if origin is None else [origin.path, _span(origin.span), origin.text],
        "on_import": finding.on_import,
        "suggestions": list(finding.suggestions),
    }


def _finding(raw: dict[str, Any]) -> Finding:
    origin = raw["origin"]
    return Finding(
        code=str(raw["code"]),
        message=str(raw["message"]),
        severity=raw["severity"],
        span=_from_span(raw["span"]),
        api=str(raw["api"]),
        name=str(raw["name"]),
        fix=raw["fix"],
        fix_note=str(raw["fix_note"]),
        deprecated=bool(raw["deprecated"]),
        origin=None if origin is None else Origin(origin[0], _from_span(origin[1]), str(origin[2])),
        on_import=bool(raw["on_import"]),
        suggestions=tuple(str(s) for s in raw["suggestions"]),
    )
