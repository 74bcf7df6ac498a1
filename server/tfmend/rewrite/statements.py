"""Removing whole statements: line edits that leave every block valid."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator

from tfmend.resolve.module import ParsedModule
from tfmend.rewrite.edits import Edit

_BLOCK_NODES = (ast.stmt, ast.excepthandler, ast.match_case)


def statement_walk(tree: ast.Module) -> Iterator[ast.AST]:
    """`ast.walk`'s order restricted to the nodes that hold statements (expressions hold none):
    a few per statement instead of every node of the file."""
    todo: deque[ast.AST] = deque([tree])
    while todo:
        node = todo.popleft()
        todo.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, _BLOCK_NODES))
        yield node


def line_removal(module: ParsedModule, statement: ast.stmt) -> Edit:
    """The edit removing a statement with its line (`pass` where another statement shares it)."""
    start, end = module.offsets(statement)
    span = module.span(statement)
    lines = module.lines
    before = lines.line_text(span.start.line)[: span.start.column]
    after = lines.line_text(span.end.line)[span.end.column :].strip()
    if before.strip() or (after and not after.startswith("#")):
        # Another statement shares the line (`a; import b`): keep the line valid.
        return Edit(start, end, "pass")
    line_start = lines.offset(span.start.line, 0)
    last = span.end.line
    if span.start.line == 0:
        # The file's first statement: do not leave the file starting with blank lines.
        while last + 1 < lines.line_count - 1 and not lines.line_text(last + 1).strip():
            last += 1
    next_line = lines.offset(last + 1, 0) if last + 1 < lines.line_count else len(module.text)
    return Edit(line_start, next_line, "")


def statement_removal(module: ParsedModule, statement: ast.stmt) -> Edit:
    """The edit removing one statement: `pass` in its place when its block has no other."""
    for node in statement_walk(module.tree):
        for block_name in ("body", "orelse", "finalbody"):
            block = getattr(node, block_name, None)
            alone = isinstance(block, list) and len(block) == 1 and block[0] is statement
            if alone and not isinstance(node, ast.Module):
                start, end = module.offsets(statement)
                return Edit(start, end, "pass")
    return line_removal(module, statement)
