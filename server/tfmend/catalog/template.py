"""Call templates: bind a call's arguments to the old signature and render the new call."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import libcst as cst

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(\?)?\}")
PACKAGE_ROOTS = frozenset(
    {"keras", "tensorflow", "tf_keras", "numpy", "builtins", "math", "inspect", "functools",
     "operator", "warnings", "collections"}
)  # fmt: skip
"""Top-level modules whose dotted names in a template are qualified names to render."""
T = TypeVar("T")
_REQUIRED = "__tfm_p_"
_OPTIONAL = "__tfm_o_"


class TemplateError(Exception):
    """A template or signature that cannot be used; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


class RenderError(Exception):
    """A call that cannot be rewritten with the template (say why, offer no fix)."""


@dataclass(frozen=True)
class Parameter:
    """A parameter of the old API: its name, default text, and whether it is keyword-only."""

    name: str
    default: str | None
    keyword_only: bool


@dataclass(frozen=True)
class Reference:
    """A qualified name the template uses, like `keras.ops.mean`."""

    qualname: str


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


@dataclass(frozen=True)
class Template:
    """A parsed `call` fix: the old signature and the new expression with placeholders."""

    parameters: tuple[Parameter, ...]
    text: str
    """The template with placeholders replaced by marker identifiers."""
    references: tuple[Reference, ...]

    @staticmethod
    def parse(signature: str, template: str) -> Template:
        """Parse and check a signature and a template."""
        try:
            fn = ast.parse(f"def _({signature}):\n    pass\n").body[0]
        except SyntaxError as exc:
            raise TemplateError("signature", f"not a parameter list: {exc.msg}") from exc
        assert isinstance(fn, ast.FunctionDef)
        spec = fn.args
        if spec.vararg or spec.kwarg or spec.posonlyargs:
            raise TemplateError("signature", "*args, **kwargs and / are not supported")
        defaults: list[ast.expr | None] = [None] * (len(spec.args) - len(spec.defaults))
        defaults += list(spec.defaults)
        params = [
            Parameter(a.arg, ast.unparse(d) if d is not None else None, False)
            for a, d in zip(spec.args, defaults, strict=True)
        ]
        params += [
            Parameter(a.arg, ast.unparse(d) if d is not None else None, True)
            for a, d in zip(spec.kwonlyargs, spec.kw_defaults, strict=True)
        ]
        names = {p.name for p in params}

        def marker(match: re.Match[str]) -> str:
            name, optional = match.group(1), match.group(2)
            if name not in names:
                raise TemplateError("template", f"{{{name}}} is not a parameter of the signature")
            return f"{_OPTIONAL if optional else _REQUIRED}{name}"

        text = PLACEHOLDER.sub(marker, template)
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise TemplateError("template", f"not a Python expression: {exc.msg}") from exc
        optional_ok: set[int] = set()
        refs: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                optional_ok.update(id(a) for a in node.args)
                optional_ok.update(id(k.value) for k in node.keywords)
            if isinstance(node, ast.Attribute | ast.Name):
                dotted = _dotted(node)
                if dotted and dotted.split(".")[0] in PACKAGE_ROOTS:
                    refs.append(dotted)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Name)
                and node.id.startswith(_OPTIONAL)
                and id(node) not in optional_ok
            ):
                raise TemplateError(
                    "template", "an optional placeholder {x?} must be a call argument"
                )
        for default in (d for d in spec.defaults + spec.kw_defaults if d is not None):
            for node in ast.walk(default):
                dotted = _dotted(node) if isinstance(node, ast.Attribute | ast.Name) else None
                if dotted and dotted.split(".")[0] in PACKAGE_ROOTS:
                    refs.append(dotted)
        # Keep only the longest chains: `keras.ops.mean`, not also `keras.ops` and `keras`.
        longest = [r for r in refs if not any(o != r and o.startswith(r + ".") for o in refs)]
        return Template(tuple(params), text, tuple(Reference(r) for r in dict.fromkeys(longest)))

    def bind(self, args: Sequence[T], keywords: Mapping[str, T]) -> dict[str, T]:
        """Map a call's positional and keyword arguments to parameter names.

        Raises RenderError when the call does not fit the signature or leaves out a parameter
        that the template needs and that has no default.
        """
        positional = [p for p in self.parameters if not p.keyword_only]
        if len(args) > len(positional):
            raise RenderError(f"the call passes {len(args)} positional arguments")
        bound = {p.name: value for p, value in zip(positional, args, strict=False)}
        known = {p.name for p in self.parameters}
        for name, value in keywords.items():
            if name not in known:
                raise RenderError(f"the rewrite does not handle {name}=; rewrite this call by hand")
            if name in bound:
                raise RenderError(f"{name} is passed twice")
            bound[name] = value
        for parameter in self.parameters:
            if (
                parameter.default is None
                and parameter.name not in bound
                and (_REQUIRED + parameter.name in self.text)
            ):
                raise RenderError(f"the call does not pass {parameter.name}")
        return bound

    @property
    def repeated(self) -> frozenset[str]:
        """Parameters the template uses more than once (their argument is evaluated twice)."""
        names = re.findall(rf"(?:{_REQUIRED}|{_OPTIONAL})([A-Za-z_][A-Za-z0-9_]*)", self.text)
        return frozenset(name for name in names if names.count(name) > 1)

    def render(self, bound: Mapping[str, str], name_for: Callable[[str], str]) -> str:
        """The new call's text: placeholders filled from `bound`, qualified names via `name_for`."""
        defaults = {p.name: p.default for p in self.parameters}
        for name in bound:
            if name not in defaults:
                raise RenderError(f"unknown argument {name}")
        tree = cst.parse_expression(self.text)
        result = tree.visit(_Renderer(bound, defaults, name_for))
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


def parse_argument(text: str) -> cst.BaseExpression:
    """Parse an argument's source text, parenthesizing it when it spans lines outside brackets."""
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return cst.parse_expression(f"({text})")


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
    ) -> None:
        super().__init__()
        self.bound = bound
        self.defaults = defaults
        self.name_for = name_for
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
        kept = [
            arg
            for arg in updated.args
            if not (isinstance(arg.value, cst.Name) and arg.value.value == "__tfm_drop__")
        ]
        if len(kept) != len(updated.args) and kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=kept)

    def _placeholder(self, original: cst.Name) -> cst.BaseExpression | None:
        name = original.value
        for prefix, optional in ((_REQUIRED, False), (_OPTIONAL, True)):
            if not name.startswith(prefix):
                continue
            param = name[len(prefix) :]
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
            return cst.parse_expression(self.name_for(updated.value))
        return updated

    def leave_Attribute(
        self, original: cst.Attribute, updated: cst.Attribute
    ) -> cst.BaseExpression:
        if id(original) in self.chains:
            dotted = _dotted_cst(original)
            assert dotted is not None
            return cst.parse_expression(self.name_for(dotted))
        return updated
