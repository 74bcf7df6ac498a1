"""Names re-exported through the user's own modules, resolved with jedi hop chains."""

from __future__ import annotations

import ast
import os
import re
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.machinery import PathFinder
from pathlib import Path
from typing import Any

from tfmend.findings import Origin
from tfmend.resolve.bindings import Chain, ImportBinding
from tfmend.resolve.module import ParsedModule, ResolvedName

_MAX_HOPS = 8
_RECENT = 32
"""Checked modules kept for resolving names through them (a bound: memory)."""
_SYS_PATH = re.compile(r"\bsys\b[\s\\]*\.[\s\\]*path\b")
"""A `sys.path` use, as jedi reads one (whitespace and line continuations allowed)."""


@dataclass
class _Landed:
    """A module file read once per version: its modification time, or its unsaved text."""

    version: object
    module: ParsedModule | None


@dataclass(frozen=True)
class _Landing:
    """Where a jedi hop chain ended inside the project: a name bound in a file, or a module."""

    path: Path
    name: str | None
    """The bound name; None when the chain ended on the module itself."""
    line: int = 0


@dataclass
class JediProject:
    """Resolves project-local imports: `from .utils import K` where utils.py imported Keras.

    jedi finds which project file a name comes from (hop chains through re-exports); the
    attribute chain after a project module (`utils.K.mean`) is then followed through that file's
    own import bindings. jedi is not thread-safe: use one instance from one thread (the lock
    makes misuse safe rather than fast).
    """

    root: Path
    cache: dict[tuple[Any, ...], ResolvedName | None] = field(default_factory=dict)
    dependents: dict[Path, set[Path]] = field(default_factory=dict)
    """Exporting file → files whose names were resolved through it."""

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self._lock = threading.Lock()
        self._files: dict[Path, _Landed] = {}
        self._landings: dict[tuple[Any, ...], tuple[_Landing | None, set[Path]]] = {}
        self._scripts: dict[tuple[Path, int], Any] = {}
        self._local_tops: dict[str, bool] = {}
        self._overlay: dict[Path, str] = {}
        """Unsaved editor text of project files, by path."""
        self._stems: set[str] | None = None
        self._changes = 0
        self._own_changes: dict[Path, int] = {}
        self._project: Any = None
        self._environment: Any = None
        self._facts: dict[tuple[Path | None, int], dict[str, list[str | None]] | None] = {}
        self._searches: dict[Path, list[str]] = {}
        self._entries: dict[str, frozenset[str]] = {}
        self._reals: dict[Path, Path] = {}
        self._recent: OrderedDict[Path, ParsedModule] = OrderedDict()
        """The last modules checked (offer), by resolved path."""

    def invalidate(self, path: Path | None = None) -> set[Path]:
        """Forget cached resolutions (those through `path`, or all); return files to recheck."""
        with self._lock:
            self._changes += 1
            # Paths, directory listings and jedi's search paths may have changed with the file.
            self._reals.clear()
            self._entries.clear()
            self._searches.clear()
            if path is not None:
                own = path.resolve()
                self._own_changes[own] = self._own_changes.get(own, 0) + 1
            if path is None:
                affected = {p for paths in self.dependents.values() for p in paths}
                self.cache.clear()
                self._landings.clear()
                self._files.clear()
                self._recent.clear()
                self._scripts.clear()
                self._local_tops.clear()
                self._stems = None
                self.dependents.clear()
                return affected
            path = path.resolve()
            self._files.pop(path, None)
            affected = self.dependents.pop(path, set())
            stale = affected | {path}
            self.cache = {k: v for k, v in self.cache.items() if k[0] not in stale}
            self._landings = {k: v for k, v in self._landings.items() if k[0] not in stale}
            self._scripts = {k: v for k, v in self._scripts.items() if k[0] not in stale}
            return affected

    def changes_besides(self, path: Path) -> int:
        """How many times resolutions were forgotten because of files other than `path` (what
        its own findings may depend on)."""
        with self._lock:
            return self._changes - self._own_changes.get(path.resolve(), 0)

    def read_for(self, path: Path) -> set[Path]:
        """The project files that resolving names of `path` has read so far."""
        path = path.resolve()
        with self._lock:
            return {through for through, files in self.dependents.items() if path in files}

    def _real(self, path: Path) -> Path:
        """`path.resolve()`, remembered until the next invalidation (a check asks it for every
        chain it resolves, and realpath costs a stat per component)."""
        real = self._reals.get(path)
        if real is None:
            real = self._reals[path] = path.resolve()
        return real

    def _in_project(self, path: Path | None) -> bool:
        if path is None:
            return False
        try:
            self._real(path).relative_to(self.root)
        except ValueError:
            return False
        return "site-packages" not in path.parts

    def _may_be_local(self, imported: ImportBinding) -> bool:
        """Whether an import may name a project module (cheap checks before any jedi work)."""
        if imported.level > 0:
            return True
        top = imported.target.split(".", 1)[0]
        if isinstance(imported.statement, ast.ImportFrom) and imported.statement.module:
            top = imported.statement.module.split(".", 1)[0]
        if top not in self._local_tops:
            self._local_tops[top] = top not in sys.stdlib_module_names and (
                any((base / top).is_dir() or (base / f"{top}.py").is_file()
                    for base in (self.root, self.root / "src"))
                # A module of that name somewhere in the project that is not importable from
                # its root: the project may put it on sys.path itself, which jedi understands.
                or (top in self._module_stems() and PathFinder.find_spec(top) is None)
            )  # fmt: skip
        return self._local_tops[top]

    def _module_stems(self) -> set[str]:
        """Names of every module and package directory in the project (read once)."""
        if self._stems is None:
            from tfmend.text.files import iter_source_files

            self._stems = set()
            for file in iter_source_files([self.root], root=self.root):
                self._stems.add(file.stem)
                self._stems.update(file.relative_to(self.root).parts[:-1])
        return self._stems

    def resolve(
        self, module: ParsedModule, chain: Chain, imported: ImportBinding
    ) -> ResolvedName | None:
        """The TF/Keras name a chain reaches through project modules, and how much it used."""
        if module.path is None or not self._may_be_local(imported):
            return None
        path = self._real(module.path)
        statement = module.segment(imported.statement)
        key = (path, statement, chain.base, tuple(chain.attributes))
        with self._lock:
            if key in self.cache:
                return self.cache[key]
            visited: set[Path] = set()
            landing = self._land_base(module, path, imported, chain, visited)
            result = self._follow(landing, chain.attributes, visited) if landing else None
            self.cache[key] = result
            for through in visited - {path}:
                self.dependents.setdefault(through, set()).add(path)
            return result

    def imported_module(self, module: ParsedModule, imported: ImportBinding) -> ParsedModule | None:
        """The project module that defines a name imported with `from ... import name` (read
        from the files, never with jedi), recorded as read for `module`."""
        if module.path is None or not isinstance(imported.statement, ast.ImportFrom):
            return None
        if not self._may_be_local(imported):
            return None
        path = module.path.resolve()
        with self._lock:
            landing = self._import_landing(path, imported, imported.name)
            if landing is None or landing.name is None:
                return None
            landed = self._module(landing.path)
            if landed is not None:
                self.dependents.setdefault(landing.path, set()).add(path)
            return landed

    def _land_base(
        self,
        module: ParsedModule,
        path: Path,
        imported: ImportBinding,
        chain: Chain,
        visited: set[Path],
    ) -> _Landing | None:
        """Where the chain's base name comes from: the import's file, else jedi's hop chain."""
        key = (path, module.segment(imported.statement), chain.base)
        if key not in self._landings:
            hops: set[Path] = set()
            landing = self._import_landing(path, imported, chain.base)
            if landing is None and self._jedi_may_land(module, path, imported, chain.base):
                node = chain.nodes[0]
                line, column = module.lines.from_ast(node.lineno, node.col_offset)
                landing = self._hop(module.text, path, line + 1, column, hops)
            self._landings[key] = (landing, hops)
        landing, hops = self._landings[key]
        visited.update(hops)
        if landing is not None:
            visited.add(landing.path)
        return landing

    def _import_landing(self, path: Path, imported: ImportBinding, name: str) -> _Landing | None:
        """Where a project import leads, found by following the files themselves.

        This covers relative imports and modules under the project root (or its src/); what it
        cannot place (sys.path tricks, namespace packages) is left to jedi.
        """
        statement = imported.statement
        if isinstance(statement, ast.ImportFrom):
            module_file = self._module_file(path, imported.level, statement.module or "")
            if module_file is None:
                return None
            if imported.alias.name == "*":
                return _Landing(module_file, name)
            landed = self._module(module_file)
            submodule = _submodule(module_file, imported.alias.name)
            if submodule is not None and (
                landed is None or landed.bindings.module_resolution(imported.alias.name) is None
            ):
                return _Landing(submodule, None)
            return _Landing(module_file, imported.alias.name)
        module_file = self._module_file(path, 0, imported.target)
        return _Landing(module_file, None) if module_file is not None else None

    def _module_file(self, path: Path, level: int, dotted: str) -> Path | None:
        """The file of a module imported from `path` (relative when `level` > 0)."""
        parts = dotted.split(".") if dotted else []
        if level:
            base = path.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            bases = [self.root, self.root / "src", _package_root(path.parent), path.parent]
        for base in bases:
            candidate = base.joinpath(*parts)
            files = [candidate / "__init__.py"]
            if parts:
                files.insert(0, candidate.with_suffix(".py"))
            for file in files:
                if file.is_file() and self._in_project(file):
                    return self._real(file)
        return None

    def _follow(
        self, landing: _Landing, attributes: list[str], visited: set[Path], depth: int = 0
    ) -> ResolvedName | None:
        """Follow a landing (and then the attribute chain) to a TF/Keras import binding."""
        if depth > _MAX_HOPS:
            return None
        landed = self._module(landing.path)
        if landed is None:
            return None
        if landing.name is not None:
            return self._binding(
                landed=landed, path=landing.path, name=landing.name, line=landing.line, used=0,
                visited=visited, rest=attributes, depth=depth,
            )  # fmt: skip
        # The chain reached a project module: its next attribute is a name bound in that module,
        # or one of its submodules.
        if not attributes:
            return None
        name, rest = attributes[0], attributes[1:]
        submodule = _submodule(landing.path, name)
        if submodule is not None and landed.bindings.module_resolution(name) is None:
            visited.add(submodule)
            found = self._follow(_Landing(submodule, None), rest, visited, depth + 1)
            return _consumed(found, 1)
        return self._binding(
            landed=landed, path=landing.path, name=name, line=0, used=1, visited=visited,
            rest=rest, depth=depth,
        )  # fmt: skip

    def _binding(
        self,
        *,
        landed: ParsedModule,
        path: Path,
        name: str,
        line: int,
        used: int,
        visited: set[Path],
        rest: list[str],
        depth: int,
    ) -> ResolvedName | None:
        """Resolve `name` bound at module level in `landed`; `used` attributes were consumed."""
        resolution = landed.bindings.module_resolution(name)
        imports = resolution.imports if resolution is not None else []
        via = list(resolution.via) if resolution is not None else []
        if not imports:
            imports = list(landed.bindings.module.stars)
        if not imports:
            return None
        exact = [i for i in imports if i.alias.lineno == line] or imports
        # A switch between `from tensorflow import keras` and `import keras` (both Keras 3) reads
        # as `keras`: tf.keras keeps legacy copies of the Keras 2 backend functions that
        # `keras.backend` lost, so only that reading shows the uses that fail where the switch
        # takes `import keras`, and their fixes run under tf.keras too.
        exact = sorted(exact, key=_tf_keras_binding)
        for imported in exact:
            if imported.tracked:
                # `backend = keras.backend` re-exports `keras.backend`, not `keras`.
                target = ".".join([imported.target, *via])
                if imported.alias.name == "*":
                    target = f"{imported.target}.{name}"
                origin = Origin(str(path), landed.span(imported.alias),
                                landed.segment(imported.statement))  # fmt: skip
                return ResolvedName(target, origin, used)
        for imported in exact:
            # A re-export of a re-export: follow that import, by its file or else with jedi.
            landing = self._import_landing(path, imported, name)
            if landing is None and self._jedi_may_land(landed, path, imported):
                alias = imported.alias
                column = landed.lines.from_ast(alias.lineno, alias.col_offset)[1]
                landing = self._hop(landed.text, path, alias.lineno, column, visited)
                if landing is not None and alias.name == "*":
                    landing = _Landing(landing.path, name)
            if landing is None or (landing.path, landing.name) == (path, name):
                continue
            visited.add(landing.path)
            return _consumed(self._follow(landing, rest, visited, depth + 1), used)
        return None

    def _jedi_may_land(
        self, module: ParsedModule, path: Path, imported: ImportBinding, use: str | None = None
    ) -> bool:
        """Whether jedi's goto may end in another project file: from the alias of `imported`,
        or from a use of the name `use` in `module` (then any import of that name there may be
        the one jedi takes).

        jedi finds an absolute import's first module on its sys.path for the asking file: the
        project root, the file's parent directories, this interpreter's sys.path, buildout
        scripts' paths and the file's own `sys.path` changes. When no directory of those
        that lies in the project (or above it) has an entry of that name, the goto cannot
        leave the file or the project, and `_hop` would find nothing; otherwise jedi is asked.
        Most of the corpus's misses are such imports (`gym`, when another package of the tree
        has a `gym` folder): asking jedi cost them a parso parse of the file each.
        """
        facts = self._import_facts(module)
        if facts is None:
            return True  # a star import or `sys.path` changes: jedi may go anywhere
        tops = [_import_top(imported.statement, imported.alias)]
        if use is not None:
            tops += facts.get(use, [])
        if any(top is None for top in tops):
            return True  # a relative import: jedi places it as the file's package
        search = self._jedi_search(path)
        if search is None:
            return True
        return any(self._dir_has(directory, top) for top in tops if top for directory in search)

    def _import_facts(self, module: ParsedModule) -> dict[str, list[str | None]] | None:
        """The top-level module of each import of each name bound by an import in the module
        (None for a relative one); None when a star import or `sys.path` use may make
        jedi's answer another file's."""
        key = (module.path, hash(module.text))
        if key in self._facts:
            return self._facts[key]
        facts: dict[str, list[str | None]] | None = None
        statements = list(_import_statements(module.tree.body))
        if not _SYS_PATH.search(module.text) and not any(
            alias.name == "*" for statement in statements for alias in statement.names
        ):
            facts = {}
            for statement in statements:
                for alias in statement.names:
                    bound = alias.asname or alias.name.split(".", 1)[0]
                    facts.setdefault(bound, []).append(_import_top(statement, alias))
        self._facts[key] = facts
        return facts

    def _jedi_search(self, path: Path) -> list[str] | None:
        """The directories where jedi may find a project module imported from `path`: the
        root, the file's directories under it, and this interpreter's sys.path entries in the
        project or above it. None when a buildout.cfg above the file adds paths of its own."""
        directory = path.parent
        found = self._searches.get(directory)
        if found is not None:
            return found or None
        parents = [directory, *directory.parents]
        if any(self._dir_has(str(parent), "buildout.cfg") for parent in parents):
            self._searches[directory] = []
            return None
        root = str(self.root)
        search = [str(parent) for parent in parents if self._in_or_above(str(parent), root)]
        for entry in map(os.path.realpath, (e or os.curdir for e in sys.path)):
            if (self._in_or_above(entry, root) or self._in_or_above(root, entry)) and (
                entry not in search
            ):
                search.append(entry)
        self._searches[directory] = search
        return search

    @staticmethod
    def _in_or_above(inner: str, outer: str) -> bool:
        """Whether directory `inner` is `outer` or inside it."""
        return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)

    def _dir_has(self, directory: str, top: str) -> bool:
        """Whether a directory has an entry jedi could import as `top` (a package or namespace
        directory, a module, a stub or an extension: any `top`, `top.*` or `top-*`)."""
        entries = self._entries.get(directory)
        if entries is None:
            try:
                entries = frozenset(os.listdir(directory))
            except OSError:
                entries = frozenset()
            self._entries[directory] = entries
        if top in entries:
            return True
        return any(e.startswith((f"{top}.", f"{top}-")) for e in entries)

    def _script(self, text: str, path: Path) -> Any:
        import jedi

        if self._project is None:
            self._project = jedi.Project(self.root)
            self._environment = jedi.InterpreterEnvironment()
        key = (path, hash(text))
        script = self._scripts.get(key)
        if script is None:
            script = jedi.Script(text, path=str(path), project=self._project,
                                 environment=self._environment)  # fmt: skip
            self._scripts[key] = script
        return script

    def _hop(
        self, text: str, path: Path, line: int, column: int, visited: set[Path]
    ) -> _Landing | None:
        """Follow jedi's goto (without following imports) while it stays inside the project."""
        here = (path, line, column)
        landing: _Landing | None = None
        current_text = text
        for _ in range(_MAX_HOPS):
            try:
                names = self._script(current_text, here[0]).goto(
                    here[1], here[2], follow_imports=False
                )
            except Exception:  # jedi raises many kinds on odd code; a miss is not an error here
                return None
            if not names:
                break
            found = names[0]
            found_path = Path(found.module_path) if found.module_path else None
            if found_path is None or not self._in_project(found_path):
                break
            found_path = found_path.resolve()
            if found.type == "module" and (found.line in (None, 1) and found.column in (None, 0)):
                # The chain ended on a module file itself (`from . import utils`).
                if found_path != path:
                    visited.add(found_path)
                    return _Landing(found_path, None)
                break
            if found.line is None:
                break
            next_here = (found_path, found.line, found.column)
            if next_here == here:
                break
            landing = _Landing(found_path, found.name, found.line)
            here = next_here
            visited.add(found_path)
            landed = self._module(found_path)
            if landed is None:
                break
            current_text = landed.text
        if landing is None or landing.path == path:
            return None
        return landing

    def set_text(self, path: Path, text: str | None) -> set[Path]:
        """Resolve through an editor's unsaved text of `path` (None: its file on disk again).

        Returns the files whose resolutions went through it: they need checking again.
        """
        path = path.resolve()
        with self._lock:
            if text is None:
                self._overlay.pop(path, None)
            else:
                self._overlay[path] = text
        return self.invalidate(path)

    def parsed(self, path: Path, text: str) -> ParsedModule | None:
        """The module a check of `path` reading `text` may use instead of parsing it: the one
        read for resolving names through the file, if it has that text."""
        with self._lock:
            landed = self._files.get(self._real(path))
        module = landed.module if landed is not None else None
        return module.moved(path) if module is not None and module.text == text else None

    def offer(self, path: Path, module: ParsedModule) -> None:
        """A module just checked: resolving names through its file soon after (its package's
        other modules are checked next) uses it when the file still has its text."""
        with self._lock:
            real = self._real(path)
            self._recent.pop(real, None)
            self._recent[real] = module
            while len(self._recent) > _RECENT:
                self._recent.popitem(last=False)

    def _module(self, path: Path) -> ParsedModule | None:
        text = self._overlay.get(path)
        version: object
        if text is not None:
            version = ("unsaved", hash(text))
        else:
            try:
                version = path.stat().st_mtime
            except OSError:
                return None
        cached = self._files.get(path)
        if cached is not None and cached.version == version:
            return cached.module
        try:
            from tfmend.text.source import decode_source

            if text is None:
                text = decode_source(path.read_bytes()).text
            recent = self._recent.get(path)
            module: ParsedModule | None = (
                recent
                if recent is not None and recent.text == text
                else ParsedModule(text, path, exports=True)
            )
        except Exception:  # an unreadable or broken exporting file resolves nothing
            module = None
        self._files[path] = _Landed(version, module)
        return module


@lru_cache(maxsize=1024)
def _package_root(directory: Path) -> Path:
    """The directory above the package a directory belongs to: where Python would find it."""
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def _submodule(path: Path, name: str) -> Path | None:
    """The file of submodule `name` of the package whose __init__.py is `path`."""
    if path.name != "__init__.py":
        return None
    for candidate in (path.parent / f"{name}.py", path.parent / name / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _import_top(statement: ast.Import | ast.ImportFrom, alias: ast.alias) -> str | None:
    """The first module an import alias names (None: a relative import)."""
    if isinstance(statement, ast.ImportFrom):
        if statement.level:
            return None
        return (statement.module or "").split(".", 1)[0]
    return alias.name.split(".", 1)[0]


def _consumed(found: ResolvedName | None, more: int) -> ResolvedName | None:
    """A resolution that used `more` attributes before it."""
    if found is None:
        return None
    return ResolvedName(found.qualname, found.origin, found.used + more)


@dataclass
class _FileImports:
    mtime_ns: int
    from_imports: set[tuple[str, str]]
    """(absolute module, name) of each `from module import name`."""
    whole_modules: set[str]
    reached: frozenset[str] = frozenset()
    """Every module it imports: whole, `from` ones, and `module.name` of each `from` import."""
    attributes: set[str] | None = None
    """Attribute names the file uses (`utils.K` uses `K`), for `import utils` importers; read
    on first need (only fixes ask)."""


_Stamp = tuple[int, int] | None
"""A directory's modification time and its .gitignore's (-1: none); None: it is gone."""


class ImportIndex:
    """Which names other project modules import from a module, so fixes keep those imports."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._files: dict[Path, _FileImports] = {}
        """By resolved path."""
        self._listed: tuple[list[Path], list[_Stamp], list[Path]] | None = None
        """The directories walked, their stamps then, and the Python files found (resolved)."""

    def module_names(self, path: Path) -> set[str]:
        """Dotted names a file is importable as, from the project root or its src/."""
        names = set()
        stem = path.resolve().with_suffix("")
        for base in (self.root, self.root / "src"):
            try:
                relative = stem.relative_to(base)
            except ValueError:
                continue
            parts = list(relative.parts)
            if parts and parts[-1] == "__init__":
                parts = parts[:-1]
            if parts:
                names.add(".".join(parts))
        return names

    def note(self, path: Path, mtime_ns: int, tree: ast.Module) -> None:
        """The imports of a file just parsed for checking it, with its modification time: the
        index need not parse it again."""
        path = path.resolve()
        if path.suffix == ".py":
            self._files[path] = self._read(path, mtime_ns, tree)

    def imported_from(self, path: Path, name: str) -> bool:
        """Whether another project file imports `name` from the module at `path`."""
        modules = self.module_names(path)
        if not modules:
            return False
        for other, found in self._other_files(path):
            if any((module, name) in found.from_imports for module in modules):
                return True
            if modules & found.whole_modules and name in self._attributes(other, found):
                return True
        return False

    def imported(self, path: Path) -> bool:
        """Whether another project file imports the module at `path` (or a name from it)."""
        modules = self.module_names(path)
        if not modules:
            return False
        lasts = {module.rsplit(".", 1)[-1] for module in modules}
        target = path.resolve()
        for other in self._listing():
            if other == target:
                continue
            found = self._imports(other, unless=lasts)
            if found is not None and not modules.isdisjoint(found.reached):
                return True
        return False

    def _other_files(self, path: Path) -> Iterator[tuple[Path, _FileImports]]:
        """The imports of every other Python file of the project."""
        target = path.resolve()
        for other in self._listing():
            if other == target:
                continue
            found = self._imports(other)
            if found is not None:
                yield other, found

    def _listing(self) -> list[Path]:
        """The project's Python files (resolved), walked again only when a directory walked last
        time, or its .gitignore, changed (a check of a tree asks once per stand-alone file)."""
        from tfmend.text.files import iter_source_files

        if self._listed is not None and _stamps(self._listed[0]) == self._listed[1]:
            return self._listed[2]
        walked: list[Path] = []
        files = [
            other.resolve()
            for other in iter_source_files([self.root], root=self.root, walked=walked)
            if other.suffix == ".py"
        ]
        self._listed = (walked, _stamps(walked), files)
        return files

    def _imports(self, path: Path, unless: set[str] | None = None) -> _FileImports | None:
        """A file's imports (parsed when not noted or cached); None when it is unreadable or,
        with `unless`, when it cannot import a module whose last name is one of those."""
        try:
            mtime_ns = os.stat(path).st_mtime_ns  # not Path.stat: this runs for every file
        except OSError:
            return None
        cached = self._files.get(path)
        if cached is None or cached.mtime_ns != mtime_ns:
            text = _text(path)
            if unless is not None and text is not None and not _may_name(text, path, unless):
                return None
            tree = _parsed(text) if text is not None else None
            cached = self._files[path] = self._read(path, mtime_ns, tree)
        return cached

    def _attributes(self, path: Path, found: _FileImports) -> set[str]:
        if found.attributes is None:
            text = _text(path)
            tree = _parsed(text) if text is not None else None
            found.attributes = (
                {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} if tree else set()
            )
        return found.attributes

    def _read(self, path: Path, mtime_ns: int, tree: ast.Module | None) -> _FileImports:
        found = _FileImports(mtime_ns, set(), set())
        if tree is None:
            return found
        package = self.module_names(path)
        base = next(iter(sorted(package)), "").split(".")
        if path.name != "__init__.py":
            base = base[:-1]
        for node in _import_statements(tree.body):
            if isinstance(node, ast.ImportFrom):
                prefix = base[: len(base) - node.level + 1] if node.level else []
                module = ".".join([*prefix, *(node.module.split(".") if node.module else [])])
                found.from_imports.update((module, a.name) for a in node.names)
            else:
                found.whole_modules.update(a.name for a in node.names)
        found.reached = frozenset(
            {*found.whole_modules, *(m for m, _ in found.from_imports)}
            | {f"{m}.{name}" for m, name in found.from_imports}
        )
        return found


def _tf_keras_binding(imported: ImportBinding) -> bool:
    """Whether an import binds `tf.keras` or a name in it (`from tensorflow import keras`)."""
    return imported.tracked and imported.imported.split(".")[:2] == ["tensorflow", "keras"]


def _text(path: Path) -> str | None:
    """A project file's text, read as checking it reads it (None: unreadable)."""
    from tfmend.text.source import UndecodableError, decode_source

    try:
        return decode_source(path.read_bytes()).text
    except (OSError, UndecodableError):
        return None


def _parsed(text: str) -> ast.Module | None:
    """A project file's tree (None: it does not parse, or has no imports)."""
    try:
        return ast.parse(text) if "import" in text else None
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _may_name(text: str, path: Path, lasts: set[str]) -> bool:
    """Whether a file's imports may reach a module whose last name is in `lasts`.

    The last name of a module an import reaches is a name written in the import, or (for
    `from . import x`, which reaches the package) a directory of the file's own path. In
    ASCII text every name is written as it is read (elsewhere NFKC may map other letters to
    it), so a file that has none of them, in its text or its path, reaches none of the
    modules: telling so costs a substring search, not a parse.
    """
    if not text.isascii():
        return True
    return any(last in text for last in lasts) or not lasts.isdisjoint(path.parts)


_SIMPLE = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Pass, ast.Raise,
           ast.Assert, ast.Delete, ast.Break, ast.Continue, ast.Global, ast.Nonlocal)  # fmt: skip
"""Statements that hold no block (most of a file's): nothing to look for inside them."""


def _import_statements(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements in a block and the blocks nested in it (expressions cannot hold
    statements, so they are not walked)."""
    for statement in body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            yield statement
            continue
        if isinstance(statement, _SIMPLE):
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            nested = getattr(statement, name, None)
            if isinstance(nested, list):
                yield from _import_statements(nested)


def _stamps(directories: list[Path]) -> list[_Stamp]:
    """What tells whether a directory's entries, or the .gitignore in it, changed."""
    out: list[_Stamp] = []
    for directory in directories:
        try:
            mtime = directory.stat().st_mtime_ns
        except OSError:
            out.append(None)
            continue
        try:
            ignore = (directory / ".gitignore").stat().st_mtime_ns
        except OSError:
            ignore = -1
        out.append((mtime, ignore))
    return out
