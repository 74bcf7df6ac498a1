"""One planned fix checked from the check's findings and the touched statements, not the file."""

from __future__ import annotations
import __future__

import ast
import re
import sys
import textwrap
from bisect import bisect_right
from collections.abc import Sequence

from tfmend.findings import Finding, Span
from tfmend.rewrite.edits import Edit
from tfmend.text.source import LineIndex


def still_used(
    text: str, statement: str, edits: Sequence[Edit], findings: Sequence[Finding]
) -> bool:
    """Whether every name an import statement binds stays used after `edits`, as the findings
    of `text` show: for each name another finding through it lies outside the edits, and no new
    text binds one of the names. Then removing the imports the edits leave unused removes
    nothing; False means only that a new analysis must tell."""
    if text.count(statement) != 1:
        return False  # the removal looks at every statement with this text
    names = _bound_names(statement)
    if names is None:
        return False
    lines = LineIndex(text)
    through: set[Span] = set()
    for finding in findings:
        origin = finding.origin
        if origin is None or origin.path is not None or origin.text != statement:
            continue
        if origin.span in through:
            continue
        start = lines.offset(finding.span.start.line, finding.span.start.column)
        end = lines.offset(finding.span.end.line, finding.span.end.column)
        if any(edit.start <= end and start <= edit.end for edit in edits):
            continue
        through.add(origin.span)
        if len(through) == len(names):
            break
    if len(through) < len(names):
        return False
    return not any(_may_bind(edit.text, names) for edit in edits)


def touched_compile(text: str, new_text: str, edits: Sequence[Edit], starts: Sequence[int]) -> bool:
    """Whether the top-level statement groups of `text` (beginning at `starts`) that `edits`
    touch compile on their own once edited: then the whole new text compiles, the others being
    unchanged. False means only that the whole text must be compiled to tell (and to say why)."""
    if not starts or not _only_mandatory_futures(text):
        return False  # such future imports change how the statements after them compile
    bounds = [0, *starts[1:], len(text)]
    regions: list[tuple[int, int]] = []
    final = len(bounds) - 2  # an edit at the end of the text is in the last group
    for edit in edits:
        first = min(max(bisect_right(bounds, edit.start) - 1, 0), final)
        last = min(max(bisect_right(bounds, max(edit.end - 1, edit.start)) - 1, first), final)
        start, end = bounds[first], bounds[last + 1]
        if regions and start <= regions[-1][1]:
            regions[-1] = (regions[-1][0], max(end, regions[-1][1]))
        else:
            regions.append((start, end))
    for start, end in regions:
        new_start = start + _growth(edits, start)
        new_end = len(new_text) if end == len(text) else end + _growth(edits, end)
        try:
            compile(new_text[new_start:new_end], "<fixed>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True


MANDATORY_FUTURES = frozenset(
    name
    for name in __future__.all_feature_names
    if (release := getattr(__future__, name).getMandatoryRelease()) is not None
    and release[:2] <= sys.version_info[:2]
)
"""Future features this Python always has (`division`, `print_function`…): importing them
changes nothing."""
FUTURE_IMPORT = re.compile(r"^from[ \t]+__future__[ \t]+import\b.*$", re.MULTILINE)


def _only_mandatory_futures(text: str) -> bool:
    """Whether every future import of the text is of a feature this Python always has."""
    if "__future__" not in text:
        return True
    for match in FUTURE_IMPORT.finditer(text):
        try:
            tree = ast.parse(match.group())
        except SyntaxError:  # split over lines
            return False
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and any(
                alias.name not in MANDATORY_FUTURES for alias in node.names
            ):
                return False
    return True


def _growth(edits: Sequence[Edit], offset: int) -> int:
    """How much longer the edits that start before `offset` make the text."""
    return sum(len(edit.text) - (edit.end - edit.start) for edit in edits if edit.start < offset)


def _bound_names(statement: str) -> list[str] | None:
    """The names an import statement binds (None: a star import, a name bound twice, or not a
    single import statement)."""
    try:
        tree = ast.parse(statement.lstrip())
    except (SyntaxError, ValueError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Import | ast.ImportFrom):
        return None
    node = tree.body[0]
    if isinstance(node, ast.Import):
        names = [alias.asname or alias.name.split(".")[0] for alias in node.names]
    else:
        names = [alias.asname or alias.name for alias in node.names]
    if "*" in names or len(set(names)) != len(names):
        return None
    return names


def _may_bind(code: str, names: list[str]) -> bool:
    """Whether new code may bind one of the names (then uses elsewhere may resolve to it)."""
    if not any(re.search(rf"\b{re.escape(name)}\b", code) for name in names):
        return False
    try:
        expression = ast.parse(code.strip(), mode="eval")
    except (SyntaxError, ValueError):
        pass
    else:
        return any(isinstance(node, ast.NamedExpr) for node in ast.walk(expression))
    try:
        tree = ast.parse(textwrap.dedent(code))
    except (SyntaxError, ValueError):
        return True
    return not _binds(tree).isdisjoint(names)


def _binds(tree: ast.AST) -> set[str]:
    """Every name code binds in any scope (more than the enclosing scope gets: a safe side)."""
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, ast.alias):
            bound.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.update(node.names)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return bound
