"""Rendering a template into the new call's text with libcst (imported only when a fix is
written: diagnostics never need it)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import libcst as cst

from tfmend.catalog.template import (
    _OPTIONAL,
    _REQUIRED,
    _REST,
    PACKAGE_ROOTS,
    REST,
    RenderError,
)


def render_expression(
    text: str,
    bound: Mapping[str, str],
    defaults: Mapping[str, str | None],
    name_for: Callable[[str], str],
    rest: str | None,
) -> str:
    """A template's text with its placeholders filled and its names qualified."""
    result = _expression(text).visit(_Renderer(bound, defaults, name_for, rest))
    assert isinstance(result, cst.BaseExpression)
    return cst.Module(body=[]).code_for_node(result)


_ATOMS = (
    cst.Name,
    cst.Attribute,
    cst.Call,
    cst.Subscript,
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.List,
    cst.Tuple,
    cst.Dict,
    cst.Set,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.Ellipsis,
)


@functools.lru_cache(maxsize=8192)
def _expression(text: str) -> cst.BaseExpression:
    """libcst's tree of an expression, parsed once (trees are immutable: sharing them is safe)."""
    return cst.parse_expression(text)


def parse_argument(text: str) -> cst.BaseExpression:
    """Parse an argument's source text, parenthesizing it when it spans lines outside brackets."""
    try:
        return _expression(text)
    except cst.ParserSyntaxError:
        return _expression(f"({text})")


def _dotted_cst(node: cst.BaseExpression) -> str | None:
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


class _Renderer(cst.CSTTransformer):
    def __init__(
        self,
        bound: Mapping[str, str],
        defaults: Mapping[str, str | None],
        name_for: Callable[[str], str],
        rest: str | None = None,
    ) -> None:
        super().__init__()
        self.bound = bound
        self.defaults = defaults
        self.name_for = name_for
        self.rest = rest
        self.bare: set[int] = set()
        self.chains: set[int] = set()
        self.attr_names: set[int] = set()

    def visit_Arg(self, node: cst.Arg) -> bool:
        self.bare.add(id(node.value))
        return True

    def visit_Element(self, node: cst.Element) -> bool:
        self.bare.add(id(node.value))
        return True

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        kept: list[cst.Arg] = []
        for arg in updated.args:
            if isinstance(arg.value, cst.Name) and arg.value.value == "__tfm_drop__":
                continue
            if arg.star == "**" and isinstance(arg.value, cst.Name) and arg.value.value == _REST:
                kept.extend(self._rest_arguments())
                continue
            kept.append(arg)
        if len(kept) != len(updated.args) and kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=kept)

    def _rest_arguments(self) -> list[cst.Arg]:
        """The keywords the signature's `**name` took, as the call wrote them."""
        return [
            cst.Arg(
                value=parse_argument(text),
                keyword=cst.Name(key[len(REST) :]),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
            for key, text in self.bound.items()
            if key.startswith(REST)
        ]

    def _placeholder(self, original: cst.Name) -> cst.BaseExpression | None:
        name = original.value
        for prefix, optional in ((_REQUIRED, False), (_OPTIONAL, True)):
            if not name.startswith(prefix):
                continue
            param = name[len(prefix) :]
            if param == self.rest:
                return cst.Name(_REST)  # expanded by leave_Call
            if param in self.bound:
                text = self.bound[param]
            elif optional:
                return cst.Name("__tfm_drop__")
            else:
                default = self.defaults[param]
                if default is None:
                    raise RenderError(f"the call does not pass {param}")
                # A default may name qualified names too (`dtype=keras.config.floatx()`).
                rendered = parse_argument(default).visit(_Renderer({}, {}, self.name_for))
                assert isinstance(rendered, cst.BaseExpression)
                return self._parenthesized(original, rendered)
            expr = parse_argument(text)
            return self._parenthesized(original, expr)
        return None

    def _parenthesized(self, original: cst.Name, expr: cst.BaseExpression) -> cst.BaseExpression:
        """The expression, in parentheses where it replaces a placeholder inside an operation."""
        if id(original) not in self.bare and not isinstance(expr, _ATOMS) and not expr.lpar:
            return expr.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return expr

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.attr_names.add(id(node.attr))
        dotted = _dotted_cst(node)
        if dotted and dotted.split(".")[0] in PACKAGE_ROOTS:
            # A whole qualified chain is rendered at once; its parts are not names of their own.
            self.chains.add(id(node))
            return False
        return True

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        if id(original) in self.attr_names:
            return updated
        filled = self._placeholder(original)
        if filled is not None:
            return filled
        if updated.value in PACKAGE_ROOTS:
            return _expression(self.name_for(updated.value))
        return updated

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if id(original) in self.chains:
            dotted = _dotted_cst(original)
            assert dotted is not None
            return _expression(self.name_for(dotted))
        return updated
