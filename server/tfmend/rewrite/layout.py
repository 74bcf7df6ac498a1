"""A rewritten call laid out like the multi-line call it replaces: one argument per line."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from tfmend.resolve.module import ParsedModule
from tfmend.text.source import dominant_newline

if TYPE_CHECKING:
    import libcst as cst


def laid_out_like(module: ParsedModule, call: ast.Call, text: str) -> str:
    """`text` (a rendered call) with its arguments on lines of their own, indented as the
    original call's arguments were, when the original spans lines; else `text` as it is.

    Both styles of the original are kept: arguments after a line break that follows `(`
    (hanging indent), or the first argument right after `(` and the others aligned with it.
    The closing parenthesis goes on a line of its own when it was on one, after a trailing comma
    when there was one."""
    import libcst as cst  # on the first rewrite, not at start: diagnostics never need it

    original = module.segment(call)
    arguments: list[ast.expr | ast.keyword] = [*call.args, *call.keywords]
    if "\n" not in original or not arguments:
        return text
    try:
        tree = cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return text
    if not isinstance(tree, cst.Call) or tree.lpar:
        return text
    applied = tree
    if isinstance(tree.func, cst.Call) and len(tree.args) <= 1:
        # A layer built and applied, `Dense(units, ...)(inputs)`: the layer's arguments are the
        # ones the original call spread over its lines.
        tree = tree.func
    if len(tree.args) < 2 or tree.lpar:
        return text
    func = cst.Module(body=[]).code_for_node(tree.func)
    if "\n" in func:
        return text
    first = min(arguments, key=lambda node: (node.lineno, node.col_offset))
    newline = dominant_newline(module.text)
    break_line = cst.TrailingWhitespace(newline=cst.Newline(None if newline == "\n" else newline))

    def line_break(indent: str) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=break_line, indent=False, last_line=cst.SimpleWhitespace(indent)
        )

    hanging = first.lineno > (call.func.end_lineno or call.func.lineno)
    if hanging:
        start = module.span(first).start
        indent = _blank(module.lines.line_text(start.line)[: start.column])
    else:
        start = module.span(call).start
        indent = _blank(module.lines.line_text(start.line)[: start.column] + func + "(")
    head, _, _ = original.rpartition(")")
    closing_line = head.rstrip(" \t").endswith("\n")
    closing = head[len(head.rstrip(" \t")) :] if closing_line else None
    args = list(tree.args)
    for index, arg in enumerate(args[:-1]):
        args[index] = arg.with_changes(
            comma=cst.Comma(whitespace_after=line_break(indent)),
            whitespace_after_arg=cst.SimpleWhitespace(""),
        )
    after_last = line_break(closing) if closing is not None else cst.SimpleWhitespace("")
    if head.rstrip().endswith(","):  # a trailing comma stays
        last = args[-1].with_changes(comma=cst.Comma(whitespace_after=after_last))
        args[-1] = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    else:
        args[-1] = args[-1].with_changes(
            comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=after_last
        )
    laid = tree.with_changes(
        args=args,
        whitespace_before_args=line_break(indent) if hanging else cst.SimpleWhitespace(""),
    )
    if applied is not tree:
        laid = applied.with_changes(func=laid)
    return cst.Module(body=[]).code_for_node(laid)


def _blank(prefix: str) -> str:
    """Whitespace as wide as `prefix`: its tabs kept, everything else a space."""
    return "".join(c if c == "\t" else " " for c in prefix)
