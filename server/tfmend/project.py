"""Names re-exported through the user's own modules, resolved with jedi hop chains."""

from __future__ import annotations

import ast
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfmend.analysis import ParsedModule, ResolvedName
from tfmend.bindings import Chain, ImportBinding
from tfmend.findings import Origin

_MAX_HOPS = 8


@dataclass
class _Landed:
    """A module file read once per modification time."""

    mtime: float
    module: ParsedModule | None


@dataclass
class JediProject:
    """Resolves project-local imports: `from .utils import K` where utils.py imported Keras.

    jedi is not thread-safe: callers use one instance from one thread (the lock makes misuse
    safe rather than fast).
    """

    root: Path
    cache: dict[tuple[Any, ...], ResolvedName | None] = field(default_factory=dict)
    dependents: dict[Path, set[Path]] = field(default_factory=dict)
    """Exporting file → files whose names were resolved through it."""

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self._lock = threading.Lock()
        self._files: dict[Path, _Landed] = {}
        self._project: Any = None
        self._environment: Any = None

    def invalidate(self, path: Path | None = None) -> set[Path]:
        """Forget cached resolutions (those through `path`, or all); return files to recheck."""
        with self._lock:
            if path is None:
                affected = {p for paths in self.dependents.values() for p in paths}
                self.cache.clear()
                self._files.clear()
                self.dependents.clear()
                return affected
            path = path.resolve()
            self._files.pop(path, None)
            affected = self.dependents.pop(path, set())
            self.cache = {k: v for k, v in self.cache.items() if k[0] not in affected | {path}}
            return affected

    def _in_project(self, path: Path | None) -> bool:
        if path is None:
            return False
        try:
            path.resolve().relative_to(self.root)
        except ValueError:
            return False
        return "site-packages" not in path.parts

    def _may_be_local(self, imported: ImportBinding) -> bool:
        if imported.level > 0:
            return True
        top = imported.target.split(".", 1)[0]
        if isinstance(imported.statement, ast.ImportFrom) and imported.statement.module:
            top = imported.statement.module.split(".", 1)[0]
        return any(
            (base / top).is_dir() or (base / f"{top}.py").is_file()
            for base in (self.root, self.root / "src")
        )

    def resolve(
        self, module: ParsedModule, chain: Chain, imported: ImportBinding, upto: int
    ) -> ResolvedName | None:
        """What `chain.nodes[upto]` refers to when it reaches TF/Keras through project modules."""
        if module.path is None or not self._may_be_local(imported):
            return None
        node = chain.nodes[upto]
        if isinstance(node, ast.Attribute):
            line = node.end_lineno or node.lineno
            _, end = module.lines.from_ast(line, node.end_col_offset or 0)
            column = end - len(node.attr)
        else:
            line = node.lineno
            _, column = module.lines.from_ast(line, node.col_offset)
        path = module.path.resolve()
        key = (path, module.segment(node), module.segment(imported.statement), upto)
        with self._lock:
            if key in self.cache:
                return self.cache[key]
            result, visited = self._hop(module, path, line, column)
            self.cache[key] = result
            for through in visited:
                self.dependents.setdefault(through, set()).add(path)
            return result

    def _script(self, text: str, path: Path) -> Any:
        import jedi

        if self._project is None:
            self._project = jedi.Project(self.root)
            self._environment = jedi.InterpreterEnvironment()
        return jedi.Script(
            text, path=str(path), project=self._project, environment=self._environment
        )

    def _hop(
        self, module: ParsedModule, path: Path, line: int, column: int
    ) -> tuple[ResolvedName | None, set[Path]]:
        visited: set[Path] = set()
        script = self._script(module.text, path)
        here = (path, line, column)
        landing: tuple[Path, int, int, str] | None = None
        for _ in range(_MAX_HOPS):
            try:
                names = script.goto(here[1], here[2], follow_imports=False)
            except Exception:  # jedi raises many kinds on odd code; a miss is not an error here
                return None, visited
            if not names:
                break
            found = names[0]
            found_path = Path(found.module_path) if found.module_path else None
            if found_path is None or not self._in_project(found_path) or found.line is None:
                break
            found_path = found_path.resolve()
            next_here = (found_path, found.line, found.column)
            if next_here == here:
                break
            landing = (found_path, found.line, found.column, found.name)
            here = next_here
            if found_path != path:
                visited.add(found_path)
            landed = self._module(found_path)
            if landed is None:
                break
            script = self._script(landed.text, found_path)
        if landing is None or landing[0] == path:
            return None, visited
        landed = self._module(landing[0])
        if landed is None:
            return None, visited
        resolution = landed.bindings.module_resolution(landing[3])
        if resolution is None:
            return None, visited
        for imported in resolution.imports:
            if imported.tracked and imported.alias.lineno == landing[1]:
                origin = Origin(
                    str(landing[0]), landed.span(imported.alias), landed.segment(imported.statement)
                )
                return ResolvedName(imported.target, origin), visited
        tracked = [i for i in resolution.imports if i.tracked]
        if tracked:
            first = tracked[0]
            origin = Origin(
                str(landing[0]), landed.span(first.alias), landed.segment(first.statement)
            )
            return ResolvedName(first.target, origin), visited
        return None, visited

    def _module(self, path: Path) -> ParsedModule | None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        cached = self._files.get(path)
        if cached is not None and cached.mtime == mtime:
            return cached.module
        try:
            from tfmend.sourcetext import decode_source

            module: ParsedModule | None = ParsedModule(decode_source(path.read_bytes()).text, path)
        except Exception:  # an unreadable or broken exporting file resolves nothing
            module = None
        self._files[path] = _Landed(mtime, module)
        return module


@dataclass
class _FileImports:
    mtime: float
    from_imports: set[tuple[str, str]]
    """(absolute module, name) of each `from module import name`."""
    whole_modules: set[str]
    attributes: set[str]
    """Attribute names the file uses (`utils.K` uses `K`), for `import utils` importers."""


class ImportIndex:
    """Which names other project modules import from a module, so fixes keep those imports."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, _FileImports] = {}

    def module_names(self, path: Path) -> set[str]:
        """Dotted names a file is importable as, from the project root or its src/."""
        names = set()
        for base in (self.root, self.root / "src"):
            try:
                relative = path.resolve().with_suffix("").relative_to(base)
            except ValueError:
                continue
            parts = list(relative.parts)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                names.add(".".join(parts))
        return names

    def imported_from(self, path: Path, name: str) -> bool:
        """Whether another project file imports `name` from the module at `path`."""
        modules = self.module_names(path)
        if not modules:
            return False
        from tfmend.files import iter_source_files

        target = path.resolve()
        for other in iter_source_files([self.root], root=self.root):
            if other.suffix != ".py" or other.resolve() == target:
                continue
            found = self._imports(other)
            if found is None:
                continue
            if any((module, name) in found.from_imports for module in modules):
                return True
            if name in found.attributes and modules & found.whole_modules:
                return True
        return False

    def _imports(self, path: Path) -> _FileImports | None:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return None
        cached = self._files.get(path)
        if cached is not None and cached.mtime == mtime:
            return cached
        found = _FileImports(mtime, set(), set(), set())
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
            tree = ast.parse(text) if "import" in text else None
        except (OSError, SyntaxError, ValueError):
            tree = None
        if tree is not None:
            package = self.module_names(path)
            base = next(iter(sorted(package)), "").split(".")
            if path.name != "__init__.py":
                base = base[:-1]
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom):
                    prefix = base[: len(base) - node.level + 1] if node.level else []
                    module = ".".join([*prefix, *(node.module.split(".") if node.module else [])])
                    found.from_imports.update((module, a.name) for a in node.names)
                elif isinstance(node, ast.Import):
                    found.whole_modules.update(a.name for a in node.names)
                elif isinstance(node, ast.Attribute):
                    found.attributes.add(node.attr)
        self._files[path] = found
        return found
