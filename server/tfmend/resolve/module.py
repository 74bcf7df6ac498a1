"""A parsed module: its text, tree, bindings and line table, parsed once and shared."""

from __future__ import annotations

import ast
import re
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


class ParsedModule:
    """A module's text, tree and bindings: parsed once, shared by analysis and fixes."""

    def __init__(self, text: str, path: Path | None = None) -> None:
        self.text = text
        self.path = path
        # Not the real path: CPython would read the error line from the file on disk, which
        # differs from an editor's unsaved text, to place SyntaxError.offset.
        self.tree = ast.parse(text, filename=f"<{path.name if path else 'unknown'}>")
        self.lines = LineIndex(text)
        self._origins: dict[int, Origin] = {}

    @cached_property
    def bindings(self) -> FileBindings:
        """Scopes and name uses."""
        return FileBindings(self.tree)

    @cached_property
    def defined_functions(self) -> frozenset[str]:
        """Names of the functions and methods the module defines (walked on first use only)."""
        return frozenset(
            node.name
            for node in ast.walk(self.tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )

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
