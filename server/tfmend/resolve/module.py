"""A parsed module: its text, tree, bindings and line table, parsed once and shared."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

from tfmend.findings import Origin, Position, Span
from tfmend.resolve.bindings import Chain, FileBindings, ImportBinding
from tfmend.text.source import LineIndex

_IGNORE = re.compile(r"#\s*tfmend:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


@dataclass(frozen=True)
class ResolvedName:
    """A name imported from the user's own modules, resolved to TensorFlow/Keras."""

    qualname: str
    """What `chain.nodes[used]` refers to."""
    origin: Origin
    used: int = 0
    """How many of the chain's attributes the project modules account for."""


class ProjectResolver(Protocol):
    """Resolves names that come from the user's own modules (re-exports)."""

    def resolve(
        self, module: ParsedModule, chain: Chain, imported: ImportBinding
    ) -> ResolvedName | None:
        """What the chain reaches when its base name came from a project module."""

    def imported_module(self, module: ParsedModule, imported: ImportBinding) -> ParsedModule | None:
        """The project module that defines a name imported with `from ... import name`."""


class ParsedModule:
    """A module's text, tree and bindings: parsed once, shared by analysis and fixes."""

    def __init__(self, text: str, path: Path | None = None, *, exports: bool = False) -> None:
        """With `exports`, the module is read for what it binds at module level only (a file
        names are resolved through): its bindings skip function and class bodies when no
        `global` statement can bind module names from them."""
        self.text = text
        self.path = path
        self.module_only = exports and text.isascii() and "global" not in text
        # Not the real path: CPython would read the error line from the file on disk, which
        # differs from an editor's unsaved text, to place SyntaxError.offset.
        self.tree = ast.parse(text, filename=f"<{path.name if path else 'unknown'}>")
        self.lines = LineIndex(text)
        self._origins: dict[int, Origin] = {}
        self._whole: ParsedModule | None = None

    def moved(self, path: Path | None) -> ParsedModule:
        """This module under another spelling of its path, sharing its tree and the facts read
        from it (none of which depend on the path)."""
        other = ParsedModule.__new__(ParsedModule)
        other.__dict__.update(self.__dict__)
        other.path = path
        other._origins = {}
        if other.module_only:  # walked for its exports: walk it whole
            other.module_only = False
            other.__dict__.pop("bindings", None)
        return other

    @property
    def whole(self) -> ParsedModule:
        """The module this one is part of (itself, for a parsed file): module-wide facts
        (leading imports, `__main__` block, `__all__`, functions defined) are read there."""
        # Not an attribute set to self: that cycle would leave every module (tree and all) to
        # the cyclic collector.
        return self._whole or self

    @cached_property
    def bindings(self) -> FileBindings:
        """Scopes and name uses."""
        return FileBindings(self.tree, module_only=self.module_only)

    @cached_property
    def defined_functions(self) -> frozenset[str]:
        """Names of the functions and methods the module defines (walked on first use only)."""
        if self.whole is not self:
            return self.whole.defined_functions
        return frozenset(_defined(self.tree.body))

    def span(self, node: ast.AST) -> Span:
        """The span of an ast node in code point positions."""
        start = self.lines.from_ast(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end_line = node.end_lineno  # type: ignore[attr-defined]
        end = self.lines.from_ast(end_line, node.end_col_offset)  # type: ignore[attr-defined]
        return Span(Position(*start), Position(*end))

    def offsets(self, node: ast.AST) -> tuple[int, int]:
        """The string indices where a node starts and ends."""
        span = self.span(node)
        return (
            self.lines.offset(span.start.line, span.start.column),
            self.lines.offset(span.end.line, span.end.column),
        )

    def segment(self, node: ast.AST) -> str:
        """The source text of a node."""
        start, end = self.offsets(node)
        return self.text[start:end]

    def origin(self, imported: ImportBinding) -> Origin:
        """Where an import binding of this module is (computed once per binding)."""
        found = self._origins.get(id(imported))
        if found is None:
            found = Origin(None, self.span(imported.alias), self.segment(imported.statement))
            self._origins[id(imported)] = found
        return found

    def ignored_codes(self, line: int) -> set[str] | None:
        """Codes ignored on a line by `# tfmend: ignore[...]`; an empty set means all."""
        text = self.lines.line_text(line)
        if "tfmend" not in text:
            return None
        match = _IGNORE.search(text)
        if match is None:
            return None
        if match.group(1) is None:
            return set()
        return {code.strip() for code in match.group(1).split(",") if code.strip()}


def version_parts(module: ParsedModule, name: str) -> int | None:
    """N when the module's function `name` is
    `return tuple(map(int, tf.__version__.split('.')[:N]))` with `tf` its import of tensorflow
    (tensorpack's `get_tf_version_tuple`): the TensorFlow version as a tuple of N ints, which a
    program compares with a tuple literal."""
    found = [
        s
        for s in module.tree.body
        if isinstance(s, ast.FunctionDef) and s.name == name and not s.decorator_list
    ]
    if len(found) != 1 or _has_parameters(found[0].args):
        return None
    body = [s for s in found[0].body if not _docstring(s)]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    value = body[0].value
    match value:
        case ast.Call(
            func=ast.Name(id="tuple"),
            args=[
                ast.Call(
                    func=ast.Name(id="map"),
                    args=[
                        ast.Name(id="int"),
                        ast.Subscript(
                            value=ast.Call(
                                func=ast.Attribute(
                                    value=ast.Attribute(value=ast.Name(id=tf), attr="__version__"),
                                    attr="split",
                                ),
                                args=[ast.Constant(value=".")],
                            ),
                            slice=ast.Slice(
                                lower=None, upper=ast.Constant(value=int(parts)), step=None
                            ),
                        ),
                    ],
                )
            ],
        ):
            pass
        case _:
            return None
    bound = module.bindings.module.bindings.get(tf, [])
    tensorflow = [
        b
        for b in bound
        if b.imported is not None
        and b.imported.imported == "tensorflow"
        and isinstance(b.imported.statement, ast.Import)
    ]
    return parts if len(tensorflow) == len(bound) == 1 and parts > 0 else None


def _has_parameters(args: ast.arguments) -> bool:
    return bool(args.posonlyargs or args.args or args.kwonlyargs or args.vararg or args.kwarg)


def _docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)


def function_names(tree: ast.AST) -> list[str]:
    """Names of the functions and methods defined in a tree, in walk order."""
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


class SliceLines(LineIndex):
    """The line table of a slice of whole lines of a text, in the positions of the whole text."""

    def __init__(self, text: str, line: int, offset: int) -> None:
        super().__init__(text)
        self.first_line = line
        self.first_offset = offset

    def line_text(self, line: int) -> str:
        return super().line_text(line - self.first_line)

    def offset(self, line: int, column: int) -> int:
        return self.first_offset + super().offset(line - self.first_line, column)

    def position(self, offset: int) -> tuple[int, int]:
        line, column = super().position(offset - self.first_offset)
        return line + self.first_line, column

    def from_ast(self, lineno: int, col_offset: int) -> tuple[int, int]:
        line, column = super().from_ast(lineno - self.first_line, col_offset)
        return line + self.first_line, column

    @property
    def line_count(self) -> int:
        return self.first_line + super().line_count


_OF_WHOLE = (ast.Import, ast.ImportFrom, ast.alias)
"""Nodes a ModulePart never has of its own: its statements import nothing (else the whole file
is analysed again), so these are the whole module's, in its positions."""


class ModulePart(ParsedModule):
    """Some top-level statements of the current text, parsed on their own, seen in the module
    parsed earlier (`whole`) whose module-level bindings they leave as they were."""

    def __init__(
        self,
        whole: ParsedModule,
        text: str,
        statements: list[ast.stmt],
        lines: LineIndex,
        bindings: FileBindings,
    ) -> None:
        self.text = text
        self.path = whole.path
        self.tree = ast.Module(body=statements, type_ignores=[])
        self.lines = lines
        self._origins = whole._origins
        self._whole = whole
        self.__dict__["bindings"] = bindings

    def span(self, node: ast.AST) -> Span:
        return self.whole.span(node) if isinstance(node, _OF_WHOLE) else super().span(node)

    def offsets(self, node: ast.AST) -> tuple[int, int]:
        return self.whole.offsets(node) if isinstance(node, _OF_WHOLE) else super().offsets(node)

    def segment(self, node: ast.AST) -> str:
        return self.whole.segment(node) if isinstance(node, _OF_WHOLE) else super().segment(node)

    def origin(self, imported: ImportBinding) -> Origin:
        return self.whole.origin(imported)


def _defined(body: list[ast.stmt]) -> Iterator[str]:
    """The names `function_names` finds, walking statements only: a function is defined by a
    statement, never inside an expression (a tenth of the nodes of a file)."""
    for statement in body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
            yield statement.name
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            nested = getattr(statement, name, None)
            if isinstance(nested, list):
                yield from _defined(nested)
